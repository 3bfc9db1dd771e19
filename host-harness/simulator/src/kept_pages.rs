//! Task pages kept as they were sent, for benchmarks ([`SimConfig::keep_task_pages`]).
//!
//! The simulator runs on the machine of the connector it measures. ClickUp makes its pages on
//! its own machines; here a page of 100 tasks (about 1 MB) costs some 40 ms of the same
//! processor to gather and serialise, 13 s of a 30,000-task sync on two cores. With the store
//! on, a task page is made once per world, token and request target, then sent again byte for
//! byte: a benchmark warms the store with one sync and times the next.
//!
//! Only task pages (`/team/{id}/task`, `/list/{id}/task`) are kept: they are where the time
//! goes, and their answers depend on the world, the token and the query alone (the time-entry
//! endpoint reads the clock). The store belongs to one `WorldState`, so a mutation empties it,
//! and so does a change to a token. Every request still goes through the counting, the rate
//! limiter, the faults and the latency first: only the making of the body is skipped.
//!
//! [`SimConfig::keep_task_pages`]: crate::SimConfig::keep_task_pages

use super::api_error::ApiError;
use super::shared::lock;
use std::collections::HashMap;
use std::sync::Mutex;

/// Bodies by (presented token, request target).
type Bodies = HashMap<(String, String), Vec<u8>>;

/// The store; `bodies` is `None` when it is off.
#[derive(Debug, Default)]
pub(crate) struct KeptPages {
    bodies: Option<Mutex<Bodies>>,
}

/// A body, and whether it came from the store.
pub(crate) struct Page {
    pub body: Vec<u8>,
    pub kept: bool,
}

impl KeptPages {
    pub(crate) fn new(on: bool) -> KeptPages {
        KeptPages {
            bodies: on.then(Mutex::default),
        }
    }

    /// The kept body for `token` and `target`, or `make`'s (then kept). `keep` false (an answer
    /// that is not a task page) or the store off: `make`'s, not kept.
    pub(crate) fn get_or_make(
        &self,
        keep: bool,
        token: &str,
        target: &str,
        make: impl FnOnce() -> Result<Vec<u8>, ApiError>,
    ) -> Result<Page, ApiError> {
        let Some(bodies) = self.bodies.as_ref().filter(|_| keep) else {
            return make().map(|body| Page { body, kept: false });
        };
        let key = (token.to_owned(), target.to_owned());
        if let Some(body) = lock(bodies).get(&key) {
            return Ok(Page {
                body: body.clone(),
                kept: true,
            });
        }
        // Made outside the lock, so pages asked for side by side are made side by side.
        let body = make()?;
        lock(bodies).insert(key, body.clone());
        Ok(Page { body, kept: false })
    }

    /// Forgets every body (the world or a token changed).
    pub(crate) fn clear(&self) {
        if let Some(bodies) = &self.bodies {
            lock(bodies).clear();
        }
    }
}
