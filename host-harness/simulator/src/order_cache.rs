//! Sorted results of recent task queries.
//!
//! A connector pages through a query with the same filters and only `page`
//! changing; filtering and sorting a 10,000-task workspace for each of its 100
//! pages would dominate the simulator's time. The first page computes the
//! ordered positions and later pages reuse them. The cache belongs to one
//! `WorldState` and is emptied whenever the world changes.

use super::index::Pos;
use std::sync::{Arc, Mutex, PoisonError};

const CAPACITY: usize = 16;

#[derive(Debug, Default)]
pub(crate) struct OrderCache {
    entries: Mutex<Vec<(String, Arc<Vec<Pos>>)>>,
}

impl OrderCache {
    /// The cached order for `key`, or `compute`'s result (then cached).
    pub(crate) fn get_or_compute(
        &self,
        key: String,
        compute: impl FnOnce() -> Vec<Pos>,
    ) -> Arc<Vec<Pos>> {
        {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(i) = entries.iter().position(|(k, _)| *k == key) {
                let entry = entries.remove(i);
                let order = Arc::clone(&entry.1);
                entries.push(entry);
                return order;
            }
        }
        // Computed outside the lock so concurrent queries do not wait on each other.
        let order = Arc::new(compute());
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY {
            entries.remove(0);
        }
        entries.push((key, Arc::clone(&order)));
        order
    }

    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
