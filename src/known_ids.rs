//! The task ids a sweep for deletions saw, in a compact form for the state and the cursor.
//!
//! A sweep compares the ids of every task it reads with those the last sweep saw: an id that is
//! no longer there is a task that may have been deleted (see `read/deletes.rs`). The ids travel
//! in the state between syncs (and in the cursor during one), so their form is one string of
//! sorted ids separated by spaces: about 10 bytes per task (ClickUp's task ids have 9
//! characters), 1 MB per 100,000 tasks, and one string to parse instead of an array of them.
//! An id is a non-empty run of characters other than whitespace; anything else is refused when
//! the state is read. [`KnownEntries`] is the same for time entries, each with its start
//! (`id@ms`): those the next look-back window reads again.

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

/// Time entries by id, with their start (ms): those a look-back window will read again.
/// Serialized like [`KnownIds`], each as `id@start`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownEntries(pub std::collections::BTreeMap<String, i64>);

impl KnownEntries {
    /// Adds an entry (ignored if its id is empty or holds whitespace or `@`).
    pub fn insert(&mut self, id: &str, start_ms: i64) {
        if !id.is_empty() && !id.contains(|c: char| c.is_whitespace() || c == '@') {
            self.0.insert(id.to_owned(), start_ms);
        }
    }
}

impl Serialize for KnownEntries {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let pairs: Vec<String> = self.0.iter().map(|(id, ms)| format!("{id}@{ms}")).collect();
        s.serialize_str(&pairs.join(" "))
    }
}

impl<'de> Deserialize<'de> for KnownEntries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let ids = KnownIds::deserialize(d)?;
        let mut out = KnownEntries::default();
        for pair in &ids.0 {
            let parsed = pair
                .split_once('@')
                .and_then(|(id, ms)| Some((id, ms.parse::<i64>().ok()?)));
            match parsed {
                Some((id, ms)) if !id.is_empty() => out.insert(id, ms),
                _ => {
                    return Err(serde::de::Error::custom(format!(
                        "{pair:?} is not id@start"
                    )))
                }
            }
        }
        Ok(out)
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

    #[test]
    fn entries_round_trip_with_their_starts_and_a_pair_without_one_is_refused() {
        let mut e = KnownEntries::default();
        e.insert("4", 1_700_000_000_000);
        e.insert("31", 5);
        let text = serde_json::to_string(&e).unwrap();
        assert_eq!(text, r#""31@5 4@1700000000000""#);
        assert_eq!(serde_json::from_str::<KnownEntries>(&text).unwrap(), e);
        for bad in [r#""4""#, r#""4@x""#, r#""@5""#] {
            assert!(serde_json::from_str::<KnownEntries>(bad).is_err(), "{bad}");
        }
    }
}
