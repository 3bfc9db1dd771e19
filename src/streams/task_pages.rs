//! Task pages in one pass: from a page's bytes to each task's record bytes.
//!
//! A task page is about 470 KB of JSON, most of it members the connector passes through as they
//! are (custom fields' type configs, checklists' items, sharing, locations). [`read`] walks the
//! page once with serde_json's deserializer and writes each record as it goes: the members it
//! changes (timestamps, the parent objects it takes ids from, custom fields' `value`) are read
//! into small `Value`s and rewritten; every other member is copied by
//! [`crate::passthrough::Copy`] without building a tree.
//!
//! The records are those of the tree path ([`reference`], which is [`tasks::take_page`] and
//! [`tasks::record`] over a parsed `Value`), member for member: serde_json parses both the same
//! way and writes both with the same number and string formatting. Only the order of an object's
//! members differs (the tree path sorts them; here they keep ClickUp's order, the added ids
//! last). What the one pass does not handle itself goes to the tree path, page and all, so the
//! result is always the tree path's: a key repeated anywhere (the tree keeps the last), a task or
//! custom field that is not an object, `custom_fields` that is neither an array nor null, a page
//! that is not an object, and any JSON error (the tree path then names it).

use super::{id_of, tasks};
use crate::passthrough::{Copy, Key, Keys, Members, ObjectKey, Plan, Planned, Timestamp};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

#[cfg(test)]
mod tests;

/// One task of a page: its record, and what the walk needs to know of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PageTask {
    /// The record as JSON text, or why the task has none (it is not a JSON object).
    pub record: Result<String, crate::error::ConnectorError>,
    /// Whether the task is archived by itself (`archived: true`).
    pub archived: bool,
    /// Its `date_updated`, in ms.
    pub date_updated_ms: Option<i64>,
}

/// A page of tasks, as the walk reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskPage {
    /// The page's tasks, in order.
    pub tasks: Vec<PageTask>,
    /// The page's `last_page` flag, when it has one.
    pub last_page: Option<bool>,
    /// The id of the page's first task (the repeated-page guard compares it).
    pub first_id: Option<String>,
    /// The parsed answer, when it has no `tasks` array (its tasks are then none): for the error
    /// that says what it had instead.
    pub without_tasks: Option<Value>,
}

/// Reads a task page in one pass (see the module doc); pages the pass does not handle itself are
/// read by [`reference`]. The error is serde_json's, when the body is not JSON.
pub fn read(body: &[u8], workspace_id: &str) -> Result<TaskPage, serde_json::Error> {
    one_pass(body, workspace_id).or_else(|_| reference(body, workspace_id))
}

/// The one pass alone: any page it does not handle itself is an error.
pub fn one_pass(body: &[u8], workspace_id: &str) -> Result<TaskPage, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let page = de::Deserializer::deserialize_any(&mut deserializer, PageVisitor { workspace_id })?;
    deserializer.end()?;
    Ok(page)
}

/// The tree path: the page parsed into a `serde_json::Value`, each task's record built by
/// [`tasks::record`] and written out. The one pass must give the same records.
pub fn reference(body: &[u8], workspace_id: &str) -> Result<TaskPage, serde_json::Error> {
    let mut body: Value = serde_json::from_slice(body)?;
    if !matches!(body.get("tasks"), Some(Value::Array(_))) {
        return Ok(TaskPage {
            last_page: body.get("last_page").and_then(Value::as_bool),
            without_tasks: Some(body),
            ..TaskPage::default()
        });
    }
    let (tasks, last_page) = tasks::take_page(&mut body);
    let first_id = tasks.first().and_then(id_of);
    let tasks = tasks
        .into_iter()
        .map(|task| PageTask {
            archived: tasks::is_archived(&task),
            date_updated_ms: tasks::date_updated_ms(&task),
            record: tasks::record(task, workspace_id).map(|r| r.to_string()),
        })
        .collect();
    Ok(TaskPage {
        tasks,
        last_page,
        first_id,
        without_tasks: None,
    })
}

/// `checklists`: each checklist's `date_created` and each of its items', as
/// [`tasks::convert_checklists`] converts them.
static CHECKLISTS: Plan = Plan::Each(&Plan::Object(&[
    ("date_created", Plan::Timestamp),
    (
        "items",
        Plan::Each(&Plan::Object(&[("date_created", Plan::Timestamp)])),
    ),
]));

/// The page object: `tasks` and `last_page`; any other member is only checked.
struct PageVisitor<'w> {
    workspace_id: &'w str,
}

impl<'de> Visitor<'de> for PageVisitor<'_> {
    type Value = TaskPage;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a task page object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TaskPage, A::Error> {
        let mut page = TaskPage::default();
        let mut keys = Keys::default();
        let mut tasks = false;
        while let Some(key) = map.next_key_seed(Key)? {
            keys.insert::<A::Error>(&key)?;
            match &*key {
                "tasks" => {
                    map.next_value_seed(Tasks {
                        workspace_id: self.workspace_id,
                        page: &mut page,
                    })?;
                    tasks = true;
                }
                "last_page" => page.last_page = map.next_value::<Value>()?.as_bool(),
                // Parsed all the same, so that a page the tree path refuses is refused here too.
                _ => drop(map.next_value::<Value>()?),
            }
        }
        if !tasks {
            // No `tasks` array: the tree path keeps the answer for the error.
            return Err(de::Error::missing_field("tasks"));
        }
        Ok(page)
    }
}

/// The `tasks` array.
struct Tasks<'w, 'p> {
    workspace_id: &'w str,
    page: &'p mut TaskPage,
}

impl<'de> DeserializeSeed<'de> for Tasks<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Tasks<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of tasks")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut capacity = 1024;
        let mut first = true;
        while let Some(read) = seq.next_element_seed(Task {
            workspace_id: self.workspace_id,
            capacity,
        })? {
            capacity = read.capacity;
            if first {
                self.page.first_id = read.id;
                first = false;
            }
            self.page.tasks.push(read.task);
        }
        Ok(())
    }
}

/// One task, read and written.
struct Task<'w> {
    workspace_id: &'w str,
    /// How many bytes to reserve for the record (the previous record's size and some).
    capacity: usize,
}

/// A task once read: the page's view of it and the room the next record should reserve.
struct ReadTask {
    task: PageTask,
    id: Option<String>,
    capacity: usize,
}

impl<'de> DeserializeSeed<'de> for Task<'_> {
    type Value = ReadTask;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<ReadTask, D::Error> {
        d.deserialize_any(self)
    }
}

/// The parents a task names, each as [`tasks::parent_id`] reads it.
#[derive(Default)]
struct Parents {
    space: Option<String>,
    folder: Option<String>,
    project: Option<String>,
    list: Option<String>,
}

impl<'de> Visitor<'de> for Task<'_> {
    type Value = ReadTask;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a task object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ReadTask, A::Error> {
        let mut out = Vec::with_capacity(self.capacity);
        let mut record = Members::new(&mut out);
        let mut keys = Keys::default();
        let mut parents = Parents::default();
        let (mut id, mut archived, mut updated) = (None, false, None);
        while let Some(key) = map.next_key_seed(Key)? {
            keys.insert::<A::Error>(&key)?;
            match &*key {
                "date_updated" => {
                    record.key::<A::Error>(&key)?;
                    updated = map.next_value_seed(Timestamp {
                        out: &mut *record.out,
                    })?;
                }
                k if tasks::TIMESTAMPS.contains(&k) => {
                    record.key::<A::Error>(&key)?;
                    map.next_value_seed(Timestamp {
                        out: &mut *record.out,
                    })?;
                }
                "id" => {
                    let value: Value = map.next_value()?;
                    id = match &value {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    };
                    record.member(&key, &value)?;
                }
                "archived" => {
                    let value: Value = map.next_value()?;
                    archived = value.as_bool().unwrap_or(false);
                    record.member(&key, &value)?;
                }
                "space" | "folder" | "project" | "list" => {
                    let value: Value = map.next_value()?;
                    let slot = match &*key {
                        "space" => &mut parents.space,
                        "folder" => &mut parents.folder,
                        "project" => &mut parents.project,
                        _ => &mut parents.list,
                    };
                    *slot = tasks::parent_id(&value);
                    record.member(&key, &value)?;
                }
                // Replaced by the ids the connector adds (as the tree path overwrites them).
                "workspace_id" | "space_id" | "folder_id" | "list_id" => {
                    drop(map.next_value::<Value>()?);
                }
                "checklists" => {
                    record.key::<A::Error>(&key)?;
                    map.next_value_seed(Planned {
                        out: &mut *record.out,
                        plan: &CHECKLISTS,
                    })?;
                }
                "custom_fields" => {
                    record.key::<A::Error>(&key)?;
                    map.next_value_seed(CustomFields {
                        out: &mut *record.out,
                    })?;
                }
                _ => {
                    record.key::<A::Error>(&key)?;
                    map.next_value_seed(Copy {
                        out: &mut *record.out,
                    })?;
                }
            }
        }
        // Keys of the connector's own, with nothing to escape.
        let key = ObjectKey::clean;
        record.member(&key("workspace_id"), self.workspace_id)?;
        record.member(&key("space_id"), &parents.space)?;
        record.member(&key("folder_id"), &parents.folder.or(parents.project))?;
        record.member(&key("list_id"), &parents.list)?;
        record.end();
        let capacity = out.len() + out.len() / 8;
        let text = String::from_utf8(out).map_err(de::Error::custom)?;
        Ok(ReadTask {
            task: PageTask {
                record: Ok(text),
                archived,
                date_updated_ms: updated,
            },
            id,
            capacity,
        })
    }
}

/// A task's `custom_fields`: an array of fields, each given its `value_json`.
struct CustomFields<'o> {
    out: &'o mut Vec<u8>,
}

impl<'de> DeserializeSeed<'de> for CustomFields<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CustomFields<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of custom fields")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.push(b'[');
        let mut first = true;
        loop {
            let at = self.out.len();
            if !first {
                self.out.push(b',');
            }
            let field = CustomField {
                out: &mut *self.out,
            };
            if seq.next_element_seed(field)?.is_none() {
                self.out.truncate(at);
                break;
            }
            first = false;
        }
        self.out.push(b']');
        Ok(())
    }
}

/// One custom field: `date_created` converted, `value_json` added.
struct CustomField<'o> {
    out: &'o mut Vec<u8>,
}

impl<'de> DeserializeSeed<'de> for CustomField<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CustomField<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a custom field object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut field = Members::new(self.out);
        let mut keys = Keys::default();
        let mut value_json = None;
        while let Some(key) = map.next_key_seed(Key)? {
            keys.insert::<A::Error>(&key)?;
            match &*key {
                "date_created" => {
                    field.key::<A::Error>(&key)?;
                    map.next_value_seed(Timestamp {
                        out: &mut *field.out,
                    })?;
                }
                "value" => {
                    let value: Value = map.next_value()?;
                    value_json = Some(value.to_string());
                    field.member(&key, &value)?;
                }
                // Replaced by the one made from `value` (as the tree path overwrites it).
                "value_json" => drop(map.next_value::<Value>()?),
                _ => {
                    field.key::<A::Error>(&key)?;
                    map.next_value_seed(Copy {
                        out: &mut *field.out,
                    })?;
                }
            }
        }
        field.member(&ObjectKey::clean("value_json"), &value_json)?;
        field.end();
        Ok(())
    }
}
