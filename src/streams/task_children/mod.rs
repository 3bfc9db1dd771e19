//! The task's child tables: streams derived from the task pages already read, with no request of
//! their own (`parent: tasks` in `discover`).
//!
//! A task body carries lists a warehouse wants as tables: its custom fields' values, assignees,
//! tags, checklist items, dependencies and links. Each child stream here turns one task record
//! (as [`super::tasks`] makes it: timestamps converted, custom fields' `value` as ClickUp sent it)
//! into rows keyed by the task and the child, each with the task's `workspace_id`. The rows
//! travel with the task page that carried them (`read-page-and-children` in
//! `connector:source@0.2.0`), so the host stores them before the page's checkpoint, and they share
//! the `tasks` stream's state: a child stream is incremental exactly when `tasks` is.
//!
//! | stream | key | one row per |
//! |---|---|---|
//! | `task_custom_field_values` | `task_id`, `field_id` | custom field with a value ([`custom_field_values`]) |
//! | `task_assignees` | `task_id`, `user_id` | assignee ([`assignees`]) |
//! | `task_tags` | `task_id`, `tag_name` | tag ([`tags`]) |
//! | `task_checklist_items` | `task_id`, `item_id` | item of any checklist, with the checklist's id and name ([`checklist_items`]) |
//! | `task_dependencies` | `task_id`, `depends_on` | task this one waits on ([`dependencies`]) |
//! | `task_links` | `task_id`, `linked_task_id` | linked task, listed from both ends ([`links`]) |
//! | `task_time_in_status` | `task_id`, `status` | status the task has been in (opt-in, a request per 100 tasks: [`time_in_status`]) |
//!
//! The rows are made from the record read back with [`scanned`]: its custom fields and its lists
//! as pieces of the record's text (each custom field value parsed alone; the lists' rows written
//! from their text by [`list_rows`]); a record the scanner does not take is read with [`pruned`]
//! (only the members the rows read, as `Value`s), and its rows made from those by [`Child::rows`].
//!
//! Deletions inside a task, in an incremental read (one from a saved `tasks` state):
//! - a re-read task lists every custom field that applies to it; a field without a value gives
//!   a tombstone row (the key plus `_ab_cdc_deleted_at`), so a value cleared in ClickUp
//!   disappears downstream;
//! - for the other streams of the task body, the state keeps the keys of each task's rows
//!   ([`Child::kept_key`], [`crate::child_keys`]): a key a re-read task no longer has gives a
//!   tombstone `{task_id, workspace_id, <key>, _ab_cdc_deleted_at}`, and so does every key of a
//!   deleted task.

pub mod assignees;
pub mod checklist_items;
pub mod custom_field_values;
pub mod dependencies;
pub mod links;
pub mod list_rows;
pub mod pruned;
pub mod scanned;
pub mod tags;
pub mod time_in_status;

use crate::error::ConnectorError;
use serde_json::{json, Map, Value};

/// What a child row needs to know of the read that produced it.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The task's Workspace id.
    pub workspace_id: &'a str,
    /// `Some(time)` in an incremental read (a saved state): rows that no longer hold a value are
    /// emitted as tombstones stamped with this RFC 3339 UTC time. `None` in a full read: only
    /// rows with values.
    pub tombstone_at: Option<&'a str>,
}

/// A stream derived from the task pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Child {
    /// Typed custom field values.
    CustomFieldValues,
    /// Assignees.
    Assignees,
    /// Tags.
    Tags,
    /// Checklist items.
    ChecklistItems,
    /// Dependencies (waiting on).
    Dependencies,
    /// Links.
    Links,
    /// Time in status (opt-in; its rows cost a request per 100 tasks).
    TimeInStatus,
}

impl Child {
    /// Every child stream, in the order `discover` lists them.
    pub const ALL: [Child; 7] = [
        Child::CustomFieldValues,
        Child::Assignees,
        Child::Tags,
        Child::ChecklistItems,
        Child::Dependencies,
        Child::Links,
        Child::TimeInStatus,
    ];

    /// The stream whose pages carry every child stream.
    pub const PARENT: &'static str = "tasks";

    /// The stream's name in the protocol.
    pub fn name(self) -> &'static str {
        match self {
            Child::CustomFieldValues => "task_custom_field_values",
            Child::Assignees => "task_assignees",
            Child::Tags => "task_tags",
            Child::ChecklistItems => "task_checklist_items",
            Child::Dependencies => "task_dependencies",
            Child::Links => "task_links",
            Child::TimeInStatus => "task_time_in_status",
        }
    }

    /// The child streams `config` offers: every one, `task_time_in_status` only when
    /// `include_time_in_status` is set.
    pub fn offered(config: &crate::config::Config) -> impl Iterator<Item = Child> + '_ {
        Child::ALL
            .into_iter()
            .filter(|c| *c != Child::TimeInStatus || config.include_time_in_status)
    }

    /// Finds a child stream by name.
    pub fn from_name(name: &str) -> Option<Child> {
        Child::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The child streams named in `names`, each of which must be a child of `parent`: anything
    /// else is `unknown-stream`, naming the ones there are.
    pub fn parse_all(parent: &str, names: &[String]) -> Result<Vec<Child>, ConnectorError> {
        names
            .iter()
            .map(|name| {
                Child::from_name(name)
                    .filter(|_| parent == Child::PARENT)
                    .ok_or_else(|| {
                        let known: Vec<&str> = Child::ALL.iter().map(|c| c.name()).collect();
                        ConnectorError::UnknownStream(format!(
                            "{name:?} is not a stream derived from {parent:?}; the streams \
                             derived from tasks are {}.",
                            known.join(", ")
                        ))
                    })
            })
            .collect()
    }

    /// The primary key's field names.
    pub fn primary_key(self) -> [&'static str; 2] {
        match self {
            Child::CustomFieldValues => custom_field_values::PRIMARY_KEY,
            Child::Assignees => ["task_id", "user_id"],
            Child::Tags => ["task_id", "tag_name"],
            Child::ChecklistItems => ["task_id", "item_id"],
            Child::Dependencies => ["task_id", "depends_on"],
            Child::Links => ["task_id", "linked_task_id"],
            Child::TimeInStatus => ["task_id", "status"],
        }
    }

    /// The key field (besides `task_id`) whose values the `tasks` state keeps per task, so that
    /// a row that leaves a re-read task becomes a tombstone (see [`crate::child_keys`]). `None`
    /// for custom field values (a re-read task lists every field that applies, so a cleared
    /// one is seen) and time in status (a task's statuses only grow).
    pub fn kept_key(self) -> Option<&'static str> {
        match self {
            Child::CustomFieldValues | Child::TimeInStatus => None,
            other => Some(other.primary_key()[1]),
        }
    }

    /// JSON Schema (draft 7) of one row.
    pub fn json_schema(self) -> Value {
        let mut properties = match self {
            Child::CustomFieldValues => custom_field_values::schema(),
            Child::Assignees => assignees::schema(),
            Child::Tags => tags::schema(),
            Child::ChecklistItems => checklist_items::schema(),
            Child::Dependencies => dependencies::schema(),
            Child::Links => links::schema(),
            Child::TimeInStatus => time_in_status::schema(),
        };
        if let Value::Object(p) = &mut properties {
            p.insert("workspace_id".into(), super::types::id());
            p.insert(
                "_ab_cdc_deleted_at".into(),
                json!({"type": ["string", "null"], "format": "date-time",
                       "description": "Set on a tombstone: when the row was found gone (RFC 3339 UTC)."}),
            );
        }
        json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "additionalProperties": true,
            "required": self.primary_key(),
            "properties": properties,
        })
    }

    /// Appends the rows of one task record; warnings name what could not be resolved.
    pub fn rows(
        self,
        task: &Value,
        ctx: &Context<'_>,
        out: &mut Vec<Value>,
        warnings: &mut Vec<String>,
    ) {
        match self {
            Child::CustomFieldValues => custom_field_values::rows(task, ctx, out, warnings),
            Child::Assignees => assignees::rows(task, ctx, out),
            Child::Tags => tags::rows(task, ctx, out),
            Child::ChecklistItems => checklist_items::rows(task, ctx, out),
            Child::Dependencies => dependencies::rows(task, ctx, out),
            Child::Links => links::rows(task, ctx, out),
            // Not in the task body: asked for per page (`read/time_in_status.rs`).
            Child::TimeInStatus => {}
        }
    }
}

/// A row: the task's id and Workspace, then `fields`, and `_ab_cdc_deleted_at: null`.
pub(crate) fn row(task_id: &str, ctx: &Context<'_>, fields: Map<String, Value>) -> Value {
    let mut row = Map::new();
    row.insert("task_id".into(), Value::String(task_id.to_owned()));
    row.insert(
        "workspace_id".into(),
        Value::String(ctx.workspace_id.to_owned()),
    );
    row.extend(fields);
    row.insert("_ab_cdc_deleted_at".into(), Value::Null);
    Value::Object(row)
}

/// An id (string or number) as text.
pub(crate) fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The task's id, when it has one.
pub(crate) fn task_id(task: &Value) -> Option<String> {
    id_text(task.get("id"))
}

#[cfg(test)]
mod tests;
