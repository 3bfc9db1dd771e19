//! The keys of each task's rows in the child streams a task body lists in full, kept between
//! syncs so that a row that leaves a task (an assignee removed, a tag dropped, a link undone)
//! becomes a tombstone.
//!
//! A task body says what it has, never what it no longer has. Custom fields are the exception
//! (a re-read task lists every field that applies, with or without a value). For the other
//! body-derived streams, the last keys must be remembered. They travel like the sweep ids (see
//! [`crate::known_ids`]): in the `tasks` state between syncs ([`ChildKeys`], one per child stream),
//! and in the cursor during a read ([`PendingKeys`], the entries this read made).
//!
//! Form: one string of entries `task_id:key,key,…` separated by single spaces. A key's `%`,
//! `,`, `:`, space, quote, backslash and control characters are written `%XX`, so the JSON
//! string needs no escapes and parses at copying speed. In the state the entries are sorted by
//! task id, one per task with at least one row, and looked up by binary search: nothing is
//! built per task on a call. Size: the task id, a colon and the keys, about 20 bytes per
//! assignee, tag, dependency or link and 47 per checklist item (its id is a UUID).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// Per task, the keys of its rows in one child stream, as the last read left them (sorted by
/// task id, for the state).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildKeys {
    text: String,
    /// The byte offset of each entry in `text`.
    starts: Vec<usize>,
}

/// The entries a read has made so far, in the order it made them (a task read twice keeps its
/// later entry), for the cursor. An entry with no key says the task has no row any more.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingKeys(String);

impl ChildKeys {
    /// The keys of `task_id`'s rows, or `None` when the last read left it none.
    pub fn keys_of(&self, task_id: &str) -> Option<Vec<String>> {
        let at = self
            .starts
            .binary_search_by(|&start| entry_at(&self.text, start).0.cmp(task_id))
            .ok()?;
        let (_, keys) = entry_at(&self.text, self.starts[at]);
        Some(split_keys(keys).map(decode).collect())
    }

    /// How many tasks have an entry.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether no task has one.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// These keys with `pending`'s entries in place of theirs (an entry with no key removes the
    /// task's).
    pub fn merged(&self, pending: &PendingKeys) -> ChildKeys {
        let mut all: BTreeMap<&str, &str> = self
            .starts
            .iter()
            .map(|&s| entry_at(&self.text, s))
            .collect();
        for (task, keys) in entries(&pending.0) {
            all.insert(task, keys);
        }
        let mut out = ChildKeys::default();
        for (task, keys) in all.into_iter().filter(|(_, k)| !k.is_empty()) {
            if !out.text.is_empty() {
                out.text.push(' ');
            }
            out.starts.push(out.text.len());
            out.text.push_str(task);
            out.text.push(':');
            out.text.push_str(keys);
        }
        out
    }
}

impl PendingKeys {
    /// The entries as they are serialized. No byte of it needs an escape in a JSON string: a
    /// quote, a backslash and every control character are written `%XX` in keys (`encode`),
    /// a task id holding one is left out ([`PendingKeys::push`]), and a text read from a cursor
    /// holding one is refused (`check`).
    pub fn text(&self) -> &str {
        &self.0
    }

    /// Records the keys of `task_id`'s rows as this read found them. A task id that could not
    /// be stored (empty, or holding a character keys would have to escape) is left out.
    pub fn push(&mut self, task_id: &str, keys: &[String]) {
        if task_id.is_empty() || task_id.bytes().any(must_encode) {
            return;
        }
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        self.0.push_str(task_id);
        self.0.push(':');
        for (n, key) in keys.iter().enumerate() {
            if n > 0 {
                self.0.push(',');
            }
            encode(key, &mut self.0);
        }
    }
}

/// The task id and the encoded keys of the entry that starts at `start`.
fn entry_at(text: &str, start: usize) -> (&str, &str) {
    let rest = &text[start..];
    let entry = rest.split(' ').next().unwrap_or_default();
    entry.split_once(':').unwrap_or((entry, ""))
}

/// Every entry of a well-formed text.
fn entries(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split(' ')
        .filter(|e| !e.is_empty())
        .map(|e| e.split_once(':').unwrap_or((e, "")))
}

fn split_keys(keys: &str) -> impl Iterator<Item = &str> {
    keys.split(',').filter(|k| !k.is_empty())
}

fn must_encode(b: u8) -> bool {
    MUST_ENCODE[usize::from(b)]
}

fn encode(key: &str, out: &mut String) {
    for c in key.chars() {
        match u8::try_from(c).ok().filter(|&b| must_encode(b)) {
            Some(b) => out.push_str(&format!("%{b:02X}")),
            None => out.push(c),
        }
    }
}

fn decode(key: &str) -> String {
    decode_checked(key).unwrap_or_default()
}

/// The key an encoded key stands for; `None` when its `%XX` escapes are broken.
fn decode_checked(key: &str) -> Option<String> {
    let mut out = Vec::with_capacity(key.len());
    decode_into(key, &mut out)?;
    String::from_utf8(out).ok()
}

/// Appends the bytes an encoded key stands for to `out`; `None` when an escape is broken.
fn decode_into(key: &str, out: &mut Vec<u8>) -> Option<()> {
    let bytes = key.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = key.get(at + 1..at + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    Some(())
}

/// Whether an encoded key's escapes are whole and stand for UTF-8 (`scratch`: a buffer to decode
/// into, kept between keys). A key without `%` is a piece of UTF-8 text cut at ASCII bytes, so it
/// needs no decoding.
fn decodes(key: &str, scratch: &mut Vec<u8>) -> bool {
    if !key.contains('%') {
        return true;
    }
    scratch.clear();
    decode_into(key, scratch).is_some() && std::str::from_utf8(scratch).is_ok()
}

/// The bytes a key writes as `%XX`: `%`, `,`, `:`, space, quote, backslash and control
/// characters, as a table ([`check`] looks up every byte of every cursor it is passed).
static MUST_ENCODE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] =
            matches!(b as u8, b'%' | b',' | b':' | b' ' | b'"' | b'\\') || b < 0x20 || b == 0x7f;
        b += 1;
    }
    table
};

/// Checks a text's entries (every task id non-empty, every key's escapes whole); with `sorted`,
/// also that task ids strictly ascend. Returns each entry's start.
///
/// It runs on every cursor a read is passed, and a read's cursor holds an entry per task read so
/// far: one pass over the bytes, nothing allocated per entry or key.
fn check(text: &str, sorted: bool) -> Result<Vec<usize>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let mut starts = Vec::new();
    let mut scratch = Vec::new();
    let mut last: Option<&str> = None;
    let mut at = 0;
    for entry in text.split(' ') {
        // An empty entry: two spaces in a row, or one at an end.
        if entry.is_empty() {
            return Err("entries must be separated by single spaces".to_owned());
        }
        let Some((task, keys)) = entry.split_once(':') else {
            return Err(format!("{entry:?} is not task_id:keys"));
        };
        let unescaped = |b: u8| must_encode(b) && b != b'%' && b != b',';
        if task.is_empty() || task.bytes().any(must_encode) || keys.bytes().any(unescaped) {
            return Err(format!("{entry:?} is not task_id:keys"));
        }
        if keys.contains('%') && split_keys(keys).any(|k| !decodes(k, &mut scratch)) {
            return Err(format!("a key of task {task} has a broken %-escape"));
        }
        if sorted {
            if last.is_some_and(|l| l >= task) {
                return Err(format!("task {task} is out of order"));
            }
            if keys.is_empty() {
                return Err(format!("task {task} has an entry without keys"));
            }
        }
        last = Some(task);
        starts.push(at);
        at += entry.len() + 1;
    }
    Ok(starts)
}

impl Serialize for ChildKeys {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for ChildKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let starts = check(&text, true).map_err(serde::de::Error::custom)?;
        Ok(ChildKeys { text, starts })
    }
}

impl Serialize for PendingKeys {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PendingKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        check(&text, false).map_err(serde::de::Error::custom)?;
        Ok(PendingKeys(text))
    }
}

#[cfg(test)]
mod tests;
