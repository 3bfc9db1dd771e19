//! The task ids a sweep for deletions saw, in a compact form for the state and the cursor.
//!
//! A sweep compares the ids of every task it reads with those the last sweep saw: an id that is
//! no longer there is a task that may have been deleted (see `read/deletes.rs`). The ids travel
//! in the state between syncs (and in the cursor during one), so their form is one string of
//! sorted ids separated by spaces: about 10 bytes per task (ClickUp's task ids have 9
//! characters), 1 MB per 100,000 tasks, and one string to parse instead of an array of them.
//! An id is a non-empty run of characters other than whitespace; anything else is refused when
//! the state is read.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeSet;

/// A set of task ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownIds(pub BTreeSet<String>);

impl KnownIds {
    /// Adds an id (ignored if it is empty or holds whitespace: it could not be stored).
    pub fn insert(&mut self, id: &str) {
        if !id.is_empty() && !id.contains(char::is_whitespace) {
            self.0.insert(id.to_owned());
        }
    }

    /// Whether the set holds `id`.
    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(id)
    }

    /// The ids of `self` that `other` lacks, in order.
    pub fn missing_from<'a>(
        &'a self,
        other: &'a KnownIds,
    ) -> impl Iterator<Item = &'a String> + 'a {
        self.0.difference(&other.0)
    }

    /// Adds every id of `other`.
    pub fn extend(&mut self, other: &KnownIds) {
        self.0.extend(other.0.iter().cloned());
    }

    /// How many ids.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for KnownIds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut text = String::with_capacity(self.0.len() * 10);
        for (n, id) in self.0.iter().enumerate() {
            if n > 0 {
                text.push(' ');
            }
            text.push_str(id);
        }
        s.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for KnownIds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.contains(|c: char| c.is_whitespace() && c != ' ') || text.contains("  ") {
            return Err(serde::de::Error::custom(
                "task ids must be separated by single spaces",
            ));
        }
        Ok(KnownIds(
            text.split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_sorted_in_one_string_and_malformed_text_is_refused() {
        let mut ids = KnownIds::default();
        for id in ["9hz", "86a1", "9hx", "", "a b"] {
            ids.insert(id);
        }
        let text = serde_json::to_string(&ids).unwrap();
        assert_eq!(text, r#""86a1 9hx 9hz""#);
        assert_eq!(serde_json::from_str::<KnownIds>(&text).unwrap(), ids);
        assert_eq!(
            serde_json::from_str::<KnownIds>(r#""""#).unwrap(),
            KnownIds::default()
        );
        for bad in [r#""a  b""#, r#""a\nb""#, "[\"a\"]", "5"] {
            assert!(serde_json::from_str::<KnownIds>(bad).is_err(), "{bad}");
        }
        let mut now = KnownIds::default();
        now.insert("9hx");
        let gone: Vec<&String> = ids.missing_from(&now).collect();
        assert_eq!(gone, ["86a1", "9hz"]);
    }
}
