//! `folders`: `GET /space/{id}/folder`, archived and not. The lists embedded in a folder answer
//! are left out (they are the `lists` stream); `task_count`, a string in ClickUp, becomes a number.

use super::{count, object_of, set, types};
use crate::error::ConnectorError;
use serde_json::{json, Value};

/// The record of one folder.
pub fn record(folder: &Value, workspace_id: &str, space_id: &str) -> Result<Value, ConnectorError> {
    let mut record = object_of(folder, "folder")?;
    record.remove("lists");
    let task_count = count(record.get("task_count"));
    record.insert("task_count".into(), task_count);
    set(&mut record, "workspace_id", Some(workspace_id));
    set(&mut record, "space_id", Some(space_id));
    Ok(Value::Object(record))
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "id": types::id(), "workspace_id": types::id(), "space_id": types::id(),
        "name": types::string(), "orderindex": types::number(), "hidden": types::boolean(),
        "archived": types::boolean(), "override_statuses": types::boolean(),
        "task_count": types::integer(), "space": types::object(), "statuses": types::array(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_count_becomes_a_number_and_embedded_lists_go() {
        let r = record(&json!({"id":"4","task_count":"12","lists":[{}]}), "1", "2").unwrap();
        assert_eq!(
            r,
            json!({"id":"4","task_count":12,"workspace_id":"1","space_id":"2"})
        );
    }
}
