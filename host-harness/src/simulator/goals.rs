//! Goals, goal folders and key results.
//!
//! Two traps live here: goals inside a goal folder are served only under
//! `folders[].goals` (never in the top-level `goals`), and completed goals are
//! left out unless `include_completed=true`. Goal dates are ms strings except the
//! goal-folder member `date_added`, which is a JSON number.

use super::clock::{ms, opt_ms};
use super::people::User;
use serde_json::{json, Map, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct GoalFolder {
    pub id: String,
    pub name: String,
    pub team_id: String,
    pub private: bool,
    pub date_created: i64,
    pub creator: i64,
    /// Members with the time they were added (rendered as a number).
    pub members: Vec<(User, i64)>,
}

impl GoalFolder {
    /// The folder object with an empty `goals` and a zero `goal_count`; the goals
    /// endpoint fills both with [`GoalFolder::to_api_json_with_goals`].
    pub fn to_api_json(&self) -> Value {
        self.to_api_json_with_goals(0, Vec::new())
    }

    /// The folder object with its goals supplied by the caller (the endpoint
    /// filters completed goals), and `goal_count` counting every goal in it.
    pub fn to_api_json_with_goals(&self, goal_count: usize, goals: Vec<Value>) -> Value {
        let members: Vec<Value> = self
            .members
            .iter()
            .map(|(u, added)| {
                json!({
                    "id": u.id, "email": u.email, "username": u.username, "color": u.color,
                    "permission_level": "edit", "date_added": added, "added_by": self.creator,
                    "initials": u.initials, "profilePicture": u.profile_picture,
                })
            })
            .collect();
        json!({
            "id": self.id,
            "name": self.name,
            "team_id": self.team_id,
            "private": self.private,
            "date_created": ms(self.date_created),
            "creator": self.creator,
            "goal_count": goal_count,
            "members": members,
            "goals": goals,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct KeyResult {
    pub id: String,
    pub name: String,
    pub creator: i64,
    /// `number`, `currency`, `boolean`, `percentage` or `automatic`.
    pub kind: String,
    pub date_created: i64,
    pub steps_start: f64,
    pub steps_end: f64,
    pub steps_current: f64,
    pub unit: String,
}

impl KeyResult {
    pub fn percent_completed(&self) -> i64 {
        let span = self.steps_end - self.steps_start;
        if span <= 0.0 {
            return 0;
        }
        (((self.steps_current - self.steps_start) / span) * 100.0)
            .round()
            .clamp(0.0, 100.0) as i64
    }

    pub fn to_api_json(&self, goal: &Goal) -> Value {
        let pct = self.percent_completed();
        json!({
            "id": self.id,
            "goal_id": goal.id,
            "name": self.name,
            "creator": self.creator,
            "type": self.kind,
            "date_created": ms(self.date_created),
            "goal_pretty_id": goal.pretty_id,
            "percent_completed": pct,
            "completed": pct >= 100,
            "task_ids": [],
            "list_ids": [],
            "subcategory_ids": [],
            "owners": [],
            "last_action": {
                "id": format!("{}-last", self.id),
                "key_result_id": self.id,
                "userid": self.creator,
                "date_modified": ms(self.date_created),
                "steps_taken": self.steps_current,
                "note": "",
                "steps_before": self.steps_start,
                "steps_current": self.steps_current,
            },
            "steps_start": self.steps_start,
            "steps_end": self.steps_end,
            "steps_current": self.steps_current,
            "unit": self.unit,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Goal {
    pub id: String,
    pub pretty_id: String,
    pub name: String,
    pub team_id: String,
    pub creator: i64,
    pub color: String,
    pub date_created: i64,
    pub start_date: Option<i64>,
    pub due_date: i64,
    pub description: String,
    pub private: bool,
    pub archived: bool,
    pub multiple_owners: bool,
    pub date_updated: i64,
    pub last_update: i64,
    pub folder_id: Option<String>,
    pub pinned: bool,
    pub owners: Vec<User>,
    pub members: Vec<User>,
    /// Completed goals are served only with `include_completed=true`.
    pub completed: bool,
    pub key_results: Vec<KeyResult>,
}

impl Goal {
    pub fn percent_completed(&self) -> i64 {
        if self.completed {
            return 100;
        }
        if self.key_results.is_empty() {
            return 0;
        }
        let sum: i64 = self
            .key_results
            .iter()
            .map(KeyResult::percent_completed)
            .sum();
        (sum / self.key_results.len() as i64).min(99)
    }

    /// The goal as listed by `GET /team/{id}/goal`.
    pub fn to_api_json(&self) -> Value {
        let members: Vec<Value> = self
            .members
            .iter()
            .map(|u| {
                json!({
                    "id": u.id, "username": u.username, "email": u.email, "color": u.color,
                    "permission_level": "edit", "profilePicture": u.profile_picture,
                    "initials": u.initials, "isCreator": u.id == self.creator,
                })
            })
            .collect();
        let mut map = Map::new();
        map.insert("id".into(), json!(self.id));
        map.insert("pretty_id".into(), json!(self.pretty_id));
        map.insert("name".into(), json!(self.name));
        map.insert("team_id".into(), json!(self.team_id));
        map.insert("creator".into(), json!(self.creator));
        map.insert("owner".into(), Value::Null);
        map.insert("color".into(), json!(self.color));
        map.insert("date_created".into(), ms(self.date_created));
        map.insert("start_date".into(), opt_ms(self.start_date));
        map.insert("due_date".into(), ms(self.due_date));
        map.insert("description".into(), json!(self.description));
        map.insert("private".into(), json!(self.private));
        map.insert("archived".into(), json!(self.archived));
        map.insert("multiple_owners".into(), json!(self.multiple_owners));
        map.insert(
            "editor_token".into(),
            json!(format!("goal_{}", self.pretty_id)),
        );
        map.insert("date_updated".into(), ms(self.date_updated));
        map.insert("last_update".into(), ms(self.last_update));
        map.insert("folder_id".into(), json!(self.folder_id));
        if self.folder_id.is_some() {
            map.insert("folder_access".into(), json!(true));
        }
        map.insert("pinned".into(), json!(self.pinned));
        map.insert(
            "owners".into(),
            json!(self
                .owners
                .iter()
                .map(User::to_api_json)
                .collect::<Vec<_>>()),
        );
        map.insert("key_result_count".into(), json!(self.key_results.len()));
        map.insert("members".into(), json!(members));
        map.insert("group_members".into(), json!([]));
        map.insert("percent_completed".into(), json!(self.percent_completed()));
        Value::Object(map)
    }

    /// `GET /goal/{id}`: the goal plus key results, history and pretty_url.
    pub fn to_detail_json(&self) -> Value {
        let mut v = self.to_api_json();
        if let Value::Object(map) = &mut v {
            map.insert(
                "key_results".into(),
                json!(self
                    .key_results
                    .iter()
                    .map(|k| k.to_api_json(self))
                    .collect::<Vec<_>>()),
            );
            map.insert("history".into(), json!([]));
            map.insert(
                "pretty_url".into(),
                json!(format!(
                    "https://app.clickup.com/{}/goals/{}",
                    self.team_id, self.pretty_id
                )),
            );
        }
        v
    }
}
