//! The nine streams: their names, schemas, keys, and how a ClickUp object becomes a record.
//!
//! Every record keeps every field ClickUp sent (a new ClickUp field reaches the warehouse without a
//! connector release), with three changes: the ids of its parents are added (`workspace_id`,
//! `space_id`, `folder_id`, `list_id` as they apply), every millisecond timestamp becomes RFC 3339
//! UTC text, and numbers that ClickUp sends as strings (counts, durations) become numbers.

pub mod custom_fields;
pub mod folders;
pub mod goals;
pub mod lists;
pub mod members;
pub mod spaces;
pub mod task_children;
pub mod task_pages;
pub mod tasks;
pub mod time_entries;
pub(crate) mod value_text;
pub mod workspaces;

use crate::error::ConnectorError;
use serde_json::{json, Map, Value};

/// A stream this connector offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Workspaces (ClickUp "teams"), with `member_count`.
    Workspaces,
    /// Workspace members, one record per member per Workspace, with role.
    Members,
    /// Spaces, archived and not.
    Spaces,
    /// Folders, archived and not.
    Folders,
    /// Lists in folders and folderless lists, archived and not.
    Lists,
    /// Tasks, incremental on `date_updated`.
    Tasks,
    /// Goals with their targets (key results).
    Goals,
    /// Time entries of every user, incremental by time window.
    TimeEntries,
    /// Custom field definitions, with where each is defined.
    CustomFields,
}

impl Stream {
    /// All streams, in the order a full sync reads them (hierarchy first, so later streams reuse
    /// the hierarchy answers cached in the instance).
    pub const ALL: [Stream; 9] = [
        Stream::Workspaces,
        Stream::Members,
        Stream::Spaces,
        Stream::Folders,
        Stream::Lists,
        Stream::Tasks,
        Stream::Goals,
        Stream::TimeEntries,
        Stream::CustomFields,
    ];

    /// The streams' names in the protocol, in the order of [`Stream::ALL`].
    pub const NAMES: [&'static str; 9] = [
        "workspaces",
        "members",
        "spaces",
        "folders",
        "lists",
        "tasks",
        "goals",
        "time_entries",
        "custom_fields",
    ];

    /// The stream's name in the protocol.
    pub fn name(self) -> &'static str {
        // The variants are declared in the order of `NAMES`.
        Self::NAMES[self as usize]
    }

    /// Finds a stream by name.
    pub fn from_name(name: &str) -> Result<Stream, ConnectorError> {
        Stream::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Stream::ALL.iter().map(|s| s.name()).collect();
                ConnectorError::UnknownStream(format!(
                    "there is no stream named {name:?}; the streams are {}.",
                    names.join(", ")
                ))
            })
    }

    /// The stream's lane (see `stream-descriptor.lane` in the WIT): `None` for the streams that
    /// share the walk of the hierarchy cached in the instance (tasks and its custom fields read
    /// the lists the hierarchy streams found; members read the `/team` answer workspaces read).
    /// Goals and time entries need only the Workspaces (`GET /team`, which an instance of their
    /// own asks for once), so a host may read each beside the hierarchy.
    pub fn lane(self) -> Option<&'static str> {
        match self {
            Stream::Goals => Some("goals"),
            Stream::TimeEntries => Some("time_entries"),
            _ => None,
        }
    }

    /// Whether the stream reads incrementally from a state.
    pub fn is_incremental(self) -> bool {
        matches!(self, Stream::Tasks | Stream::TimeEntries)
    }

    /// The primary key, as field paths.
    pub fn primary_key(self) -> Vec<Vec<String>> {
        let key: &[&str] = match self {
            Stream::Members => &["workspace_id", "id"],
            _ => &["id"],
        };
        key.iter().map(|k| vec![(*k).to_owned()]).collect()
    }

    /// The cursor field, empty when the stream has none.
    pub fn cursor_field(self) -> Vec<String> {
        match self {
            Stream::Tasks => vec!["date_updated".to_owned()],
            Stream::TimeEntries => vec!["start".to_owned()],
            _ => vec![],
        }
    }

    /// JSON Schema (draft 7) of one record.
    pub fn json_schema(self) -> Value {
        let properties = match self {
            Stream::Workspaces => workspaces::schema(),
            Stream::Members => members::schema(),
            Stream::Spaces => spaces::schema(),
            Stream::Folders => folders::schema(),
            Stream::Lists => lists::schema(),
            Stream::Tasks => tasks::schema(),
            Stream::Goals => goals::schema(),
            Stream::TimeEntries => time_entries::schema(),
            Stream::CustomFields => custom_fields::schema(),
        };
        json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "additionalProperties": true,
            "properties": properties,
        })
    }
}

/// Schema snippets shared by the streams.
pub(crate) mod types {
    use serde_json::{json, Value};

    /// A required string id.
    pub(crate) fn id() -> Value {
        json!({"type": "string"})
    }
    /// An optional string.
    pub(crate) fn string() -> Value {
        json!({"type": ["string", "null"]})
    }
    /// An optional RFC 3339 date-time (converted from ClickUp's ms).
    pub(crate) fn timestamp() -> Value {
        json!({"type": ["string", "null"], "format": "date-time"})
    }
    /// An optional integer.
    pub(crate) fn integer() -> Value {
        json!({"type": ["integer", "null"]})
    }
    /// An optional number (may be fractional).
    pub(crate) fn number() -> Value {
        json!({"type": ["number", "null"]})
    }
    /// An optional boolean.
    pub(crate) fn boolean() -> Value {
        json!({"type": ["boolean", "null"]})
    }
    /// An optional object of any shape.
    pub(crate) fn object() -> Value {
        json!({"type": ["object", "null"]})
    }
    /// An optional array of any items.
    pub(crate) fn array() -> Value {
        json!({"type": ["array", "null"]})
    }
}

/// The id of a JSON object (`id` as string or number), as text.
pub(crate) fn id_of(value: &Value) -> Option<String> {
    match value.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A value's compact JSON text, as `Value::to_string` writes it, without the `fmt` machinery
/// that `Display` goes through (a third of the time of writing a child row, natively and in
/// wasm) and without serde_json's escape check a byte at a time ([`value_text`]).
pub(crate) fn json_text(value: &Value) -> String {
    value_text::text(value)
}

/// The array under `key`, or an empty slice when absent or not an array.
pub(crate) fn array_at<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Sets a parent id field (string or null).
pub(crate) fn set(record: &mut Map<String, Value>, key: &str, id: Option<&str>) {
    record.insert(
        key.to_owned(),
        id.map_or(Value::Null, |s| Value::String(s.to_owned())),
    );
}

/// Turns a count that may come as a string (`"12"`) into a number; unknown shapes become null.
pub(crate) fn count(value: Option<&Value>) -> Value {
    match value {
        Some(Value::Number(n)) => Value::Number(n.clone()),
        Some(Value::String(s)) => s.trim().parse::<i64>().map_or(Value::Null, Value::from),
        _ => Value::Null,
    }
}

/// Like [`object_of`], but takes the value, so that nothing is copied (the task hot path).
pub(crate) fn into_object(value: Value, what: &str) -> Result<Map<String, Value>, ConnectorError> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(ConnectorError::Protocol(format!(
            "ClickUp sent a {what} that is not a JSON object."
        ))),
    }
}

/// The object as a map to build a record from; anything else is a protocol error naming `what`.
pub(crate) fn object_of(value: &Value, what: &str) -> Result<Map<String, Value>, ConnectorError> {
    match value {
        Value::Object(map) => Ok(map.clone()),
        _ => Err(ConnectorError::Protocol(format!(
            "ClickUp sent a {what} that is not a JSON object."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_streams() {
        for (i, s) in Stream::ALL.into_iter().enumerate() {
            assert_eq!(
                s as usize, i,
                "ALL and NAMES must keep the declaration order"
            );
            assert_eq!(Stream::from_name(s.name()).unwrap(), s);
            assert_eq!(s.json_schema()["type"], "object");
        }
        let e = Stream::from_name("stream").unwrap_err().to_string();
        assert!(e.contains("time_entries"), "{e}");
    }

    #[test]
    fn counts_sent_as_strings_become_numbers() {
        assert_eq!(count(Some(&json!("12"))), json!(12));
        assert_eq!(count(Some(&json!(3))), json!(3));
        assert_eq!(count(Some(&json!("many"))), Value::Null);
        assert_eq!(count(None), Value::Null);
    }
}
