//! `members`: the Workspace members from `GET /team` (`teams[].members[].user`), one record per
//! member per Workspace, keyed by (`workspace_id`, `id`), with `role` (1 owner, 2 admin, 3 member,
//! 4 guest) and the member-level fields (`invited_by`, the `can_*` flags) kept beside the user's.

use super::{array_at, set, types};
use crate::timestamp::convert_fields;
use serde_json::{json, Value};

/// The member records of one team object.
pub fn records(team: &Value, workspace_id: &str) -> Vec<Value> {
    array_at(team, "members")
        .iter()
        .filter_map(|member| {
            let mut record = member.get("user")?.as_object()?.clone();
            if let Some(extra) = member.as_object() {
                for (k, v) in extra.iter().filter(|(k, _)| k.as_str() != "user") {
                    record.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            set(&mut record, "workspace_id", Some(workspace_id));
            let mut record = Value::Object(record);
            convert_fields(&mut record, &["last_active", "date_joined", "date_invited"]);
            Some(record)
        })
        .collect()
}

/// The ids of a team's members, for the time-entry `assignee` filter.
pub fn ids(team: &Value) -> Vec<String> {
    array_at(team, "members")
        .iter()
        .filter_map(|m| match m.get("user")?.get("id")? {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// The schema's properties.
pub fn schema() -> Value {
    json!({
        "workspace_id": types::id(), "id": {"type": "integer"}, "username": types::string(),
        "email": types::string(), "color": types::string(), "initials": types::string(),
        "profilePicture": types::string(), "role": types::integer(), "role_key": types::string(),
        "role_subtype": types::integer(), "custom_role": types::object(),
        "last_active": types::timestamp(), "date_joined": types::timestamp(),
        "date_invited": types::timestamp(), "invited_by": types::object(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_users_with_role_and_dates() {
        let team = json!({"id":"9","members":[
            {"user":{"id":5,"username":null,"role":4,"date_joined":"0","last_active":null},
             "invited_by":{"id":1}},
            {"no_user": true}
        ]});
        let r = records(&team, "9");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0]["workspace_id"], "9");
        assert_eq!(r[0]["role"], 4);
        assert_eq!(r[0]["username"], Value::Null);
        assert_eq!(r[0]["date_joined"], "1970-01-01T00:00:00.000Z");
        assert_eq!(r[0]["invited_by"]["id"], 1);
        assert_eq!(ids(&team), ["5"]);
    }
}
