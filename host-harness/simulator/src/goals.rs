//! Goals, goal folders and key results.
//!
//! Two traps live here: goals inside a goal folder are served only under
//! `folders[].goals` (never in the top-level `goals`), and completed goals are
//! left out unless `include_completed=true`. Goal dates are ms strings except the
//! goal-folder member `date_added`, which is a JSON number.

use super::clock::{ms, opt_ms};
use super::people::User;
use serde_json::{json, Map, Value};

/// A goal folder, listed in `folders[]` of `GET /team/{id}/goal`; the goals in it
/// are served only there, under `folders[].goals`.
#[derive(Clone, Debug, PartialEq)]
pub struct GoalFolder {
    /// Goal folder id, a UUID.
    pub id: String,
    /// Folder name as shown in ClickUp.
    pub name: String,
    /// Id of the workspace (team) the folder belongs to.
    pub team_id: String,
    /// Whether only the folder's members can see it.
    pub private: bool,
    /// When the folder was created, in ms since the Unix epoch (sent as a string).
    pub date_created: i64,
    /// User id of the member who created it (a JSON integer).
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

/// A key result (a measurable target) of a goal, served in `key_results[]` of
/// `GET /goal/{id}`.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyResult {
    /// Key result id, a UUID.
    pub id: String,
    /// Key result name as shown in ClickUp.
    pub name: String,
    /// User id of its creator.
    pub creator: i64,
    /// `number`, `currency`, `boolean`, `percentage` or `automatic`.
    pub kind: String,
    /// When it was created, in ms since the Unix epoch (sent as a string).
    pub date_created: i64,
    /// The value the target starts from.
    pub steps_start: f64,
    /// The value that meets the target (1 for a `boolean` key result).
    pub steps_end: f64,
    /// The value reached so far.
    pub steps_current: f64,
    /// Unit of the values, e.g. `"USD"`; may be empty.
    pub unit: String,
}

impl KeyResult {
    /// Progress from `steps_start` to `steps_end` as a whole percentage in 0..=100
    /// (0 when the range is empty).
    pub fn percent_completed(&self) -> i64 {
        let span = self.steps_end - self.steps_start;
        if span <= 0.0 {
            return 0;
        }
        (((self.steps_current - self.steps_start) / span) * 100.0)
            .round()
            .clamp(0.0, 100.0) as i64
    }

    /// One entry of `key_results[]` in `GET /goal/{id}`, naming `goal` as its goal.
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

/// A goal (an objective tracked by key results). Goals outside folders are listed in
/// `goals[]` of `GET /team/{id}/goal`; goals in a folder only under that folder.
#[derive(Clone, Debug, PartialEq)]
pub struct Goal {
    /// Goal id, a UUID.
    pub id: String,
    /// The short per-workspace number shown in the app and in `pretty_url`, sent as a
    /// string (`"6"`).
    pub pretty_id: String,
    /// Goal name as shown in ClickUp.
    pub name: String,
    /// Id of the workspace (team) the goal belongs to.
    pub team_id: String,
    /// User id of its creator (a JSON integer).
    pub creator: i64,
    /// Hex color, e.g. `"#7b68ee"`.
    pub color: String,
    /// When it was created, in ms since the Unix epoch (sent as a string).
    pub date_created: i64,
    /// When it starts, in ms since the Unix epoch (sent as a string); `None` = no
    /// start date, sent as `null`.
    pub start_date: Option<i64>,
    /// When it is due, in ms since the Unix epoch (sent as a string).
    pub due_date: i64,
    /// Its description; may be empty.
    pub description: String,
    /// Whether only its members can see it.
    pub private: bool,
    /// Whether it is archived.
    pub archived: bool,
    /// Whether it may have more than one owner.
    pub multiple_owners: bool,
    /// When it last changed, in ms since the Unix epoch (sent as a string).
    pub date_updated: i64,
    /// ClickUp's separate `last_update` stamp, in ms since the Unix epoch (sent as a
    /// string); generated goals set it to `date_updated`.
    pub last_update: i64,
    /// Id of its goal folder; `None` = not in a folder (sent as `null`).
    pub folder_id: Option<String>,
    /// Whether it is pinned in the goals view.
    pub pinned: bool,
    /// The users who own it (`owners[]`).
    pub owners: Vec<User>,
    /// The users it is shared with (`members[]`, with `isCreator` for its creator).
    pub members: Vec<User>,
    /// Completed goals are served only with `include_completed=true`.
    pub completed: bool,
    /// Its key results, served by `GET /goal/{id}`; listings give only
    /// `key_result_count`.
    pub key_results: Vec<KeyResult>,
}

impl Goal {
    /// ClickUp's `percent_completed`: 100 for a completed goal, otherwise the average
    /// progress of its key results, at most 99 (0 without key results).
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
