//! The ids of a `users`, `tasks` or `list_relationship` value, read from its text.
//!
//! Why: such a value is an array of objects (a user's id, name, email, colour, initials and
//! picture; a task's id and name), of which the row keeps the ids. Parsing each into a
//! `serde_json::Value` to take them built a map of every member and dropped it: those three
//! types are a quarter of a page's value bytes in the simulator. Here the scanner walks the
//! array and keeps each element's id ([`crate::streams::task_pages::id_text`], the one pass's
//! own reading of an `id`), which is [`super::id_list`] member for member; the property tests
//! of `task_pages` hold the rows of the two equal.

use crate::scan::{Bail, Scanner};
use crate::streams::task_pages::id_text;

/// The ids [`super::id_list`] reads of the value whose JSON text is `text`: of each element, a
/// string's text, a number's, or an object's `id` (either); elements without one are skipped.
/// [`Bail`] when the text is not an array, or the scanner does not take it (a key repeated):
/// the caller then parses the value.
pub(super) fn id_list(text: &str) -> Result<Vec<String>, Bail> {
    // A `str` is UTF-8 already: the scanner need not check it.
    let mut s = Scanner::pieces(text.as_bytes());
    if s.peek() != Some(b'[') {
        return Err(Bail);
    }
    let mut ids = Vec::new();
    s.elements(|s| {
        let id = if s.peek() == Some(b'{') {
            object_id(s)?
        } else {
            let span = s.value()?;
            id_text(s, span)?
        };
        ids.extend(id);
        Ok(())
    })?;
    s.finish()?;
    Ok(ids)
}

/// The `id` of the object at the cursor, as [`crate::streams::id_of`] reads it.
fn object_id(s: &mut Scanner<'_>) -> Result<Option<String>, Bail> {
    let mut id = None;
    s.members(|s, key, _| {
        let span = s.value()?;
        if key == b"id" {
            id = Some(span);
        }
        Ok(())
    })?;
    match id {
        Some(span) => id_text(s, span),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn ids_are_those_of_the_value_parsed() {
        let values = [
            json!([{"id": 183, "username": "Ann", "email": "a@example.com"}, {"id": "abc"}]),
            json!(["bare", 12, -3, 1.5, 1e300, "esc\"aped\u{e9}", {"id": "x\ny"}]),
            json!([{"name": "no id"}, {"id": null}, {"id": 2.25}, {"id": ""}, [1], null, true]),
            json!([{"id": {"id": 1}}, {"nested": {"id": 7}, "id": 8}]),
            json!([]),
        ];
        for value in values {
            let text = value.to_string();
            let parsed = super::super::id_list(&value);
            assert_eq!(id_list(&text).ok(), parsed, "{text}");
        }
    }

    #[test]
    fn what_is_not_an_array_or_repeats_a_key_is_left_to_the_parse() {
        for text in [r#"{"id":1}"#, "\"1\"", "12", "null", r#"[{"id":1,"id":2}]"#] {
            assert_eq!(id_list(text), Err(Bail), "{text}");
            let parsed: Option<Value> = serde_json::from_str(text).ok();
            assert!(parsed.is_some(), "{text}");
        }
    }
}
