//! `time_entries`: every user's time entries over the whole history.
//!
//! `GET /team/{id}/time_entries` has no paging, and by default returns only the last 30 days and
//! only the token owner's entries. So the connector asks for every member (`assignee=` with the
//! Workspace's member ids) and walks the history in date windows (`start_date`/`end_date`, on the
//! entry's start) from the configured start date to the moment the read began. Incremental reads
//! start again `time_entries_lookback_days` before the last read's end, since ClickUp has no
//! "changed since" filter: edits to older entries are picked up by a full refresh only.

use super::{object_of, set, types};
use crate::error::ConnectorError;
use crate::timestamp::{convert_fields, read_ms};
use serde_json::{json, Value};

const DAY_MS: i64 = 86_400_000;
/// Member ids per request: keeps URLs short in large Workspaces.
pub const ASSIGNEES_PER_REQUEST: usize = 100;

/// The windows `[from, to]` (inclusive, ms) covering `start..=end`, `window_days` wide.
pub fn windows(start: i64, end: i64, window_days: u32) -> Vec<(i64, i64)> {
    let width = i64::from(window_days.max(1)) * DAY_MS;
    let mut out = Vec::new();
    let mut from = start;
    while from <= end {
        let to = from.saturating_add(width - 1).min(end);
        out.push((from, to));
        if to >= end {
            break;
        }
        from = to + 1;
    }
    out
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_the_range_without_gaps_or_overlap() {
        let w = windows(0, 10 * DAY_MS, 4);
        assert_eq!(w.first().map(|w| w.0), Some(0));
        assert_eq!(w.last().map(|w| w.1), Some(10 * DAY_MS));
        for pair in w.windows(2) {
            assert_eq!(pair[0].1 + 1, pair[1].0);
        }
        assert_eq!(w.len(), 3);
        assert_eq!(windows(5, 5, 30), [(5, 5)]);
        assert!(windows(6, 5, 30).is_empty());
        // The end of time does not loop forever.
        assert_eq!(
            windows(i64::MAX - 1, i64::MAX, 30),
            [(i64::MAX - 1, i64::MAX)]
        );
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
