//! `task_custom_field_values`: one row per task and custom field that has a value, the value typed
//! into a column of its own.
//!
//! In a task body a custom field's `value` changes shape with the field's type: a string, a
//! number, an array of option ids, an object. A destination wants one type per column, so each
//! kind of value gets its own typed column and every other typed column is null:
//!
//! | field `type` | typed column | read from `value` |
//! |---|---|---|
//! | `url`, `email`, `phone`, `short_text`, `text` | `value_text` | the string |
//! | `number`, `currency` | `value_number` | a number or a numeric string (`"12.50"` → 12.5) |
//! | `emoji` (rating) | `value_number` | an integer or a numeric string |
//! | `checkbox` | `value_bool` | a boolean, `"true"`/`"false"` (any case), 1/0 |
//! | `date` | `value_date` | epoch ms as a string or a number → RFC 3339 UTC with ms |
//! | `drop_down` | `value_option_ids`, `value_option_labels` | the selected option's `orderindex` |
//! | `labels` | `value_option_ids`, `value_option_labels` | an array of option ids |
//! | `users` | `value_user_ids` | an array of users (`id` integer or string; bare ids too) |
//! | `tasks`, `list_relationship` | `value_task_ids` | an array of tasks (`id`; bare ids too) |
//! | `manual_progress` | `value_number` | `percent_completed` |
//! | `automatic_progress` | `value_number` | `percent_completed`, else `percent_complete` |
//! | `location` | `value_text` | `formatted_address` |
//! | `formula` | `value_number` and/or `value_text` | a number; or a string (see below) |
//! | `attachment`, `multi_key`, any other type | none | |
//!
//! `value_json` always carries the value as ClickUp sent it (its JSON text: `"12.50"` stays the
//! string `"\"12.50\""`), so nothing is lost when a value is of a type or shape this table does
//! not know: a shape that does not match the type (a string for `users`, an unparseable number)
//! leaves the typed columns null. Arrays are null when they do not apply to the type, and empty
//! when they apply but nothing matched.
//!
//! Choices:
//! - A `drop_down` value is the **`orderindex`** of the selected option (an integer, sometimes a
//!   numeric string), matched against each option's `orderindex` (an integer or a string such as
//!   `"0"`), never against the option's position in `type_config.options`.
//! - `labels` keeps every id in `value_option_ids`, in order; `value_option_labels` holds the
//!   labels (`label`, else `name`) of the ids found among the options.
//! - An option that is no longer in the field's `type_config` (a `drop_down` orderindex or a
//!   `labels` id) gives a warning naming the field and the option, not the task, so the caller
//!   reports it once however many tasks hold it.
//! - Progress: the percentage is the value (`current` of `manual_progress` depends on the
//!   field's `start` and `end`, so it stays in `value_json`); `automatic_progress` reads
//!   `percent_completed` like `manual_progress`, and `percent_complete` when that is absent (one
//!   client reads that name; the shape is little documented).
//! - `formula`: a number goes to `value_number`; a string goes to `value_text`, and to
//!   `value_number` as well when it parses as a number.
//!
//! A field without a value (`value` absent or `null`) gives no row in a full read, and a
//! tombstone in an incremental read: the key, the field's name and type, every `value_*` null and
//! `_ab_cdc_deleted_at` set, so a value cleared in ClickUp is deleted downstream.

use super::super::{array_at, id_of, json_text, types};
use super::{scanned, Context};
use crate::scan::Bail;
use crate::timestamp;
use serde::Serialize;
use serde_json::{json, Number, Value};

mod ids;
mod options_memo;
pub use options_memo::OptionsMemo;

/// The field types ClickUp documents with a value (every one has typed columns here, or, for
/// `attachment`, `value_json` alone; `multi_key` has never been seen with a value).
pub const DOCUMENTED_TYPES: [&str; 20] = [
    "url",
    "email",
    "phone",
    "short_text",
    "text",
    "drop_down",
    "labels",
    "date",
    "checkbox",
    "number",
    "currency",
    "emoji",
    "users",
    "tasks",
    "list_relationship",
    "manual_progress",
    "automatic_progress",
    "location",
    "formula",
    "attachment",
];

/// The primary key field names, in order.
pub const PRIMARY_KEY: [&str; 2] = ["task_id", "field_id"];

/// Appends the rows of one task record (as [`super::super::tasks::record`] makes it) to `rows`,
/// and a warning to `warnings` for each option id no longer in its field's `type_config`.
///
/// Anything that is not a field object with an id is skipped, as is a task without an id.
pub fn rows(task: &Value, ctx: &Context<'_>, rows: &mut Vec<Value>, warnings: &mut Vec<String>) {
    each_row(task, ctx, warnings, |row| {
        rows.extend(serde_json::to_value(row).ok());
    });
}

/// [`rows`] as JSON text, written from each row's struct without building a `Value` (the same
/// text: [`Row`]'s members are in the order a `Value` sorts them).
pub fn texts(task: &Value, ctx: &Context<'_>, rows: &mut Vec<String>, warnings: &mut Vec<String>) {
    each_row(task, ctx, warnings, |row| {
        rows.push(row.text());
    });
}

fn each_row(
    task: &Value,
    ctx: &Context<'_>,
    warnings: &mut Vec<String>,
    mut out: impl FnMut(Row<'_>),
) {
    let Some(task_id) = id_of(task) else {
        return;
    };
    for field in array_at(task, "custom_fields") {
        let Some(field_id) = id_of(field) else {
            continue;
        };
        let text = |name: &str| field.get(name).and_then(Value::as_str);
        let of = Of {
            id: &field_id,
            name: text("name"),
            kind: text("type"),
            options: options(field),
            written: scanned::Written::default(),
        };
        let value = field.get("value").filter(|v| !v.is_null());
        let value = value.map(|value| Present::Parsed(value, None));
        if let Some(row) = of.row(&task_id, value, ctx, warnings) {
            out(row);
        }
    }
}

/// [`texts`] of a record read with [`scanned::read`] (`task` is its [`scanned::Record::task`]):
/// the same rows, each field's value parsed alone and its options only when its type reads
/// them (parsed once for all the records `memo` serves: [`OptionsMemo`]). When the record's
/// `value_json` is there to copy ([`scanned::Field::value_json`]), a value whose type reads
/// nothing from it (an `attachment`, say: half of a page's value bytes) is not parsed at all,
/// and the ids of a `users`, `tasks` or `list_relationship` value are read from its text
/// ([`ids`]). Nothing is appended when it fails ([`Bail`]: the caller then reads the record
/// whole).
pub fn texts_of(
    task: &Value,
    fields: &[scanned::Field<'_>],
    ctx: &Context<'_>,
    memo: &mut OptionsMemo,
    rows: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<(), Bail> {
    let Some(task_id) = id_of(task) else {
        return Ok(());
    };
    let (mut written, mut said) = (Vec::new(), Vec::new());
    for field in fields {
        let Some(field_id) = field.id.as_deref() else {
            continue;
        };
        let kind = field.kind.as_deref();
        let parsed;
        let value = match (field.value, field.value_json) {
            (None | Some("null"), _) => None,
            (Some(text), json) => {
                let typed =
                    json.and_then(|json| Some(Present::Typed(typed_from_text(kind, text)?, json)));
                Some(match typed {
                    Some(typed) => typed,
                    None => {
                        parsed = serde_json::from_str::<Value>(text).map_err(|_| Bail)?;
                        Present::Parsed(&parsed, json)
                    }
                })
            }
        };
        let options = match (kind, &value, field.type_config) {
            (Some("drop_down" | "labels"), Some(_), Some(config)) => {
                memo.options(field_id, config)?
            }
            _ => &[],
        };
        let of = Of {
            id: field_id,
            name: field.name.as_deref(),
            kind,
            options,
            written: field.written,
        };
        if let Some(row) = of.row(&task_id, value, ctx, &mut said) {
            written.push(row.text());
        }
    }
    rows.append(&mut written);
    warnings.append(&mut said);
    Ok(())
}

/// A field's value, as its row reads it, with the field's `value_json` as the record wrote it
/// (see [`scanned::Field::value_json`]: quotes included), which the row copies instead of
/// writing the value's text again.
#[derive(Debug)]
enum Present<'v> {
    /// Parsed; its `value_json` when the record has one to copy.
    Parsed(&'v Value, Option<&'v str>),
    /// Typed from its text without being parsed ([`typed_from_text`]), which needs the
    /// record's `value_json`.
    Typed(Typed, &'v str),
}

/// The typed columns of a value read from its JSON text, for the types that need no parse:
/// none for a type [`reads_value`] leaves out, the ids of a `users`, `tasks` or
/// `list_relationship` value ([`ids`]). `None` for the other types, or when the text is not
/// what [`ids`] takes: the value is then parsed and typed by [`typed`].
fn typed_from_text(kind: Option<&str>, text: &str) -> Option<Typed> {
    if !reads_value(kind) {
        return Some(Typed::default());
    }
    let ids = || ids::id_list(text).ok();
    match kind? {
        "users" => Some(Typed {
            user_ids: Some(ids()?),
            ..Typed::default()
        }),
        "tasks" | "list_relationship" => Some(Typed {
            task_ids: Some(ids()?),
            ..Typed::default()
        }),
        _ => None,
    }
}

/// What a row reads of a field besides its value.
struct Of<'f> {
    /// Its id (a field without one has no row).
    id: &'f str,
    /// Its `name`, when a string.
    name: Option<&'f str>,
    /// Its `type`, when a string.
    kind: Option<&'f str>,
    /// Its `type_config.options` (empty when absent, or when its type does not read them).
    options: &'f [Value],
    /// Its id, name and type as the record wrote them, for the row to copy.
    written: scanned::Written<'f>,
}

impl<'f> Of<'f> {
    /// The field's row: its typed value, a tombstone (no value, in an incremental read), or
    /// none (no value, in a full read).
    fn row(
        &self,
        task_id: &'f str,
        value: Option<Present<'f>>,
        ctx: &Context<'f>,
        warnings: &mut Vec<String>,
    ) -> Option<Row<'f>> {
        let key = Key {
            task_id,
            field_id: self.id,
            workspace_id: ctx.workspace_id,
            field_name: self.name,
            field_type: self.kind,
            written: self.written,
        };
        match (value, ctx.tombstone_at) {
            (Some(Present::Parsed(value, written_json)), _) => {
                let json = match written_json {
                    Some(written) => ValueJson::Written(written),
                    None => ValueJson::Text(json_text(value)),
                };
                Some(key.row(typed(self, value, warnings), Some(json), None))
            }
            (Some(Present::Typed(typed, written)), _) => {
                Some(key.row(typed, Some(ValueJson::Written(written)), None))
            }
            (None, Some(at)) => Some(key.row(Typed::default(), None, Some(at))),
            (None, None) => None,
        }
    }
}

/// The stream's JSON Schema `properties`.
pub fn schema() -> Value {
    let ids = || json!({"type": ["array", "null"], "items": types::id()});
    json!({
        "task_id": types::id(), "field_id": types::id(), "workspace_id": types::id(),
        "field_name": types::string(), "field_type": types::string(),
        "value_text": types::string(), "value_number": types::number(),
        "value_bool": types::boolean(), "value_date": types::timestamp(),
        "value_option_ids": ids(), "value_option_labels": ids(),
        "value_user_ids": ids(), "value_task_ids": ids(),
        "value_json": types::string(), "_ab_cdc_deleted_at": types::timestamp(),
    })
}

/// The columns every row has: the key, the Workspace, the field's name and type.
struct Key<'a> {
    task_id: &'a str,
    field_id: &'a str,
    workspace_id: &'a str,
    field_name: Option<&'a str>,
    field_type: Option<&'a str>,
    written: scanned::Written<'a>,
}

impl<'a> Key<'a> {
    /// The row: a value's typed columns and text, or (`deleted_at` set) a tombstone's nulls.
    fn row(
        self,
        typed: Typed,
        value_json: Option<ValueJson<'a>>,
        deleted_at: Option<&'a str>,
    ) -> Row<'a> {
        Row {
            deleted_at,
            field_id: self.field_id,
            field_name: self.field_name,
            field_type: self.field_type,
            task_id: self.task_id,
            value_bool: typed.boolean,
            value_date: typed.date,
            value_json,
            value_number: typed.number,
            value_option_ids: typed.option_ids,
            value_option_labels: typed.option_labels,
            value_task_ids: typed.task_ids,
            value_text: typed.text,
            value_user_ids: typed.user_ids,
            workspace_id: self.workspace_id,
            written: self.written,
        }
    }
}

/// One row. Its members are declared in the order of their names (as a `Value` object sorts
/// them), so that its JSON text is the one a `Value` of it would write; `None` is null.
#[derive(Debug, Serialize)]
struct Row<'a> {
    #[serde(rename = "_ab_cdc_deleted_at")]
    deleted_at: Option<&'a str>,
    field_id: &'a str,
    field_name: Option<&'a str>,
    field_type: Option<&'a str>,
    task_id: &'a str,
    value_bool: Option<bool>,
    value_date: Option<String>,
    value_json: Option<ValueJson<'a>>,
    value_number: Option<Number>,
    value_option_ids: Option<Vec<String>>,
    value_option_labels: Option<Vec<String>>,
    value_task_ids: Option<Vec<String>>,
    value_text: Option<String>,
    value_user_ids: Option<Vec<String>>,
    workspace_id: &'a str,
    /// `field_id`, `field_name` and `field_type` as the record wrote them, copied by
    /// [`Row::text`] (not a column).
    #[serde(skip)]
    written: scanned::Written<'a>,
}

/// A row's `value_json`: the value's JSON text, or that text as the task record already wrote
/// it as a JSON string (quoted, escaped as serde_json escapes), which the row copies.
#[derive(Debug)]
enum ValueJson<'a> {
    /// The text, to be written as a string.
    Text(String),
    /// The string as written, quotes included.
    Written(&'a str),
}

impl Serialize for ValueJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ValueJson::Text(text) => s.serialize_str(text),
            ValueJson::Written(written) => {
                let text: String =
                    serde_json::from_str(written).map_err(serde::ser::Error::custom)?;
                s.serialize_str(&text)
            }
        }
    }
}

/// The typed columns of one value; `None` is written as null.
#[derive(Debug, Default)]
struct Typed {
    text: Option<String>,
    number: Option<Number>,
    boolean: Option<bool>,
    date: Option<String>,
    option_ids: Option<Vec<String>>,
    option_labels: Option<Vec<String>>,
    user_ids: Option<Vec<String>>,
    task_ids: Option<Vec<String>>,
}

/// Whether a field of this type has typed columns read from its value: the types [`typed`]
/// reads. The others (`attachment`, `multi_key`, a type ClickUp adds) keep the value in
/// `value_json` alone, so their value need not be parsed.
fn reads_value(kind: Option<&str>) -> bool {
    matches!(
        kind,
        Some(
            "url"
                | "email"
                | "phone"
                | "short_text"
                | "text"
                | "number"
                | "currency"
                | "emoji"
                | "manual_progress"
                | "automatic_progress"
                | "checkbox"
                | "date"
                | "drop_down"
                | "labels"
                | "users"
                | "tasks"
                | "list_relationship"
                | "location"
                | "formula"
        )
    )
}

/// Types a (non-null) value by its field's type: nothing for a type [`reads_value`] leaves
/// out (so that leaving such a value unparsed changes no row).
fn typed(field: &Of<'_>, value: &Value, warnings: &mut Vec<String>) -> Typed {
    if !reads_value(field.kind) {
        return Typed::default();
    }
    let field_type = field.kind.unwrap_or("");
    match field_type {
        "url" | "email" | "phone" | "short_text" | "text" => Typed {
            text: value.as_str().map(str::to_owned),
            ..Typed::default()
        },
        "number" | "currency" | "emoji" => number_column(number(value)),
        "manual_progress" => number_column(value.get("percent_completed").and_then(number)),
        "automatic_progress" => number_column(
            value
                .get("percent_completed")
                .and_then(number)
                .or_else(|| value.get("percent_complete").and_then(number)),
        ),
        "checkbox" => Typed {
            boolean: boolean(value),
            ..Typed::default()
        },
        "date" => Typed {
            date: timestamp::read_ms(value).and_then(timestamp::format_ms),
            ..Typed::default()
        },
        "drop_down" => drop_down(field, value, warnings),
        "labels" => labels(field, value, warnings),
        "users" => Typed {
            user_ids: id_list(value),
            ..Typed::default()
        },
        "tasks" | "list_relationship" => Typed {
            task_ids: id_list(value),
            ..Typed::default()
        },
        "location" => Typed {
            text: value
                .get("formatted_address")
                .and_then(Value::as_str)
                .map(str::to_owned),
            ..Typed::default()
        },
        "formula" => formula(value),
        _ => Typed::default(),
    }
}

/// Only `value_number`.
fn number_column(number: Option<Number>) -> Typed {
    Typed {
        number,
        ..Typed::default()
    }
}

/// A number, or a string holding one (trimmed; integers stay integers). Non-finite: none.
fn number(value: &Value) -> Option<Number> {
    match value {
        Value::Number(n) => Some(n.clone()),
        Value::String(s) => numeric_text(s),
        _ => None,
    }
}

/// The number a string holds, as [`number`] reads it.
fn numeric_text(text: &str) -> Option<Number> {
    let s = text.trim();
    s.parse::<i64>()
        .ok()
        .map(Number::from)
        .or_else(|| s.parse::<f64>().ok().and_then(Number::from_f64))
}

/// A checkbox: a boolean, `"true"`/`"false"` in any case, or 1/0.
fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        Value::Number(n) => match n.as_f64() {
            Some(1.0) => Some(true),
            Some(0.0) => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A formula's result: a number, or a string (a number too when it parses as one).
fn formula(value: &Value) -> Typed {
    match value {
        Value::Number(n) => number_column(Some(n.clone())),
        Value::String(s) => Typed {
            text: Some(s.clone()),
            number: numeric_text(s),
            ..Typed::default()
        },
        _ => Typed::default(),
    }
}

/// An id given bare (a string or a number) or as an object's `id`, as text.
fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(_) => id_of(value),
        _ => None,
    }
}

/// The ids of an array of objects or bare ids (items without one skipped); none if not an array.
fn id_list(value: &Value) -> Option<Vec<String>> {
    let items = value.as_array()?;
    Some(items.iter().filter_map(id_text).collect())
}

/// The field's options (`type_config.options`), empty when absent.
fn options(field: &Value) -> &[Value] {
    field
        .get("type_config")
        .map_or(&[], |c| array_at(c, "options"))
}

/// How a warning names a field: its name and id.
fn describe(field: &Of<'_>) -> String {
    let name = field.name.unwrap_or("");
    let id = field.id;
    format!("custom field {name:?} (id {id:?})")
}

/// A drop-down: the option whose `orderindex` is the value. Not found: empty arrays and a warning.
fn drop_down(field: &Of<'_>, value: &Value, warnings: &mut Vec<String>) -> Typed {
    let Some(orderindex) = number(value).and_then(|n| n.as_i64()) else {
        return Typed::default();
    };
    let selected = field.options.iter().find(|option| {
        let index = option.get("orderindex").and_then(number);
        index.and_then(|n| n.as_i64()) == Some(orderindex)
    });
    let Some(option) = selected else {
        warnings.push(format!(
            "{}: drop_down orderindex {orderindex} matches no option in its type_config \
             (a removed option?); the row has no option id or label",
            describe(field)
        ));
        return Typed {
            option_ids: Some(Vec::new()),
            option_labels: Some(Vec::new()),
            ..Typed::default()
        };
    };
    let name = option
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Typed {
        option_ids: Some(id_of(option).into_iter().collect()),
        option_labels: Some(name.into_iter().collect()),
        ..Typed::default()
    }
}

/// Labels: every id, in order, and the labels of the ids among the options (warning for others).
fn labels(field: &Of<'_>, value: &Value, warnings: &mut Vec<String>) -> Typed {
    let Some(ids) = id_list(value) else {
        return Typed::default();
    };
    let mut labels = Vec::new();
    for id in &ids {
        match field.options.iter().find(|o| id_of(o).as_ref() == Some(id)) {
            Some(option) => labels.extend(label(option)),
            None => warnings.push(format!(
                "{}: labels option id {id:?} is not in its type_config (a removed option?); \
                 the id is kept without a label",
                describe(field)
            )),
        }
    }
    Typed {
        option_ids: Some(ids),
        option_labels: Some(labels),
        ..Typed::default()
    }
}

/// A labels option's text: `label`, else `name`.
fn label(option: &Value) -> Option<String> {
    let text = |key: &str| option.get(key).and_then(Value::as_str).map(str::to_owned);
    text("label").or_else(|| text("name"))
}

mod text;

#[cfg(test)]
mod tests;
