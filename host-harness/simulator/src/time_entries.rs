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

/// The `task` object of a time entry tracked on a task: its id, name and status.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeEntryTask {
    /// Task id.
    pub id: String,
    /// Task name.
    pub name: String,
    /// The task's status (rendered without its id).
    pub status: Status,
}

/// Where a time entry's task lives (`task_location`); the names are sent only with
/// `include_location_names=true`.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskLocation {
    /// Id of the task's home list, a numeric string.
    pub list_id: String,
    /// Name of that list.
    pub list_name: String,
    /// Id of the list's folder (the hidden placeholder's for a folderless list).
    pub folder_id: String,
    /// Name of that folder (`"hidden"` for the placeholder).
    pub folder_name: String,
    /// Id of the list's space.
    pub space_id: String,
    /// Name of that space.
    pub space_name: String,
}

/// A time entry of `GET /team/{id}/time_entries`: time one user tracked, on a task
/// or not.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeEntry {
    /// Entry id, a 19-digit numeric string (too large for a double).
    pub id: String,
    /// The task it was tracked on; `None` = no task, and no `task` key is sent.
    pub task: Option<TimeEntryTask>,
    /// Where that task lives; `None` = no `task_location` key.
    pub location: Option<TaskLocation>,
    /// Id of the workspace (team) it belongs to.
    pub wid: String,
    /// The user who tracked it; without `assignee`, only the token user's entries
    /// are served.
    pub user: User,
    /// Whether the time is billable.
    pub billable: bool,
    /// When it started, in ms since the Unix epoch (sent as a string); the
    /// `start_date`/`end_date` filters compare it.
    pub start: i64,
    /// `None` while the timer runs.
    pub end: Option<i64>,
    /// Negative while the timer runs.
    pub duration: i64,
    /// Its note; may be empty.
    pub description: String,
    /// The entry's own tags (the task's come separately, as `task_tags`).
    pub tags: Vec<Tag>,
    /// When it last changed, in ms since the Unix epoch (sent as a string): the only
    /// change cursor time entries have.
    pub at: i64,
}

impl TimeEntry {
    /// Whether the timer is still running (no `end`, negative `duration`).
    pub fn is_running(&self) -> bool {
        self.end.is_none()
    }

    /// The entry as served without `include_location_names` or `include_task_tags`.
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
