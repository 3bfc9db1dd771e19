//! Keeping one record per primary key in a JSON-lines file.
//!
//! Incremental syncs append what changed, so a record updated between two runs would otherwise be
//! in the file twice. At the end of each stream the folder sink rewrites its file keeping, for
//! each primary key, only the last record written (where it stands in the file); records that
//! lack the key are all kept. A tombstone (`_ab_cdc_deleted_at` set: the source deleted the row)
//! removes its key's record and is not kept itself. Each line is parsed once. The rewrite goes to a temporary file that is synced and renamed over
//! the old one: a crash leaves one or the other whole. Memory: one entry per distinct key, and a flag per line.

use anyhow::Context;
use serde_json::Value;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

/// What a rewrite did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Deduped {
    /// Records kept.
    pub kept: u64,
    /// Older copies of a record removed.
    pub removed: u64,
}

/// Rewrites `path` keeping the last record per primary key (`key`: the key's field paths, as
/// `discover` gives them). An empty key keeps everything and leaves the file alone.
pub fn dedupe_file(path: &Path, key: &[Vec<String>]) -> anyhow::Result<Deduped> {
    if key.is_empty() || !path.is_file() {
        return Ok(Deduped::default());
    }
    let read = || -> anyhow::Result<BufReader<File>> {
        Ok(BufReader::new(File::open(path).with_context(|| {
            format!("cannot read {}", path.display())
        })?))
    };
    // One parse per line: `keep[n]` is cleared when a later line has the same key.
    let mut last: HashMap<String, usize> = HashMap::new();
    let mut keep: Vec<bool> = Vec::new();
    for line in read()?.lines() {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        let mut kept = true;
        if let Some((k, tombstone)) = key_of(&line, key) {
            if let Some(earlier) = last.insert(k, keep.len()) {
                keep[earlier] = false;
            }
            kept = !tombstone;
        }
        keep.push(kept);
    }
    if keep.iter().all(|&k| k) {
        return Ok(Deduped {
            kept: keep.len() as u64,
            removed: 0,
        });
    }
    let tmp = path.with_extension("jsonl.dedupe");
    let mut out = BufWriter::new(
        File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?,
    );
    let mut done = Deduped::default();
    for (n, line) in read()?.lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        if keep.get(n).copied().unwrap_or(true) {
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
            done.kept += 1;
        } else {
            done.removed += 1;
        }
    }
    let file = out
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", tmp.display(), e.error()))?;
    file.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(done)
}

/// The record's primary key as JSON text, or `None` when a part of it is missing or null (or the
/// line is not a JSON object); and whether the record is a tombstone (`_ab_cdc_deleted_at` set).
fn key_of(line: &str, key: &[Vec<String>]) -> Option<(String, bool)> {
    key_in(&members(line, key)?, key)
}

/// [`key_of`] of a parsed record.
fn key_in(record: &Value, key: &[Vec<String>]) -> Option<(String, bool)> {
    let tombstone = record
        .get("_ab_cdc_deleted_at")
        .is_some_and(|v| !v.is_null());
    let parts: Option<Vec<&Value>> = key
        .iter()
        .map(|path| {
            path.iter()
                .try_fold(record, |v, field| v.get(field))
                .filter(|v| !v.is_null())
        })
        .collect();
    Some((serde_json::to_string(&parts?).ok()?, tombstone))
}

/// The line parsed as far as the key needs: an object of only the members the key's paths start
/// with and `_ab_cdc_deleted_at`. The other members (most of a task record) are skipped without
/// building them: parsing every line whole was a third of a full sync's CPU.
fn members(line: &str, key: &[Vec<String>]) -> Option<Value> {
    if key.iter().any(Vec::is_empty) {
        // A key that is the whole record.
        return serde_json::from_str(line).ok();
    }
    let mut wanted: Vec<&str> = key
        .iter()
        .filter_map(|p| p.first())
        .map(String::as_str)
        .collect();
    wanted.push("_ab_cdc_deleted_at");
    let mut de = serde_json::Deserializer::from_str(line);
    let record = serde::de::DeserializeSeed::deserialize(Wanted(&wanted), &mut de).ok()?;
    de.end().ok()?;
    Some(record)
}

/// Deserializes a JSON object keeping the members named (the last of a repeated key, as a
/// `Value` keeps it).
struct Wanted<'w>(&'w [&'w str]);

impl<'de> serde::de::DeserializeSeed<'de> for Wanted<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Wanted<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut kept = serde_json::Map::new();
        while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if self.0.contains(&name.as_ref()) {
                kept.insert(name.into_owned(), map.next_value()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(Value::Object(kept))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, lines: &[&str]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("dedupe-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("s.jsonl");
        std::fs::write(&p, lines.join("\n") + "\n").unwrap();
        p
    }

    #[test]
    fn keeps_the_last_copy_of_each_key_where_it_stands() {
        let p = file(
            "last",
            &[
                r#"{"id":"1","v":1}"#,
                r#"{"id":"2","v":1}"#,
                r#"{"v":"no key"}"#,
                r#"{"id":"1","v":2}"#,
            ],
        );
        let done = dedupe_file(&p, &[vec!["id".into()]]).unwrap();
        assert_eq!(
            done,
            Deduped {
                kept: 3,
                removed: 1
            }
        );
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "{\"id\":\"2\",\"v\":1}\n{\"v\":\"no key\"}\n{\"id\":\"1\",\"v\":2}\n"
        );
    }

    #[test]
    fn a_tombstone_removes_its_key_and_a_later_copy_brings_it_back() {
        let p = file(
            "tombstone",
            &[
                r#"{"task_id":"1","field_id":"a","v":1,"_ab_cdc_deleted_at":null}"#,
                r#"{"task_id":"1","field_id":"b","v":1,"_ab_cdc_deleted_at":null}"#,
                r#"{"task_id":"1","field_id":"a","_ab_cdc_deleted_at":"2026-01-01T00:00:00.000Z"}"#,
                r#"{"task_id":"1","field_id":"b","_ab_cdc_deleted_at":"2026-01-01T00:00:00.000Z"}"#,
                r#"{"task_id":"1","field_id":"b","v":2,"_ab_cdc_deleted_at":null}"#,
            ],
        );
        let key = [vec!["task_id".into()], vec!["field_id".into()]];
        assert_eq!(dedupe_file(&p, &key).unwrap().kept, 1);
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "{\"task_id\":\"1\",\"field_id\":\"b\",\"v\":2,\"_ab_cdc_deleted_at\":null}\n"
        );
    }

    #[test]
    fn the_key_is_read_as_from_the_whole_record() {
        let key = [vec!["task_id".into()], vec!["field".into(), "id".into()]];
        for line in [
            r#"{"big":{"a":[1,2,{"b":"c"}]},"task_id":"1","field":{"id":2,"x":[]},"_ab_cdc_deleted_at":null}"#,
            r#"{"task_id":"1","task_id":"2","field":{"id":"a"},"_ab_cdc_deleted_at":"2026-01-01T00:00:00.000Z"}"#,
            r#"{"task_id":"1","field":{"other":1}}"#,
            r#"{"task_id":null,"field":{"id":1}}"#,
            r#"["task_id"]"#,
            r#"{"task_id":"1","field":{"id":1}} trailing"#,
            r#"{"task_id":"1","field":{"id":1},"cut":"#,
        ] {
            let whole = serde_json::from_str::<Value>(line)
                .ok()
                .and_then(|record| key_in(&record, &key));
            assert_eq!(key_of(line, &key), whole, "{line}");
        }
    }

    #[test]
    fn a_composite_key_needs_every_part_to_match() {
        let p = file(
            "composite",
            &[
                r#"{"task_id":"1","field_id":"a","x":1}"#,
                r#"{"task_id":"1","field_id":"b","x":1}"#,
                r#"{"task_id":"1","field_id":"a","x":2}"#,
            ],
        );
        let key = [vec!["task_id".into()], vec!["field_id".into()]];
        assert_eq!(dedupe_file(&p, &key).unwrap().removed, 1);
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "{\"task_id\":\"1\",\"field_id\":\"b\",\"x\":1}\n{\"task_id\":\"1\",\"field_id\":\"a\",\"x\":2}\n"
        );
    }
}
