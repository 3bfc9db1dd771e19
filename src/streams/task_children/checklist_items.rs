//! `task_checklist_items`: one row per item of each of a task's checklists, with the checklist's
//! id and name (`checklists[].items[]`; the task record has converted their `date_created`).

use super::{id_text, row, task_id, Context};
use crate::streams::{array_at, types};
use serde_json::{json, Map, Value};

/// The rows of one task.
pub fn rows(task: &Value, ctx: &Context<'_>, out: &mut Vec<Value>) {
    let Some(task_id) = task_id(task) else { return };
    for checklist in array_at(task, "checklists") {
        for item in array_at(checklist, "items") {
            let Some(item_id) = id_text(item.get("id")) else {
                continue;
            };
            let mut fields = Map::new();
            fields.insert("item_id".into(), Value::String(item_id));
            let checklist_id = id_text(checklist.get("id")).map_or(Value::Null, Value::String);
            fields.insert("checklist_id".into(), checklist_id);
            let checklist_name = checklist.get("name").cloned().unwrap_or(Value::Null);
            fields.insert("checklist_name".into(), checklist_name);
            for key in ["name", "orderindex", "resolved", "date_created"] {
                fields.insert(key.into(), item.get(key).cloned().unwrap_or(Value::Null));
            }
            let assignee = item.get("assignee").and_then(|a| id_text(a.get("id")));
            fields.insert(
                "assignee_id".into(),
                assignee.map_or(Value::Null, Value::String),
            );
            let parent = id_text(item.get("parent")).map_or(Value::Null, Value::String);
            fields.insert("parent_item_id".into(), parent);
            out.push(row(&task_id, ctx, fields));
        }
    }
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "task_id": types::id(), "item_id": types::id(), "checklist_id": types::string(),
        "checklist_name": types::string(), "name": types::string(), "orderindex": types::number(),
        "resolved": types::boolean(), "date_created": types::timestamp(),
        "assignee_id": types::string(), "parent_item_id": types::string(),
    })
}
