//! What the exit code says, and which Airbyte `failure_type` an error is.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | anything else: a bug, a crashed connector, an unwritable output ([`SYSTEM`]) |
//! | 2 | bad arguments (clap's own) |
//! | 3 | a configuration or credential problem the user must fix ([`CONFIG`]) |
//! | 4 | a transient failure (ClickUp unavailable, rate limit): run again later, it resumes ([`TRANSIENT`]) |
//! | 141 | stdout was closed by its reader (`… \| head`): stopped quietly ([`BROKEN_PIPE`]) |

use host_harness::{CallError, WitError};

/// Exit code: a configuration or credential problem the user must fix.
pub(crate) const CONFIG: u8 = 3;
/// Exit code: a transient failure (ClickUp unavailable, rate limit): run again later, it resumes.
pub(crate) const TRANSIENT: u8 = 4;
/// Exit code: stdout was closed by its reader; the command stopped without a message (128 +
/// SIGPIPE, what a shell reports for a process a closed pipe stopped).
pub(crate) const BROKEN_PIPE: u8 = 141;
/// Exit code: anything else (a bug, a crashed connector, an unwritable output folder).
pub(crate) const SYSTEM: u8 = 1;

/// The exit code of a failed call.
pub(crate) fn code(e: &CallError) -> u8 {
    match e {
        CallError::Connector(WitError::RateLimited(_) | WitError::Transient(_)) => TRANSIENT,
        CallError::Connector(WitError::Protocol(_)) | CallError::Stopped(_) => SYSTEM,
        CallError::Connector(_) => CONFIG,
    }
}

/// The Airbyte `failure_type` of a failed call.
pub(crate) fn failure_type(e: &CallError) -> &'static str {
    match e {
        CallError::Connector(w) => connector_sinks::airbyte::failure_type(w),
        CallError::Stopped(_) => "system_error",
    }
}
