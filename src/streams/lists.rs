//! `lists`: lists in folders (`GET /folder/{id}/list`) and folderless lists directly in a space
//! (`GET /space/{id}/list`), archived and not. ClickUp gives folderless lists a hidden placeholder
//! `folder` object; their record has `folder_id: null` and `folderless: true`.

use super::{count, object_of, set, types};
use crate::error::ConnectorError;
use crate::timestamp::convert_fields;
use serde_json::{json, Value};

/// The record of one list. `folder_id` is `None` for a folderless list.
pub fn record(
    list: &Value,
    workspace_id: &str,
    space_id: &str,
    folder_id: Option<&str>,
) -> Result<Value, ConnectorError> {
    let mut record = object_of(list, "list")?;
    let task_count = count(record.get("task_count"));
    record.insert("task_count".into(), task_count);
    set(&mut record, "workspace_id", Some(workspace_id));
    set(&mut record, "space_id", Some(space_id));
    set(&mut record, "folder_id", folder_id);
    record.insert("folderless".into(), Value::Bool(folder_id.is_none()));
    let mut record = Value::Object(record);
    convert_fields(&mut record, &["due_date", "start_date"]);
    Ok(record)
}

/// Whether a list is archived by itself.
pub fn is_archived(list: &Value) -> bool {
    list.get("archived")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "id": types::id(), "workspace_id": types::id(), "space_id": types::id(),
        "folder_id": types::string(), "folderless": {"type": "boolean"}, "name": types::string(),
        "orderindex": types::number(), "content": types::string(), "status": types::object(),
        "priority": types::object(), "assignee": types::object(), "task_count": types::integer(),
        "due_date": types::timestamp(), "start_date": types::timestamp(),
        "folder": types::object(), "space": types::object(), "archived": types::boolean(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folderless_lists_are_marked_and_dates_converted() {
        let list =
            json!({"id":"7","folder":{"id":"457","hidden":true},"due_date":"0","task_count":0});
        let r = record(&list, "1", "2", None).unwrap();
        assert_eq!(r["folder_id"], Value::Null);
        assert_eq!(r["folderless"], true);
        assert_eq!(r["due_date"], "1970-01-01T00:00:00.000Z");
        assert_eq!(r["task_count"], 0);
    }
}
