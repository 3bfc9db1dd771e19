//! A `Value`'s compact JSON text, byte for byte what `serde_json::to_string` writes for it.
//!
//! Why not `serde_json::to_string`: serde_json checks every byte of every string for what it
//! must escape, one byte at a time (about 15 instructions a byte inside wasm), and every record
//! that is not a task (the child streams' rows, 16 of them a task in the reference world; time
//! entries, goals, the hierarchy) is a `Value` written as text. Here each string is written in
//! runs found eight bytes a step ([`escape_pieces`], the same escapes as serde_json's); numbers
//! are written by serde_json itself. A property test holds the two equal on any `Value`.

use crate::scan::canonical::{escape_pieces, Piece};
use serde_json::Value;

/// The compact JSON text of `value`.
pub(crate) fn text(value: &Value) -> String {
    let mut out = String::with_capacity(128);
    write(value, &mut out);
    out
}

/// Appends the compact JSON text of `value` to `out`.
pub(crate) fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        // A `Number` always serializes (it is finite).
        Value::Number(n) => out.push_str(&serde_json::to_string(n).unwrap_or_default()),
        Value::String(s) => string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (n, (key, member)) in members.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                string(key, out);
                out.push(':');
                write(member, out);
            }
            out.push('}');
        }
    }
}

/// Appends `text` as a JSON string.
pub(crate) fn string(text: &str, out: &mut String) {
    out.reserve(text.len() + 2);
    out.push('"');
    escape_pieces(text.as_bytes(), |piece| match piece {
        // A run ends at an ASCII byte or at the end: always on a character's boundary.
        Piece::Run(run) => out.push_str(text.get(run).unwrap_or_default()),
        // Escapes are ASCII.
        Piece::Escape(escape) => out.extend(escape.iter().map(|&b| char::from(b))),
    });
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_value() -> impl Strategy<Value = Value> {
        let text = "[a-z\"\\\\\u{0}-\u{1f}\u{7f}é€😀 ]{0,12}";
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            text.prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                proptest::collection::btree_map(text, inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn the_text_is_what_serde_json_writes(value in any_value()) {
            prop_assert_eq!(text(&value), serde_json::to_string(&value).unwrap());
        }
    }

    #[test]
    fn every_character_to_escape_is_escaped_at_every_place() {
        let plain = "abcdefghijklmnopé€";
        for at in plain.char_indices().map(|(i, _)| i).chain([plain.len()]) {
            for special in (0u8..0x20).chain([b'"', b'\\', 0x7f]) {
                let s = format!("{}{}{}", &plain[..at], char::from(special), &plain[at..]);
                let value = Value::String(s);
                assert_eq!(text(&value), serde_json::to_string(&value).unwrap());
            }
        }
    }
}
