//! `GET /team/{id}/time_entries` (plus `/current` and `/{timer_id}`).
//!
//! The defaults are the trap: without `start_date`/`end_date` only entries that
//! started in the 30 days before *now* are returned, and without `assignee` only
//! the token owner's. "Now" is the real clock at request time, not the configured
//! generation time (so with a `now_ms` far from the real clock the default window
//! may be empty). Other semantics (GUESSES marked):
//! - no paging: `page` is ignored and everything in range comes back at once;
//! - `start_date` / `end_date` filter on the entry's start, inclusive at both ends
//!   (or, with [`TimeEntryRange::Overlap`], on the entry's whole span: GUESS either way);
//!   only `start_date` → up to now; only `end_date` → the 30 days before it
//!   (GUESS); `start_date > end_date` → empty (GUESS);
//! - `assignee=1,2,3` is comma-separated (repeats also accepted); any member may
//!   use it (the owner/admin restriction is not modelled);
//! - at most one of `space_id`, `folder_id`, `list_id`, `task_id`, else 400;
//! - entries linked to tasks in spaces the token is denied are omitted (GUESS);
//! - entries come back ordered by start, ascending (GUESS).

use super::access;
use super::api_error::ApiError;
use super::auth::Caller;
use super::clock::MS_PER_DAY;
use super::config::TimeEntryRange;
use super::index::WorldState;
use super::query::Query;
use super::tasks::Tag;
use super::time_entries::TimeEntry;
use serde_json::{json, Value};

/// Without `start_date`/`end_date`, only entries that started in this window
/// before now are served: 30 days, in ms.
pub const DEFAULT_WINDOW_MS: i64 = 30 * MS_PER_DAY;

enum Location {
    Any,
    Space(String),
    Folder(String),
    List(String),
    Task(String),
}

impl Location {
    fn parse(q: &Query) -> Result<Location, ApiError> {
        let given: Vec<(&str, &str)> = ["space_id", "folder_id", "list_id", "task_id"]
            .into_iter()
            .filter_map(|k| q.first(k).map(|v| (k, v)))
            .collect();
        match given.as_slice() {
            [] => Ok(Location::Any),
            [("space_id", v)] => Ok(Location::Space(v.to_string())),
            [("folder_id", v)] => Ok(Location::Folder(v.to_string())),
            [("list_id", v)] => Ok(Location::List(v.to_string())),
            [(_, v)] => Ok(Location::Task(v.to_string())),
            _ => Err(ApiError::new(
                400,
                "Only one location filter may be used at a time",
                "TIMEENTRY_021",
            )),
        }
    }

    fn matches(&self, e: &TimeEntry) -> bool {
        let loc = e.location.as_ref();
        match self {
            Location::Any => true,
            Location::Space(id) => loc.is_some_and(|l| &l.space_id == id),
            Location::Folder(id) => loc.is_some_and(|l| &l.folder_id == id),
            Location::List(id) => loc.is_some_and(|l| &l.list_id == id),
            Location::Task(id) => e.task.as_ref().is_some_and(|t| &t.id == id),
        }
    }
}

fn visible(caller: &Caller, e: &TimeEntry) -> bool {
    e.location
        .as_ref()
        .is_none_or(|l| !caller.denied_space(&l.space_id))
}

fn render(st: &WorldState, e: &TimeEntry, names: bool, task_tags: bool) -> Value {
    let tags = task_tags.then(|| {
        e.task
            .as_ref()
            .and_then(|t| st.index.tasks.get(&t.id))
            .and_then(|&(w, i)| st.world.workspaces.get(w).and_then(|ws| ws.tasks.get(i)))
            .map(|t| t.tags.iter().map(Tag::to_api_json).collect())
            .unwrap_or_default()
    });
    e.render(names, tags)
}

pub(crate) fn team_time_entries(
    st: &WorldState,
    caller: &Caller,
    team_id: &str,
    q: &Query,
    now_ms: i64,
) -> Result<Value, ApiError> {
    let (_, ws) = access::workspace(st, caller, team_id)?;
    let (from, to) = match (q.int("start_date")?, q.int("end_date")?) {
        (None, None) => (now_ms.saturating_sub(DEFAULT_WINDOW_MS), now_ms),
        (Some(s), None) => (s, now_ms),
        (None, Some(e)) => (e.saturating_sub(DEFAULT_WINDOW_MS), e),
        (Some(s), Some(e)) => (s, e),
    };
    let mut assignees = q.comma_ints("assignee")?;
    if assignees.is_empty() {
        assignees.push(caller.user_id);
    }
    let location = Location::parse(q)?;
    let names = q.flag("include_location_names")?;
    let task_tags = q.flag("include_task_tags")?;
    let mut entries: Vec<&TimeEntry> = ws
        .time_entries
        .iter()
        .filter(|e| {
            in_range(st.time_entry_range, e, from, to, now_ms)
                && assignees.contains(&e.user.id)
                && location.matches(e)
                && visible(caller, e)
        })
        .collect();
    entries.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
    let data: Vec<Value> = entries
        .into_iter()
        .map(|e| render(st, e, names, task_tags))
        .collect();
    Ok(json!({ "data": data }))
}

/// Whether `e` is in `[from, to]` as the endpoint reads its range.
fn in_range(range: TimeEntryRange, e: &TimeEntry, from: i64, to: i64, now_ms: i64) -> bool {
    match range {
        TimeEntryRange::Start => e.start >= from && e.start <= to,
        TimeEntryRange::Overlap => e.start <= to && e.end.unwrap_or(now_ms.max(e.start)) >= from,
    }
}

/// The token user's running timer, or `null`.
pub(crate) fn current(st: &WorldState, caller: &Caller, team_id: &str) -> Result<Value, ApiError> {
    let (_, ws) = access::workspace(st, caller, team_id)?;
    let running = ws
        .time_entries
        .iter()
        .find(|e| e.is_running() && e.user.id == caller.user_id && visible(caller, e));
    Ok(json!({ "data": running.map(TimeEntry::to_api_json) }))
}

/// One entry, as a one-element `data` array.
pub(crate) fn single(
    st: &WorldState,
    caller: &Caller,
    team_id: &str,
    entry_id: &str,
    q: &Query,
) -> Result<Value, ApiError> {
    let (_, ws) = access::workspace(st, caller, team_id)?;
    let entry = ws
        .time_entries
        .iter()
        .find(|e| e.id == entry_id && visible(caller, e))
        .ok_or_else(|| ApiError::new(404, "Time entry not found", "TIMEENTRY_005"))?;
    let names = q.flag("include_location_names")?;
    let task_tags = q.flag("include_task_tags")?;
    Ok(json!({ "data": [render(st, entry, names, task_tags)] }))
}
