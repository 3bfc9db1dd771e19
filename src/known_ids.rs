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
use std::borrow::Cow;
use std::collections::BTreeSet;

mod sorted;
#[cfg(test)]
mod tests;

/// A set of task ids.
///
/// The set a read starts from (the state's, or the cursor's of the call before) stays in its
/// sorted text, unparsed: a call reads and writes it in one copy, and only the ids it adds are
/// kept apart. A read's cursor grows with every page, so a set rebuilt on each call would cost
/// a sync time quadratic in its calls.
#[derive(Debug, Clone, Default)]
pub struct KnownIds {
    /// Sorted ids separated by single spaces.
    sorted: String,
    /// The ids added since (some may be in `sorted` too: the two are merged when read).
    added: BTreeSet<Id>,
}

/// An id added to a [`KnownIds`], ordered as its sorted text orders ids: byte order, eight bytes
/// a step ([`sorted::cmp_ids`]). Why not `String`'s own order: inside wasm it is a call of
/// compiler-builtins' `memcmp`, a byte at a time, and a read adds each task's id to a set that
/// holds those of the read so far (its inserts were 1.3% of the instructions of a task page).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Id(String);

impl Ord for Id {
    fn cmp(&self, other: &Id) -> std::cmp::Ordering {
        sorted::cmp_ids(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Id) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl KnownIds {
    /// Adds an id (ignored if it is empty or holds whitespace: it could not be stored).
    pub fn insert(&mut self, id: &str) {
        if !id.is_empty() && !id.contains(char::is_whitespace) {
            self.added.insert(Id(id.to_owned()));
        }
    }

    /// Whether the set holds `id`.
    pub fn contains(&self, id: &str) -> bool {
        self.added.contains(&Id(id.to_owned())) || sorted::holds(&self.sorted, id)
    }

    /// The ids, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        sorted::union(
            sorted::ids(&self.sorted),
            self.added.iter().map(|id| id.0.as_str()),
        )
    }

    /// The ids of `self` that `other` lacks, in order.
    pub fn missing_from<'a>(&'a self, other: &'a KnownIds) -> impl Iterator<Item = &'a str> + 'a {
        let mut theirs = other.iter().peekable();
        self.iter().filter(move |id| {
            while theirs.next_if(|t| t < id).is_some() {}
            theirs.peek() != Some(id)
        })
    }

    /// Adds every id of `other`.
    pub fn extend(&mut self, other: &KnownIds) {
        let capacity = self.sorted.len() + other.sorted.len() + 10 * self.added.len();
        let text = sorted::join(sorted::union(self.iter(), other.iter()), capacity);
        *self = KnownIds::from_sorted(text);
    }

    /// How many ids (counted: no call of a read needs it).
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// The sorted text of the set, as it is serialized: the ids in order, separated by single
    /// spaces.
    pub fn text(&self) -> Cow<'_, str> {
        if self.added.is_empty() {
            return Cow::Borrowed(&self.sorted);
        }
        Cow::Owned(sorted::merge(
            &self.sorted,
            self.added.iter().map(|id| id.0.as_str()),
        ))
    }

    /// Merges the ids added since into the sorted text, as [`KnownIds::text`] writes it. A read
    /// that keeps adding to one set settles it after each call's page: the next call's text is
    /// then a copy of the sorted text with only that call's ids searched into it, where the
    /// ids added over the whole read were otherwise merged again, id by id, on every call.
    pub fn settle(&mut self) {
        if !self.added.is_empty() {
            self.sorted = self.text().into_owned();
            self.added.clear();
        }
    }

    /// The set of a text already in the sorted form.
    fn from_sorted(sorted: String) -> KnownIds {
        KnownIds {
            sorted,
            added: BTreeSet::new(),
        }
    }
}

impl PartialEq for KnownIds {
    fn eq(&self, other: &KnownIds) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for KnownIds {}

impl Serialize for KnownIds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

impl<'de> Deserialize<'de> for KnownIds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if !sorted::single_spaced(&text) {
            return Err(serde::de::Error::custom(
                "task ids must be separated by single spaces",
            ));
        }
        if sorted::is_sorted(&text) {
            return Ok(KnownIds::from_sorted(text));
        }
        // Out of order (written by hand, say): sorted once here.
        let ids: BTreeSet<&str> = sorted::ids(&text).collect();
        Ok(KnownIds::from_sorted(sorted::join(
            ids.into_iter(),
            text.len(),
        )))
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
        for pair in ids.iter() {
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
