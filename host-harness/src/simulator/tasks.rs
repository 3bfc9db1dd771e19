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
//! `World::move_task` keeps them in step.

use super::clock::{ms, opt_ms};
use super::hierarchy::{priority_name_color, FolderRef, Status};
use super::people::User;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// A custom-field definition, shared by every task of a workspace.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomField {
    pub id: String,
    pub name: String,
    /// `number`, `short_text`, `labels`, `location`, `drop_down`, `checkbox`,
    /// `date`, `users`, `currency`, `progress`, ...
    pub kind: String,
    pub type_config: Value,
    pub date_created: i64,
    pub hide_from_guests: bool,
    pub required: bool,
}

/// The value a task holds for one custom field.
#[derive(Clone, Debug, PartialEq)]
pub enum CustomValue {
    /// No `value` key at all (ClickUp's usual "unset").
    Absent,
    /// `"value": null`.
    Null,
    Set(Value),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldValue {
    pub field: Arc<CustomField>,
    pub value: CustomValue,
}

impl FieldValue {
    pub fn to_api_json(&self) -> Value {
        let f = &self.field;
        let mut map = Map::new();
        map.insert("id".into(), json!(f.id));
        map.insert("name".into(), json!(f.name));
        map.insert("type".into(), json!(f.kind));
        map.insert("type_config".into(), f.type_config.clone());
        map.insert("date_created".into(), ms(f.date_created));
        map.insert("hide_from_guests".into(), json!(f.hide_from_guests));
        map.insert("required".into(), json!(f.required));
        match &self.value {
            CustomValue::Absent => {}
            CustomValue::Null => {
                map.insert("value".into(), Value::Null);
            }
            CustomValue::Set(v) => {
                map.insert("value".into(), v.clone());
            }
        }
        Value::Object(map)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tag {
    pub name: String,
    pub tag_fg: String,
    pub tag_bg: String,
    pub creator: i64,
}

impl Tag {
    pub fn to_api_json(&self) -> Value {
        json!({ "name": self.name, "tag_fg": self.tag_fg, "tag_bg": self.tag_bg, "creator": self.creator })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChecklistItem {
    pub id: String,
    pub name: String,
    pub resolved: bool,
    pub date_created: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Checklist {
    pub id: String,
    pub name: String,
    pub date_created: i64,
    pub creator: i64,
    pub items: Vec<ChecklistItem>,
}

impl Checklist {
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
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub id: String,
    pub custom_id: Option<String>,
    /// 0 or null = plain task, 1 = milestone.
    pub custom_item_id: Option<i64>,
    pub name: String,
    pub text_content: String,
    pub description: String,
    pub status: Status,
    pub orderindex: i64,
    pub date_created: i64,
    pub date_updated: i64,
    pub date_closed: Option<i64>,
    pub date_done: Option<i64>,
    /// Individually archived (its list may well be active).
    pub archived: bool,
    pub creator: User,
    pub assignees: Vec<User>,
    pub watchers: Vec<User>,
    pub checklists: Vec<Checklist>,
    pub tags: Vec<Tag>,
    pub parent: Option<String>,
    pub top_level_parent: Option<String>,
    /// 1 urgent .. 4 low; `None` renders as `null`.
    pub priority: Option<u8>,
    pub due_date: Option<i64>,
    pub start_date: Option<i64>,
    pub points: Option<f64>,
    /// Milliseconds; may be fractional.
    pub time_estimate: Option<f64>,
    pub time_spent: i64,
    pub custom_fields: Vec<FieldValue>,
    /// Other lists the task was added to (not its home list).
    pub locations: Vec<ListRef>,
    pub team_id: String,
    pub list: ListRef,
    /// The home list's folder (the hidden placeholder for folderless lists).
    pub folder: FolderRef,
    pub space_id: String,
}

impl Task {
    pub fn is_closed(&self) -> bool {
        self.status.is_closed()
    }

    pub fn is_subtask(&self) -> bool {
        self.parent.is_some()
    }

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
        map.insert("dependencies".into(), json!([]));
        map.insert("linked_tasks".into(), json!([]));
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
