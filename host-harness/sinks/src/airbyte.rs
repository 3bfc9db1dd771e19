//! The Airbyte protocol, all of it in one place: the messages, a sink that prints them, and the
//! files Airbyte hands a source (per-stream state, configured catalog).
//!
//! Messages, one JSON object per line on stdout. Only what this tool emits: `SPEC`,
//! `CONNECTION_STATUS`, `CATALOG`, `RECORD`, per-stream `STATE`, `LOG`, and `TRACE` (errors with
//! `failure_type`, and `STREAM_STATUS` including `RATE_LIMITED`). See
//! <https://docs.airbyte.com/understanding-airbyte/airbyte-protocol>.
//!
//! - Messages: [`spec`], [`connection_status`], [`catalog`], [`record`], [`state`], [`log`],
//!   [`stream_status`], [`error`].
//! - The sink: [`AirbyteLines`], an [`Observer`] that prints `RECORD`, then the `STATE` that
//!   covers them, and each stream's status.
//! - Files: [`load_state_file`] / [`state_json`] (a list of per-stream states), [`load_catalog`].

use anyhow::Context;
use host_harness::{
    CallError, Checkpoint, Observer, PageStats, StreamChoice, StreamDescriptor, SyncMode,
    SyncState, WitError,
};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

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
            // The source keeps the cursor of every incremental stream; a derived stream has no
            // cursor field of its own (its parent's state orders it).
            if s.sync_modes.contains(&SyncMode::Incremental) {
                stream["source_defined_cursor"] = json!(true);
            }
            if !s.cursor_field.is_empty() {
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

/// Reads an Airbyte per-stream state file: a JSON array of `{"type":"STREAM","stream":{…}}`
/// (a `STATE` message's `state`, or the whole message). A missing file is an empty state.
pub fn load_state_file(path: &Path) -> anyhow::Result<SyncState> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SyncState::new()),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read the state file {}", path.display()))
        }
    };
    parse_state(&text).map_err(|why| {
        anyhow::anyhow!(
            "the state file {} is not a state this tool wrote ({why}). Delete it (or remove the \
             stream from it) to start over with a full sync.",
            path.display()
        )
    })
}

/// Parses state text (see [`load_state_file`]).
pub fn parse_state(text: &str) -> Result<SyncState, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let items = value
        .as_array()
        .ok_or("not a JSON array of per-stream states")?;
    let mut state = SyncState::new();
    for item in items {
        let item = item.get("state").unwrap_or(item);
        let stream = item.get("stream").ok_or("an element has no \"stream\"")?;
        let name = stream
            .pointer("/stream_descriptor/name")
            .and_then(Value::as_str)
            .ok_or("an element has no stream_descriptor.name")?;
        let checkpoint =
            Checkpoint::from_json(name, stream.get("stream_state").unwrap_or(&Value::Null))?;
        state.insert(name.to_owned(), checkpoint);
    }
    Ok(state)
}

/// The state file's JSON.
pub fn state_json(state: &SyncState) -> Value {
    Value::Array(
        state
            .iter()
            .map(|(s, c)| stream_state(s, &c.to_json()))
            .collect(),
    )
}

/// Reads a configured catalog: `{"streams":[{"stream":{"name":…},"sync_mode":"incremental"|"full_refresh"}]}`.
///
/// Each entry's `sync_mode` must be `full_refresh` (the default when absent) or `incremental`,
/// and `incremental` only for a stream whose descriptor offers it; anything else is an error
/// naming the stream, so that a catalog is never read in a mode it did not ask for.
pub fn load_catalog(
    path: &Path,
    descriptors: &[StreamDescriptor],
) -> anyhow::Result<Vec<StreamChoice>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the catalog {}", path.display()))?;
    let value: Value = serde_json::from_str(&text)
        .with_context(|| format!("the catalog {} is not JSON", path.display()))?;
    let streams = value
        .get("streams")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            anyhow::anyhow!("the catalog {} has no \"streams\" array", path.display())
        })?;
    streams
        .iter()
        .map(|s| {
            let name = s
                .pointer("/stream/name")
                .or_else(|| s.get("name"))
                .and_then(Value::as_str)
                .ok_or_else(|| anyhow::anyhow!("a catalog entry has no stream.name"))?;
            let incremental = match s.get("sync_mode") {
                None | Some(Value::Null) => false,
                Some(Value::String(m)) if m == "full_refresh" => false,
                Some(Value::String(m)) if m == "incremental" => true,
                Some(other) => anyhow::bail!(
                    "the catalog {} asks for stream {name} with sync_mode {other}: use \
                     \"full_refresh\" or \"incremental\"",
                    path.display()
                ),
            };
            let offered = descriptors.iter().find(|d| d.name == name);
            if incremental
                && offered.is_some_and(|d| !d.sync_modes.contains(&SyncMode::Incremental))
            {
                anyhow::bail!(
                    "the catalog {} asks for stream {name} incrementally, which it does not \
                     support: use \"full_refresh\"",
                    path.display()
                );
            }
            Ok(StreamChoice {
                name: name.to_owned(),
                incremental,
                parent: offered.and_then(|d| d.parent.clone()),
                lane: offered.and_then(|d| d.lane.clone()),
            })
        })
        .collect::<anyhow::Result<Vec<StreamChoice>>>()
        .map(|mut chosen| {
            host_harness::align_children(&mut chosen);
            chosen
        })
}

/// Airbyte messages as JSON lines on a writer (stdout).
pub struct AirbyteLines<W: Write> {
    out: W,
}

impl<W: Write> AirbyteLines<W> {
    /// Messages to `out`.
    pub fn new(out: W) -> Self {
        AirbyteLines { out }
    }

    /// Writes one message.
    pub fn message(&mut self, message: &Value) -> anyhow::Result<()> {
        writeln!(self.out, "{message}")?;
        Ok(())
    }

    /// Flushes.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

impl<W: Write> Observer for AirbyteLines<W> {
    fn stream_started(&mut self, stream: &str) {
        let _ = self.message(&stream_status(stream, "STARTED", None));
    }
    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        let at = now_ms();
        for r in records {
            match record(stream, r, at) {
                Some(line) => writeln!(self.out, "{line}")?,
                None => self.message(&log("ERROR", &format!("stream {stream}: the connector returned a record that is not a JSON object; it was dropped")))?,
            }
        }
        Ok(())
    }
    fn checkpoint(&mut self, stream: &str, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        self.message(&state(stream, &checkpoint.to_json()))?;
        self.out.flush()?;
        Ok(())
    }
    fn warning(&mut self, stream: &str, message: &str) {
        let _ = self.message(&log("WARN", &format!("stream {stream}: {message}")));
    }
    fn rate_limited(&mut self, stream: &str, reset_at_ms: u64) {
        let _ = self.message(&stream_status(stream, "RUNNING", Some(reset_at_ms)));
    }
    fn page(&mut self, stream: &str, _records: usize, stats: &PageStats) {
        // The connector waited for ClickUp's window inside this page: report it as Airbyte's
        // RATE_LIMITED status (the quota has reset by now).
        if stats.rate_limit_wait_ms > 0 {
            let now = now_ms();
            let _ = self.message(&stream_status(stream, "RUNNING", Some(now)));
        }
    }
    fn stream_complete(&mut self, stream: &str) {
        let _ = self.message(&stream_status(stream, "COMPLETE", None));
    }
    fn stream_failed(&mut self, stream: &str, _error: &CallError) {
        let _ = self.message(&stream_status(stream, "INCOMPLETE", None));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn state_files_round_trip_and_bad_ones_say_how_to_start_over() {
        let mut s = SyncState::new();
        s.insert(
            "tasks".into(),
            Checkpoint {
                state: Some(json!({"v": 1})),
                cursor: None,
            },
        );
        let text = state_json(&s).to_string();
        assert_eq!(parse_state(&text).unwrap(), s);
        for bad in [
            "{",
            "{}",
            "[{}]",
            r#"[{"stream":{"stream_state":{}}}]"#,
            r#"[{"stream":{"stream_descriptor":{"name":"t"},"stream_state":7}}]"#,
        ] {
            assert!(parse_state(bad).is_err(), "{bad}");
        }
        let dir = std::env::temp_dir().join(format!("state-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.json");
        std::fs::write(&path, "garbage").unwrap();
        let e = load_state_file(&path).unwrap_err().to_string();
        assert!(e.contains("start over"), "{e}");
        assert!(load_state_file(&dir.join("absent.json"))
            .unwrap()
            .is_empty());
    }
}
