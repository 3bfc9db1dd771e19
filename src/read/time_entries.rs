//! The time entries.
//!
//! Where the time_entries stream makes its requests: here, `GET /team/{id}/time_entries` once per
//! date window × chunk of member ids ([`entries`]). [`first_steps`] plans the first window of
//! each chunk when `/team` answers; each window, once read, plans the next, up to the moment the
//! read began, scaled towards a thousand entries (at most four times as wide after a window that
//! held little, so the years before a Workspace's history began cost a few requests, not one per
//! 90 days; at least half as wide after one that held a lot; see [`time_entries::next_width`]).
//! The chunks' and Workspaces' windows go side by side.

use super::{deleted_entries, Walk};
use crate::cursor::{Cursor, Step};
use crate::endpoint::segment;
use crate::error::ConnectorError;
use crate::fetch::{expect_array, Fetched, Fetcher, Request};
use crate::streams::{members, time_entries};
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
    let from = start(walk, ws);
    let until = cursor.started_ms;
    let width = time_entries::base_width(walk.config.time_entries_window_days);
    let mut steps = Vec::new();
    if from <= until {
        for assignees in &chunks {
            steps.push(Step::TimeEntries {
                ws: ws.to_owned(),
                from,
                to: from.saturating_add(width - 1).min(until),
                assignees: assignees.clone(),
                until: Some(until),
            });
        }
    }
    cursor.raise_watermark(ws, cursor.started_ms);
    steps.push(Step::EntriesEnd { ws: ws.to_owned() });
    steps
}

/// The look-back start: `time_entries_lookback_days` before the last read's end (never before
/// the configured start), or the configured start on a first sync.
pub(super) fn start(walk: &Walk<'_>, ws: &str) -> i64 {
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

/// The GET of a time-entry window step; `None` for other steps.
pub(super) fn request(step: &Step) -> Option<Request> {
    let Step::TimeEntries {
        ws,
        from,
        to,
        assignees,
        ..
    } = step
    else {
        return None;
    };
    Some(window_request(ws, *from, *to, assignees))
}

fn window_request(ws: &str, from: i64, to: i64, assignees: &str) -> Request {
    let mut query = vec![
        ("start_date", from.to_string()),
        ("end_date", to.to_string()),
    ];
    if !assignees.is_empty() {
        query.push(("assignee", assignees.to_owned()));
    }
    Request {
        path: format!("/team/{}/time_entries", segment(ws)),
        query,
    }
}

/// `GET /team/{ws}/time_entries`: the entries that started in `[from, to]`, of the users in
/// `assignees` (comma-separated ids; when empty, ClickUp answers with the token owner's only).
/// Entries the answer holds that started in another window are left to that window (see
/// [`time_entries::starts_in`]): each entry is emitted once per sync.
pub(super) fn entries<T: Transport>(
    walk: &Walk<'_>,
    step: Step,
    cursor: &mut Cursor,
    f: &mut Fetcher<'_, T>,
    out: &mut Vec<Value>,
) -> Result<(), ConnectorError> {
    let Step::TimeEntries {
        ws,
        from,
        to,
        assignees,
        until,
    } = step
    else {
        return Ok(());
    };
    let Request { path, query } = window_request(&ws, from, to, &assignees);
    let mut held = 0;
    if let Fetched::Body(body) = f.get(&path, &query)? {
        let listed = expect_array(&body, "data", &path)?;
        held = listed.len();
        for entry in listed {
            if time_entries::starts_in(entry, from, to) {
                deleted_entries::note(walk, &ws, entry, cursor);
                out.push(time_entries::record(entry, &ws)?);
            }
        }
    }
    if let Some(until) = until.filter(|&u| to < u) {
        let base = time_entries::base_width(walk.config.time_entries_window_days);
        let width = time_entries::next_width(to - from + 1, held, base);
        let next_from = to + 1;
        cursor.stack.push(Step::TimeEntries {
            ws,
            from: next_from,
            to: next_from.saturating_add(width - 1).min(until),
            assignees,
            until: Some(until),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::fetch::tests::{ok, Script};
    use crate::fetch::Session;
    use crate::read::read_page;
    use crate::read::tests::{read_all, CONFIG};
    use crate::state::StreamState;
    use serde_json::Value;

    #[test]
    fn time_entries_ask_for_every_member_over_the_whole_history() {
        let day = 86_400_000i64;
        let now = crate::config::DEFAULT_START_DATE_MS + 200 * day;
        let mut answers: std::collections::VecDeque<_> = [ok(
            r#"{"teams":[{"id":"1","members":[{"user":{"id":5}},{"user":{"id":6}}]}]}"#,
        )]
        .into();
        // The first window (90 days) holds one entry: the next is twice as wide, and reaches
        // the end of the range.
        let entry = |w: i64| {
            let start = crate::config::DEFAULT_START_DATE_MS + w * 90 * day;
            format!(r#"{{"id":"e{w}","start":"{start}","duration":"5"}}"#)
        };
        answers.push_back(ok(&format!(r#"{{"data":[{}]}}"#, entry(0))));
        answers.push_back(ok(&format!(r#"{{"data":[{},{}]}}"#, entry(1), entry(2))));
        let mut script = Script {
            answers,
            now,
            ..Default::default()
        };
        let (records, state, _) = read_all(&mut script, "time_entries", None);
        assert_eq!(records.len(), 3);
        assert_eq!(script.urls.len(), 3, "{:?}", script.urls);
        assert!(
            script.urls[1].contains("assignee=5,6"),
            "{}",
            script.urls[1]
        );
        assert!(script.urls[1].contains(&format!(
            "start_date={}",
            crate::config::DEFAULT_START_DATE_MS
        )));
        assert!(script.urls[2].contains(&format!(
            "start_date={}",
            crate::config::DEFAULT_START_DATE_MS + 90 * day
        )));
        assert!(script.urls[2].contains(&format!("end_date={now}")));
        assert_eq!(
            StreamState::parse(state.as_deref(), "time_entries")
                .unwrap()
                .watermark("1"),
            Some(now)
        );
    }

    /// An entry that starts an hour before the first window ends and runs into the second: a
    /// server that returns what overlaps a window answers it for both.
    #[test]
    fn an_entry_returned_for_two_windows_is_emitted_once_even_when_every_page_resumes() {
        let day = 86_400_000i64;
        let start = crate::config::DEFAULT_START_DATE_MS;
        let now = start + 100 * day;
        let boundary = start + 90 * day; // the second window's first ms
        let long = format!(
            r#"{{"id":"long","start":"{}","end":"{}"}}"#,
            boundary - 3_600_000,
            boundary + 3_600_000
        );
        let answers = [
            ok(r#"{"teams":[{"id":"1","members":[{"user":{"id":5}}]}]}"#),
            ok(&format!(
                r#"{{"data":[{{"id":"a","start":"{start}"}},{long}]}}"#
            )),
            ok(&format!(
                r#"{{"data":[{long},{{"id":"b","start":"{boundary}"}}]}}"#
            )),
        ];
        let mut script = Script {
            answers: answers.into(),
            now,
            ..Default::default()
        };
        // A fresh session for every page: each page is a resume from the checkpoint before it.
        let (mut ids, mut cursor) = (Vec::new(), None);
        loop {
            let page = read_page(
                &mut script,
                &mut Session::default(),
                CONFIG,
                "time_entries",
                None,
                cursor.as_deref(),
            )
            .unwrap();
            for r in &page.records {
                let r: Value = serde_json::from_str(r).unwrap();
                ids.push(r["id"].as_str().unwrap().to_owned());
            }
            cursor = page.cursor;
            if cursor.is_none() {
                break;
            }
        }
        assert_eq!(ids, ["a", "long", "b"]);
        assert_eq!(script.urls.len(), 3, "{:?}", script.urls);
    }
}
