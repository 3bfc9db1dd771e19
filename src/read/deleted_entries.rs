//! Deleted time entries: those of the last sync's look-back that do not come back.
//!
//! An incremental `time_entries` read reads again the `time_entries_lookback_days` before the
//! last read's end. The state keeps the entries of that stretch (id and start, see
//! [`crate::known_ids::KnownEntries`]); an entry among them that starts inside this read's
//! windows and is not in its answers was deleted in ClickUp, and gives a tombstone record
//! `{id, workspace_id, _ab_cdc_deleted_at}` ([`crate::cursor::Step::EntriesEnd`], after the Workspace's
//! windows). No request: the windows are read anyway. An entry whose start was moved to before
//! the look-back looks deleted too (its new version is out of the windows); a full refresh of
//! `time_entries` brings it back.

use super::Walk;
use crate::cursor::Cursor;
use crate::state::StreamState;
use crate::timestamp::{format_ms, read_ms};
use serde_json::{json, Value};

/// Where the next sync's look-back will start: the entries from here on are kept.
fn next_lookback(walk: &Walk<'_>) -> i64 {
    walk.started_ms - i64::from(walk.config.time_entries_lookback_days) * 86_400_000
}

/// Notes an entry this read emitted, when a look-back window reads it again (this read's, in
/// an incremental read, or the next one's).
pub(super) fn note(walk: &Walk<'_>, ws: &str, entry: &Value, cursor: &mut Cursor) {
    let (Some(id), Some(start)) = (
        crate::streams::id_of(entry),
        entry.get("start").and_then(read_ms),
    ) else {
        return;
    };
    if walk.state.watermark(ws).is_some() || start >= next_lookback(walk) {
        cursor
            .recent
            .entry(ws.to_owned())
            .or_default()
            .insert(&id, start);
    }
}

/// The tombstones of the entries the last sync kept that started in this read's windows
/// (`from` on) and did not come back.
pub(super) fn entries_end(
    walk: &Walk<'_>,
    ws: &str,
    from: i64,
    cursor: &mut Cursor,
    out: &mut Vec<Value>,
) {
    let Some(kept) = walk.state.recent.get(ws) else {
        return;
    };
    let seen = cursor.recent.entry(ws.to_owned()).or_default();
    let at = format_ms(walk.started_ms).unwrap_or_default();
    for (id, start) in &kept.0 {
        if *start >= from && *start <= walk.started_ms && !seen.0.contains_key(id) {
            out.push(json!({"id": id, "workspace_id": ws, "_ab_cdc_deleted_at": at}));
        }
    }
}

/// The entries a completed read leaves in the state: those the next look-back reads again.
pub(super) fn next_recent(walk: &Walk<'_>, cursor: &Cursor, next: &mut StreamState) {
    let cut = next_lookback(walk);
    next.recent.clear();
    for (ws, seen) in &cursor.recent {
        let mut kept = seen.clone();
        kept.0.retain(|_, start| *start >= cut);
        next.recent.insert(ws.clone(), kept);
    }
}
