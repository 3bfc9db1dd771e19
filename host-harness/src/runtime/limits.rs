//! What one run of a connector may use.
//!
//! A connector is code from someone else running inside your process. Every run gets its own
//! `Store` with these caps, so a connector that allocates without bound, spins, or hangs is
//! stopped with a clear error while everything else in the process goes on.

use std::time::Duration;

/// Per-run resource caps. `Limits::default()` suits one sync of a large Workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest linear memory the connector may grow to, in bytes. Default: 256 MiB. Growing past
    /// it traps the run ("memory limit").
    pub memory_bytes: usize,
    /// CPU time the connector's own code may run within one call, in milliseconds of running wasm
    /// (time spent waiting in the host for HTTP or sleep does not count). Default: 60,000.
    pub cpu_ms_per_call: u64,
    /// Wall-clock time one call may take, waits included. Default: 15 minutes (a call may wait for
    /// ClickUp's rate-limit window and retry).
    pub wall_per_call: Duration,
    /// Most HTTP requests the run may send; further requests are refused. Default: unlimited.
    pub max_requests: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 256 << 20,
            cpu_ms_per_call: 60_000,
            wall_per_call: Duration::from_secs(15 * 60),
            max_requests: None,
        }
    }
}

/// How often the engine's epoch ticks, which bounds how precisely CPU time is measured.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);
