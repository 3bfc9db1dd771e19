//! The options of the drop-down and labels fields of a page, parsed once for the page.
//!
//! Why: every task of a list carries the same custom field definitions, and a `drop_down` or
//! `labels` field's `type_config` holds all its options (the simulator's pages: 99 KB of them a
//! page, a third of the value rows' cost when each row parsed its field's options again). A page's
//! rows keep each field's parsed options by the field's id, with the text they were parsed from:
//! a task whose field has the same id and the same `type_config` text takes them; any other text
//! (the field was edited, or another Workspace uses the id) is parsed and kept in its place, so
//! the options a row reads are always those of its own task's text.

use super::super::scanned;
use crate::scan::{starts_with, Bail};
use serde_json::Value;
use std::collections::HashMap;

/// The parsed options of the fields read so far (see the module doc). Keep one for the rows of
/// a page (or of any set of records): it holds a field's options until its text changes.
#[derive(Debug, Default)]
pub struct OptionsMemo {
    /// By field id: the `type_config` text and the options parsed from it.
    by_field: HashMap<String, (String, Vec<Value>)>,
}

impl OptionsMemo {
    /// The options of field `field_id` whose `type_config` text is `config`
    /// ([`scanned::options`]), parsed unless the last text of that field was the same.
    pub fn options(&mut self, field_id: &str, config: &str) -> Result<&[Value], Bail> {
        let known = self
            .by_field
            .get(field_id)
            .is_some_and(|(text, _)| same(text, config));
        if !known {
            let parsed = scanned::options(config)?;
            self.by_field
                .insert(field_id.to_owned(), (config.to_owned(), parsed));
        }
        Ok(self
            .by_field
            .get(field_id)
            .map_or(&[], |(_, options)| options.as_slice()))
    }
}

/// Texts compared eight bytes a step ([`starts_with`]): `==` on `str` is compiler-builtins'
/// byte loop inside wasm.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && starts_with(a.as_bytes(), b.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_whose_text_changes_is_parsed_again() {
        let mut memo = OptionsMemo::default();
        let first = r#"{"options":[{"id":"a","name":"A","orderindex":0}]}"#;
        let edited = r#"{"options":[{"id":"a","name":"B","orderindex":0}]}"#;
        let name = |options: &[Value]| {
            options
                .first()
                .and_then(|o| o["name"].as_str().map(str::to_owned))
        };
        // The same field edited and edited back; another field with the first text is its own
        // entry.
        for (field, text, want) in [
            ("f", first, "A"),
            ("f", edited, "B"),
            ("f", first, "A"),
            ("g", first, "A"),
            ("f", edited, "B"),
        ] {
            let options = memo.options(field, text).unwrap();
            assert_eq!(name(options).as_deref(), Some(want), "{field} {text}");
        }
    }

    #[test]
    fn texts_of_one_length_that_differ_anywhere_are_not_the_same() {
        let base = "x".repeat(40);
        for at in 0..base.len() {
            let mut other = base.clone().into_bytes();
            other[at] = b'y';
            let other = String::from_utf8(other).unwrap();
            assert!(!same(&base, &other), "{at}");
        }
        assert!(same(&base, &base.clone()));
        assert!(!same(&base, &base[1..]));
    }

    #[test]
    fn a_config_that_is_not_json_is_bail() {
        assert_eq!(OptionsMemo::default().options("f", "{").err(), Some(Bail));
    }
}
