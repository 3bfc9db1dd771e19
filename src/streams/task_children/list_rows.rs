//! The rows of the five streams a task body lists (`task_assignees`, `task_tags`,
//! `task_checklist_items`, `task_dependencies`, `task_links`), written as text from the
//! record's own text.
//!
//! Why: the other way ([`Child::rows`]) parses each list into `Value`s, builds each row as a
//! map, and writes the map as text. On the bench's pages that was about 9 M of the 32 M
//! instructions a page that deriving the six child streams' rows cost inside wasm
//! (BENCHMARKS.md, section 2). The record's text is what serde_json writes already, so most of a
//! row's members are copied from it.
//!
//! Exactness: each row is, byte for byte, what the other way writes (a property test holds the
//! two equal, on records from the one pass and on records written with escapes and members in
//! another order). A member is copied only when its text is what serde_json writes for it: a
//! string without escapes or with serde_json's own ([`canonical::string_as_written`]), a plain
//! integer, a literal. Anything else (an object, a float) is parsed and written as the other way
//! writes it. An id is read as [`super::id_text`] reads it. Whatever the scanner does not take (a
//! repeated key, an escaped key, nesting too deep) is [`Bail`]: the caller makes that task's rows
//! the other way.
//!
//! The members of a row are written in the order serde_json's map keeps them (by key, bytes
//! compared), which [`Row`] checks in debug builds.

use super::dependencies::timestamp;
use super::{scanned, Child, Context};
use crate::scan::{canonical, Bail, Scanner, Span};
use crate::streams::value_text;
use serde_json::Value;
use std::borrow::Cow;

/// Appends the rows of `child` (one of the five) for the task `task_id`, from `lists` (a
/// record's lists by name, as [`super::scanned::Record::lists`] holds them), and each row's
/// key (the member [`Child::kept_key`] names) to `keys`.
pub fn write(
    child: Child,
    lists: &[(&str, &str)],
    task_id: &str,
    ctx: &Context<'_>,
    rows: &mut Vec<String>,
    keys: &mut Vec<String>,
) -> Result<(), Bail> {
    let list = |name: &str| {
        lists
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, text)| *text)
    };
    let task = Task {
        id: task_id,
        workspace_id: ctx.workspace_id,
    };
    let out = &mut Out { rows, keys };
    match child {
        Child::Assignees => assignees(list("assignees"), &task, out),
        Child::Tags => tags(list("tags"), &task, out),
        Child::ChecklistItems => checklist_items(list("checklists"), &task, out),
        Child::Dependencies => dependencies(list("dependencies"), &task, out),
        Child::Links => links(list("linked_tasks"), &task, out),
        Child::CustomFieldValues | Child::TimeInStatus => Ok(()),
    }
}

/// What every row carries of its task.
struct Task<'t> {
    id: &'t str,
    workspace_id: &'t str,
}

/// Where the rows and their keys go.
struct Out<'o> {
    rows: &'o mut Vec<String>,
    keys: &'o mut Vec<String>,
}

impl Out<'_> {
    /// Ends `row` and appends it, and its `key`.
    fn push(&mut self, row: Row, task: &Task<'_>, key: Cow<'_, str>) -> Result<(), Bail> {
        self.rows.push(row.end(task));
        self.keys.push(key.into_owned());
        Ok(())
    }
}

/// `task_assignees`: as [`super::assignees::rows`].
fn assignees(list: &str, task: &Task<'_>, out: &mut Out<'_>) -> Result<(), Bail> {
    each_object(list, |user| {
        let Some(user_id) = user.id("id")? else {
            return Ok(());
        };
        let mut row = Row::start();
        row.copy("color", user.get("color"))?;
        row.copy("email", user.get("email"))?;
        row.copy("initials", user.get("initials"))?;
        row.string("task_id", Some(task.id));
        row.string("user_id", Some(&user_id));
        row.copy("username", user.get("username"))?;
        out.push(row, task, user_id)
    })
}

/// `task_tags`: as [`super::tags::rows`].
fn tags(list: &str, task: &Task<'_>, out: &mut Out<'_>) -> Result<(), Bail> {
    each_object(list, |tag| {
        let Some(name) = tag.get("name").map(string).transpose()?.flatten() else {
            return Ok(());
        };
        let mut row = Row::start();
        row.copy("tag_bg", tag.get("tag_bg"))?;
        row.copy("tag_fg", tag.get("tag_fg"))?;
        row.string("tag_name", Some(&name));
        row.string("task_id", Some(task.id));
        out.push(row, task, name)
    })
}

/// `task_checklist_items`: as [`super::checklist_items::rows`].
fn checklist_items(list: &str, task: &Task<'_>, out: &mut Out<'_>) -> Result<(), Bail> {
    each_object(list, |checklist| {
        let Some(items) = checklist.get("items") else {
            return Ok(());
        };
        let checklist_id = checklist.id("id")?;
        each_object(items.text, |item| {
            let Some(item_id) = item.id("id")? else {
                return Ok(());
            };
            let assignee = match item.get("assignee") {
                Some(assignee) => object_id(assignee.text)?,
                None => None,
            };
            let mut row = Row::start();
            row.string("assignee_id", assignee.as_deref());
            row.string("checklist_id", checklist_id.as_deref());
            row.copy("checklist_name", checklist.get("name"))?;
            row.copy("date_created", item.get("date_created"))?;
            row.string("item_id", Some(&item_id));
            row.copy("name", item.get("name"))?;
            row.copy("orderindex", item.get("orderindex"))?;
            row.string("parent_item_id", item.id("parent")?.as_deref());
            row.copy("resolved", item.get("resolved"))?;
            row.string("task_id", Some(task.id));
            out.push(row, task, item_id)
        })
    })
}

/// `task_dependencies`: as [`super::dependencies::rows`] (the rows of the entries in which
/// this task is the one waiting).
fn dependencies(list: &str, task: &Task<'_>, out: &mut Out<'_>) -> Result<(), Bail> {
    each_object(list, |entry| {
        let waiting = entry.id("task_id")?;
        let Some(depends_on) = entry.id("depends_on")? else {
            return Ok(());
        };
        if waiting.as_deref().unwrap_or(task.id) != task.id {
            return Ok(());
        }
        let mut row = Row::start();
        row.timestamp("date_created", entry.get("date_created"))?;
        row.string("depends_on", Some(&depends_on));
        row.string("task_id", Some(task.id));
        row.copy("type", entry.get("type"))?;
        row.string("user_id", entry.id("userid")?.as_deref());
        out.push(row, task, depends_on)
    })
}

/// `task_links`: as [`super::links::rows`] (each row names the other end).
fn links(list: &str, task: &Task<'_>, out: &mut Out<'_>) -> Result<(), Bail> {
    each_object(list, |entry| {
        let other = match (entry.id("task_id")?, entry.id("link_id")?) {
            (Some(from), Some(to)) if from == task.id => to,
            (Some(from), Some(to)) if to == task.id => from,
            (None, Some(to)) => to,
            _ => return Ok(()),
        };
        let mut row = Row::start();
        row.timestamp("date_created", entry.get("date_created"))?;
        row.string("linked_task_id", Some(&other));
        row.string("task_id", Some(task.id));
        row.string("user_id", entry.id("userid")?.as_deref());
        out.push(row, task, other)
    })
}

/// A member's value: its text, and whether the scanner found it clean.
#[derive(Debug, Clone, Copy)]
struct Member<'a> {
    text: &'a str,
    clean: bool,
}

/// An object of a list, its members found by key.
#[derive(Default)]
struct Object<'a> {
    members: Vec<(&'a [u8], Member<'a>)>,
}

impl<'a> Object<'a> {
    /// The member under `key`.
    fn get(&self, key: &str) -> Option<Member<'a>> {
        self.members
            .iter()
            .find(|(k, _)| *k == key.as_bytes())
            .map(|(_, member)| *member)
    }

    /// The member under `key` read as an id.
    fn id(&self, key: &str) -> Result<Option<Cow<'a, str>>, Bail> {
        self.get(key).map(id).transpose().map(Option::flatten)
    }

    /// Reads the object at the scanner's cursor (on its `{`).
    fn read(&mut self, s: &mut Scanner<'a>) -> Result<(), Bail> {
        self.members.clear();
        let members = &mut self.members;
        s.keyed_members(|s, key, _| {
            // An escaped key may spell a name looked up here: the other way reads it.
            let Cow::Borrowed(key) = key else {
                return Err(Bail);
            };
            let span = s.value()?;
            members.push((key, member(s, span)?));
            Ok(())
        })
        .map(drop)
    }
}

/// The member at `span`.
fn member<'a>(s: &Scanner<'a>, span: Span) -> Result<Member<'a>, Bail> {
    Ok(Member {
        text: s.text(span)?,
        clean: span.clean,
    })
}

/// Calls `each` with every element of the array `text` that is an object (`text` that is not
/// an array has none, as [`crate::streams::array_at`] gives none).
fn each_object<'a>(
    text: &'a str,
    mut each: impl FnMut(&Object<'a>) -> Result<(), Bail>,
) -> Result<(), Bail> {
    let mut s = Scanner::of_str(text);
    if s.peek() != Some(b'[') {
        return Ok(());
    }
    let mut object = Object::default();
    s.elements(|s| {
        if s.peek() != Some(b'{') {
            return s.value().map(drop);
        }
        object.read(s)?;
        each(&object)
    })
    .map(drop)
}

/// The id of the object `text` (`assignee.id`), none when it is not an object or has none.
fn object_id(text: &str) -> Result<Option<Cow<'_, str>>, Bail> {
    let mut s = Scanner::of_str(text);
    if s.peek() != Some(b'{') {
        return Ok(None);
    }
    let mut object = Object::default();
    object.read(&mut s)?;
    object.id("id")
}

/// A string's text; none for any other value. A clean string (no escapes, as the scanner found)
/// is its text between the quotes; anything else is read by [`scanned::written_string`].
fn string(member: Member<'_>) -> Result<Option<Cow<'_, str>>, Bail> {
    let text = member.text;
    match text.get(1..text.len().saturating_sub(1)) {
        Some(inner) if member.clean && text.starts_with('"') => Ok(Some(Cow::Borrowed(inner))),
        _ => scanned::written_string(text),
    }
}

/// An id as [`super::id_text`] reads it: a string that is not empty, or a number as serde_json
/// writes it; none for anything else.
fn id(member: Member<'_>) -> Result<Option<Cow<'_, str>>, Bail> {
    match member.text.as_bytes().first() {
        Some(b'"') => Ok(string(member)?.filter(|s| !s.is_empty())),
        // A plain integer is written as it reads; another number as serde_json writes it.
        Some(b'-' | b'0'..=b'9') if member.clean => Ok(Some(Cow::Borrowed(member.text))),
        Some(b'-' | b'0'..=b'9') => scanned::written_id(member.text),
        _ => Ok(None),
    }
}

/// A row being written: `{"_ab_cdc_deleted_at":null`, then each member in key order.
struct Row {
    text: String,
    #[cfg(debug_assertions)]
    last: &'static str,
}

impl Row {
    fn start() -> Row {
        let mut text = String::with_capacity(192);
        text.push_str("{\"_ab_cdc_deleted_at\":null");
        Row {
            text,
            #[cfg(debug_assertions)]
            last: "_ab_cdc_deleted_at",
        }
    }

    /// Starts the member `key` (each after the one before it in serde_json's order).
    fn key(&mut self, key: &'static str) {
        #[cfg(debug_assertions)]
        {
            debug_assert!(self.last < key, "{key} written after {}", self.last);
            self.last = key;
        }
        self.text.push_str(",\"");
        self.text.push_str(key);
        self.text.push_str("\":");
    }

    /// A string member, or null.
    fn string(&mut self, key: &'static str, value: Option<&str>) {
        self.key(key);
        match value {
            Some(value) => value_text::string(value, &mut self.text),
            None => self.text.push_str("null"),
        }
    }

    /// A member copied from the record (null when it has none), as serde_json writes it.
    fn copy(&mut self, key: &'static str, value: Option<Member<'_>>) -> Result<(), Bail> {
        self.key(key);
        let Some(Member { text, clean }) = value else {
            self.text.push_str("null");
            return Ok(());
        };
        let as_written = match text.as_bytes().first() {
            Some(b'"') => clean || canonical::string_as_written(text.as_bytes()),
            Some(b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => clean,
            // An object's members may be in another order than serde_json's map keeps them.
            _ => false,
        };
        if as_written {
            self.text.push_str(text);
        } else {
            let value: Value = serde_json::from_str(text).map_err(|_| Bail)?;
            value_text::write(&value, &mut self.text);
        }
        Ok(())
    }

    /// A ClickUp ms timestamp member as RFC 3339, or null ([`timestamp`]).
    fn timestamp(&mut self, key: &'static str, value: Option<Member<'_>>) -> Result<(), Bail> {
        let value = match value {
            Some(member) => Some(serde_json::from_str::<Value>(member.text).map_err(|_| Bail)?),
            None => None,
        };
        self.key(key);
        value_text::write(&timestamp(value.as_ref()), &mut self.text);
        Ok(())
    }

    /// The row's last member, `workspace_id`, and its end.
    fn end(mut self, task: &Task<'_>) -> String {
        self.string("workspace_id", Some(task.workspace_id));
        self.text.push('}');
        self.text
    }
}

#[cfg(test)]
mod tests;
