//! The cursor's JSON text, written around its long texts.
//!
//! Why not `serde_json::to_string` alone: serde_json checks every byte of a string for what it
//! must escape, one byte at a time (about 15 instructions a byte inside wasm), and a `tasks`
//! read's cursor carries texts that grow with the read: the ids of every task read so far when
//! it sweeps for deletions (10 bytes a task), and the keys of every task's child rows (about
//! 2 MB after 60,000 tasks). Every call writes the cursor again, so that check made a long read's
//! cost per call grow with its length. Here the ids are written by
//! [`crate::streams::value_text`]'s string writer, which finds the bytes to escape eight bytes a
//! step and copies the runs between them whole (ids have none: one copy); every other part of
//! the cursor is written by serde_json. The child
//! keys are copied with no check: their text never needs an escape (see
//! [`crate::child_keys::PendingKeys::text`]). The result is byte for byte what
//! `serde_json::to_string` writes for the same cursor (a test below holds the two equal).

use super::{Cursor, Step};
use crate::streams::value_text::string;
use serde::Serialize;
use std::collections::BTreeMap;

/// The members of a [`Cursor`] before its maps of long texts, in its order, borrowed.
#[derive(Serialize)]
struct Head<'a> {
    v: u32,
    stream: &'a str,
    stack: &'a [Step],
    started_ms: i64,
    next_watermarks: &'a BTreeMap<String, i64>,
}

/// The cursor's JSON text, as `serde_json::to_string(cursor)` writes it.
pub(super) fn write(cursor: &Cursor) -> Result<String, serde_json::Error> {
    // Every member named, so that a member added to `Cursor` cannot be left out here.
    let Cursor {
        v,
        stream,
        stack,
        started_ms,
        next_watermarks,
        seen,
        recent,
        children,
    } = cursor;
    let head = Head {
        v: *v,
        stream,
        stack,
        started_ms: *started_ms,
        next_watermarks,
    };
    let mut out = serde_json::to_string(&head)?;
    out.pop(); // The head's closing brace: the maps follow.
    let seen_texts: Vec<_> = seen.iter().map(|(ws, ids)| (ws, ids.text())).collect();
    let mut long = 0;
    for (_, text) in &seen_texts {
        long += text.len() + 24;
    }
    for keys in children.values() {
        long += keys.text().len() + 24;
    }
    out.reserve(long + 2);
    map(&mut out, "seen", &seen_texts, |out, text| {
        string(text, out);
        Ok(())
    })?;
    let recent: Vec<_> = recent.iter().collect();
    map(&mut out, "recent", &recent, |out, entries| {
        out.push_str(&serde_json::to_string(entries)?);
        Ok(())
    })?;
    let children: Vec<_> = children.iter().collect();
    map(&mut out, "children", &children, |out, keys| {
        // Copied with no check: the keys' text never needs an escape (see `PendingKeys::text`).
        out.push('"');
        out.push_str(keys.text());
        out.push('"');
        Ok(())
    })?;
    out.push('}');
    Ok(out)
}

/// Appends `,"name":{…}` with each value written by `value`; nothing when `entries` is empty
/// (as the cursor's `skip_serializing_if`).
fn map<K: Serialize, V>(
    out: &mut String,
    name: &str,
    entries: &[(K, V)],
    value: impl Fn(&mut String, &V) -> Result<(), serde_json::Error>,
) -> Result<(), serde_json::Error> {
    if entries.is_empty() {
        return Ok(());
    }
    out.push_str(",\"");
    out.push_str(name);
    out.push_str("\":{");
    for (n, (key, v)) in entries.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(key)?);
        out.push(':');
        value(out, v)?;
    }
    out.push('}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::child_keys::PendingKeys;
    use crate::known_ids::{KnownEntries, KnownIds};
    use proptest::prelude::*;

    /// Ids and keys of every kind: plain, with characters JSON escapes, not ASCII.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9]{1,12}",
            "[a-z\"\\\\\u{1}\u{1f}\u{7f}é€😀]{1,6}",
            Just("86a1b2c3d".to_owned()),
        ]
    }

    fn cursor() -> impl Strategy<Value = Cursor> {
        let ids = proptest::collection::vec((piece(), any::<bool>()), 0..30);
        let seen = proptest::collection::btree_map(piece(), ids, 0..3);
        let recent = proptest::collection::btree_map(
            piece(),
            proptest::collection::vec((piece(), 0..2_000_000_000_000i64), 0..5),
            0..2,
        );
        let children = proptest::collection::btree_map(
            piece(),
            proptest::collection::vec((piece(), proptest::collection::vec(piece(), 0..3)), 0..8),
            0..3,
        );
        let watermarks = proptest::collection::btree_map(piece(), any::<i64>(), 0..3);
        (piece(), seen, recent, children, watermarks, any::<i64>()).prop_map(
            |(stream, seen, recent, children, next_watermarks, started_ms)| {
                let mut cursor = Cursor::start(&stream, started_ms);
                cursor.next_watermarks = next_watermarks;
                cursor.push_in_order(vec![Step::Goals { ws: stream.clone() }]);
                for (ws, ids) in seen {
                    let mut set = KnownIds::default();
                    let mut later = Vec::new();
                    for (id, now) in ids {
                        if now {
                            set.insert(&id);
                        } else {
                            later.push(id);
                        }
                    }
                    // Some ids in the sorted text, some added since (the two are merged when
                    // written).
                    let mut set: KnownIds =
                        serde_json::from_str(&serde_json::to_string(&set).unwrap()).unwrap();
                    for id in later {
                        set.insert(&id);
                    }
                    cursor.seen.insert(ws, set);
                }
                for (ws, entries) in recent {
                    let mut set = KnownEntries::default();
                    for (id, ms) in entries {
                        set.insert(&id, ms);
                    }
                    cursor.recent.insert(ws, set);
                }
                for (stream, tasks) in children {
                    let mut keys = PendingKeys::default();
                    for (task, task_keys) in tasks {
                        keys.push(&task, &task_keys);
                    }
                    cursor.children.insert(stream, keys);
                }
                cursor
            },
        )
    }

    proptest! {
        #[test]
        fn the_text_is_what_serde_json_writes_and_reads_back(cursor in cursor()) {
            let text = write(&cursor).unwrap();
            prop_assert_eq!(&text, &serde_json::to_string(&cursor).unwrap());
            let back: Cursor = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(back, cursor);
        }
    }
}
