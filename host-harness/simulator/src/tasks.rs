//! Tasks and what hangs off them (custom fields, tags, checklists).
//!
//! Tasks are where connectors lose data, so the entity keeps every quirk of the
//! real payload: all timestamps are ms strings, `priority` is an object or null,
//! `time_estimate` may be fractional, custom-field `value` is polymorphic (number,
//! string, array, object, explicit null) or absent, and a task can appear in other
//! lists through `locations` while having exactly one home list.
//!
//! The home list, folder and space are denormalised into the task (as ClickUp
//! returns them) so a task renders itself without the rest of the world;
//! `World::move_task` keeps them in step. So are its dependencies and links: each
//! [`Dependency`] and [`TaskLink`] is held (and rendered) by both tasks it joins.

use super::clock::{ms, opt_ms};
use super::hierarchy::{priority_name_color, FolderRef, Status};
use super::people::User;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// Where a custom field is defined. A field defined at a level applies to every
/// list below it: a task's `custom_fields` lists the fields of the Workspace, of its
/// home list's space and folder, and of the list itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FieldScope {
    /// Defined for the whole Workspace (`GET /team/{id}/field`).
    Workspace,
    /// Defined at the space with this id (`GET /space/{id}/field`).
    Space(String),
    /// Defined at the folder with this id (`GET /folder/{id}/field`).
    Folder(String),
    /// Defined at the list with this id (`GET /list/{id}/field` lists it with the
    /// inherited ones).
    List(String),
}

/// A custom-field definition, shared by every task its scope covers.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomField {
    /// Field id, a UUID.
    pub id: String,
    /// The level it is defined at; it applies to every list under it.
    pub scope: FieldScope,
    /// Field name as shown in ClickUp.
    pub name: String,
    /// The field type as ClickUp names it (`type`): `url`, `email`, `phone`,
    /// `short_text`, `text`, `number`, `currency`, `date`, `checkbox`, `drop_down`,
    /// `labels`, `emoji`, `users`, `tasks`, `list_relationship`, `manual_progress`,
    /// `automatic_progress`, `location`, `formula` or `attachment`.
    pub kind: String,
    /// The type's settings as ClickUp sends them (the `options` of drop-downs and
    /// labels, a currency's precision, ...); `{}` for most types.
    pub type_config: Value,
    /// Options (of a `drop_down` or `labels` field) deleted from `type_config` after
    /// some tasks had picked them, in the shape they had in `options`. Not rendered:
    /// it says which stale `orderindex` or option id a task's value may still hold.
    pub retired_options: Vec<Value>,
    /// When the field was created, in ms since the Unix epoch (sent as a string).
    pub date_created: i64,
    /// Whether guests cannot see the field.
    pub hide_from_guests: bool,
    /// Whether new tasks must set a value.
    pub required: bool,
}

/// The value a task holds for one custom field.
#[derive(Clone, Debug, PartialEq)]
pub enum CustomValue {
    /// No `value` key at all (ClickUp's usual "unset").
    Absent,
    /// `"value": null`.
    Null,
    /// A `value` whose JSON type depends on the field type (string, number, array
    /// or object).
    Set(Value),
}

impl CustomField {
    /// The definition as the field endpoints (and, with the task's `value`, task
    /// bodies) send it: `{id, name, type, type_config, date_created, hide_from_guests,
    /// required}`.
    pub fn to_api_json(&self) -> Value {
        let mut map = Map::new();
        self.insert_definition(&mut map);
        Value::Object(map)
    }

    fn insert_definition(&self, map: &mut Map<String, Value>) {
        map.insert("id".into(), json!(self.id));
        map.insert("name".into(), json!(self.name));
        map.insert("type".into(), json!(self.kind));
        map.insert("type_config".into(), self.type_config.clone());
        map.insert("date_created".into(), ms(self.date_created));
        map.insert("hide_from_guests".into(), json!(self.hide_from_guests));
        map.insert("required".into(), json!(self.required));
    }

    /// The `options` of its `type_config` (drop-downs and labels); empty otherwise.
    pub fn options(&self) -> &[Value] {
        self.type_config
            .get("options")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// For a `list_relationship` field: the id of the list it relates tasks from
    /// (`type_config.subcategory_id`).
    pub fn related_list_id(&self) -> Option<&str> {
        self.type_config
            .get("subcategory_id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }
}

/// One entry of a task's `custom_fields[]`: the field's definition and the task's
/// value.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldValue {
    /// The field's definition, shared with the workspace (and every task it applies to).
    pub field: Arc<CustomField>,
    /// The task's value for the field.
    pub value: CustomValue,
    /// `value_richtext`, sent beside `value` for some `text` fields: the value as a
    /// Quill delta in a JSON string (`"{\"ops\":[{\"insert\":\"...\\n\"}]}"`).
    pub value_richtext: Option<String>,
}

impl FieldValue {
    /// Renders the entry: the definition's keys, plus `value` unless it is absent
    /// (and `value_richtext` when there is one).
    pub fn to_api_json(&self) -> Value {
        let mut map = Map::new();
        self.field.insert_definition(&mut map);
        match &self.value {
            CustomValue::Absent => {}
            CustomValue::Null => {
                map.insert("value".into(), Value::Null);
            }
            CustomValue::Set(v) => {
                map.insert("value".into(), v.clone());
            }
        }
        if let Some(rich) = &self.value_richtext {
            map.insert("value_richtext".into(), json!(rich));
        }
        Value::Object(map)
    }
}

/// `type` of a dependency entry created from the waiting task (`POST
/// /task/{waiting}/dependency` with `depends_on`). The direction is always the same:
/// `task_id` waits on `depends_on`; see [`Dependency::kind`].
pub const DEPENDENCY_TYPE_WAITING_ON: i64 = 0;
/// `type` of a dependency entry created from the blocking task (`POST
/// /task/{blocking}/dependency` with `dependency_of`); `task_id` still waits on
/// `depends_on`.
pub const DEPENDENCY_TYPE_BLOCKING: i64 = 1;

/// A dependency between two tasks of one workspace: `task_id` cannot start until
/// `depends_on` is done. Both tasks' `dependencies[]` list this same entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Dependency {
    /// The waiting task (ClickUp's "waiting on").
    pub task_id: String,
    /// The task it waits on (ClickUp's "blocking").
    pub depends_on: String,
    /// ClickUp's integer `type`, undocumented: [`DEPENDENCY_TYPE_WAITING_ON`] (0) or
    /// [`DEPENDENCY_TYPE_BLOCKING`] (1), which side the dependency was added from.
    /// It never reverses the direction of `task_id` / `depends_on`.
    pub kind: i64,
    /// When it was added, in ms since the Unix epoch (sent as a string).
    pub date_created: i64,
    /// Id of the user who added it (sent as a string, unlike user ids elsewhere).
    pub userid: i64,
    /// Id of the workspace (a numeric string).
    pub workspace_id: String,
}

impl Dependency {
    /// Renders `{task_id, depends_on, type, date_created, userid, workspace_id,
    /// chain_id: null}`.
    pub fn to_api_json(&self) -> Value {
        json!({
            "task_id": self.task_id,
            "depends_on": self.depends_on,
            "type": self.kind,
            "date_created": ms(self.date_created),
            "userid": self.userid.to_string(),
            "workspace_id": self.workspace_id,
            "chain_id": null,
        })
    }
}

/// A link between two tasks of one workspace (no blocking meaning). Both tasks'
/// `linked_tasks[]` list this same entry.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskLink {
    /// The task the link was made from.
    pub task_id: String,
    /// The task it links to (`link_id` is a task id).
    pub link_id: String,
    /// When it was made, in ms since the Unix epoch (sent as a string).
    pub date_created: i64,
    /// Id of the user who made it (sent as a string).
    pub userid: i64,
    /// Id of the workspace (a numeric string).
    pub workspace_id: String,
}

impl TaskLink {
    /// Renders `{task_id, link_id, date_created, userid, workspace_id}`.
    pub fn to_api_json(&self) -> Value {
        json!({
            "task_id": self.task_id,
            "link_id": self.link_id,
            "date_created": ms(self.date_created),
            "userid": self.userid.to_string(),
            "workspace_id": self.workspace_id,
        })
    }
}

/// A tag as tasks and time entries carry it.
#[derive(Clone, Debug, PartialEq)]
pub struct Tag {
    /// Tag name; the `tags[]` task filter matches it case-insensitively.
    pub name: String,
    /// Text color, hex.
    pub tag_fg: String,
    /// Background color, hex.
    pub tag_bg: String,
    /// User id of the tag's creator.
    pub creator: i64,
}

impl Tag {
    /// Renders `{name, tag_fg, tag_bg, creator}`.
    pub fn to_api_json(&self) -> Value {
        json!({ "name": self.name, "tag_fg": self.tag_fg, "tag_bg": self.tag_bg, "creator": self.creator })
    }
}

/// One item of a task's checklist.
#[derive(Clone, Debug, PartialEq)]
pub struct ChecklistItem {
    /// Item id, a UUID.
    pub id: String,
    /// The item's text.
    pub name: String,
    /// Whether the item is checked off.
    pub resolved: bool,
    /// When the item was created, in ms since the Unix epoch (sent as a string).
    pub date_created: i64,
}

/// A checklist on a task, rendered in the task's `checklists[]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Checklist {
    /// Checklist id, a UUID.
    pub id: String,
    /// The checklist's title.
    pub name: String,
    /// When it was created, in ms since the Unix epoch (sent as a string).
    pub date_created: i64,
    /// User id of its creator.
    pub creator: i64,
    /// Its items, in order.
    pub items: Vec<ChecklistItem>,
}

impl Checklist {
    /// Renders the checklist of task `task_id`, with `resolved` and `unresolved`
    /// counts of its items.
    pub fn to_api_json(&self, task_id: &str) -> Value {
        let resolved = self.items.iter().filter(|i| i.resolved).count();
        let items: Vec<Value> = self
            .items
            .iter()
            .enumerate()
            .map(|(n, i)| {
                json!({
                    "id": i.id, "name": i.name, "orderindex": n, "assignee": null,
                    "group_assignee": null, "resolved": i.resolved, "parent": null,
                    "date_created": ms(i.date_created), "children": [],
                })
            })
            .collect();
        json!({
            "id": self.id,
            "task_id": task_id,
            "name": self.name,
            "date_created": ms(self.date_created),
            "orderindex": 0,
            "creator": self.creator,
            "resolved": resolved,
            "unresolved": self.items.len() - resolved,
            "items": items,
        })
    }
}

/// A list a task lives in: its home list or one of its `locations`.
#[derive(Clone, Debug, PartialEq)]
pub struct ListRef {
    /// List id, a numeric string.
    pub id: String,
    /// List name.
    pub name: String,
}

/// A task, as `GET /task/{id}`, `GET /list/{id}/task` and `GET /team/{id}/task`
/// serve it.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    /// Task id, a short alphanumeric string such as `"86eum77f3"`.
    pub id: String,
    /// The workspace's custom task id, e.g. `"DEV-104"`; `None` = none, sent as `null`.
    pub custom_id: Option<String>,
    /// 0 or null = plain task, 1 = milestone.
    pub custom_item_id: Option<i64>,
    /// Task name.
    pub name: String,
    /// The description as plain text; may be empty.
    pub text_content: String,
    /// The description; may be empty. Also sent as `markdown_description` when
    /// asked for with `include_markdown_description=true`.
    pub description: String,
    /// Current status; its type decides whether the task counts as closed.
    pub status: Status,
    /// Position in its home list, sent as a decimal string (`"12.000..."`).
    pub orderindex: i64,
    /// When the task was created, in ms since the Unix epoch (sent as a string).
    pub date_created: i64,
    /// When the task last changed, in ms since the Unix epoch (sent as a string);
    /// `date_updated_gt` keeps tasks at or after the bound.
    pub date_updated: i64,
    /// When the task was closed, in ms since the Unix epoch (sent as a string);
    /// `None` (sent as `null`) unless its status is of type `closed`.
    pub date_closed: Option<i64>,
    /// When the task was finished, in ms since the Unix epoch (sent as a string);
    /// `None` (sent as `null`) unless its status is of type `done` or `closed`.
    pub date_done: Option<i64>,
    /// Individually archived (its list may well be active).
    pub archived: bool,
    /// The user who created it (rendered without initials).
    pub creator: User,
    /// Users assigned to it; may be empty.
    pub assignees: Vec<User>,
    /// Users watching it (at creation: the creator and the assignees).
    pub watchers: Vec<User>,
    /// Its checklists; usually none.
    pub checklists: Vec<Checklist>,
    /// Its tags.
    pub tags: Vec<Tag>,
    /// Id of the parent task if this is a subtask; `None` (sent as `null`) for a
    /// top-level task.
    pub parent: Option<String>,
    /// Id of the top-level task a subtask chain hangs from; `None` (sent as `null`)
    /// for a top-level task.
    pub top_level_parent: Option<String>,
    /// 1 urgent .. 4 low; `None` renders as `null`.
    pub priority: Option<u8>,
    /// When it is due, in ms since the Unix epoch (sent as a string); `None` = no
    /// due date, sent as `null`.
    pub due_date: Option<i64>,
    /// When it starts, in ms since the Unix epoch (sent as a string); `None` = no
    /// start date, sent as `null`.
    pub start_date: Option<i64>,
    /// Sprint points, possibly fractional (`0.5`); `None` = not estimated, sent as `null`.
    pub points: Option<f64>,
    /// Milliseconds; may be fractional.
    pub time_estimate: Option<f64>,
    /// Time tracked on it, in ms (a JSON number, often 0).
    pub time_spent: i64,
    /// A slot for every custom field that applies to its home list (the Workspace's,
    /// then its space's, folder's and the list's own), whether set or not.
    pub custom_fields: Vec<FieldValue>,
    /// Dependencies it takes part in, waiting or blocking (`task_id` is this task, or
    /// `depends_on` is); the other task holds the same entries.
    pub dependencies: Vec<Dependency>,
    /// Links it takes part in, from either side; the other task holds the same entries.
    pub linked_tasks: Vec<TaskLink>,
    /// Other lists the task was added to (not its home list).
    pub locations: Vec<ListRef>,
    /// Id of the workspace (team) it belongs to.
    pub team_id: String,
    /// Its home list, the one `GET /list/{id}/task` serves it from.
    pub list: ListRef,
    /// The home list's folder (the hidden placeholder for folderless lists).
    pub folder: FolderRef,
    /// Id of its home list's space (sent as `space: {id}`).
    pub space_id: String,
}

impl Task {
    /// Whether its status is of type `closed`: task listings leave it out unless
    /// `include_closed=true`.
    pub fn is_closed(&self) -> bool {
        self.status.is_closed()
    }

    /// Whether it has a parent: task listings leave it out unless `subtasks=true`.
    pub fn is_subtask(&self) -> bool {
        self.parent.is_some()
    }

    /// Its slot for the custom field with this id, if the field applies to its home list.
    pub fn custom_field(&self, field_id: &str) -> Option<&FieldValue> {
        self.custom_fields.iter().find(|f| f.field.id == field_id)
    }

    /// The task object the task endpoints send (without `markdown_description`).
    pub fn to_api_json(&self) -> Value {
        self.render(false)
    }

    /// With `include_markdown_description=true`.
    pub fn to_api_json_with_markdown(&self) -> Value {
        self.render(true)
    }

    fn render(&self, markdown: bool) -> Value {
        let users = |v: &[User]| v.iter().map(User::to_api_json).collect::<Vec<_>>();
        let priority = self.priority.map(|p| {
            let (name, color) = priority_name_color(p);
            json!({ "id": p.to_string(), "priority": name, "color": color, "orderindex": p.to_string() })
        });
        let mut map = Map::new();
        map.insert("id".into(), json!(self.id));
        map.insert("custom_id".into(), json!(self.custom_id));
        map.insert("custom_item_id".into(), json!(self.custom_item_id));
        map.insert("name".into(), json!(self.name));
        map.insert("text_content".into(), json!(self.text_content));
        map.insert("description".into(), json!(self.description));
        if markdown {
            map.insert("markdown_description".into(), json!(self.description));
        }
        map.insert("status".into(), self.status.to_task_json());
        map.insert(
            "orderindex".into(),
            json!(format!(
                "{}.00000000000000000000000000000000",
                self.orderindex
            )),
        );
        map.insert("date_created".into(), ms(self.date_created));
        map.insert("date_updated".into(), ms(self.date_updated));
        map.insert("date_closed".into(), opt_ms(self.date_closed));
        map.insert("date_done".into(), opt_ms(self.date_done));
        map.insert("archived".into(), json!(self.archived));
        map.insert("creator".into(), self.creator.to_creator_json());
        map.insert("assignees".into(), json!(users(&self.assignees)));
        map.insert("group_assignees".into(), json!([]));
        map.insert("watchers".into(), json!(users(&self.watchers)));
        map.insert(
            "checklists".into(),
            json!(self
                .checklists
                .iter()
                .map(|c| c.to_api_json(&self.id))
                .collect::<Vec<_>>()),
        );
        map.insert(
            "tags".into(),
            json!(self.tags.iter().map(Tag::to_api_json).collect::<Vec<_>>()),
        );
        map.insert("parent".into(), json!(self.parent));
        map.insert("top_level_parent".into(), json!(self.top_level_parent));
        map.insert("priority".into(), json!(priority));
        map.insert("due_date".into(), opt_ms(self.due_date));
        map.insert("start_date".into(), opt_ms(self.start_date));
        map.insert("points".into(), number_or_null(self.points));
        map.insert("time_estimate".into(), number_or_null(self.time_estimate));
        map.insert("time_spent".into(), json!(self.time_spent));
        map.insert(
            "custom_fields".into(),
            json!(self
                .custom_fields
                .iter()
                .map(FieldValue::to_api_json)
                .collect::<Vec<_>>()),
        );
        map.insert(
            "dependencies".into(),
            json!(self
                .dependencies
                .iter()
                .map(Dependency::to_api_json)
                .collect::<Vec<_>>()),
        );
        map.insert(
            "linked_tasks".into(),
            json!(self
                .linked_tasks
                .iter()
                .map(TaskLink::to_api_json)
                .collect::<Vec<_>>()),
        );
        map.insert(
            "locations".into(),
            json!(self
                .locations
                .iter()
                .map(|l| json!({ "id": l.id, "name": l.name }))
                .collect::<Vec<_>>()),
        );
        map.insert("team_id".into(), json!(self.team_id));
        map.insert(
            "url".into(),
            json!(format!("https://app.clickup.com/t/{}", self.id)),
        );
        map.insert(
            "sharing".into(),
            json!({
                "public": false,
                "public_share_expires_on": null,
                "public_fields": ["assignees", "priority", "due_date", "content", "comments", "attachments", "customFields", "subtasks", "tags", "checklists", "coverimage"],
                "token": null,
                "seo_optimized": false,
            }),
        );
        map.insert("permission_level".into(), json!("create"));
        map.insert(
            "list".into(),
            json!({ "id": self.list.id, "name": self.list.name, "access": true }),
        );
        // `project` is the legacy name of the folder; both are sent.
        map.insert("project".into(), self.folder.to_api_json());
        map.insert("folder".into(), self.folder.to_api_json());
        map.insert("space".into(), json!({ "id": self.space_id }));
        map.insert("attachments".into(), json!([]));
        Value::Object(map)
    }
}

/// Integral values render as JSON integers, others as floats (`5400000.5`).
fn number_or_null(v: Option<f64>) -> Value {
    match v {
        None => Value::Null,
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => json!(x as i64),
        Some(x) => json!(x),
    }
}
