//! A task record read back for its child rows, keeping only what the rows read.
//!
//! Why: a task record is mostly its custom fields' `type_config` (a drop-down's options, a
//! formula's text, a currency's settings), and the child rows read little of it: each field's
//! id, name, type and value, and a drop-down's or a label field's options. Building a
//! `serde_json::Value` of the whole record, every member a map entry or a string allocated and
//! dropped, was the largest share of a sync's CPU with the child streams (BENCHMARKS.md). This
//! reads the same text with serde_json and builds only the members named in a [`Keep`]; the
//! others are skipped (`IgnoredAny`), which checks them as JSON but allocates nothing.
//!
//! What it builds is, member for member, what `serde_json::from_str::<Value>` builds for the
//! members kept (same numbers, same strings; a repeated key keeps the last), so the rows made
//! from it are the rows made from the whole record.

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::fmt;

/// Which members of an object to keep, each with what to keep of its value (`None`: all of
/// it). It applies to an object's members, to each element of an array, and to nothing else:
/// a value that is not an object or an array is kept as it is.
#[derive(Debug)]
pub struct Keep(pub &'static [(&'static str, Option<&'static Keep>)]);

/// What the child rows read of a task record (see the modules of [`super`]).
pub static TASK: Keep = Keep(&[
    ("id", None),
    ("workspace_id", None),
    ("_ab_cdc_deleted_at", None),
    ("assignees", None),
    ("tags", None),
    ("checklists", None),
    ("dependencies", None),
    ("linked_tasks", None),
    ("custom_fields", Some(&FIELD)),
]);

/// What `task_custom_field_values` reads of a custom field: its options, not the rest of its
/// `type_config`.
static FIELD: Keep = Keep(&[
    ("id", None),
    ("name", None),
    ("type", None),
    ("value", None),
    ("type_config", Some(&Keep(&[("options", None)]))),
]);

/// Reads `text` as JSON, keeping what `keep` names.
pub fn parse(text: &str, keep: &'static Keep) -> serde_json::Result<Value> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = keep.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

impl<'de> DeserializeSeed<'de> for &'static Keep {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// The value visitor of `serde_json::Value`, but for objects: only the members kept.
impl<'de> Visitor<'de> for &'static Keep {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut kept = Map::new();
        while let Some(key) = map.next_key_seed(Key)? {
            match self.0.iter().find(|(name, _)| *name == key) {
                Some((_, Some(inner))) => {
                    let value = map.next_value_seed(*inner)?;
                    kept.insert(key.into_owned(), value);
                }
                Some((_, None)) => {
                    let value: Value = map.next_value()?;
                    kept.insert(key.into_owned(), value);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(kept))
    }
}

/// A key, borrowed from the text when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `value` with only what `keep` names, from a whole `Value` (what the seed must build).
    fn pruned(value: &Value, keep: &Keep) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter_map(|(k, v)| {
                        let (_, inner) = keep.0.iter().find(|(name, _)| name == k)?;
                        Some((k.clone(), inner.map_or_else(|| v.clone(), |i| pruned(v, i))))
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| pruned(v, keep)).collect()),
            other => other.clone(),
        }
    }

    #[test]
    fn it_keeps_what_a_whole_parse_has_of_the_members_named() {
        let task = json!({
            "id": "t1", "name": "skipped", "workspace_id": "9",
            "custom_fields": [
                {"id": "f", "name": "Size", "type": "drop_down", "value": 1,
                 "type_config": {"default": 0, "options": [{"id": "o", "orderindex": 1}]}},
                {"id": 7, "type": "number", "value": 1.5e300, "hide_from_guests": false},
                "not an object", null, [1, {"id": 2}]
            ],
            "assignees": [{"id": 1, "username": "\u{e9}\"q\\"}],
            "tags": [], "checklists": null, "dependencies": [{"x": -0.0}], "linked_tasks": [1e-7],
            "_ab_cdc_deleted_at": null, "deep": [[[[{"a": 1}]]]]
        });
        let text = task.to_string();
        assert_eq!(parse(&text, &TASK).unwrap(), pruned(&task, &TASK));
        // Not objects at the top: kept as they are.
        for other in [
            "[1,2]",
            "\"s\"",
            "12345678901234567890",
            "-1",
            "null",
            "true",
        ] {
            let whole: Value = serde_json::from_str(other).unwrap();
            assert_eq!(parse(other, &TASK).unwrap(), pruned(&whole, &TASK));
        }
    }

    #[test]
    fn escaped_and_repeated_keys_read_as_serde_json_reads_them() {
        // `\u0069d` is `id`; the last of two `id`s wins, as in a `Value`.
        let text = r#"{"\u0069d":"a","id":"b","tags":[1],"tags":[2]}"#;
        let whole: Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse(text, &TASK).unwrap(), pruned(&whole, &TASK));
        assert_eq!(parse(text, &TASK).unwrap()["id"], "b");
    }

    #[test]
    fn what_serde_json_refuses_it_refuses_even_in_a_member_it_skips() {
        for bad in [
            r#"{"name": [1,}"#,
            r#"{"name": "\x"}"#,
            r#"{"id": 1} x"#,
            "{\"a\":\"\u{1}\"}",
        ] {
            assert!(serde_json::from_str::<Value>(bad).is_err(), "{bad}");
            assert!(parse(bad, &TASK).is_err(), "{bad}");
        }
    }
}
