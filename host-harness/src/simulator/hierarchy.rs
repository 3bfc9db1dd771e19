//! Spaces, folders and lists: the containers tasks live in.
//!
//! Two layouts matter most to connectors. Folderless lists sit directly in a space
//! and are served by a different endpoint, yet still carry a `folder` object: a
//! hidden placeholder `{"name":"hidden","hidden":true}` with its own id. And any
//! container can be archived, which hides it from the default listings and hides
//! its tasks from the team-wide task endpoint.
//!
//! Nested collections (a folder's embedded `lists`) need the rest of the world to
//! render; `to_api_json` renders the object itself and the endpoints add the rest.

use super::clock::opt_ms;
use super::people::User;
use serde_json::{json, Value};

/// A status as spaces, lists and tasks carry it.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub id: String,
    pub status: String,
    /// `open`, `custom`, `done` or `closed`.
    pub kind: String,
    pub orderindex: i64,
    pub color: String,
}

impl Status {
    pub fn is_closed(&self) -> bool {
        self.kind == "closed"
    }

    pub fn is_done(&self) -> bool {
        self.kind == "done" || self.kind == "closed"
    }

    /// As in `space.statuses[]`.
    pub fn to_api_json(&self) -> Value {
        json!({
            "id": self.id,
            "status": self.status,
            "type": self.kind,
            "orderindex": self.orderindex,
            "color": self.color,
        })
    }

    /// As in `task.status`.
    pub fn to_task_json(&self) -> Value {
        json!({
            "id": self.id,
            "status": self.status,
            "color": self.color,
            "orderindex": self.orderindex,
            "type": self.kind,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SpaceRef {
    pub id: String,
    pub name: String,
}

impl SpaceRef {
    pub fn to_api_json(&self) -> Value {
        json!({ "id": self.id, "name": self.name, "access": true })
    }
}

/// The `folder` object of a list or task. For folderless lists it is the space's
/// hidden placeholder folder.
#[derive(Clone, Debug, PartialEq)]
pub struct FolderRef {
    pub id: String,
    pub name: String,
    pub hidden: bool,
}

impl FolderRef {
    pub fn to_api_json(&self) -> Value {
        json!({ "id": self.id, "name": self.name, "hidden": self.hidden, "access": true })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Space {
    pub id: String,
    pub name: String,
    pub color: Option<String>,
    pub private: bool,
    pub avatar: Option<String>,
    pub archived: bool,
    pub statuses: Vec<Status>,
    pub multiple_assignees: bool,
    /// Members are only shown for private spaces.
    pub members: Vec<User>,
    /// Id of the hidden placeholder folder that folderless lists report.
    pub hidden_folder_id: String,
}

impl Space {
    pub fn as_ref(&self) -> SpaceRef {
        SpaceRef {
            id: self.id.clone(),
            name: self.name.clone(),
        }
    }

    pub fn hidden_folder(&self) -> FolderRef {
        FolderRef {
            id: self.hidden_folder_id.clone(),
            name: "hidden".into(),
            hidden: true,
        }
    }

    pub fn to_api_json(&self) -> Value {
        let members: Vec<Value> = self
            .members
            .iter()
            .map(|u| json!({ "user": u.to_api_json() }))
            .collect();
        json!({
            "id": self.id,
            "name": self.name,
            "private": self.private,
            "color": self.color,
            "avatar": self.avatar,
            "admin_can_manage": if self.private { Value::Null } else { json!(true) },
            "archived": self.archived,
            "members": members,
            "statuses": self.statuses.iter().map(Status::to_api_json).collect::<Vec<_>>(),
            "multiple_assignees": self.multiple_assignees,
            "features": space_features(),
        })
    }
}

fn space_features() -> Value {
    json!({
        "due_dates": { "enabled": true, "start_date": true, "remap_due_dates": false, "remap_closed_due_date": false },
        "sprints": { "enabled": false },
        "time_tracking": { "enabled": true, "harvest": false, "rollup": false, "default_to_billable": 2 },
        "points": { "enabled": true },
        "custom_items": { "enabled": false },
        "priorities": {
            "enabled": true,
            "priorities": [
                { "color": "#f50000", "id": "1", "orderindex": "1", "priority": "urgent" },
                { "color": "#f8ae00", "id": "2", "orderindex": "2", "priority": "high" },
                { "color": "#6fddff", "id": "3", "orderindex": "3", "priority": "normal" },
                { "color": "#d8d8d8", "id": "4", "orderindex": "4", "priority": "low" }
            ]
        },
        "tags": { "enabled": true },
        "time_estimates": { "enabled": true, "rollup": false, "per_assignee": false },
        "check_unresolved": { "enabled": true, "subtasks": null, "checklists": null, "comments": null },
        "milestones": { "enabled": false },
        "custom_fields": { "enabled": true },
        "remap_dependencies": { "enabled": true },
        "dependency_warning": { "enabled": true },
        "status_pies": { "enabled": false },
        "multiple_assignees": { "enabled": true },
        "emails": { "enabled": true },
        "scheduler_enabled": false
    })
}

#[derive(Clone, Debug, PartialEq)]
pub struct Folder {
    pub id: String,
    pub name: String,
    pub orderindex: i64,
    pub override_statuses: bool,
    pub hidden: bool,
    pub space: SpaceRef,
    pub archived: bool,
    /// Non-archived tasks whose home list is in this folder; kept current by the
    /// simulator after every mutation.
    pub task_count: usize,
    pub statuses: Vec<Status>,
}

impl Folder {
    pub fn as_ref(&self) -> FolderRef {
        FolderRef {
            id: self.id.clone(),
            name: self.name.clone(),
            hidden: self.hidden,
        }
    }

    /// The folder object with an empty `lists`; the endpoints fill it with
    /// [`Folder::to_api_json_with_lists`].
    pub fn to_api_json(&self) -> Value {
        self.to_api_json_with_lists(Vec::new())
    }

    pub fn to_api_json_with_lists(&self, lists: Vec<Value>) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "orderindex": self.orderindex,
            "override_statuses": self.override_statuses,
            "hidden": self.hidden,
            "space": self.space.to_api_json(),
            // A string, unlike the list's task_count.
            "task_count": self.task_count.to_string(),
            "archived": self.archived,
            "statuses": self.statuses.iter().map(Status::to_api_json).collect::<Vec<_>>(),
            "lists": lists,
            "deleted": false,
            "permission_level": "create",
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ListStatus {
    pub status: String,
    pub color: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct List {
    pub id: String,
    pub name: String,
    pub orderindex: i64,
    pub content: String,
    pub status: Option<ListStatus>,
    /// 1 urgent .. 4 low.
    pub priority: Option<u8>,
    /// Non-archived tasks whose home list this is; kept current by the simulator.
    pub task_count: usize,
    pub due_date: Option<i64>,
    pub start_date: Option<i64>,
    /// The real folder, or the space's hidden placeholder for folderless lists.
    pub folder: FolderRef,
    pub folderless: bool,
    pub space: SpaceRef,
    pub archived: bool,
    pub override_statuses: bool,
    /// The statuses tasks of this list use (the space's unless overridden).
    pub statuses: Vec<Status>,
    pub inbound_address: String,
}

impl List {
    /// The list object of `GET /folder/{id}/list` and `GET /space/{id}/list`.
    pub fn to_api_json(&self) -> Value {
        let priority = self.priority.map(|p| {
            let (name, color) = priority_name_color(p);
            json!({ "priority": name, "color": color })
        });
        json!({
            "id": self.id,
            "name": self.name,
            "orderindex": self.orderindex,
            "content": self.content,
            "status": self.status.as_ref().map(|s| json!({ "status": s.status, "color": s.color, "hide_label": true })),
            "priority": priority,
            "assignee": null,
            // A number, unlike the folder's task_count.
            "task_count": self.task_count,
            "due_date": opt_ms(self.due_date),
            "start_date": opt_ms(self.start_date),
            "folder": self.folder.to_api_json(),
            "space": self.space.to_api_json(),
            "archived": self.archived,
            "override_statuses": self.override_statuses,
            "deleted": false,
            "permission_level": "create",
        })
    }

    /// `GET /list/{id}` adds a few fields.
    pub fn to_detail_json(&self) -> Value {
        let mut v = self.to_api_json();
        if let Value::Object(map) = &mut v {
            map.insert("due_date_time".into(), json!(false));
            map.insert("start_date_time".into(), json!(false));
            map.insert("inbound_address".into(), json!(self.inbound_address));
            let statuses: Vec<Value> = self
                .statuses
                .iter()
                .map(|s| {
                    json!({
                        "id": s.id,
                        "status": s.status,
                        "orderindex": s.orderindex,
                        "color": s.color,
                        "type": s.kind,
                        "status_group": format!("subcat_{}", self.id),
                    })
                })
                .collect();
            map.insert("statuses".into(), Value::Array(statuses));
        }
        v
    }
}

/// ClickUp's four priorities: 1 urgent, 2 high, 3 normal, 4 low.
pub fn priority_name_color(p: u8) -> (&'static str, &'static str) {
    match p {
        1 => ("urgent", "#f50000"),
        2 => ("high", "#f8ae00"),
        3 => ("normal", "#6fddff"),
        _ => ("low", "#d8d8d8"),
    }
}
