//! `task_dependencies`: one row per task a task waits on (`dependencies[]`).
//!
//! ClickUp lists a dependency on both of its tasks, as the same entry `{task_id, depends_on,
//! …}` (`task_id` waits on `depends_on`). A task's rows are the entries whose `task_id` is the
//! task itself, so each dependency is one row, owned by the waiting task, whichever of the two
//! tasks' pages is read.

use super::{id_text, row, task_id, Context};
use crate::streams::{array_at, types};
use crate::timestamp::{format_ms, read_ms};
use serde_json::{json, Map, Value};

/// The rows of one task.
pub fn rows(task: &Value, ctx: &Context<'_>, out: &mut Vec<Value>) {
    let Some(task_id) = task_id(task) else { return };
    for entry in array_at(task, "dependencies") {
        let waiting = id_text(entry.get("task_id")).unwrap_or_else(|| task_id.clone());
        let Some(depends_on) = id_text(entry.get("depends_on")) else {
            continue;
        };
        if waiting != task_id {
            continue;
        }
        let mut fields = Map::new();
        fields.insert("depends_on".into(), Value::String(depends_on));
        fields.insert(
            "type".into(),
            entry.get("type").cloned().unwrap_or(Value::Null),
        );
        fields.insert("date_created".into(), timestamp(entry.get("date_created")));
        let user = id_text(entry.get("userid")).map_or(Value::Null, Value::String);
        fields.insert("user_id".into(), user);
        out.push(row(&task_id, ctx, fields));
    }
}

/// A ClickUp ms timestamp (string or number) as RFC 3339, or null.
pub(crate) fn timestamp(value: Option<&Value>) -> Value {
    value
        .and_then(read_ms)
        .and_then(format_ms)
        .map_or(Value::Null, Value::String)
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "task_id": types::id(), "depends_on": types::id(), "type": types::integer(),
        "date_created": types::timestamp(), "user_id": types::string(),
    })
}
