//! Task pages in one pass: from a page's bytes to each task's record bytes.
//!
//! A task page is about 470 KB of JSON, most of it members the connector passes through as they
//! are (custom fields' type configs, checklists' items, sharing, locations). [`read`] walks the
//! page once with [`crate::scan::Scanner`] and writes each record as it goes: a member it does
//! not change is copied as its bytes when they are clean (what serde_json would write for it),
//! or through serde_json ([`crate::passthrough::Copy`]) for that member alone when they are not;
//! the members it changes (timestamps, the parent objects it takes ids from, custom fields'
//! `value`, checklists) are read and rewritten on the way. No tree of the task is built. A custom
//! field whose definition (its text up to `value`) an earlier task of the page had is not read
//! again: its record text is copied from that task's and the field is read on from its `value`
//! ([`field_memo`]); on ClickUp's pages that is most of their bytes. A member the tasks repeat
//! (their parents, people, statuses, tags, sharing) whose text an earlier task of the page had is
//! taken up the same way, copied without being read ([`member_memo`]).
//!
//! The records are those of the tree path ([`reference`], which is [`tasks::take_page`] and
//! [`tasks::record`] over a parsed `Value`), member for member, with the same number and string
//! formatting. Only the order of an object's members differs (the tree path sorts them; here they
//! keep ClickUp's order, the added ids last). What the one pass does not handle itself goes to
//! the tree path, page and all, so the result is always the tree path's: a key repeated anywhere
//! (the tree keeps the last), a task or custom field that is not an object, `custom_fields` that
//! is neither an array nor null, a page that is not an object or has no `tasks` array, nesting
//! deeper than [`crate::scan::MAX_DEPTH`], and any JSON error (the tree path then names it).

use super::{id_of, tasks};
use crate::passthrough::{Copy, Plan, Planned, Timestamp};
use crate::scan::{canonical, Bail, Scanner, Span};
use crate::streams::task_children::scanned::{self, FieldSpans, Spans};
use crate::timestamp::{text_ms, write_ms_string};
use serde::de::DeserializeSeed;
use serde_json::de::SliceRead;
use serde_json::{Deserializer, Value};

mod field_memo;
mod member_memo;
#[cfg(test)]
pub(crate) mod tests;

use field_memo::FieldMemo;
use member_memo::MemberMemo;

/// What the pass keeps from one task to the next on a page: the custom field definitions and
/// the repeated members it has read, and buffers used again for every field.
#[derive(Default)]
pub(super) struct Fields<'a> {
    memo: FieldMemo,
    /// Members the page's tasks repeat ([`member_memo`]).
    repeats: MemberMemo,
    /// A field's `value` as `value_json`'s text, escaped as the string it goes into.
    text: Vec<u8>,
    /// The members of the value's objects being sorted ([`canonical::write_with`]).
    members: Vec<canonical::Member<'a>>,
}

/// One task of a page: its record, and what the walk needs to know of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PageTask {
    /// The record as JSON text, or why the task has none (it is not a JSON object).
    pub record: Result<String, crate::error::ConnectorError>,
    /// Whether the task is archived by itself (`archived: true`).
    pub archived: bool,
    /// Its `date_updated`, in ms.
    pub date_updated_ms: Option<i64>,
    /// Its id (the sweep for deletions keeps it).
    pub id: Option<String>,
    /// Where, in the record, the members its child rows read are (the one pass notes them as it
    /// writes; none from the tree path, whose records the rows scan again).
    pub spans: Option<Spans>,
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
    one_pass(body, workspace_id).or_else(|Bail| reference(body, workspace_id))
}

/// The one pass alone: any page it does not handle itself is [`Bail`].
pub fn one_pass(body: &[u8], workspace_id: &str) -> Result<TaskPage, Bail> {
    pass(body, workspace_id, &mut Fields::default())
}

/// [`one_pass`] with every custom field and member read in full, none taken up from an earlier
/// task (for the bench, which compares the two).
pub fn one_pass_reading_everything(body: &[u8], workspace_id: &str) -> Result<TaskPage, Bail> {
    let mut fields = Fields {
        memo: FieldMemo::off(),
        repeats: MemberMemo::off(),
        ..Fields::default()
    };
    pass(body, workspace_id, &mut fields)
}

/// What [`one_pass`] takes up from an earlier task of a page instead of reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TakenUp {
    /// Custom fields' definitions ([`field_memo`]).
    pub fields: usize,
    /// Members the tasks repeat ([`member_memo`]).
    pub members: usize,
}

/// What [`one_pass`] takes up from an earlier task on a page.
pub fn taken_up(body: &[u8], workspace_id: &str) -> Result<TakenUp, Bail> {
    let mut fields = Fields::default();
    pass(body, workspace_id, &mut fields)?;
    Ok(TakenUp {
        fields: fields.memo.counts().0,
        members: fields.repeats.hits(),
    })
}

/// [`one_pass`], with the page's custom field definitions and buffers kept in `fields`.
fn pass<'a>(body: &'a [u8], workspace_id: &str, fields: &mut Fields<'a>) -> Result<TaskPage, Bail> {
    // Each record is checked as UTF-8 as it becomes a `String`, and each value left out where
    // it is left out ([`check`]): the page is not checked a second time as a whole.
    let mut s = Scanner::pieces(body);
    let mut page = TaskPage::default();
    let mut tasks = false;
    let mut sizes = Sizes {
        record: 1024,
        fields: 0,
    };
    if s.peek() != Some(b'{') {
        return Err(Bail);
    }
    s.members(|s, key, _| match key {
        b"tasks" => {
            tasks = true;
            if s.peek() != Some(b'[') {
                return Err(Bail);
            }
            s.elements(|s| {
                let (task, id) = task(s, workspace_id, &mut sizes, fields)?;
                if page.tasks.is_empty() {
                    page.first_id = id;
                }
                page.tasks.push(task);
                Ok(())
            })
            .map(drop)
        }
        b"last_page" => {
            let span = s.value()?;
            page.last_page = value(s, span)?.as_bool();
            Ok(())
        }
        // Checked all the same, key and value, so that a page the tree path refuses is refused
        // here too (no record carries them to be checked there).
        _ => {
            crate::scan::str_of(key).ok_or(Bail)?;
            check(s).map(drop)
        }
    })?;
    s.finish()?;
    if tasks {
        Ok(page)
    } else {
        // No `tasks` array: the tree path keeps the answer for the error.
        Err(Bail)
    }
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
            id: id_of(&task),
            archived: tasks::is_archived(&task),
            date_updated_ms: tasks::date_updated_ms(&task),
            record: tasks::record(task, workspace_id).map(|r| r.to_string()),
            spans: None,
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

/// What the task before needed, to size the next one's buffers from the start (inside wasm a
/// buffer that grows is copied out of the sandbox at each step).
struct Sizes {
    /// Its record's bytes, and an eighth more.
    record: usize,
    /// Its custom fields.
    fields: usize,
}

/// One task: its record written member by member, and what the walk needs to know of it.
fn task<'a>(
    s: &mut Scanner<'a>,
    workspace_id: &str,
    sizes: &mut Sizes,
    fields: &mut Fields<'a>,
) -> Result<(PageTask, Option<String>), Bail> {
    if s.peek() != Some(b'{') {
        return Err(Bail); // the tree path says what is wrong with it
    }
    let mut out = Vec::with_capacity(sizes.record);
    out.push(b'{');
    let mut first = true;
    let mut spans = Spans {
        kept: Vec::with_capacity(scanned::KEPT),
        fields: Vec::with_capacity(sizes.fields),
    };
    let (mut space, mut folder, mut project, mut list) = (None, None, None, None);
    let (mut id, mut archived, mut updated) = (None, false, None);
    s.members(|s, key, escaped| {
        match key {
            // Replaced by the ids the connector adds (as the tree path overwrites them).
            b"workspace_id" | b"space_id" | b"folder_id" | b"list_id" => return check(s).map(drop),
            _ => start_member(&mut out, &mut first, key, escaped)?,
        }
        let at = out.len();
        match key {
            b"date_updated" => updated = timestamp(s, &mut out)?,
            k if tasks::TIMESTAMPS.iter().any(|t| t.as_bytes() == k) => {
                timestamp(s, &mut out)?;
            }
            b"id" => {
                let span = s.value()?;
                id = id_text(s, span)?;
                copy(s, span, &mut out)?;
            }
            b"archived" => {
                let span = s.value()?;
                archived = s.bytes(span) == b"true";
                copy(s, span, &mut out)?;
            }
            b"space" | b"folder" | b"project" | b"list" => {
                let (span, parent) = fields.repeats.value(s, key, parent_id)?;
                match key {
                    b"space" => space = parent,
                    b"folder" => folder = parent,
                    b"project" => project = parent,
                    _ => list = parent,
                }
                copy(s, span, &mut out)?;
            }
            b"checklists" => {
                let span = s.value()?;
                let planned = Planned {
                    out: &mut out,
                    plan: &CHECKLISTS,
                };
                serde(s, span, |d| planned.deserialize(d))?;
            }
            b"custom_fields" => custom_fields(s, &mut out, &mut spans.fields, fields)?,
            _ => {
                let (span, _) = fields.repeats.value(s, key, |_, _| Ok(None))?;
                copy(s, span, &mut out)?;
            }
        }
        if let Some(name) = scanned::kept(key) {
            spans.kept.push((name, at..out.len()));
        }
        Ok(())
    })?;
    for (key, id) in [
        ("workspace_id", Some(workspace_id)),
        ("space_id", space.as_deref()),
        ("folder_id", folder.as_deref().or(project.as_deref())),
        ("list_id", list.as_deref()),
    ] {
        start_member(&mut out, &mut first, key.as_bytes(), false)?;
        let at = out.len();
        match id {
            Some(id) => canonical::write_as_string(id.as_bytes(), &mut out),
            None => out.extend_from_slice(b"null"),
        }
        if let Some(name) = scanned::kept(key.as_bytes()) {
            spans.kept.push((name, at..out.len()));
        }
    }
    out.push(b'}');
    sizes.record = out.len() + out.len() / 8;
    sizes.fields = spans.fields.len();
    let record = crate::scan::string_of(out).ok_or(Bail)?;
    let task = PageTask {
        record: Ok(record),
        archived,
        date_updated_ms: updated,
        id: id.clone(),
        spans: Some(spans),
    };
    Ok((task, id))
}

/// An id as [`id_of`] reads it: a string's text or a number's, `None` for anything else (the
/// value at `span` of a scanner's text; the custom field rows read ids this way too).
pub(crate) fn id_text(s: &Scanner<'_>, span: Span) -> Result<Option<String>, Bail> {
    let bytes = s.bytes(span);
    Ok(match bytes.first() {
        // Clean: no escapes, and a plain integer is written as it reads.
        Some(b'"') if span.clean => Some(s.inner_str(span)?.to_owned()),
        Some(b'-' | b'0'..=b'9') if span.clean => {
            std::str::from_utf8(bytes).ok().map(str::to_owned)
        }
        Some(b'"' | b'-' | b'0'..=b'9') => id_of(&serde_json::json!({ "id": value(s, span)? })),
        _ => None,
    })
}

/// A parent object's id as [`tasks::parent_id`] reads it: none when it is hidden.
fn parent_id(s: &Scanner<'_>, span: Span) -> Result<Option<String>, Bail> {
    let mut object = s.within(span);
    if !span.clean || object.peek() != Some(b'{') {
        return Ok(tasks::parent_id(&value(s, span)?));
    }
    let (mut hidden, mut id) = (false, None);
    object.members(|o, key, _| {
        let member = o.value()?;
        match key {
            b"hidden" => hidden = o.bytes(member) == b"true",
            b"id" => id = id_text(o, member)?,
            _ => {}
        }
        Ok(())
    })?;
    Ok(if hidden { None } else { id })
}

/// A task's `custom_fields`: an array of fields, each given its `value_json`; where each
/// field's members are written goes into `fields`.
fn custom_fields<'a>(
    s: &mut Scanner<'a>,
    out: &mut Vec<u8>,
    spans: &mut Vec<FieldSpans>,
    fields: &mut Fields<'a>,
) -> Result<(), Bail> {
    match s.peek() {
        Some(b'[') => canonical::write_elements(s, out, |s, out| {
            spans.push(custom_field(s, out, fields)?);
            Ok(())
        }),
        Some(b'n') => {
            let span = s.value()?;
            copy(s, span, out)
        }
        _ => Err(Bail),
    }
}

/// One custom field: `date_created` converted, `value_json` added. Returns where the members
/// the child rows read were written. A field whose definition (its text up to `value`) the page
/// had before is taken up from there ([`field_memo`]).
fn custom_field<'a>(
    s: &mut Scanner<'a>,
    out: &mut Vec<u8>,
    fields: &mut Fields<'a>,
) -> Result<FieldSpans, Bail> {
    let memo = &mut fields.memo;
    if s.peek() != Some(b'{') {
        return Err(Bail);
    }
    let start = s.position();
    let base = out.len();
    let known = memo
        .find(s)
        .and_then(|e| Some((s.resume(&e.state, s.slice(e.input.clone()))?, e)));
    let (mut object, mut first, mut spans, known) = match known {
        Some((object, entry)) => {
            out.extend_from_slice(&entry.output);
            let spans = field_memo::placed(entry, base);
            memo.hit();
            (object, false, spans, true)
        }
        None => {
            out.push(b'{');
            (s.open_object()?, true, FieldSpans::default(), false)
        }
    };
    let mut value_json = false;
    while let Some((key, escaped)) = s.next_key(&mut object)? {
        if *key == *b"value_json" {
            // Replaced by the one made from `value` (as the tree path overwrites it).
            check(s)?;
            continue;
        }
        // A definition is kept once a member of it is written (so the copy needs its comma).
        if *key == *b"value" && !known && !first {
            if let Some(state) = s.resumable(&object, start) {
                let input = start..start + state.text_len();
                memo.keep(
                    s,
                    input,
                    state,
                    out.get(base..).unwrap_or_default(),
                    &spans,
                    base,
                );
            }
        }
        start_member(out, &mut first, &key, escaped)?;
        let span = match &*key {
            b"date_created" => {
                timestamp(s, out)?;
                continue;
            }
            b"value" => {
                // Read once: written as `value_json`'s text (escaped as the string it goes
                // into), then copied.
                s.ws();
                let start = s.position();
                fields.text.clear();
                let clean =
                    canonical::write_escaped_with(s, &mut fields.text, &mut fields.members)?;
                value_json = true;
                Span {
                    start,
                    end: s.position(),
                    clean,
                }
            }
            _ => s.value()?,
        };
        let at = out.len();
        copy(s, span, out)?;
        let written = Some(at..out.len());
        match &*key {
            b"id" => spans.id = written,
            b"name" => spans.name = written,
            b"type" => spans.kind = written,
            b"value" => spans.value = written,
            b"type_config" => spans.type_config = written,
            _ => {}
        }
    }
    start_member(out, &mut first, b"value_json", false)?;
    if value_json {
        let at = out.len();
        out.push(b'"');
        out.extend_from_slice(&fields.text);
        out.push(b'"');
        spans.value_json = Some(at..out.len());
    } else {
        out.extend_from_slice(b"null");
    }
    out.push(b'}');
    Ok(spans)
}

/// Starts a member of an object being written: a comma unless it is the first, the key, the
/// colon. A key that had no escapes in the page (or is the connector's own) has nothing to
/// escape (its bytes are checked as UTF-8 with the record); one that had is written as
/// serde_json writes it ([`start_escaped_member`]).
// Inlined, the escaped key's path apart: every member of every task and custom field starts
// here, and inside wasm each call pays a prologue and a check of the host's epoch.
#[inline(always)]
fn start_member(
    out: &mut Vec<u8>,
    first: &mut bool,
    key: &[u8],
    escaped: bool,
) -> Result<(), Bail> {
    if escaped {
        return start_escaped_member(out, first, key);
    }
    // Two-byte pieces of known length: each a store, where four pushes were four checks of the
    // capacity.
    if *first {
        out.push(b'"');
    } else {
        out.extend_from_slice(b",\"");
    }
    out.extend_from_slice(key);
    out.extend_from_slice(b"\":");
    *first = false;
    Ok(())
}

/// [`start_member`] of a key that had escapes in the page (unescaped by serde_json, so UTF-8).
#[inline(never)]
fn start_escaped_member(out: &mut Vec<u8>, first: &mut bool, key: &[u8]) -> Result<(), Bail> {
    if !*first {
        out.push(b',');
    }
    let key = crate::scan::str_of(key).ok_or(Bail)?;
    serde_json::to_writer(&mut *out, key).map_err(|_| Bail)?;
    out.push(b':');
    *first = false;
    Ok(())
}

/// Writes the value at `span`: its bytes when they are clean (or a string with serde_json's own
/// escapes: [`canonical::string_as_written`]), serde_json's copy otherwise.
#[inline(always)]
fn copy(s: &Scanner<'_>, span: Span, out: &mut Vec<u8>) -> Result<(), Bail> {
    if span.clean || canonical::string_as_written(s.bytes(span)) {
        out.extend_from_slice(s.bytes(span));
        Ok(())
    } else {
        serde(s, span, |d| Copy { out }.deserialize(d))
    }
}

/// Scans a value the record leaves out: one that is not clean is parsed, as the tree path
/// would, and a clean one is checked as UTF-8 (no record carries its bytes to be checked there).
fn check(s: &mut Scanner<'_>) -> Result<Span, Bail> {
    let span = s.value()?;
    if span.clean {
        s.text(span)?;
    } else {
        value(s, span)?;
    }
    Ok(span)
}

/// The value at `span` as a `serde_json::Value` (for the small members the record reads).
fn value(s: &Scanner<'_>, span: Span) -> Result<Value, Bail> {
    serde_json::from_slice(s.bytes(span)).map_err(|_| Bail)
}

/// Runs a serde visitor over the value at `span` alone, as serde_json parses it.
fn serde<T>(
    s: &Scanner<'_>,
    span: Span,
    visit: impl FnOnce(&mut Deserializer<SliceRead<'_>>) -> serde_json::Result<T>,
) -> Result<T, Bail> {
    let mut deserializer = Deserializer::from_slice(s.bytes(span));
    let value = visit(&mut deserializer).map_err(|_| Bail)?;
    deserializer.end().map_err(|_| Bail)?;
    Ok(value)
}

/// A timestamp member's value, converted as [`crate::timestamp::convert`] does; gives the ms
/// [`crate::timestamp::read_ms`] reads. Clean strings and integers are converted here, anything
/// else by [`Timestamp`] through serde_json.
fn timestamp(s: &mut Scanner<'_>, out: &mut Vec<u8>) -> Result<Option<i64>, Bail> {
    let span = s.value()?;
    let bytes = s.bytes(span);
    let ms = match bytes.first() {
        Some(b'"') if span.clean => text_ms(s.inner_str(span)?),
        // A clean number is a plain integer of at most 18 digits.
        Some(b'-' | b'0'..=b'9') if span.clean => s.inner_number(span),
        _ => {
            let seed = Timestamp { out };
            return serde(s, span, |d| seed.deserialize(d));
        }
    };
    if !ms.is_some_and(|ms| write_ms_string(ms, out)) {
        out.extend_from_slice(bytes);
    }
    Ok(ms)
}
