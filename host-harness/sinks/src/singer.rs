//! The Singer protocol: `clickup-connector singer` behaves as a Singer tap, so its output can be
//! piped into any Singer target (`target-jsonl`, `target-postgres`, `target-duckdb`, Meltano…).
//! See <https://hub.meltano.com/singer/spec>.
//!
//! - `--discover` prints a Singer catalog: per stream its JSON schema, `key_properties`, the
//!   replication method and key, and `metadata` with every stream `selected`.
//! - A sync prints `SCHEMA` before a stream's first record, then `RECORD`s, and after every page a
//!   `STATE` whose `value` is the whole state: `{"bookmarks": {"<stream>": {"state": …,
//!   "cursor": …}}}`. Targets echo the last one they committed; pass that back with `--state`.
//! - `--catalog` (or the older `--properties`) chooses streams: those marked `selected` in their
//!   top-level metadata (or the older `schema.selected`), incrementally where the entry's
//!   `replication_method` (or metadata `replication-method`) says `INCREMENTAL`, or where it says
//!   nothing and the stream supports it.
//!
//! Singer has no error message: errors go to stderr and the exit code (see `--help`).

use host_harness::{
    CallError, Checkpoint, Observer, StreamChoice, StreamDescriptor, SyncMode, SyncState,
};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::Write;

/// Singer's `key_properties`: the top-level field of each primary-key path.
fn key_properties(d: &StreamDescriptor) -> Vec<String> {
    d.primary_key
        .iter()
        .filter_map(|path| path.first().cloned())
        .collect()
}

fn schema_of(d: &StreamDescriptor) -> Value {
    let mut schema: Value = serde_json::from_str(&d.json_schema).unwrap_or_else(|_| json!({}));
    // Draft-4 validators (most Singer targets) ignore it anyway; do not confuse them.
    if let Some(obj) = schema.as_object_mut() {
        obj.remove("$schema");
    }
    schema
}

fn supports_incremental(d: &StreamDescriptor) -> bool {
    d.sync_modes.contains(&SyncMode::Incremental)
}

/// The Singer catalog (`--discover`), every stream selected.
pub fn catalog(streams: &[StreamDescriptor]) -> Value {
    let streams: Vec<Value> = streams
        .iter()
        .map(|d| {
            let keys = key_properties(d);
            let incremental = supports_incremental(d);
            let method = if incremental { "INCREMENTAL" } else { "FULL_TABLE" };
            let mut top = json!({
                "selected": true,
                "inclusion": "available",
                "table-key-properties": keys,
                "forced-replication-method": if incremental { Value::Null } else { json!("FULL_TABLE") },
                "valid-replication-keys": d.cursor_field,
            });
            if let Some(obj) = top.as_object_mut() {
                obj.retain(|_, v| !v.is_null());
            }
            let mut metadata = vec![json!({"breadcrumb": [], "metadata": top})];
            let schema = schema_of(d);
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for name in props.keys() {
                    let automatic = keys.contains(name) || d.cursor_field.contains(name);
                    metadata.push(json!({
                        "breadcrumb": ["properties", name],
                        "metadata": {"inclusion": if automatic { "automatic" } else { "available" }},
                    }));
                }
            }
            let mut entry = json!({
                "tap_stream_id": d.name,
                "stream": d.name,
                "schema": schema,
                "key_properties": keys,
                "replication_method": method,
                "metadata": metadata,
            });
            if incremental {
                if let Some(key) = d.cursor_field.first() {
                    entry["replication_key"] = json!(key);
                }
            }
            entry
        })
        .collect();
    json!({ "streams": streams })
}

/// The streams a Singer catalog selects (see the module docs). `known`: the connector's own
/// descriptors, to tell which streams exist and which can be incremental.
pub fn selected_streams(
    catalog: &Value,
    known: &[StreamDescriptor],
) -> Result<Vec<StreamChoice>, String> {
    let entries = catalog
        .get("streams")
        .and_then(Value::as_array)
        .ok_or("the catalog has no \"streams\" array")?;
    let mut chosen = Vec::new();
    for entry in entries {
        let name = entry
            .get("tap_stream_id")
            .or_else(|| entry.get("stream"))
            .and_then(Value::as_str)
            .ok_or("a catalog entry has neither \"tap_stream_id\" nor \"stream\"")?;
        let top = entry
            .get("metadata")
            .and_then(Value::as_array)
            .and_then(|m| {
                m.iter().find(|item| {
                    item.get("breadcrumb")
                        .and_then(Value::as_array)
                        .is_some_and(Vec::is_empty)
                })
            })
            .and_then(|item| item.get("metadata"));
        let selected = top
            .and_then(|m| m.get("selected"))
            .or_else(|| entry.pointer("/schema/selected"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if !selected {
            continue;
        }
        let descriptor = known.iter().find(|d| d.name == name).ok_or_else(|| {
            let names: Vec<&str> = known.iter().map(|d| d.name.as_str()).collect();
            format!(
                "the catalog selects stream {name:?}, which this connector does not have (it has: {})",
                names.join(", ")
            )
        })?;
        let method = entry
            .get("replication_method")
            .or_else(|| top.and_then(|m| m.get("replication-method")))
            .and_then(Value::as_str);
        let incremental = match method {
            Some("INCREMENTAL") => {
                if !supports_incremental(descriptor) {
                    return Err(format!(
                        "the catalog asks for stream {name:?} INCREMENTAL, which it does not support: use FULL_TABLE"
                    ));
                }
                true
            }
            Some("FULL_TABLE") => false,
            Some(other) => {
                return Err(format!(
                "stream {name:?}: unknown replication method {other:?} (INCREMENTAL or FULL_TABLE)"
            ))
            }
            None => supports_incremental(descriptor),
        };
        chosen.push(StreamChoice {
            name: name.to_owned(),
            incremental,
            parent: descriptor.parent.clone(),
            lane: descriptor.lane.clone(),
        });
    }
    if chosen.is_empty() {
        return Err(
            "the catalog selects no stream: mark streams with \"selected\": true in the \
                    metadata whose breadcrumb is [] (the --discover output selects all)"
                .into(),
        );
    }
    host_harness::align_children(&mut chosen);
    Ok(chosen)
}

/// The state a Singer target echoed back (`{"bookmarks": {…}}`; a whole `STATE` message is
/// accepted too).
pub fn parse_state(text: &str) -> Result<SyncState, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let value = match value.get("type").and_then(Value::as_str) {
        Some("STATE") => value.get("value").cloned().unwrap_or(Value::Null),
        _ => value,
    };
    if !value.is_object() {
        return Err("not a JSON object (a Singer state is {\"bookmarks\": {…}})".into());
    }
    let bookmarks = match value.get("bookmarks") {
        None | Some(Value::Null) => return Ok(SyncState::new()),
        Some(Value::Object(b)) => b,
        Some(_) => return Err("\"bookmarks\" is not an object".into()),
    };
    bookmarks
        .iter()
        .map(|(stream, saved)| Ok((stream.clone(), Checkpoint::from_json(stream, saved)?)))
        .collect()
}

/// The `value` of a `STATE` message.
pub fn state_value(state: &SyncState) -> Value {
    let bookmarks: Map<String, Value> = state
        .iter()
        .map(|(s, c)| (s.clone(), c.to_json()))
        .collect();
    json!({ "bookmarks": bookmarks })
}

/// Singer messages as JSON lines on a writer (stdout): an [`Observer`] of a sync.
pub struct SingerLines<W: Write> {
    out: W,
    schemas: BTreeMap<String, (Value, Vec<String>, Vec<String>)>,
    state: SyncState,
    time_extracted: String,
}

impl<W: Write> SingerLines<W> {
    /// Messages for the streams `descriptors`, starting from `state`.
    pub fn new(out: W, descriptors: &[StreamDescriptor], state: &SyncState) -> Self {
        let schemas = descriptors
            .iter()
            .map(|d| {
                (
                    d.name.clone(),
                    (schema_of(d), key_properties(d), d.cursor_field.clone()),
                )
            })
            .collect();
        SingerLines {
            out,
            schemas,
            state: state.clone(),
            time_extracted: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }
    }

    fn message(&mut self, message: &Value) -> anyhow::Result<()> {
        writeln!(self.out, "{message}")?;
        Ok(())
    }

    /// Flushes.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

impl<W: Write> Observer for SingerLines<W> {
    fn stream_started(&mut self, stream: &str) {
        let (schema, keys, bookmarks) = self
            .schemas
            .get(stream)
            .cloned()
            .unwrap_or_else(|| (json!({}), vec![], vec![]));
        let mut message =
            json!({"type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": keys});
        if !bookmarks.is_empty() {
            message["bookmark_properties"] = json!(bookmarks);
        }
        let _ = self.message(&message);
    }

    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        let stream = Value::String(stream.to_owned());
        let at = Value::String(self.time_extracted.clone());
        for r in records {
            let Ok(record) = serde_json::from_str::<Value>(r) else {
                eprintln!("ERROR stream {stream}: the connector returned a record that is not JSON; it was dropped");
                continue;
            };
            if !record.is_object() {
                eprintln!("ERROR stream {stream}: the connector returned a record that is not a JSON object; it was dropped");
                continue;
            }
            let line =
                json!({"type": "RECORD", "stream": stream, "record": record, "time_extracted": at});
            writeln!(self.out, "{line}")?;
        }
        Ok(())
    }

    fn checkpoint(&mut self, stream: &str, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        self.state.insert(stream.to_owned(), checkpoint.clone());
        let value = state_value(&self.state);
        self.message(&json!({"type": "STATE", "value": value}))?;
        self.out.flush()?;
        Ok(())
    }

    fn warning(&mut self, stream: &str, message: &str) {
        eprintln!("WARNING stream {stream}: {message}");
    }

    fn stream_failed(&mut self, stream: &str, error: &CallError) {
        eprintln!("ERROR stream {stream}: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descriptor(name: &str, incremental: bool) -> StreamDescriptor {
        StreamDescriptor {
            name: name.into(),
            json_schema: r#"{"$schema":"x","type":"object","properties":{"id":{"type":"string"},"date_updated":{"type":"string"}}}"#.into(),
            primary_key: vec![vec!["id".into()]],
            cursor_field: if incremental { vec!["date_updated".into()] } else { vec![] },
            sync_modes: if incremental {
                vec![SyncMode::FullRefresh, SyncMode::Incremental]
            } else {
                vec![SyncMode::FullRefresh]
            },
            parent: None,
            lane: None,
        }
    }

    #[test]
    fn the_discovered_catalog_selects_every_stream_as_discovered() {
        let known = [descriptor("tasks", true), descriptor("spaces", false)];
        let cat = catalog(&known);
        assert_eq!(cat["streams"][0]["replication_key"], "date_updated");
        assert!(cat["streams"][0]["schema"].get("$schema").is_none());
        let chosen = selected_streams(&cat, &known).unwrap();
        assert_eq!(
            chosen,
            vec![
                StreamChoice {
                    name: "tasks".into(),
                    incremental: true,
                    parent: None,
                    lane: None,
                },
                StreamChoice {
                    name: "spaces".into(),
                    incremental: false,
                    parent: None,
                    lane: None,
                },
            ]
        );
    }

    #[test]
    fn unselected_unknown_and_impossible_streams_are_told_apart() {
        let known = [descriptor("tasks", true), descriptor("spaces", false)];
        let mut cat = catalog(&known);
        cat["streams"][0]["metadata"][0]["metadata"]["selected"] = json!(false);
        assert_eq!(selected_streams(&cat, &known).unwrap().len(), 1);
        cat["streams"][1]["metadata"][0]["metadata"]["selected"] = json!(false);
        assert!(selected_streams(&cat, &known)
            .unwrap_err()
            .contains("selects no stream"));
        let wrong = json!({"streams": [{"tap_stream_id": "spaces", "replication_method": "INCREMENTAL", "schema": {"selected": true}}]});
        assert!(selected_streams(&wrong, &known)
            .unwrap_err()
            .contains("FULL_TABLE"));
        let unknown = json!({"streams": [{"stream": "sprints", "schema": {"selected": true}}]});
        assert!(selected_streams(&unknown, &known)
            .unwrap_err()
            .contains("sprints"));
    }

    #[test]
    fn state_round_trips_through_a_target() {
        let mut state = SyncState::new();
        state.insert(
            "tasks".into(),
            Checkpoint {
                state: Some(json!({"v": 1})),
                cursor: None,
            },
        );
        let echoed = state_value(&state).to_string();
        assert_eq!(parse_state(&echoed).unwrap(), state);
        let message = json!({"type": "STATE", "value": state_value(&state)}).to_string();
        assert_eq!(parse_state(&message).unwrap(), state);
        assert!(parse_state("{}").unwrap().is_empty());
        assert!(parse_state(r#"{"bookmarks": {"tasks": 3}}"#).is_err());
        assert!(parse_state("not json").is_err());
        assert!(parse_state("17").is_err());
        assert!(parse_state("[]").is_err());
    }
}
