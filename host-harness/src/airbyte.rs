//! Airbyte protocol messages, one JSON object per line on stdout.
//!
//! Only what this tool emits: `SPEC`, `CONNECTION_STATUS`, `CATALOG`, `RECORD`, per-stream
//! `STATE`, `LOG`, and `TRACE` (errors with `failure_type`, and `STREAM_STATUS` including
//! `RATE_LIMITED`). See <https://docs.airbyte.com/understanding-airbyte/airbyte-protocol>.

use crate::bindings::{StreamDescriptor, SyncMode, WitError};
use serde_json::{json, Value};

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// `SPEC`, from the connector's config schema.
pub fn spec(config_schema: &str) -> Value {
    let schema: Value = serde_json::from_str(config_schema).unwrap_or(Value::Null);
    json!({"type": "SPEC", "spec": {
        "connectionSpecification": schema,
        "supportsIncremental": true,
        "supported_destination_sync_modes": ["overwrite", "append", "append_dedup"],
    }})
}

/// `CONNECTION_STATUS`.
pub fn connection_status(error: Option<&str>) -> Value {
    match error {
        None => json!({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "SUCCEEDED"}}),
        Some(m) => {
            json!({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "FAILED", "message": m}})
        }
    }
}

/// `CATALOG`.
pub fn catalog(streams: &[StreamDescriptor]) -> Value {
    let streams: Vec<Value> = streams
        .iter()
        .map(|s| {
            let modes: Vec<&str> = s
                .sync_modes
                .iter()
                .map(|m| match m {
                    SyncMode::FullRefresh => "full_refresh",
                    SyncMode::Incremental => "incremental",
                })
                .collect();
            let mut stream = json!({
                "name": s.name,
                "json_schema": serde_json::from_str::<Value>(&s.json_schema).unwrap_or(json!({})),
                "supported_sync_modes": modes,
                "source_defined_primary_key": s.primary_key,
                "is_resumable": true,
            });
            if !s.cursor_field.is_empty() {
                stream["source_defined_cursor"] = json!(true);
                stream["default_cursor_field"] = json!(s.cursor_field);
            }
            stream
        })
        .collect();
    json!({"type": "CATALOG", "catalog": {"streams": streams}})
}

/// `RECORD`, or `None` when `data` is not a JSON object (a broken connector must not break the
/// output stream). `data` is embedded as is, without re-serialising.
pub fn record(stream: &str, data: &str, emitted_at: u64) -> Option<String> {
    let trimmed = data.trim_start();
    if !trimmed.starts_with('{') || serde_json::from_str::<serde::de::IgnoredAny>(data).is_err() {
        return None;
    }
    let stream = Value::String(stream.to_owned());
    if data.contains(['\n', '\r']) {
        let value: Value = serde_json::from_str(data).ok()?;
        return Some(json!({"type": "RECORD", "record": {"stream": stream, "data": value, "emitted_at": emitted_at}}).to_string());
    }
    Some(format!(
        r#"{{"type":"RECORD","record":{{"stream":{stream},"data":{data},"emitted_at":{emitted_at}}}}}"#
    ))
}

/// The per-stream `state` object (inside a `STATE` message, and an element of a state file).
pub fn stream_state(stream: &str, stream_state: &Value) -> Value {
    json!({"type": "STREAM", "stream": {"stream_descriptor": {"name": stream}, "stream_state": stream_state}})
}

/// `STATE` for one stream.
pub fn state(stream: &str, stream_state_value: &Value) -> Value {
    json!({"type": "STATE", "state": stream_state(stream, stream_state_value)})
}

/// `LOG`.
pub fn log(level: &str, message: &str) -> Value {
    json!({"type": "LOG", "log": {"level": level, "message": message}})
}

/// `TRACE` `STREAM_STATUS`. `status`: STARTED, RUNNING, COMPLETE or INCOMPLETE; `rate_limited`:
/// the quota reset (ms) when the stream waits for the rate limit.
pub fn stream_status(stream: &str, status: &str, rate_limited: Option<u64>) -> Value {
    let mut s = json!({"stream_descriptor": {"name": stream}, "status": status});
    if let Some(reset) = rate_limited {
        s["reasons"] = json!([{"type": "RATE_LIMITED", "rate_limited": {"quota_reset": reset}}]);
    }
    json!({"type": "TRACE", "trace": {"type": "STREAM_STATUS", "emitted_at": now_ms() as f64, "stream_status": s}})
}

/// Airbyte's `failure_type` of a connector error.
pub fn failure_type(e: &WitError) -> &'static str {
    match e {
        WitError::Config(_)
        | WitError::Auth(_)
        | WitError::Forbidden(_)
        | WitError::InvalidState(_)
        | WitError::UnknownStream(_) => "config_error",
        WitError::RateLimited(_) | WitError::Transient(_) => "transient_error",
        WitError::Protocol(_) => "system_error",
    }
}

/// `TRACE` `ERROR`.
pub fn error(message: &str, failure_type: &str, stream: Option<&str>) -> Value {
    let mut e = json!({"message": message, "failure_type": failure_type});
    if let Some(s) = stream {
        e["stream_descriptor"] = json!({"name": s});
    }
    json!({"type": "TRACE", "trace": {"type": "ERROR", "emitted_at": now_ms() as f64, "error": e}})
}
