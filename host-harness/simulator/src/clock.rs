//! Time as ClickUp renders it: Unix epoch milliseconds, almost always as JSON strings.
//!
//! Generated data uses the simulator's configured "now"; mutations and the
//! time-entry default window use the real clock (see the module docs of `world`).

use serde_json::Value;
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds in a day (ClickUp dates and durations are in ms).
pub const MS_PER_DAY: i64 = 86_400_000;

/// The real wall clock in ms.
pub fn real_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `1700000000000` -> `"1700000000000"`: how ClickUp sends object timestamps.
pub fn ms(v: i64) -> Value {
    Value::String(v.to_string())
}

/// A nullable timestamp as a string or `null`.
pub fn opt_ms(v: Option<i64>) -> Value {
    match v {
        Some(v) => ms(v),
        None => Value::Null,
    }
}
