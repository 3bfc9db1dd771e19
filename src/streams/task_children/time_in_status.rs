//! `task_time_in_status` (opt-in: `include_time_in_status`): how long each task spent in each
//! status, one row per task and status, from `GET /task/bulk_time_in_status/task_ids`.
//!
//! Unlike the other child streams, its rows are not in the task body: each task page that
//! carries them costs one more request per 100 tasks (the endpoint's limit), for the page's
//! tasks, which in an incremental sync are the tasks that changed. A Workspace without the
//! feature answers 403 `TIS_027`: one warning names it, and the rest of the sync goes on.
//!
//! Answer shape: `{"<task id>": {"current_status": {status, color, total_time: {by_minute,
//! since}}, "status_history": [{status, color, type, total_time, orderindex}]}}`; `since` is
//! ms text (converted to RFC 3339), `by_minute` the minutes spent. A new task may answer `{}`.

use super::row;
use super::Context;
use crate::streams::types;
use crate::timestamp::{format_ms, read_ms};
use serde_json::{json, Map, Value};

/// Most task ids per request.
pub const IDS_PER_REQUEST: usize = 100;

/// The rows of one task's answer.
pub fn rows(task_id: &str, answer: &Value, ctx: &Context<'_>, out: &mut Vec<Value>) {
    let current = answer.get("current_status");
    let current_name = current
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str);
    let history = answer
        .get("status_history")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let mut statuses: Vec<&Value> = history.iter().filter(|s| s.is_object()).collect();
    // The current status alone when the history leaves it out.
    if let Some(c) = current.filter(|_| {
        !history
            .iter()
            .any(|s| s.get("status").and_then(Value::as_str) == current_name)
    }) {
        statuses.push(c);
    }
    for status in statuses {
        let Some(name) = status.get("status").and_then(Value::as_str) else {
            continue;
        };
        let total = status.get("total_time");
        let mut fields = Map::new();
        fields.insert("status".into(), Value::String(name.to_owned()));
        fields.insert(
            "status_type".into(),
            status.get("type").cloned().unwrap_or(Value::Null),
        );
        fields.insert(
            "color".into(),
            status.get("color").cloned().unwrap_or(Value::Null),
        );
        fields.insert(
            "orderindex".into(),
            status.get("orderindex").cloned().unwrap_or(Value::Null),
        );
        let minutes = total
            .and_then(|t| t.get("by_minute"))
            .cloned()
            .unwrap_or(Value::Null);
        fields.insert("minutes".into(), minutes);
        let since = total
            .and_then(|t| t.get("since"))
            .and_then(read_ms)
            .and_then(format_ms);
        fields.insert("since".into(), since.map_or(Value::Null, Value::String));
        fields.insert("current".into(), Value::Bool(Some(name) == current_name));
        out.push(row(task_id, ctx, fields));
    }
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "task_id": types::id(), "status": types::id(), "status_type": types::string(),
        "color": types::string(), "orderindex": types::number(),
        "minutes": {"type": ["number", "null"], "description": "minutes spent in the status, in all"},
        "since": types::timestamp(), "current": types::boolean(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_per_status_the_current_one_marked_and_a_new_task_has_none() {
        let ctx = Context {
            workspace_id: "9",
            tombstone_at: None,
        };
        let answer = json!({
        "current_status": {"status": "review", "color": "#a875ff", "total_time": {"by_minute": 5, "since": "1609459200000"}},
        "status_history": [
            {"status": "to do", "type": "open", "color": "#ddd", "orderindex": 0, "total_time": {"by_minute": 90, "since": "1609000000000"}},
            {"status": "review", "type": "custom", "color": "#a875ff", "orderindex": 2, "total_time": {"by_minute": 5, "since": "1609459200000"}},
        ]});
        let mut out = Vec::new();
        rows("t1", &answer, &ctx, &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(
            (out[0]["status"].as_str(), out[0]["current"].as_bool()),
            (Some("to do"), Some(false))
        );
        assert_eq!(out[1]["since"], "2021-01-01T00:00:00.000Z");
        assert_eq!(
            (out[1]["minutes"].as_i64(), out[1]["current"].as_bool()),
            (Some(5), Some(true))
        );
        let mut none = Vec::new();
        rows("t2", &json!({}), &ctx, &mut none);
        rows("t3", &json!([1]), &ctx, &mut none);
        assert!(none.is_empty());
        let mut only_current = Vec::new();
        rows(
            "t4",
            &json!({"current_status": {"status": "open"}}),
            &ctx,
            &mut only_current,
        );
        assert_eq!(only_current.len(), 1);
        assert_eq!(only_current[0]["current"], true);
    }
}
