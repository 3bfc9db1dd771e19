//! A task record read back for its child rows with the page scanner: its custom fields and the
//! lists of its body (assignees, tags, checklists, dependencies, links) as pieces of the record's
//! text, the few other members the rows read (its id, Workspace and deletion) as `Value`s.
//!
//! Why: [`super::pruned`] builds a `serde_json::Value` of every member the rows read, and most
//! of that is the custom fields (21 a task in the simulator: each an object of its id, name,
//! type, value and options). Those `Value`s, built and dropped, were the largest share of a
//! `read-page-and-children` call (BENCHMARKS.md, section 5). Here [`read`] walks the record once
//! with [`crate::scan::Scanner`] and keeps, of each field, where its value and its `type_config`
//! are in the text and its id, name and type borrowed from it (unless they had escapes).
//! `task_custom_field_values` then parses a field's value alone, and its options only for a
//! `drop_down` or `labels` field with a value ([`super::custom_field_values::texts_of`]).
//!
//! The lists are left as text for [`super::list_rows`], which writes their rows from it.
//!
//! A record the one pass wrote needs no scan at all: the pass notes where, in the text it
//! writes, each of those members is ([`Spans`], carried by
//! [`crate::streams::task_pages::PageTask`]), and [`from_spans`] takes them from there. Only a
//! record from the tree path is scanned again ([`read`]).
//!
//! What it reads is what [`super::pruned::parse`] reads, member for member: a key written with
//! escapes is the same key, and the other members are [`super::pruned::TASK`]'s, parsed by
//! serde_json. Anything the scanner does not take (a repeated key anywhere, nesting past
//! [`crate::scan::MAX_DEPTH`], a record that is not an object, text that is not JSON) is
//! [`Bail`]: the caller reads that record with [`super::pruned`], so the rows are always theirs.

use super::pruned;
use crate::scan::{special_at, Bail, Scanner, Span};
use serde::de::IgnoredAny;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::ops::Range;

/// A task record as the child rows read it.
#[derive(Debug)]
pub struct Record<'a> {
    /// The members [`pruned::TASK`] keeps but `custom_fields` and the [`LISTS`], as `Value`s (an
    /// object).
    pub task: Value,
    /// Each of the [`LISTS`] the record has: its name and its value's text, as the record
    /// wrote it.
    pub lists: Vec<(&'static str, &'a str)>,
    /// The custom fields that are objects, in order; none when `custom_fields` is absent, null
    /// or not an array.
    pub fields: Vec<Field<'a>>,
}

/// One custom field of a record: what `task_custom_field_values` reads of it.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Field<'a> {
    /// Its `id` as [`crate::streams::id_of`] reads it (a string's text or a number's).
    pub id: Option<Cow<'a, str>>,
    /// Its `name`, when a string.
    pub name: Option<Cow<'a, str>>,
    /// Its `type`, when a string.
    pub kind: Option<Cow<'a, str>>,
    /// The text of its `value` (`null` included); none when it has no `value` member.
    pub value: Option<&'a str>,
    /// The text of its `type_config`; none when it has none.
    pub type_config: Option<&'a str>,
    /// Its `value_json` as the one pass wrote it into the record (from [`from_spans`] only): a
    /// JSON string of the value's text, escaped as serde_json escapes, which a row copies. None
    /// from [`read`], which takes records from anywhere: a `value_json` there may be anything,
    /// and the row writes the value's text itself.
    pub value_json: Option<&'a str>,
    /// Its id, name and type as the one pass wrote them (from [`from_spans`] only).
    pub written: Written<'a>,
}

/// A custom field's `id`, `name` and `type` as the one pass wrote them into the record: each a
/// JSON string, quotes included, escaped as serde_json escapes, which a row copies instead of
/// escaping the text again. None for a member that is not a string, and from [`read`] (a record
/// from anywhere may write a string another way).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written<'a> {
    /// `id`.
    pub id: Option<&'a str>,
    /// `name`.
    pub name: Option<&'a str>,
    /// `type`.
    pub kind: Option<&'a str>,
}

/// Where, in a record's text, the members the child rows read are: noted by the one pass as it
/// writes the record (`task_pages::one_pass`), so that the rows need not scan it again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spans {
    /// Each member [`pruned::TASK`] keeps, but `custom_fields`: its name and its value's bytes.
    pub kept: Vec<(&'static str, Range<usize>)>,
    /// Each element of `custom_fields` (every one an object), in order.
    pub fields: Vec<FieldSpans>,
}

/// Where a custom field's members are in the record's text (each value's bytes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSpans {
    /// `id`.
    pub id: Option<Range<usize>>,
    /// `name`.
    pub name: Option<Range<usize>>,
    /// `type`.
    pub kind: Option<Range<usize>>,
    /// `value`.
    pub value: Option<Range<usize>>,
    /// `type_config`.
    pub type_config: Option<Range<usize>>,
    /// `value_json`, when the one pass wrote it as a string (from `value`).
    pub value_json: Option<Range<usize>>,
}

/// The members [`kept`] names that [`Record`] leaves as text: the lists of a task's body, whose
/// rows [`super::list_rows`] writes.
pub const LISTS: [&str; 5] = [
    "assignees",
    "tags",
    "checklists",
    "dependencies",
    "linked_tasks",
];

/// Whether a kept member is one of the [`LISTS`].
fn listed(name: &str) -> bool {
    LISTS.contains(&name)
}

/// How many members [`kept`] names (the size of [`Spans::kept`] at most).
pub const KEPT: usize = 8;

/// The name of a member [`pruned::TASK`] keeps, but `custom_fields` (which [`Spans::fields`]
/// holds); none for any other key.
// A `match`, not a walk over the list: inside wasm every loop's turn checks the host's epoch,
// and the one pass asks this of every member of every task. A test holds it to the list.
#[inline(always)]
pub fn kept(key: &[u8]) -> Option<&'static str> {
    Some(match key {
        b"id" => "id",
        b"workspace_id" => "workspace_id",
        b"_ab_cdc_deleted_at" => "_ab_cdc_deleted_at",
        b"assignees" => "assignees",
        b"tags" => "tags",
        b"checklists" => "checklists",
        b"dependencies" => "dependencies",
        b"linked_tasks" => "linked_tasks",
        _ => return None,
    })
}

/// The record `spans` describe, read from them as [`read`] reads it from the text: the kept
/// members parsed, the fields' ids, names and types taken as they are written. [`Bail`] when a
/// span is not in the record or its text is not JSON (the caller then uses [`read`]).
pub fn from_spans<'a>(record: &'a str, spans: &Spans) -> Result<Record<'a>, Bail> {
    let text = |range: &Range<usize>| record.get(range.clone()).ok_or(Bail);
    let mut task = Map::new();
    let mut lists = Vec::with_capacity(LISTS.len());
    for (name, range) in &spans.kept {
        if listed(name) {
            // The one pass wrote it: JSON already.
            lists.push((*name, text(range)?));
            continue;
        }
        let value = serde_json::from_str(text(range)?).map_err(|_| Bail)?;
        task.insert((*name).to_owned(), value);
    }
    let mut fields = Vec::with_capacity(spans.fields.len());
    for at in &spans.fields {
        let bytes = |range: &Option<Range<usize>>| range.as_ref().map(text).transpose();
        let (id, name, kind) = (bytes(&at.id)?, bytes(&at.name)?, bytes(&at.kind)?);
        let string = |text: Option<&'a str>| text.filter(|t| t.starts_with('"'));
        fields.push(Field {
            id: id.map(written_id).transpose()?.flatten(),
            name: name.map(written_string).transpose()?.flatten(),
            kind: kind.map(written_string).transpose()?.flatten(),
            value: bytes(&at.value)?,
            type_config: bytes(&at.type_config)?,
            // Written by the one pass, with serde_json's escapes: `value_json` from `value`,
            // the others copied from the page (a clean string) or written from its text.
            value_json: bytes(&at.value_json)?,
            written: Written {
                id: string(id),
                name: string(name),
                kind: string(kind),
            },
        });
    }
    Ok(Record {
        task: Value::Object(task),
        lists,
        fields,
    })
}

/// A string value as written in a record: its text, borrowed when it has no escape; none when
/// the value is not a string.
pub(crate) fn written_string(text: &str) -> Result<Option<Cow<'_, str>>, Bail> {
    match text.as_bytes() {
        // No quote, backslash or control character inside (found eight bytes a step, where
        // `contains` is core's `memchr`, four bytes a step inside wasm): the text is the string.
        [b'"', inner @ .., b'"'] if special_at(inner) == inner.len() => {
            Ok(text.get(1..text.len() - 1).map(Cow::Borrowed))
        }
        [b'"', ..] => serde_json::from_str(text).map(Some).map_err(|_| Bail),
        _ => Ok(None),
    }
}

/// An id as written in a record, as [`crate::streams::id_of`] reads it.
pub(crate) fn written_id(text: &str) -> Result<Option<Cow<'_, str>>, Bail> {
    if text.starts_with('"') {
        return written_string(text);
    }
    Ok(match serde_json::from_str(text).map_err(|_| Bail)? {
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        _ => None,
    })
}

/// Reads a task record (see the module doc); [`Bail`] when the caller must use [`pruned`].
pub fn read(record: &str) -> Result<Record<'_>, Bail> {
    let mut s = Scanner::new(record.as_bytes())?;
    if s.peek() != Some(b'{') {
        return Err(Bail);
    }
    let mut task = Map::new();
    let mut lists = Vec::new();
    let mut fields = Vec::new();
    s.keyed_members(|s, key, _| {
        if *key == *b"custom_fields" {
            return custom_fields(s, &mut fields);
        }
        let span = s.value()?;
        if let Some(name) = kept(&key).filter(|name| listed(name)) {
            lists.push((name, checked(s, span)?));
        } else if let Some(name) = kept(&key) {
            task.insert(name.to_owned(), parse(s, span)?);
        } else {
            checked(s, span)?;
        }
        Ok(())
    })?;
    s.finish()?;
    Ok(Record {
        task: Value::Object(task),
        lists,
        fields,
    })
}

/// What [`options`] reads of a `type_config`: its options, whole (as [`pruned::TASK`] keeps them).
static OPTIONS: pruned::Keep = pruned::Keep(&[("options", None)]);

/// The options of a field's `type_config` (its `options` array), as [`pruned`] keeps them:
/// empty when the config is not an object or its `options` not an array.
pub fn options(type_config: &str) -> Result<Vec<Value>, Bail> {
    match pruned::parse(type_config, &OPTIONS).map_err(|_| Bail)? {
        Value::Object(mut config) => match config.remove("options") {
            Some(Value::Array(items)) => Ok(items),
            _ => Ok(Vec::new()),
        },
        _ => Ok(Vec::new()),
    }
}

/// `custom_fields`: each element that is an object, read as a [`Field`]; anything else skipped.
fn custom_fields<'a>(s: &mut Scanner<'a>, fields: &mut Vec<Field<'a>>) -> Result<(), Bail> {
    if s.peek() != Some(b'[') {
        let span = s.value()?;
        return checked(s, span).map(drop);
    }
    s.elements(|s| {
        if s.peek() != Some(b'{') {
            let span = s.value()?;
            return checked(s, span).map(drop);
        }
        let mut field = Field::default();
        s.keyed_members(|s, key, _| {
            let span = s.value()?;
            match &*key {
                b"id" => field.id = id(s, span)?,
                b"name" => field.name = string(s, span)?,
                b"type" => field.kind = string(s, span)?,
                b"value" => field.value = Some(checked(s, span)?),
                b"type_config" => field.type_config = Some(checked(s, span)?),
                _ => drop(checked(s, span)?),
            }
            Ok(())
        })?;
        fields.push(field);
        Ok(())
    })
    .map(drop)
}

/// The text of the value at `span`, checked as JSON when it is not clean (a clean value's text
/// is exactly what serde_json writes, so it is JSON already), as [`pruned`] checks what it
/// skips: without building it.
fn checked<'a>(s: &Scanner<'a>, span: Span) -> Result<&'a str, Bail> {
    let text = s.text(span)?;
    if !span.clean {
        serde_json::from_str::<IgnoredAny>(text).map_err(|_| Bail)?;
    }
    Ok(text)
}

/// A string's text (borrowed unless it had escapes); none for any other value.
fn string<'a>(s: &Scanner<'a>, span: Span) -> Result<Option<Cow<'a, str>>, Bail> {
    written_string(checked(s, span)?)
}

/// An id as [`crate::streams::id_of`] reads it: a string's text, or a number as serde_json
/// writes it; none for anything else.
fn id<'a>(s: &Scanner<'a>, span: Span) -> Result<Option<Cow<'a, str>>, Bail> {
    written_id(checked(s, span)?)
}

/// The value at `span`, parsed by serde_json.
fn parse(s: &Scanner<'_>, span: Span) -> Result<Value, Bail> {
    serde_json::from_slice(s.bytes(span)).map_err(|_| Bail)
}
