//! `tasks`: every task, closed ones and subtasks included, in lists of every kind.
//!
//! Where they come from (see [`crate::read`] for the walk):
//! - `GET /team/{id}/task` pages through a Workspace's tasks, each once, whatever other lists it
//!   was added to (`locations`); it leaves out tasks whose home list is archived;
//! - so each list that is archived (or sits in an archived folder or space) is read with
//!   `GET /list/{id}/task`, which returns the tasks whose home list it is.
//!
//! Each task is thus read from exactly one place (its home list's), which de-duplicates tasks that
//! live in several lists without remembering ids across pages. Both endpoints are asked for
//! `include_closed=true&subtasks=true` (ClickUp leaves closed tasks and subtasks out otherwise)
//! and, when archived tasks are wanted, once more with `archived=true`.

use super::{into_object, set, types};
use crate::error::ConnectorError;
use crate::timestamp::{convert_fields, read_ms};
use serde_json::{json, Map, Value};

/// Task timestamp fields (ms in ClickUp, RFC 3339 in records).
pub(crate) const TIMESTAMPS: &[&str] = &[
    "date_created",
    "date_updated",
    "date_closed",
    "date_done",
    "due_date",
    "start_date",
];

/// Query parameters every task request sends.
pub fn base_query(page: u32, archived: bool) -> Vec<(&'static str, String)> {
    vec![
        ("page", page.to_string()),
        // Creation order never changes, so edits during a sync cannot move a task across a page
        // boundary (only new tasks can, and they land at the end in ascending order).
        ("order_by", "created".to_owned()),
        ("reverse", "true".to_owned()),
        ("include_closed", "true".to_owned()),
        ("subtasks", "true".to_owned()),
        ("archived", archived.to_string()),
    ]
}

/// Takes the tasks out of a page answer (without copying them), with its `last_page` flag.
pub fn take_page(body: &mut Value) -> (Vec<Value>, Option<bool>) {
    let last_page = body.get("last_page").and_then(Value::as_bool);
    let tasks = match body.get_mut("tasks").map(Value::take) {
        Some(Value::Array(tasks)) => tasks,
        _ => Vec::new(),
    };
    (tasks, last_page)
}

/// Whether a task is archived by itself.
pub fn is_archived(task: &Value) -> bool {
    task.get("archived")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// A task's `date_updated`, in ms.
pub fn date_updated_ms(task: &Value) -> Option<i64> {
    task.get("date_updated").and_then(read_ms)
}

/// The id a parent object (`space`, `folder`, `project`, `list`) gives its task: none for the
/// placeholder folder of a folderless list (`hidden: true`).
pub(crate) fn parent_id(object: &Value) -> Option<String> {
    if object.get("hidden").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    super::id_of(object)
}

fn nested_id(task: &Map<String, Value>, key: &str) -> Option<String> {
    parent_id(task.get(key)?)
}

/// Converts the `date_created` of each checklist and of each checklist item, in place.
pub(crate) fn convert_checklists(checklists: &mut Value) {
    for checklist in checklists.as_array_mut().into_iter().flatten() {
        convert_fields(checklist, &["date_created"]);
        for item in checklist
            .get_mut("items")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            convert_fields(item, &["date_created"]);
        }
    }
}

/// The record of one task (taken by value: pages are large, and nothing is copied).
///
/// This is the tree path, the reference the one pass of [`super::task_pages`] is held to.
pub fn record(task: Value, workspace_id: &str) -> Result<Value, ConnectorError> {
    let mut record = into_object(task, "task")?;
    let space = nested_id(&record, "space");
    let folder = nested_id(&record, "folder").or_else(|| nested_id(&record, "project"));
    let list = nested_id(&record, "list");
    set(&mut record, "workspace_id", Some(workspace_id));
    set(&mut record, "space_id", space.as_deref());
    set(&mut record, "folder_id", folder.as_deref());
    set(&mut record, "list_id", list.as_deref());
    if let Some(checklists) = record.get_mut("checklists") {
        convert_checklists(checklists);
    }
    for field in record
        .get_mut("custom_fields")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        convert_fields(field, &["date_created"]);
        if let Value::Object(f) = field {
            // `value` is number, string, array, object or absent depending on the field type:
            // `value_json` gives strict destinations one stable type (JSON text, or null).
            let text = f.get("value").map(|v| Value::String(v.to_string()));
            f.insert("value_json".into(), text.unwrap_or(Value::Null));
        }
    }
    let mut record = Value::Object(record);
    convert_fields(&mut record, TIMESTAMPS);
    Ok(record)
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "id": types::id(), "custom_id": types::string(), "name": types::string(),
        "workspace_id": types::id(), "space_id": types::string(), "folder_id": types::string(),
        "list_id": types::string(), "text_content": types::string(), "description": types::string(),
        "status": types::object(), "orderindex": types::string(),
        "date_created": types::timestamp(), "date_updated": types::timestamp(),
        "date_closed": types::timestamp(), "date_done": types::timestamp(),
        "due_date": types::timestamp(), "start_date": types::timestamp(),
        "archived": types::boolean(), "creator": types::object(), "assignees": types::array(),
        "watchers": types::array(), "checklists": types::array(), "tags": types::array(),
        "parent": types::string(), "top_level_parent": types::string(),
        "priority": types::object(), "points": types::number(),
        "time_estimate": types::number(), "time_spent": types::number(),
        "custom_fields": {"type": ["array", "null"], "items": {"type": "object", "properties": {
            "id": types::string(), "name": types::string(), "type": types::string(),
            "date_created": types::timestamp(), "value": {}, "value_json": types::string()}}},
        "locations": types::array(), "team_id": types::string(), "url": types::string(),
        "list": types::object(), "folder": types::object(), "space": types::object(),
        "_ab_cdc_deleted_at": {"type": ["string", "null"], "format": "date-time",
            "description": "Set on a tombstone (a deleted task: only id and workspace_id besides): when the sweep found it gone (RFC 3339 UTC)."},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_dates_and_polymorphic_custom_fields() {
        let task = json!({
            "id": "abc", "date_updated": "1609459200000", "date_closed": null,
            "time_estimate": 1800000.5, "priority": null,
            "list": {"id": "10"}, "folder": {"id": "457", "hidden": true}, "space": {"id": "3"},
            "checklists": [{"date_created": "0", "items": [{"date_created": 0}]}],
            "custom_fields": [{"id": "a", "value": [1, "x"]}, {"id": "b"}, {"id": "c", "value": 4}],
        });
        let r = record(task.clone(), "1").unwrap();
        assert_eq!(r["date_updated"], "2021-01-01T00:00:00.000Z");
        assert_eq!(r["date_closed"], Value::Null);
        assert_eq!(r["time_estimate"], 1800000.5);
        assert_eq!(
            (
                r["space_id"].clone(),
                r["folder_id"].clone(),
                r["list_id"].clone()
            ),
            (json!("3"), Value::Null, json!("10"))
        );
        assert_eq!(
            r["checklists"][0]["items"][0]["date_created"],
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(r["custom_fields"][0]["value"], json!([1, "x"]));
        assert_eq!(r["custom_fields"][0]["value_json"], "[1,\"x\"]");
        assert_eq!(r["custom_fields"][1]["value_json"], Value::Null);
        assert_eq!(r["custom_fields"][2]["value_json"], "4");
        assert_eq!(date_updated_ms(&task), Some(1609459200000));
    }

    #[test]
    fn a_task_that_is_not_an_object_is_a_protocol_error() {
        assert!(matches!(
            record(json!("abc"), "1"),
            Err(ConnectorError::Protocol(_))
        ));
    }
}
