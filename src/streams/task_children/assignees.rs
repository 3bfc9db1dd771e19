//! `task_assignees`: one row per user assigned to a task (`assignees[]`).

use super::{id_text, row, task_id, Context};
use crate::streams::{array_at, types};
use serde_json::{json, Map, Value};

/// The rows of one task.
pub fn rows(task: &Value, ctx: &Context<'_>, out: &mut Vec<Value>) {
    let Some(task_id) = task_id(task) else { return };
    for user in array_at(task, "assignees") {
        let Some(user_id) = id_text(user.get("id")) else {
            continue;
        };
        let mut fields = Map::new();
        fields.insert("user_id".into(), Value::String(user_id));
        for key in ["username", "email", "initials", "color"] {
            fields.insert(key.into(), user.get(key).cloned().unwrap_or(Value::Null));
        }
        out.push(row(&task_id, ctx, fields));
    }
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "task_id": types::id(), "user_id": types::id(), "username": types::string(),
        "email": types::string(), "initials": types::string(), "color": types::string(),
    })
}
