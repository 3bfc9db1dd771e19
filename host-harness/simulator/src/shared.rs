//! The state the server threads and the `Simulator` handle share.
//!
//! Each piece has its own lock, taken briefly and never nested (but for the kept task pages'
//! store, which lives inside the world's state and is locked under its lock), so a test thread
//! calling `mutate` or `request_counts` never deadlocks with the server. A panic
//! inside a `mutate` closure poisons nothing: poisoned locks are recovered, since
//! every writer leaves the data consistent between statements.

use super::auth::TokenRegistry;
use super::config::LatencyConfig;
use super::counts::RequestCounts;
use super::faults::FaultState;
use super::index::WorldState;
use super::prng::SplitMix64;
use super::rate_limit::RateLimiter;
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub(crate) struct Shared {
    pub state: RwLock<WorldState>,
    pub tokens: Mutex<TokenRegistry>,
    pub limiter: Mutex<RateLimiter>,
    pub faults: Mutex<FaultState>,
    pub counts: Mutex<RequestCounts>,
    /// Every request's target (path after `/api/v2`, with `?query`), in arrival order.
    pub log: Mutex<Vec<String>>,
    /// How long answers take, and the draws of its jitter.
    pub latency: Mutex<(LatencyConfig, SplitMix64)>,
}

impl Shared {
    /// This answer's latency: the base plus a fresh draw of the jitter.
    pub(crate) fn next_latency(&self) -> std::time::Duration {
        let mut guard = lock(&self.latency);
        let (config, rng) = &mut *guard;
        let jitter_ms = config.jitter.as_millis() as u64;
        let extra = if jitter_ms == 0 {
            0
        } else {
            rng.next_u64() % (jitter_ms + 1)
        };
        config.base + std::time::Duration::from_millis(extra)
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn write<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(PoisonError::into_inner)
}
