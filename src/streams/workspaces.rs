//! `workspaces`: one record per Workspace (ClickUp "team") from `GET /team`, with `member_count`.
//! The member list itself is the `members` stream.

use super::{array_at, object_of, types};
use crate::error::ConnectorError;
use serde_json::{json, Value};

/// The record of one team object.
pub fn record(team: &Value) -> Result<Value, ConnectorError> {
    let mut record = object_of(team, "Workspace")?;
    let members = record.remove("members");
    let count = members.as_ref().and_then(Value::as_array).map(Vec::len);
    record.insert(
        "member_count".into(),
        count.map_or(Value::Null, Value::from),
    );
    Ok(Value::Object(record))
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "id": types::id(), "name": types::string(), "color": types::string(),
        "avatar": types::string(), "member_count": types::integer(),
    })
}

/// The teams of a `GET /team` answer.
pub fn teams(body: &Value) -> &[Value] {
    array_at(body, "teams")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_members_and_drops_the_list() {
        let r = record(&json!({"id":"1","name":"W","members":[{"user":{}},{"user":{}}]})).unwrap();
        assert_eq!(r, json!({"id":"1","name":"W","member_count":2}));
    }
}
