//! `task_tags`: one row per tag on a task (`tags[]`; a tag is known by its name in its Space).

use super::{row, task_id, Context};
use crate::streams::{array_at, types};
use serde_json::{json, Map, Value};

/// The rows of one task.
pub fn rows(task: &Value, ctx: &Context<'_>, out: &mut Vec<Value>) {
    let Some(task_id) = task_id(task) else { return };
    for tag in array_at(task, "tags") {
        let Some(name) = tag.get("name").and_then(Value::as_str) else {
            continue;
        };
        let mut fields = Map::new();
        fields.insert("tag_name".into(), Value::String(name.to_owned()));
        for key in ["tag_fg", "tag_bg"] {
            fields.insert(key.into(), tag.get(key).cloned().unwrap_or(Value::Null));
        }
        out.push(row(&task_id, ctx, fields));
    }
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "task_id": types::id(), "tag_name": types::id(),
        "tag_fg": types::string(), "tag_bg": types::string(),
    })
}
