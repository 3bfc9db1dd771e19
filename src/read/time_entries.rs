//! The time entries.
//!
//! Where the time_entries stream makes its requests: here, `GET /team/{id}/time_entries` once per
//! date window × chunk of member ids ([`entries`]). [`first_steps`] plans them all when `/team`
//! answers: windows from the look-back start to the moment the read began, for every member.

use super::Walk;
use crate::cursor::{Cursor, Step};
use crate::endpoint::segment;
use crate::error::ConnectorError;
use crate::fetch::{Fetched, Fetcher};
use crate::streams::{array_at, members, time_entries};
use crate::transport::Transport;
use serde_json::Value;

/// The steps of the time_entries stream in a Workspace: every window × every chunk of members.
/// The read's start becomes the Workspace's next watermark.
pub(super) fn first_steps(
    walk: &Walk<'_>,
    ws: &str,
    team: &Value,
    cursor: &mut Cursor,
) -> Vec<Step> {
    let chunks = assignee_chunks(team);
    let windows = time_entries::windows(
        start(walk, ws),
        cursor.started_ms,
        walk.config.time_entries_window_days,
    );
    let mut steps = Vec::new();
    for (from, to) in windows {
        for assignees in &chunks {
            steps.push(Step::TimeEntries {
                ws: ws.to_owned(),
                from,
                to,
                assignees: assignees.clone(),
            });
        }
    }
    cursor.raise_watermark(ws, cursor.started_ms);
    steps
}

/// The look-back start: `time_entries_lookback_days` before the last read's end (never before
/// the configured start), or the configured start on a first sync.
fn start(walk: &Walk<'_>, ws: &str) -> i64 {
    match walk.state.watermark(ws) {
        Some(w) => {
            let lookback = i64::from(walk.config.time_entries_lookback_days) * 86_400_000;
            (w - lookback).max(walk.config.time_entries_start_ms)
        }
        None => walk.config.time_entries_start_ms,
    }
}

/// The `assignee=` values: the Workspace's member ids, comma-separated, a bounded number per
/// request. A team without members gets one request without `assignee=`.
fn assignee_chunks(team: &Value) -> Vec<String> {
    let ids = members::ids(team);
    if ids.is_empty() {
        vec![String::new()]
    } else {
        ids.chunks(time_entries::ASSIGNEES_PER_REQUEST)
            .map(|c| c.join(","))
            .collect()
    }
}

/// `GET /team/{ws}/time_entries`: the entries that started in `[from, to]`, of the users in
/// `assignees` (comma-separated ids; when empty, ClickUp answers with the token owner's only).
pub(super) fn entries<T: Transport>(
    ws: &str,
    from: i64,
    to: i64,
    assignees: String,
    f: &mut Fetcher<'_, T>,
    out: &mut Vec<Value>,
) -> Result<(), ConnectorError> {
    let mut query = vec![
        ("start_date", from.to_string()),
        ("end_date", to.to_string()),
    ];
    if !assignees.is_empty() {
        query.push(("assignee", assignees));
    }
    if let Fetched::Body(body) = f.get(&format!("/team/{}/time_entries", segment(ws)), &query)? {
        for entry in array_at(&body, "data") {
            out.push(time_entries::record(entry, ws)?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::fetch::tests::{ok, Script};
    use crate::read::tests::read_all;
    use crate::state::StreamState;

    #[test]
    fn time_entries_ask_for_every_member_over_the_whole_history() {
        let day = 86_400_000i64;
        let now = crate::config::DEFAULT_START_DATE_MS + 200 * day;
        let mut answers: std::collections::VecDeque<_> = [ok(
            r#"{"teams":[{"id":"1","members":[{"user":{"id":5}},{"user":{"id":6}}]}]}"#,
        )]
        .into();
        for _ in 0..3 {
            answers.push_back(ok(r#"{"data":[{"id":"e","start":"0","duration":"5"}]}"#));
        }
        let mut script = Script {
            answers,
            now,
            ..Default::default()
        };
        let (records, state, _) = read_all(&mut script, "time_entries", None);
        assert_eq!(records.len(), 3);
        assert_eq!(script.urls.len(), 4);
        assert!(
            script.urls[1].contains("assignee=5,6"),
            "{}",
            script.urls[1]
        );
        assert!(script.urls[1].contains(&format!(
            "start_date={}",
            crate::config::DEFAULT_START_DATE_MS
        )));
        assert!(script.urls[3].contains(&format!("end_date={now}")));
        assert_eq!(
            StreamState::parse(state.as_deref(), "time_entries")
                .unwrap()
                .watermark("1"),
            Some(now)
        );
    }
}
