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
    /// Status id, e.g. `"p90123456789_VdY2oEPE"` (real responses carry it; the docs omit it).
    pub id: String,
    /// Status name, e.g. `"to do"`; the `statuses[]` task filter matches it
    /// case-insensitively.
    pub status: String,
    /// `open`, `custom`, `done` or `closed`.
    pub kind: String,
    /// Position of the status in its workflow, from 0.
    pub orderindex: i64,
    /// Hex color, e.g. `"#d3d3d3"`.
    pub color: String,
}

impl Status {
    /// Whether the status is of type `closed`: task listings leave its tasks out
    /// unless `include_closed=true`.
    pub fn is_closed(&self) -> bool {
        self.kind == "closed"
    }

    /// Whether the status is of type `done` or `closed`, i.e. its tasks are finished
    /// and have a `date_done`.
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

/// The `space` object folders and lists embed: `{id, name, access}`.
#[derive(Clone, Debug, PartialEq)]
pub struct SpaceRef {
    /// Space id, a numeric string.
    pub id: String,
    /// Space name.
    pub name: String,
}

impl SpaceRef {
    /// Renders `{"id", "name", "access": true}`.
    pub fn to_api_json(&self) -> Value {
        json!({ "id": self.id, "name": self.name, "access": true })
    }
}

/// The `folder` object of a list or task. For folderless lists it is the space's
/// hidden placeholder folder.
#[derive(Clone, Debug, PartialEq)]
pub struct FolderRef {
    /// Folder id, a numeric string (the space's `hidden_folder_id` for the placeholder).
    pub id: String,
    /// Folder name; `"hidden"` for the placeholder of folderless lists.
    pub name: String,
    /// Whether the folder is hidden; always true for the placeholder.
    pub hidden: bool,
}

impl FolderRef {
    /// Renders `{"id", "name", "hidden", "access": true}`, the `folder` (and a task's
    /// `project`) object.
    pub fn to_api_json(&self) -> Value {
        json!({ "id": self.id, "name": self.name, "hidden": self.hidden, "access": true })
    }
}

/// A space, the top level inside a workspace, served by `GET /team/{id}/space` and
/// `GET /space/{id}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Space {
    /// Space id, a numeric string.
    pub id: String,
    /// Space name as shown in ClickUp.
    pub name: String,
    /// Hex color; `None` = no color, sent as `null`.
    pub color: Option<String>,
    /// Whether the space is private: only then are its `members` shown, and
    /// `admin_can_manage` is `null`.
    pub private: bool,
    /// URL of the space's avatar; `None` = none, sent as `null`.
    pub avatar: Option<String>,
    /// Whether the space is archived: listed only with `archived=true`, and the
    /// team-wide task endpoint leaves out the tasks in it.
    pub archived: bool,
    /// The task statuses the space defines, in order; its lists use them.
    pub statuses: Vec<Status>,
    /// Whether tasks in the space may have more than one assignee.
    pub multiple_assignees: bool,
    /// Members are only shown for private spaces.
    pub members: Vec<User>,
    /// Id of the hidden placeholder folder that folderless lists report.
    pub hidden_folder_id: String,
}

impl Space {
    /// The `{id, name}` reference its folders and lists embed.
    pub fn as_ref(&self) -> SpaceRef {
        SpaceRef {
            id: self.id.clone(),
            name: self.name.clone(),
        }
    }

    /// The hidden placeholder folder (`"hidden"`) its folderless lists report as
    /// their `folder`.
    pub fn hidden_folder(&self) -> FolderRef {
        FolderRef {
            id: self.hidden_folder_id.clone(),
            name: "hidden".into(),
            hidden: true,
        }
    }

    /// The space object of `GET /team/{id}/space` and `GET /space/{id}`.
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

/// A folder in a space, served by `GET /space/{id}/folder` and `GET /folder/{id}`
/// with its lists embedded.
#[derive(Clone, Debug, PartialEq)]
pub struct Folder {
    /// Folder id, a numeric string.
    pub id: String,
    /// Folder name as shown in ClickUp.
    pub name: String,
    /// Position among the space's folders, from 0.
    pub orderindex: i64,
    /// Whether the folder defines its own task statuses instead of the space's.
    pub override_statuses: bool,
    /// Whether the folder is hidden in the app; it is still listed.
    pub hidden: bool,
    /// The space the folder is in.
    pub space: SpaceRef,
    /// Whether the folder is archived: listed only with `archived=true`, and the
    /// team-wide task endpoint leaves out the tasks of its lists.
    pub archived: bool,
    /// Non-archived tasks whose home list is in this folder; kept current by the
    /// simulator after every mutation.
    pub task_count: usize,
    /// The folder's own statuses when `override_statuses` is set; empty otherwise.
    pub statuses: Vec<Status>,
}

impl Folder {
    /// The `folder` reference its lists and their tasks embed.
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

    /// The folder object with `lists` set to the given rendered lists.
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

/// A list's own colored status (the list object's `status`), unrelated to the
/// statuses of its tasks.
#[derive(Clone, Debug, PartialEq)]
pub struct ListStatus {
    /// Status label, e.g. `"green"`.
    pub status: String,
    /// Hex color, e.g. `"#6bc950"`.
    pub color: String,
}

/// A list, where tasks live: in a folder, or directly in a space (folderless).
#[derive(Clone, Debug, PartialEq)]
pub struct List {
    /// List id, a numeric string.
    pub id: String,
    /// List name as shown in ClickUp.
    pub name: String,
    /// Position among its siblings (the folder's lists, or the space's folderless
    /// lists), from 0.
    pub orderindex: i64,
    /// The list's description; may be empty.
    pub content: String,
    /// The list's own status; `None` = none, sent as `null`.
    pub status: Option<ListStatus>,
    /// 1 urgent .. 4 low.
    pub priority: Option<u8>,
    /// Non-archived tasks whose home list this is; kept current by the simulator.
    pub task_count: usize,
    /// When the list is due, in ms since the Unix epoch (sent as a string); `None` =
    /// no due date, sent as `null`.
    pub due_date: Option<i64>,
    /// When the list starts, in ms since the Unix epoch (sent as a string); `None` =
    /// no start date, sent as `null`.
    pub start_date: Option<i64>,
    /// The real folder, or the space's hidden placeholder for folderless lists.
    pub folder: FolderRef,
    /// Whether the list sits directly in its space (served by `GET /space/{id}/list`)
    /// rather than in a folder (`GET /folder/{id}/list`).
    pub folderless: bool,
    /// The space the list is in.
    pub space: SpaceRef,
    /// Whether the list itself is archived: listed only with `archived=true`, and
    /// the team-wide task endpoint leaves out its tasks.
    pub archived: bool,
    /// Whether the list defines its own task statuses instead of inheriting them.
    pub override_statuses: bool,
    /// The statuses tasks of this list use (the space's unless overridden).
    pub statuses: Vec<Status>,
    /// The list's email-to-task address, sent only by `GET /list/{id}`.
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
