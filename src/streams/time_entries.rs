//! `time_entries`: every user's time entries over the whole history.
//!
//! `GET /team/{id}/time_entries` has no paging, and by default returns only the last 30 days and
//! only the token owner's entries. So the connector asks for every member (`assignee=` with the
//! Workspace's member ids) and walks the history in date windows (`start_date`/`end_date`, on the
//! entry's start) from the configured start date to the moment the read began. Incremental reads
//! start again `time_entries_lookback_days` before the last read's end, since ClickUp has no
//! "changed since" filter: edits to older entries are picked up by a full refresh only.
//!
//! **Once per sync.** Each entry belongs to the one window its `start` lies in
//! ([`starts_in`]), and only that window emits it. A server that also returns entries that merely
//! overlap a window (a long entry, a running timer) or that treats a window's ends loosely cannot
//! make a sync emit an entry twice, and since the rule depends on nothing but the window and the
//! entry, a sync resumed from a checkpoint makes the same choice. (Incremental syncs re-read a
//! look-back on purpose; downstream de-duplicates on `id` across syncs.)

use super::{object_of, set, types};
use crate::error::ConnectorError;
use crate::timestamp::{convert_fields, read_ms};
use serde_json::{json, Value};

const DAY_MS: i64 = 86_400_000;
/// Member ids per request: keeps URLs short in large Workspaces.
pub const ASSIGNEES_PER_REQUEST: usize = 100;

/// The entries a window aims to hold: the next window's width is scaled towards it.
pub const TARGET_WINDOW: usize = 1_000;
/// A window should hold no more than this (the endpoint has no paging: the whole answer
/// arrives at once); the lower bound of requests counts one window per this many entries.
pub const DENSE_WINDOW: usize = 2_000;
/// The widest a window grows, in multiples of the configured width.
pub const MAX_WIDENING: i64 = 16;

/// The configured window width, in ms (`time_entries_window_days`, at least a day).
pub fn base_width(window_days: u32) -> i64 {
    i64::from(window_days.max(1)) * DAY_MS
}

/// The width (ms) of the window after one `width` wide that held `held` entries: scaled by
/// [`TARGET_WINDOW`]` / held`, but at most four times as wide and at least half as wide, and
/// kept between a day and [`MAX_WIDENING`] × `base`. So the empty years before a Workspace's first entry cost a
/// few requests instead of one per window, sparse history is read in wide windows, and a dense
/// stretch narrows them before an answer grows large.
pub fn next_width(width: i64, held: usize, base: i64) -> i64 {
    let width = width.max(DAY_MS) as f64;
    let factor = (TARGET_WINDOW as f64 / held.max(1) as f64).clamp(0.5, 4.0);
    let widest = (base.max(DAY_MS) * MAX_WIDENING) as f64;
    (width * factor).clamp(DAY_MS as f64, widest) as i64
}

#[cfg(test)]
mod width_tests {
    use super::*;

    #[test]
    fn windows_aim_at_a_thousand_entries_and_stay_between_a_day_and_sixteen_widths() {
        let base = base_width(90);
        assert_eq!(
            next_width(base, 0, base),
            4 * base,
            "empty: four times as wide"
        );
        assert_eq!(next_width(base, 200, base), 4 * base, "at most four times");
        assert_eq!(next_width(base, 400, base), base * 5 / 2);
        assert_eq!(next_width(base, 800, base), base * 5 / 4);
        assert_eq!(next_width(base, 1_000, base), base, "on target");
        assert_eq!(next_width(base, 1_600, base), base * 5 / 8);
        assert_eq!(next_width(base, 5_000, base), base / 2, "at most halved");
        assert_eq!(next_width(16 * base, 0, base), 16 * base, "never wider");
        assert_eq!(next_width(DAY_MS, 50_000, base), DAY_MS, "never narrower");
    }
}

/// Whether the entry started in the window `[from, to]`, and so is emitted by it. An entry whose
/// `start` cannot be read cannot be placed in another window, and is emitted where it came back.
pub fn starts_in(entry: &Value, from: i64, to: i64) -> bool {
    entry
        .get("start")
        .and_then(read_ms)
        .is_none_or(|start| (from..=to).contains(&start))
}

/// The record of one time entry.
pub fn record(entry: &Value, workspace_id: &str) -> Result<Value, ConnectorError> {
    let mut record = object_of(entry, "time entry")?;
    set(&mut record, "workspace_id", Some(workspace_id));
    if let Some(d) = record.get("duration").and_then(read_ms) {
        record.insert("duration".into(), Value::from(d));
    }
    if let Some(Value::Object(location)) = record.get_mut("task_location") {
        for key in ["list_id", "folder_id", "space_id"] {
            if let Some(Value::Number(n)) = location.get(key) {
                let text = n.to_string();
                location.insert(key.into(), Value::String(text));
            }
        }
    }
    let mut record = Value::Object(record);
    convert_fields(&mut record, &["start", "end", "at"]);
    Ok(record)
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "id": types::id(), "workspace_id": types::id(), "wid": types::string(),
        "task": types::object(), "user": types::object(), "billable": types::boolean(),
        "start": types::timestamp(), "end": types::timestamp(), "at": types::timestamp(),
        "duration": {"type": ["integer", "null"], "description": "milliseconds; negative while the timer runs"},
        "description": types::string(), "tags": types::array(), "source": types::string(),
        "task_location": types::object(), "task_url": types::string(),
        "_ab_cdc_deleted_at": {"type": ["string", "null"], "format": "date-time",
            "description": "Set on a tombstone (an entry of the look-back that no longer comes back: only id and workspace_id besides): when it was found gone (RFC 3339 UTC)."},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_belongs_to_the_window_it_starts_in() {
        let entry = json!({"id": "1", "start": "1000", "end": "5000"});
        assert!(starts_in(&entry, 0, 1000));
        assert!(starts_in(&entry, 1000, 2000));
        assert!(
            !starts_in(&entry, 1001, 6000),
            "it only overlaps this window"
        );
        assert!(!starts_in(&entry, 0, 999));
        assert!(starts_in(&json!({"id": "2", "start": 1000}), 1000, 1000));
        assert!(starts_in(&json!({"id": "3", "start": null}), 5, 6));
        assert!(starts_in(&json!({"id": "4"}), 5, 6));
    }

    #[test]
    fn durations_become_numbers_and_running_timers_stay_negative() {
        let r = record(
            &json!({"id":"1","start":"0","duration":"4339892","task_location":{"list_id":15}}),
            "9",
        )
        .unwrap();
        assert_eq!(r["duration"], 4339892);
        assert_eq!(r["start"], "1970-01-01T00:00:00.000Z");
        assert_eq!(r["task_location"]["list_id"], "15");
        let running = record(&json!({"id":"2","duration":-25655}), "9").unwrap();
        assert_eq!(running["duration"], -25655);
        assert!(running.get("end").is_none());
    }
}
