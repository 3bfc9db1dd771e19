//! `custom_fields`: the definitions of a Workspace's custom fields, one record per field, each
//! with where it is defined (full refresh).
//!
//! Where they come from: ClickUp's "accessible custom fields" endpoints. `GET /team/{id}/field`,
//! `/space/{id}/field` and `/folder/{id}/field` list the fields created at that level;
//! `GET /list/{id}/field` lists the fields a list can use, its own and those it inherits. So a
//! field is recorded from the highest level that lists it: a list's answer gives only the fields
//! none of its ancestors' answers has (see `read/custom_fields.rs`).
//!
//! Why these endpoints and not the task bodies (which repeat each applicable field's definition,
//! at no request): a field no task carries yet would be missing, and a task body does not say
//! where its fields are defined. BENCHMARKS.md gives the request cost of each source.

use super::{into_object, set, types};
use crate::error::ConnectorError;
use crate::timestamp::convert_fields;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Where a custom field is defined, and the endpoint that lists the fields defined there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldLevel {
    /// The Workspace (`/team/{id}/field`).
    Workspace,
    /// A Space (`/space/{id}/field`).
    Space,
    /// A Folder (`/folder/{id}/field`).
    Folder,
    /// A List (`/list/{id}/field`: its own fields and those it inherits).
    List,
}

impl FieldLevel {
    /// The level's name in records (`defined_at`).
    pub fn name(self) -> &'static str {
        match self {
            FieldLevel::Workspace => "workspace",
            FieldLevel::Space => "space",
            FieldLevel::Folder => "folder",
            FieldLevel::List => "list",
        }
    }

    /// The first segment of the level's endpoint (`/team/…/field` for a Workspace).
    pub fn segment(self) -> &'static str {
        match self {
            FieldLevel::Workspace => "team",
            other => other.name(),
        }
    }
}

/// The record of one field definition listed at `level` `id`.
pub fn record(
    field: &Value,
    workspace_id: &str,
    level: FieldLevel,
    id: &str,
) -> Result<Value, ConnectorError> {
    let mut record = into_object(field.clone(), "custom field")?;
    // A definition has no value; a task body's copy would.
    record.remove("value");
    set(&mut record, "workspace_id", Some(workspace_id));
    set(&mut record, "defined_at", Some(level.name()));
    set(&mut record, "defined_at_id", Some(id));
    let mut record = Value::Object(record);
    convert_fields(&mut record, &["date_created"]);
    Ok(record)
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "id": types::id(), "name": types::string(), "type": types::string(),
        "type_config": types::object(), "required": types::boolean(),
        "hide_from_guests": types::boolean(), "date_created": types::timestamp(),
        "workspace_id": types::id(),
        "defined_at": {"type": "string", "enum": ["workspace", "space", "folder", "list"]},
        "defined_at_id": types::id(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_definition_keeps_its_config_says_where_it_is_defined_and_drops_a_value() {
        let field = json!({"id": "f1", "name": "Stage", "type": "drop_down", "required": false,
            "type_config": {"options": [{"id": "o1", "name": "Build", "orderindex": 1}]},
            "date_created": "1609459200000", "value": 1});
        let r = record(&field, "9", FieldLevel::Folder, "457").unwrap();
        assert_eq!(r["defined_at"], "folder");
        assert_eq!(r["defined_at_id"], "457");
        assert_eq!(r["workspace_id"], "9");
        assert_eq!(r["date_created"], "2021-01-01T00:00:00.000Z");
        assert_eq!(r["type_config"]["options"][0]["name"], "Build");
        assert!(r.get("value").is_none());
        assert!(record(&json!([1]), "9", FieldLevel::List, "1").is_err());
    }
}
