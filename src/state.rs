//! Incremental state: what a finished sync remembers so the next one reads only what changed.
//!
//! State comes back from outside (a host's file or database), so it is validated like any input:
//! corrupt JSON, another connector's state, another stream's, or a version this build does not
//! know each get a [`ConnectorError::InvalidState`] that says how to start over (pass no state).
//! Never a panic, never a silent full resync.
//!
//! Shape (version 1): `{"connector":"clickup","v":1,"stream":"tasks","watermarks":{"<workspace id>": <ms>}}`.
//! For `tasks` a watermark is the largest `date_updated` seen; for `time_entries` it is the end of
//! the last window read. Watermarks only move forward. A `tasks` state also keeps, per Workspace,
//! the last sweep for deleted tasks (`sweeps`: when, and the ids it saw, see
//! [`crate::known_ids`]): about 1 MB per 100,000 tasks; and, per child stream read with it, the
//! keys of each task's rows (`children`, see [`crate::child_keys`]).

use crate::child_keys::ChildKeys;
use crate::error::ConnectorError;
use crate::known_ids::{KnownEntries, KnownIds};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The state format this build reads and writes.
pub const STATE_VERSION: u32 = 1;
const CONNECTOR: &str = "clickup";

/// The state of one incremental stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamState {
    /// Always `clickup`: tells this connector's state from another's.
    pub connector: String,
    /// Format version, [`STATE_VERSION`].
    pub v: u32,
    /// The stream this state belongs to.
    pub stream: String,
    /// Per Workspace id: the watermark in ms since the Unix epoch.
    pub watermarks: BTreeMap<String, i64>,
    /// `tasks` only, per Workspace id: the last sweep for deleted tasks. Absent in states of
    /// earlier builds (the next incremental sync then sweeps).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sweeps: BTreeMap<String, Sweep>,
    /// `time_entries` only, per Workspace id: the entries the next sync's look-back reads again,
    /// with their starts (an entry among them that does not come back was deleted). Absent in
    /// states of earlier builds.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub recent: BTreeMap<String, KnownEntries>,
    /// `tasks` only, per child stream whose rows a task body lists in full (`task_assignees`,
    /// `task_tags`, `task_checklist_items`, `task_dependencies`, `task_links`): the keys of each
    /// task's rows as the last read with that stream left them. Absent in states of earlier
    /// builds, and for a child stream never read.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub children: BTreeMap<String, ChildKeys>,
    /// `tasks` only: the child streams read with it since this state's first sync, whose
    /// destinations therefore hold every task's rows. A read that asks for a child stream not
    /// listed here reads every task once (see `read/children.rs`). Absent in states of earlier
    /// builds.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub child_streams: BTreeSet<String>,
}

/// What the last sweep for deleted tasks of a Workspace found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    /// When it ran (the start of its read), in ms since the Unix epoch.
    pub at_ms: i64,
    /// The ids of the Workspace's tasks then, and of the tasks read since.
    pub ids: KnownIds,
}

impl StreamState {
    /// The empty state of a stream: everything is read.
    pub fn empty(stream: &str) -> StreamState {
        StreamState {
            connector: CONNECTOR.to_owned(),
            v: STATE_VERSION,
            stream: stream.to_owned(),
            watermarks: BTreeMap::new(),
            sweeps: BTreeMap::new(),
            recent: BTreeMap::new(),
            children: BTreeMap::new(),
            child_streams: BTreeSet::new(),
        }
    }

    /// Reads a state passed in by the host; `None` is the empty state.
    pub fn parse(text: Option<&str>, stream: &str) -> Result<StreamState, ConnectorError> {
        let Some(text) = text else {
            return Ok(StreamState::empty(stream));
        };
        let start_over = format!(
            "To start this stream over with a full sync, pass no state for it (with the \
             command-line tool: run it again with `--reset {stream}`)."
        );
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            ConnectorError::InvalidState(format!(
                "the state of stream {stream} is not valid JSON (line {}, column {}). {start_over}",
                e.line(),
                e.column()
            ))
        })?;
        if value.get("connector").and_then(|c| c.as_str()) != Some(CONNECTOR) {
            return Err(ConnectorError::InvalidState(format!(
                "the state of stream {stream} was not written by the ClickUp connector. {start_over}"
            )));
        }
        match value.get("v").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(STATE_VERSION) => {}
            Some(v) => {
                return Err(ConnectorError::InvalidState(format!(
                    "the state of stream {stream} has format version {v}; this connector reads \
                     version {STATE_VERSION}. {start_over}"
                )))
            }
            None => {
                return Err(ConnectorError::InvalidState(format!(
                    "the state of stream {stream} has no format version. {start_over}"
                )))
            }
        }
        // serde reads a struct from an array too (`[1, "ids"]` as a sweep): only objects here.
        let sweeps = value.get("sweeps").and_then(|s| s.as_object());
        if let Some((ws, _)) = sweeps.and_then(|s| s.iter().find(|(_, v)| !v.is_object())) {
            return Err(ConnectorError::InvalidState(format!(
                "the state of stream {stream} is damaged (the sweep of Workspace {ws} is not an \
                 object). {start_over}"
            )));
        }
        let state: StreamState = serde_json::from_value(value).map_err(|e| {
            ConnectorError::InvalidState(format!(
                "the state of stream {stream} is damaged ({e}). {start_over}"
            ))
        })?;
        if state.stream != stream {
            return Err(ConnectorError::InvalidState(format!(
                "the state passed for stream {stream} belongs to stream {}. {start_over}",
                state.stream
            )));
        }
        if let Some((ws, ms)) = state
            .watermarks
            .iter()
            .find(|(_, ms)| !(0..=MAX_WATERMARK_MS).contains(*ms))
        {
            return Err(ConnectorError::InvalidState(format!(
                "the state of stream {stream} holds an impossible time ({ms}) for Workspace {ws}. {start_over}"
            )));
        }
        if let Some((ws, sweep)) = state
            .sweeps
            .iter()
            .find(|(_, s)| !(0..=MAX_WATERMARK_MS).contains(&s.at_ms))
        {
            return Err(ConnectorError::InvalidState(format!(
                "the state of stream {stream} holds an impossible sweep time ({}) for Workspace {ws}. {start_over}",
                sweep.at_ms
            )));
        }
        let impossible_start =
            |e: &KnownEntries| e.0.values().any(|ms| !(0..=MAX_WATERMARK_MS).contains(ms));
        if let Some((ws, _)) = state.recent.iter().find(|(_, e)| impossible_start(e)) {
            return Err(ConnectorError::InvalidState(format!(
                "the state of stream {stream} holds a time entry with an impossible start for Workspace {ws}. {start_over}"
            )));
        }
        if let Some(name) = state.children.keys().find(|n| !keeps_child_keys(n)) {
            return Err(ConnectorError::InvalidState(format!(
                "the state of stream {stream} keeps child keys for {name:?}, which is not a child \
                 stream whose keys are kept. {start_over}"
            )));
        }
        let not_a_child =
            |n: &&String| crate::streams::task_children::Child::from_name(n).is_none();
        if let Some(name) = state.child_streams.iter().find(not_a_child) {
            return Err(ConnectorError::InvalidState(format!(
                "the state of stream {stream} lists {name:?} among its child streams, which is not \
                 one. {start_over}"
            )));
        }
        Ok(state)
    }

    /// The watermark of a Workspace, if an earlier sync recorded one.
    pub fn watermark(&self, workspace: &str) -> Option<i64> {
        self.watermarks.get(workspace).copied()
    }

    /// Moves a Workspace's watermark forward (never back).
    pub fn advance(&mut self, workspace: &str, ms: i64) {
        let w = self.watermarks.entry(workspace.to_owned()).or_insert(ms);
        *w = (*w).max(ms);
    }

    /// The state as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Whether `name` is a child stream whose rows' keys a `tasks` state keeps.
fn keeps_child_keys(name: &str) -> bool {
    crate::streams::task_children::Child::from_name(name).is_some_and(|c| c.kept_key().is_some())
}

/// The year 9999, in ms: no real watermark lies beyond it.
const MAX_WATERMARK_MS: i64 = 253_402_300_799_999;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut s = StreamState::empty("tasks");
        s.advance("9", 1_700_000_000_000);
        let back = StreamState::parse(Some(&s.to_json()), "tasks").unwrap();
        assert_eq!(back, s);
        assert_eq!(back.watermark("9"), Some(1_700_000_000_000));
        assert_eq!(
            StreamState::parse(None, "tasks").unwrap(),
            StreamState::empty("tasks")
        );
    }

    #[test]
    fn watermarks_only_move_forward() {
        let mut s = StreamState::empty("tasks");
        s.advance("1", 500);
        s.advance("1", 400);
        assert_eq!(s.watermark("1"), Some(500));
    }

    #[test]
    fn corrupt_foreign_older_and_misplaced_states_are_rejected_with_the_way_out() {
        let cases = [
            ("{\"connector\":\"clickup\",", "not valid JSON"),
            (
                r#"{"cursor":"2024-01-01"}"#,
                "not written by the ClickUp connector",
            ),
            (
                r#"{"connector":"clickup","v":0,"stream":"tasks","watermarks":{}}"#,
                "version 0",
            ),
            (
                r#"{"connector":"clickup","v":2,"stream":"tasks","watermarks":{}}"#,
                "version 2",
            ),
            (
                r#"{"connector":"clickup","stream":"tasks","watermarks":{}}"#,
                "no format version",
            ),
            (
                r#"{"connector":"clickup","v":1,"stream":"goals","watermarks":{}}"#,
                "belongs to stream goals",
            ),
            (
                r#"{"connector":"clickup","v":1,"stream":"tasks","watermarks":{"1":"x"}}"#,
                "damaged",
            ),
            (
                r#"{"connector":"clickup","v":1,"stream":"tasks","watermarks":{"1":-5}}"#,
                "impossible time",
            ),
            (
                r#"{"connector":"clickup","v":1,"stream":"tasks","watermarks":{},"extra":1}"#,
                "damaged",
            ),
            ("[]", "not written by"),
            (
                r#"{"connector":"clickup","v":1,"stream":"tasks","watermarks":{},"sweeps":{"1":{"at_ms":-1,"ids":"a"}}}"#,
                "impossible sweep time",
            ),
            (
                r#"{"connector":"clickup","v":1,"stream":"tasks","watermarks":{},"sweeps":{"1":{"at_ms":1,"ids":"a  b"}}}"#,
                "damaged",
            ),
            (
                r#"{"connector":"clickup","v":1,"stream":"tasks","watermarks":{},"recent":{"1":"e@-4"}}"#,
                "impossible start",
            ),
            (
                r#"{"connector":"clickup","v":1,"stream":"tasks","watermarks":{},"recent":{"1":"e"}}"#,
                "damaged",
            ),
            (
                r#"{"connector":"clickup","v":1,"stream":"tasks","watermarks":{},"sweeps":{"1":[1,"a"]}}"#,
                "damaged",
            ),
            (
                r#"{"connector":"clickup","v":1,"stream":"tasks","watermarks":{},"children":{"task_tags":"b:x a:y"}}"#,
                "damaged",
            ),
            (
                r#"{"connector":"clickup","v":1,"stream":"tasks","watermarks":{},"child_streams":["goals"]}"#,
                "which is not one",
            ),
            (
                r#"{"connector":"clickup","v":1,"stream":"tasks","watermarks":{},"children":{"task_custom_field_values":"a:y"}}"#,
                "not a child stream whose keys are kept",
            ),
        ];
        for (text, expected) in cases {
            match StreamState::parse(Some(text), "tasks") {
                Err(ConnectorError::InvalidState(m)) => {
                    assert!(m.contains(expected), "{text}: {m}");
                    assert!(m.contains("pass no state"), "{m}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
