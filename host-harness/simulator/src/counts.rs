//! What the simulator served: tests assert on request budgets ("a full sync of
//! the tiny world takes fewer than N requests", "the connector backed off after
//! the 429") through these counters.

use std::collections::BTreeMap;

/// Counters of what the simulator served since it started or since
/// `Simulator::reset_counts`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestCounts {
    /// Every request received, whatever its answer.
    pub total: u64,
    /// Requests by method and endpoint pattern, e.g. `"GET /team/{id}/task"`;
    /// unknown routes count under `"GET (unknown)"`.
    pub by_endpoint: BTreeMap<String, u64>,
    /// 429s sent because the rate limit was exhausted.
    pub rate_limited: u64,
    /// Faults sent (random and injected), including injected 429s.
    pub faults: u64,
    /// Every 429 sent, from the limiter or a fault.
    pub status_429: u64,
    /// Requests being answered right now (received, answer not yet sent).
    pub in_flight: u64,
    /// The most requests that were being answered at one moment.
    pub peak_in_flight: u64,
    /// Task pages sent as kept by `SimConfig::keep_task_pages` (not made again).
    pub kept_pages_sent: u64,
}

impl RequestCounts {
    /// Requests counted under one pattern such as `"GET /team/{id}/task"`; 0 if none.
    pub fn endpoint(&self, pattern: &str) -> u64 {
        self.by_endpoint.get(pattern).copied().unwrap_or(0)
    }
}
