//! Deleted tasks: a periodic sweep of every task, compared with the ids the last sweep saw.
//!
//! ClickUp has no "deleted since" filter and no listing of deleted tasks; a deleted task simply
//! leaves every listing, and `GET /task/{id}` answers 404 (`ITEM_013`). So:
//!
//! - Every `tasks` read keeps the ids of the tasks it reads ([`Cursor::seen`]); the state keeps,
//!   per Workspace, the ids of the last sweep plus those read since ([`crate::state::Sweep`]).
//! - A full read is a sweep. An incremental read is one when the last sweep is
//!   `deletes_sweep_interval_hours` old (0: always): its task pages are asked for unfiltered
//!   (the requests of a full read of tasks), and it emits only the tasks the incremental read
//!   would have (updated since the watermark, less the overlap).
//! - At the end of a sweep's Workspace ([`Step::SweepEnd`]), each id the last sweep had and this
//!   one did not see is checked with `GET /task/{id}` ([`Step::TaskGone`]): a 404 is a deleted
//!   task and gives a tombstone record, `{id, workspace_id, _ab_cdc_deleted_at}`; an answer is a
//!   task that was only moved out of reach (into a space the token cannot read, or archived when
//!   `include_archived` is false), and stays known. Moved, archived and closed tasks are
//!   therefore never reported deleted.

use super::Walk;
use crate::cursor::{Cursor, Step};
use crate::endpoint::segment;
use crate::error::ConnectorError;
use crate::fetch::{Fetched, Fetcher, Request};
use crate::known_ids::KnownIds;
use crate::state::{StreamState, Sweep};
use crate::streams::Stream;
use crate::timestamp::format_ms;
use crate::transport::Transport;
use serde_json::{json, Value};

/// Whether this read sweeps `ws` for deletions: an incremental read whose Workspace's last
/// sweep is due (or unknown), or that backfills a child stream (it reads every task anyway). A
/// full read reads every task too, but has no sweep to compare with.
pub(super) fn sweeping(walk: &Walk<'_>, ws: &str) -> bool {
    if walk.stream != Stream::Tasks || walk.state.watermark(ws).is_none() {
        return false;
    }
    if walk.backfill {
        return true;
    }
    let interval = i64::from(walk.config.deletes_sweep_interval_hours) * 3_600_000;
    walk.state
        .sweeps
        .get(ws)
        .is_none_or(|last| walk.started_ms - last.at_ms >= interval)
}

/// The GET of a task check; `None` for other steps.
pub(super) fn request(step: &Step) -> Option<Request> {
    match step {
        Step::TaskGone { id, .. } => Some(Request {
            path: format!("/task/{}", segment(id)),
            query: Vec::new(),
        }),
        _ => None,
    }
}

/// The end of a Workspace's task pages: the checks of the ids that went missing, when sweeping.
pub(super) fn sweep_end(walk: &Walk<'_>, ws: &str, cursor: &mut Cursor) {
    // A Workspace with no task still leaves its (empty) sweep in the state.
    let seen = cursor.seen.entry(ws.to_owned()).or_default();
    let Some(last) = walk.state.sweeps.get(ws).filter(|_| sweeping(walk, ws)) else {
        return;
    };
    let checks: Vec<Step> = last
        .ids
        .missing_from(seen)
        .map(|id| Step::TaskGone {
            ws: ws.to_owned(),
            id: id.to_owned(),
        })
        .collect();
    cursor.push_in_order(checks);
}

/// `GET /task/{id}` of a task that went missing: a tombstone when it is deleted (404), else the
/// task stays known.
pub(super) fn task_gone<T: Transport>(
    ws: &str,
    id: &str,
    cursor: &mut Cursor,
    f: &mut Fetcher<'_, T>,
    out: &mut Vec<Value>,
) -> Result<(), ConnectorError> {
    let warned = f.warnings.len();
    let path = format!("/task/{}", segment(id));
    let deleted = matches!(f.get(&path, &[])?, Fetched::Skipped) && f.last_status == Some(404);
    if deleted {
        // The 404 is the answer looked for, not a resource skipped.
        f.warnings.truncate(warned);
        let at = format_ms(f.now_ms()).unwrap_or_default();
        out.push(json!({"id": id, "workspace_id": ws, "_ab_cdc_deleted_at": at}));
    } else {
        cursor.seen.entry(ws.to_owned()).or_default().insert(id);
    }
    Ok(())
}

/// The sweeps a completed `tasks` read leaves in the state: a sweep's (or a full read's) ids
/// replace the last sweep's; an incremental read that did not sweep adds the ids it read.
pub(super) fn next_sweeps(walk: &Walk<'_>, cursor: &Cursor, next: &mut StreamState) {
    for (ws, seen) in &cursor.seen {
        let full = walk.state.watermark(ws).is_none();
        match next.sweeps.get_mut(ws) {
            Some(last) if !full && !sweeping(walk, ws) => last.ids.extend(seen),
            _ => {
                let ids: KnownIds = seen.clone();
                next.sweeps.insert(
                    ws.clone(),
                    Sweep {
                        at_ms: walk.started_ms,
                        ids,
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fetch::tests::{ok, status, Script};
    use crate::known_ids::KnownIds;
    use crate::read::tests::read_all;
    use crate::state::{StreamState, Sweep};
    use serde_json::Value;

    fn swept(ids: &[&str], at_ms: i64) -> StreamState {
        let mut state = StreamState::empty("tasks");
        state.advance("1", 1_000_000);
        let mut known = KnownIds::default();
        ids.iter().for_each(|id| known.insert(id));
        state.sweeps.insert("1".into(), Sweep { at_ms, ids: known });
        state
    }

    fn page(tasks: &[(&str, i64)]) -> String {
        let tasks: Vec<Value> = tasks
            .iter()
            .map(|(id, updated)| serde_json::json!({"id": id, "date_updated": updated.to_string()}))
            .collect();
        serde_json::json!({"tasks": tasks, "last_page": true}).to_string()
    }

    #[test]
    fn a_due_sweep_reads_unfiltered_checks_the_missing_ids_and_tombstones_only_a_404() {
        let day = 86_400_000;
        let prior = swept(&["t1", "t2", "t3"], 0);
        let mut script = Script {
            answers: [
                ok(r#"{"teams":[{"id":"1"}]}"#),
                ok(&page(&[("t1", 1_000), ("t4", 900_000)])),
                ok(&page(&[])), // archived partition
                ok(r#"{"spaces":[]}"#),
                ok(r#"{"spaces":[]}"#),
                status(
                    404,
                    r#"{"err":"Task not found, deleted","ECODE":"ITEM_013"}"#,
                ),
                ok(r#"{"id":"t3"}"#), // moved out of reach: not deleted
            ]
            .into(),
            now: 2 * day,
            ..Default::default()
        };
        let (records, state, warnings) = read_all(&mut script, "tasks", Some(&prior.to_json()));
        assert!(
            !script.urls[1].contains("date_updated_gt"),
            "{}",
            script.urls[1]
        );
        assert!(script.urls[5].ends_with("/task/t2") && script.urls[6].ends_with("/task/t3"));
        // t1 is older than the watermark: a sweep emits only what the incremental read would.
        let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["t4", "t2"]);
        assert_eq!(records[1]["_ab_cdc_deleted_at"], "1970-01-03T00:00:00.000Z");
        assert!(warnings.is_empty(), "{warnings:?}");
        let next = StreamState::parse(state.as_deref(), "tasks").unwrap();
        let known: Vec<&str> = next.sweeps["1"].ids.iter().collect();
        assert_eq!(known, ["t1", "t3", "t4"]);
        assert_eq!(next.sweeps["1"].at_ms, 2 * day);
    }

    #[test]
    fn a_sweep_not_due_reads_the_changes_only_and_remembers_their_ids() {
        let prior = swept(&["t1"], 1_000_000);
        let mut script = Script {
            answers: [
                ok(r#"{"teams":[{"id":"1"}]}"#),
                ok(&page(&[("t9", 900_000)])),
                ok(&page(&[])),
                ok(r#"{"spaces":[]}"#),
                ok(r#"{"spaces":[]}"#),
            ]
            .into(),
            now: 2_000_000,
            ..Default::default()
        };
        let (records, state, _) = read_all(&mut script, "tasks", Some(&prior.to_json()));
        assert!(
            script.urls[1].contains("date_updated_gt"),
            "{}",
            script.urls[1]
        );
        assert_eq!(records.len(), 1);
        assert_eq!(
            script.urls.len(),
            5,
            "no task was checked: {:?}",
            script.urls
        );
        let next = StreamState::parse(state.as_deref(), "tasks").unwrap();
        let known: Vec<&str> = next.sweeps["1"].ids.iter().collect();
        assert_eq!(known, ["t1", "t9"]);
        assert_eq!(
            next.sweeps["1"].at_ms, 1_000_000,
            "the last sweep's time stays"
        );
    }
}
