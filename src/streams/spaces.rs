//! `spaces`: `GET /team/{id}/space`, archived and not.

use super::{object_of, set, types};
use crate::error::ConnectorError;
use serde_json::{json, Value};

/// The record of one space.
pub fn record(space: &Value, workspace_id: &str) -> Result<Value, ConnectorError> {
    let mut record = object_of(space, "space")?;
    set(&mut record, "workspace_id", Some(workspace_id));
    Ok(Value::Object(record))
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "id": types::id(), "workspace_id": types::id(), "name": types::string(),
        "private": types::boolean(), "color": types::string(), "avatar": types::string(),
        "archived": types::boolean(), "statuses": types::array(), "features": types::object(),
        "multiple_assignees": types::boolean(), "members": types::array(),
    })
}
