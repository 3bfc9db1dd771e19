//! Time entries.
//!
//! `start`, `end`, `duration` and `at` are ms strings, except for a running timer:
//! it has no `end` and a *numeric* negative `duration`, the one place ClickUp mixes
//! the two forms in the same field. The `task` key is present only for entries
//! linked to a task. `at` is the last-modified time, the only change cursor.

use super::clock::ms;
use super::hierarchy::Status;
use super::people::User;
use super::tasks::Tag;
use serde_json::{json, Map, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct TimeEntryTask {
    pub id: String,
    pub name: String,
    pub status: Status,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TaskLocation {
    pub list_id: String,
    pub list_name: String,
    pub folder_id: String,
    pub folder_name: String,
    pub space_id: String,
    pub space_name: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TimeEntry {
    pub id: String,
    pub task: Option<TimeEntryTask>,
    pub location: Option<TaskLocation>,
    pub wid: String,
    pub user: User,
    pub billable: bool,
    pub start: i64,
    /// `None` while the timer runs.
    pub end: Option<i64>,
    /// Negative while the timer runs.
    pub duration: i64,
    pub description: String,
    pub tags: Vec<Tag>,
    pub at: i64,
}

impl TimeEntry {
    pub fn is_running(&self) -> bool {
        self.end.is_none()
    }

    pub fn to_api_json(&self) -> Value {
        self.render(false, None)
    }

    /// `include_location_names` adds the names to `task_location`; `task_tags`
    /// (from `include_task_tags=true`) adds the linked task's tags.
    pub fn render(&self, include_location_names: bool, task_tags: Option<Vec<Value>>) -> Value {
        let mut map = Map::new();
        map.insert("id".into(), json!(self.id));
        if let Some(task) = &self.task {
            map.insert(
                "task".into(),
                json!({
                    "id": task.id,
                    "name": task.name,
                    "status": {
                        "status": task.status.status,
                        "color": task.status.color,
                        "type": task.status.kind,
                        "orderindex": task.status.orderindex,
                    },
                    "custom_type": null,
                }),
            );
        }
        map.insert("wid".into(), json!(self.wid));
        map.insert("user".into(), self.user.to_api_json());
        map.insert("billable".into(), json!(self.billable));
        map.insert("start".into(), ms(self.start));
        match self.end {
            Some(end) => {
                map.insert("end".into(), ms(end));
                map.insert("duration".into(), ms(self.duration));
            }
            None => {
                map.insert("duration".into(), json!(self.duration));
            }
        }
        map.insert("description".into(), json!(self.description));
        map.insert(
            "tags".into(),
            json!(self.tags.iter().map(Tag::to_api_json).collect::<Vec<_>>()),
        );
        map.insert("source".into(), json!("clickup"));
        map.insert("at".into(), ms(self.at));
        map.insert("is_locked".into(), json!(false));
        map.insert("approval_id".into(), Value::Null);
        if let Some(loc) = &self.location {
            let mut l = Map::new();
            l.insert("list_id".into(), json!(loc.list_id));
            l.insert("folder_id".into(), json!(loc.folder_id));
            l.insert("space_id".into(), json!(loc.space_id));
            if include_location_names {
                l.insert("list_name".into(), json!(loc.list_name));
                l.insert("folder_name".into(), json!(loc.folder_name));
                l.insert("space_name".into(), json!(loc.space_name));
            }
            map.insert("task_location".into(), Value::Object(l));
        }
        if let Some(tags) = task_tags {
            map.insert("task_tags".into(), Value::Array(tags));
        }
        if let Some(task) = &self.task {
            map.insert(
                "task_url".into(),
                json!(format!("https://app.clickup.com/t/{}", task.id)),
            );
        }
        Value::Object(map)
    }
}
