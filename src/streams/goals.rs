//! `goals`: every goal with its targets (key results).
//!
//! `GET /team/{id}/goal?include_completed=true` lists folderless goals under `goals` and the goals
//! of goal folders only under `folders[].goals`; the union, de-duplicated by id, is every goal.
//! (ClickUp leaves completed goals out unless `include_completed=true`.) The list answer has no
//! targets, so each goal is then read with `GET /goal/{id}`, whose `key_results` are its targets.

use super::{array_at, id_of, object_of, set, types};
use crate::error::ConnectorError;
use crate::timestamp::convert_fields;
use serde_json::{json, Value};

const TIMESTAMPS: &[&str] = &[
    "date_created",
    "start_date",
    "due_date",
    "date_updated",
    "last_update",
];

/// Every goal in a goal-list answer, with its id: `goals[]` and each `folders[].goals[]`, each
/// once, in the order they first appear. The list's entry is the goal without its targets.
pub fn listed(body: &Value) -> Vec<(String, &Value)> {
    let folder_goals = array_at(body, "folders")
        .iter()
        .flat_map(|f| array_at(f, "goals"));
    let mut goals: Vec<(String, &Value)> = Vec::new();
    for goal in array_at(body, "goals").iter().chain(folder_goals) {
        if let Some(id) = id_of(goal) {
            if !goals.iter().any(|(seen, _)| *seen == id) {
                goals.push((id, goal));
            }
        }
    }
    goals
}

/// The ids of every goal in a goal-list answer (see [`listed`]).
pub fn ids(body: &Value) -> Vec<String> {
    listed(body).into_iter().map(|(id, _)| id).collect()
}

/// The record of one goal from a `GET /goal/{id}` answer.
pub fn record(body: &Value, workspace_id: &str) -> Result<Value, ConnectorError> {
    let goal = body.get("goal").unwrap_or(body);
    let mut record = object_of(goal, "goal")?;
    set(&mut record, "workspace_id", Some(workspace_id));
    for kr in record
        .get_mut("key_results")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        convert_fields(kr, &["date_created", "date_updated"]);
        if let Some(action) = kr.get_mut("last_action") {
            convert_fields(action, &["date_modified"]);
        }
    }
    for member in record
        .get_mut("members")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        convert_fields(member, &["date_added"]);
    }
    let mut record = Value::Object(record);
    convert_fields(&mut record, TIMESTAMPS);
    Ok(record)
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "id": types::id(), "workspace_id": types::id(), "pretty_id": types::string(),
        "name": types::string(), "team_id": types::string(), "creator": types::integer(),
        "color": types::string(), "description": types::string(),
        "date_created": types::timestamp(), "start_date": types::timestamp(),
        "due_date": types::timestamp(), "date_updated": types::timestamp(),
        "last_update": types::timestamp(), "folder_id": types::string(),
        "private": types::boolean(), "archived": types::boolean(),
        "percent_completed": types::number(), "key_result_count": types::integer(),
        "key_results": {"type": ["array", "null"], "items": {"type": "object", "properties": {
            "id": types::string(), "name": types::string(), "type": types::string(),
            "date_created": types::timestamp(), "completed": types::boolean()}}},
        "owners": types::array(), "members": types::array(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_in_folders_are_included_once() {
        let body = json!({
            "goals": [{"id": "g1"}, {"id": "g2"}],
            "folders": [{"id": "f", "goals": [{"id": "g3"}, {"id": "g1"}]}, {"id": "empty"}],
        });
        assert_eq!(ids(&body), ["g1", "g2", "g3"]);
        assert!(ids(&json!({})).is_empty());
    }

    #[test]
    fn the_goal_record_keeps_its_targets_with_dates() {
        let body = json!({"goal": {"id": "g1", "date_created": "0",
            "key_results": [{"id": "k", "date_created": "1000"}]}});
        let r = record(&body, "9").unwrap();
        assert_eq!(r["workspace_id"], "9");
        assert_eq!(r["date_created"], "1970-01-01T00:00:00.000Z");
        assert_eq!(
            r["key_results"][0]["date_created"],
            "1970-01-01T00:00:01.000Z"
        );
    }
}
