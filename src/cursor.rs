//! The position inside one stream's read: a stack of steps still to do.
//!
//! Every `read-page` call takes steps until it has sent one batch of requests (one request when
//! reading serially) or produced records, and hands the rest back to the host as the opaque
//! cursor. Each step is one request (one page of tasks, one parent's children, one time window),
//! so a host that checkpoints the cursor after every page resumes a killed sync with at most one
//! call's batch read twice. The steps are independent of each other's order: a batch takes
//! several off the cursor at once, and the steps their answers lead to go back on it. The cursor
//! is data from outside too: it is validated like the state, unless it is the very text this
//! instance handed out ([`Handed`]: a host's usual loop, whose cursor is then not parsed again).

use crate::child_keys::PendingKeys;
use crate::error::ConnectorError;
use crate::known_ids::{KnownEntries, KnownIds};
use crate::scan::starts_with;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod json;

/// The cursor format this build reads and writes.
pub const CURSOR_VERSION: u32 = 1;

/// One request still to make, with what is known about its parents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// `GET /team`: the Workspaces and their members.
    Teams,
    /// `GET /team/{ws}/space?archived=`.
    Spaces {
        /// The Workspace id.
        ws: String,
        /// The partition asked for: archived spaces, or the others.
        archived: bool,
    },
    /// `GET /space/{space}/folder?archived=`. `in_archived`: the space is archived.
    Folders {
        /// The Workspace id.
        ws: String,
        /// The space id.
        space: String,
        /// The partition asked for: archived folders, or the others.
        archived: bool,
        /// The space is archived.
        in_archived: bool,
    },
    /// `GET /folder/{folder}/list?archived=`. `in_archived`: the space or folder is archived.
    FolderLists {
        /// The Workspace id.
        ws: String,
        /// The space id.
        space: String,
        /// The folder id.
        folder: String,
        /// The partition asked for: archived lists, or the others.
        archived: bool,
        /// The space or the folder is archived.
        in_archived: bool,
    },
    /// `GET /space/{space}/list?archived=`: lists directly in a space.
    FolderlessLists {
        /// The Workspace id.
        ws: String,
        /// The space id.
        space: String,
        /// The partition asked for: archived lists, or the others.
        archived: bool,
        /// The space is archived.
        in_archived: bool,
    },
    /// `GET /team/{ws}/task`: one page of the Workspace's tasks (archived or not).
    TeamTasks {
        /// The Workspace id.
        ws: String,
        /// The partition asked for: archived tasks, or the others.
        archived: bool,
        /// The page number, from 0.
        page: u32,
        /// The first task id of the page before, to catch a server that ignores `page`.
        prev_first: Option<String>,
    },
    /// `GET /list/{list}/task`: one page of a list the team endpoint leaves out (an archived one).
    ListTasks {
        /// The Workspace id.
        ws: String,
        /// The list id.
        list: String,
        /// The partition asked for: archived tasks, or the others.
        archived: bool,
        /// The page number, from 0.
        page: u32,
        /// The first task id of the page before, to catch a server that ignores `page`.
        prev_first: Option<String>,
    },
    /// `GET /team/{ws}/goal?include_completed=true`.
    Goals {
        /// The Workspace id.
        ws: String,
    },
    /// `GET /goal/{goal}`: one goal with its targets (key results).
    Goal {
        /// The Workspace id.
        ws: String,
        /// The goal id.
        goal: String,
        /// The goal as `GET /team/{ws}/goal` listed it: its record, without targets, when
        /// `GET /goal/{goal}` fails. Absent in cursors of earlier builds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        listed: Option<serde_json::Value>,
    },
    /// The end of a Workspace's task pages: when the read sweeps for deletions, the tasks the
    /// last sweep saw and this one did not are each checked ([`Step::TaskGone`]).
    SweepEnd {
        /// The Workspace id.
        ws: String,
    },
    /// The end of a Workspace's time-entry windows: each entry the last sync saw in the
    /// look-back and this one did not is deleted (a tombstone).
    EntriesEnd {
        /// The Workspace id.
        ws: String,
    },
    /// `GET /task/{id}`: whether a task the last sweep saw, and this one did not, is deleted
    /// (404) or only out of reach (moved where the token cannot see, archived when archived
    /// tasks are left out).
    TaskGone {
        /// The Workspace id.
        ws: String,
        /// The task id.
        id: String,
    },
    /// `GET /{team|space|folder|list}/{id}/field`: the custom fields defined at a node.
    Fields {
        /// The Workspace id.
        ws: String,
        /// The node's level.
        level: crate::streams::custom_fields::FieldLevel,
        /// The node's id.
        id: String,
        /// For a folder or a list: its space.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        space: Option<String>,
        /// For a list in a folder: the folder.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        folder: Option<String>,
    },
    /// `GET /team/{ws}/time_entries`: every listed user's entries that started in [from, to].
    TimeEntries {
        /// The Workspace id.
        ws: String,
        /// The window's first ms (inclusive).
        from: i64,
        /// The window's last ms (inclusive).
        to: i64,
        /// The member ids, comma-separated; empty when the Workspace lists no member.
        assignees: String,
        /// The end (ms, inclusive) of the range this window begins: once it is read, the next
        /// window follows up to here, wider or narrower by what this one held (see
        /// [`crate::streams::time_entries::next_width`]). Absent: a window planned on its own
        /// (cursors of earlier builds, which planned every window up front).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<i64>,
    },
}

impl Step {
    /// The step of the page after this task page, whose first task id was `first`. Other steps
    /// are returned unchanged.
    pub fn next_page(self, first: Option<String>) -> Step {
        match self {
            Step::TeamTasks {
                ws, archived, page, ..
            } => Step::TeamTasks {
                ws,
                archived,
                page: page.saturating_add(1),
                prev_first: first,
            },
            Step::ListTasks {
                ws,
                list,
                archived,
                page,
                ..
            } => Step::ListTasks {
                ws,
                list,
                archived,
                page: page.saturating_add(1),
                prev_first: first,
            },
            other => other,
        }
    }
}

/// The position of one stream's read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// Format version, [`CURSOR_VERSION`].
    pub v: u32,
    /// The stream it belongs to.
    pub stream: String,
    /// Steps still to do; the last is next.
    pub stack: Vec<Step>,
    /// When the read started, in ms (time windows end here).
    pub started_ms: i64,
    /// Per Workspace: the watermark this read will leave in the state when it completes.
    #[serde(default)]
    pub next_watermarks: BTreeMap<String, i64>,
    /// `tasks` only, per Workspace: the ids of the tasks this read has seen (every task, when
    /// it sweeps for deletions; see `read/deletes.rs`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub seen: BTreeMap<String, KnownIds>,
    /// `time_entries` only, per Workspace: the entries this read has seen that a look-back
    /// window reads again (see `read/deletes.rs`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub recent: BTreeMap<String, KnownEntries>,
    /// `tasks` only, per child stream read with it whose keys the state keeps: the keys of the
    /// rows of each task this read has read (see [`crate::child_keys`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub children: BTreeMap<String, PendingKeys>,
}

impl Cursor {
    /// A new read of `stream`, starting with `GET /team`.
    pub fn start(stream: &str, now_ms: i64) -> Cursor {
        Cursor {
            v: CURSOR_VERSION,
            stream: stream.to_owned(),
            stack: vec![Step::Teams],
            started_ms: now_ms,
            next_watermarks: BTreeMap::new(),
            seen: BTreeMap::new(),
            recent: BTreeMap::new(),
            children: BTreeMap::new(),
        }
    }

    /// Reads a cursor passed in by the host.
    pub fn parse(text: &str, stream: &str) -> Result<Cursor, ConnectorError> {
        let start_over = "To read the stream from its start, pass no cursor.";
        let cursor: Cursor = serde_json::from_str(text).map_err(|e| {
            ConnectorError::InvalidState(format!(
                "the cursor for stream {stream} is damaged or from another version ({e}). {start_over}"
            ))
        })?;
        if !(0..=253_402_300_799_999).contains(&cursor.started_ms) {
            return Err(ConnectorError::InvalidState(format!(
                "the cursor for stream {stream} holds an impossible time. {start_over}"
            )));
        }
        if cursor.v != CURSOR_VERSION || cursor.stream != stream {
            return Err(ConnectorError::InvalidState(format!(
                "the cursor passed for stream {stream} belongs to stream {} (format {}). {start_over}",
                cursor.stream, cursor.v
            )));
        }
        Ok(cursor)
    }

    /// Schedules steps so that they run in the order given.
    pub fn push_in_order(&mut self, steps: Vec<Step>) {
        self.stack.extend(steps.into_iter().rev());
    }

    /// Raises the watermark this read will leave for a Workspace.
    pub fn raise_watermark(&mut self, ws: &str, ms: i64) {
        let w = self.next_watermarks.entry(ws.to_owned()).or_insert(ms);
        *w = (*w).max(ms);
    }

    /// Merges the task ids each Workspace's set has had added into its sorted text (see
    /// [`KnownIds::settle`]): done before the cursor is written at the end of each call.
    pub fn settle(&mut self) {
        for ids in self.seen.values_mut() {
            ids.settle();
        }
    }

    /// The cursor as JSON text: what `serde_json::to_string` writes, its long texts copied
    /// whole (see the `json` module).
    pub fn to_json(&self) -> String {
        json::write(self).unwrap_or_default()
    }
}

/// The cursors an instance last handed back, one per stream, with their text: a host that passes
/// a cursor back as it got it (the usual loop) has it taken from here instead of parsed again.
///
/// Why: a `tasks` read's cursor carries the keys of every child row read so far (see
/// [`crate::child_keys`]), so it grows with the read (2 MB after 60,000 tasks), and parsing and
/// checking it on every call made a read's cost grow with the square of its length. A text equal
/// byte for byte to one this instance wrote is valid by construction; any other text (a cursor
/// from a checkpoint, from another instance, or changed) is parsed and checked as before.
/// Memory: each stream's last cursor twice (its text and its parsed form) until the next call of
/// that stream takes it or the instance ends.
#[derive(Debug, Default)]
pub struct Handed {
    last: BTreeMap<String, (String, Cursor)>,
}

impl Handed {
    /// Keeps `cursor`, whose JSON text is `text`, for the next call of its stream.
    pub fn keep(&mut self, text: &str, cursor: Cursor) {
        self.last
            .insert(cursor.stream.clone(), (text.to_owned(), cursor));
    }

    /// The cursor kept for `stream` if `text` is exactly its text; it is taken either way (a
    /// call reads its stream's cursor once).
    pub fn take(&mut self, stream: &str, text: &str) -> Option<Cursor> {
        let (kept, cursor) = self.last.remove(stream)?;
        // Compared a word at a time (`==` on strings is compiler-builtins' byte loop inside
        // wasm, and the text holds every task id of the read so far).
        let same = kept.len() == text.len() && starts_with(kept.as_bytes(), text.as_bytes());
        same.then_some(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_handed_back_unchanged_is_taken_and_any_other_text_is_not() {
        let mut handed = Handed::default();
        let cursor = Cursor::start("tasks", 5);
        let text = cursor.to_json();
        handed.keep(&text, cursor.clone());
        assert_eq!(handed.take("goals", &text), None, "another stream's");
        assert_eq!(handed.take("tasks", &text), Some(cursor.clone()));
        assert_eq!(handed.take("tasks", &text), None, "taken once");
        handed.keep(&text, cursor.clone());
        let changed = text.replace("\"started_ms\":5", "\"started_ms\":6");
        assert_eq!(handed.take("tasks", &changed), None);
        assert_eq!(handed.take("tasks", &text), None, "a miss drops it too");
    }

    #[test]
    fn round_trip_and_order() {
        let mut c = Cursor::start("tasks", 5);
        c.stack.clear();
        c.push_in_order(vec![
            Step::Goals { ws: "1".into() },
            Step::TeamTasks {
                ws: "1".into(),
                archived: false,
                page: 2,
                prev_first: Some("x".into()),
            },
        ]);
        assert_eq!(c.stack.last(), Some(&Step::Goals { ws: "1".into() }));
        let back = Cursor::parse(&c.to_json(), "tasks").unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn foreign_or_damaged_cursors_are_rejected() {
        let c = Cursor::start("tasks", 5).to_json();
        assert!(matches!(
            Cursor::parse(&c, "goals"),
            Err(ConnectorError::InvalidState(_))
        ));
        assert!(matches!(
            Cursor::parse("{", "tasks"),
            Err(ConnectorError::InvalidState(_))
        ));
        let future = c.replace("\"v\":1", "\"v\":9");
        assert!(matches!(
            Cursor::parse(&future, "tasks"),
            Err(ConnectorError::InvalidState(_))
        ));
        let absurd = c.replace("\"started_ms\":5", "\"started_ms\":9223372036854775807");
        assert!(matches!(
            Cursor::parse(&absurd, "tasks"),
            Err(ConnectorError::InvalidState(_))
        ));
        let unknown_step = c.replace("\"teams\"", "\"teleport\"");
        assert!(matches!(
            Cursor::parse(&unknown_step, "tasks"),
            Err(ConnectorError::InvalidState(_))
        ));
    }
}
