//! `task_links`: one row per task linked to a task (`linked_tasks[]`).
//!
//! A link has no direction: ClickUp lists the same entry `{task_id, link_id, …}` on both tasks.
//! Each task's rows name the other end, so a link is two rows, `(a, b)` and `(b, a)`, and a query
//! for one task's links needs no `OR`.

use super::dependencies::timestamp;
use super::{id_text, row, task_id, Context};
use crate::streams::{array_at, types};
use serde_json::{json, Map, Value};

/// The rows of one task.
pub fn rows(task: &Value, ctx: &Context<'_>, out: &mut Vec<Value>) {
    let Some(task_id) = task_id(task) else { return };
    for entry in array_at(task, "linked_tasks") {
        let (from, to) = (id_text(entry.get("task_id")), id_text(entry.get("link_id")));
        let other = match (from, to) {
            (Some(from), Some(to)) if from == task_id => to,
            (Some(from), Some(to)) if to == task_id => from,
            (None, Some(to)) => to,
            _ => continue,
        };
        let mut fields = Map::new();
        fields.insert("linked_task_id".into(), Value::String(other));
        fields.insert("date_created".into(), timestamp(entry.get("date_created")));
        let user = id_text(entry.get("userid")).map_or(Value::Null, Value::String);
        fields.insert("user_id".into(), user);
        out.push(row(&task_id, ctx, fields));
    }
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "task_id": types::id(), "linked_task_id": types::id(),
        "date_created": types::timestamp(), "user_id": types::string(),
    })
}
