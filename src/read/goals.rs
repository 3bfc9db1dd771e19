//! The goals.
//!
//! Where the goals stream makes its requests: here, `GET /team/{id}/goal?include_completed=true`
//! for each Workspace ([`workspace_goals`]: the goal ids, from the top level and from the goal
//! folders), then `GET /goal/{id}` for each goal ([`goal`]: the record, with its targets).
//!
//! A goal the list names is never dropped: when `GET /goal/{id}` is skipped (403, 404) or its
//! answer cannot be read (a `protocol` error), the goal's record is made from the list's entry,
//! without targets, and a warning names it. A `transient` or `rate-limited` failure still stops
//! the page: the host asks again and the next attempt gets the targets.

use crate::cursor::{Cursor, Step};
use crate::endpoint::segment;
use crate::error::ConnectorError;
use crate::fetch::{expect_array, Fetched, Fetcher, Request};
use crate::streams::goals;
use crate::transport::Transport;
use serde_json::Value;

/// The first steps of the goals stream in a Workspace: its goal list.
pub(super) fn first_steps(ws: &str) -> Vec<Step> {
    vec![Step::Goals { ws: ws.to_owned() }]
}

/// The GET a goals step makes; `None` for other steps.
pub(super) fn request(step: &Step) -> Option<Request> {
    match step {
        Step::Goals { ws } => Some(goals_request(ws)),
        Step::Goal { goal, .. } => Some(Request {
            path: goal_path(goal),
            query: Vec::new(),
        }),
        _ => None,
    }
}

fn goals_request(ws: &str) -> Request {
    Request {
        path: format!("/team/{}/goal", segment(ws)),
        query: vec![("include_completed", "true".to_owned())],
    }
}

fn goal_path(goal: &str) -> String {
    format!("/goal/{}", segment(goal))
}

/// `GET /team/{ws}/goal`: a step for each goal.
pub(super) fn workspace_goals<T: Transport>(
    ws: &str,
    cursor: &mut Cursor,
    f: &mut Fetcher<'_, T>,
) -> Result<(), ConnectorError> {
    let Request { path, query } = goals_request(ws);
    let Fetched::Body(body) = f.get(&path, &query)? else {
        return Ok(());
    };
    expect_array(&body, "goals", &path)?;
    let steps = goals::listed(&body)
        .into_iter()
        .map(|(goal, entry)| Step::Goal {
            ws: ws.to_owned(),
            goal,
            listed: Some(entry.clone()),
        })
        .collect();
    cursor.push_in_order(steps);
    Ok(())
}

/// `GET /goal/{goal}`: the goal's record; the `listed` entry's when the detail fails.
pub(super) fn goal<T: Transport>(
    ws: &str,
    goal: &str,
    listed: Option<Value>,
    f: &mut Fetcher<'_, T>,
    out: &mut Vec<Value>,
) -> Result<(), ConnectorError> {
    let path = goal_path(goal);
    let warned = f.warnings.len();
    let failure = match f.get(&path, &[]) {
        Ok(Fetched::Body(body)) => match goals::record(&body, ws) {
            Ok(record) => {
                out.push(record);
                return Ok(());
            }
            Err(e) => e.to_string(),
        },
        // The fetcher's warning ("skipped /goal/…") becomes part of this one.
        Ok(Fetched::Skipped) => f.warnings.drain(warned..).collect::<Vec<_>>().join(" "),
        Err(e @ ConnectorError::Protocol(_)) => e.to_string(),
        Err(e) => return Err(e),
    };
    let failure = if failure.is_empty() {
        format!("{path}: the token was denied it earlier in this sync")
    } else {
        failure
    };
    let Some(entry) = listed else {
        // A cursor of an earlier build carries no list entry: the goal cannot be kept.
        f.warnings.push(format!(
            "goal {goal} of Workspace {ws} was left out: GET {path} failed ({failure})."
        ));
        return Ok(());
    };
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .map(|n| format!(" ({n:?})"))
        .unwrap_or_default();
    out.push(goals::record(&entry, ws)?);
    f.warnings.push(format!(
        "goal {goal}{name} of Workspace {ws} is kept as GET /team/{ws}/goal listed it, without its \
         targets (key results): GET {path} failed ({failure})."
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::error::ConnectorError;
    use crate::fetch::tests::{ok, status, Script};
    use crate::fetch::Session;
    use crate::read::read_page;
    use crate::read::tests::{read_all, CONFIG};

    #[test]
    fn goals_union_folders_and_fetch_targets() {
        let mut script = Script {
            answers: [
                ok(r#"{"teams":[{"id":"1"}]}"#),
                ok(r#"{"goals":[{"id":"a"}],"folders":[{"goals":[{"id":"b"},{"id":"a"}]}]}"#),
                ok(r#"{"goal":{"id":"a","key_results":[{"id":"k1"}]}}"#),
                ok(r#"{"goal":{"id":"b","key_results":[]}}"#),
            ]
            .into(),
            ..Default::default()
        };
        let (records, _, _) = read_all(&mut script, "goals", None);
        let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert!(script.urls[1].contains("include_completed=true"));
        assert_eq!(records[0]["key_results"][0]["id"], "k1");
    }

    #[test]
    fn a_goal_whose_detail_fails_is_kept_from_the_list_with_a_warning_naming_it() {
        let mut script = Script {
            answers: [
                ok(r#"{"teams":[{"id":"1"}]}"#),
                ok(r#"{"goals":[{"id":"a","name":"Ship"},{"id":"b","name":"Hire"}],"folders":[]}"#),
                status(403, r#"{"err":"Access denied","ECODE":"GOAL_013"}"#),
                ok(r#"{"goal":{"id":"b","name":"Hire","key_results":[{"id":"k"}]}}"#),
            ]
            .into(),
            ..Default::default()
        };
        let (records, _, warnings) = read_all(&mut script, "goals", None);
        let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(records[0]["name"], "Ship");
        assert_eq!(records[0]["workspace_id"], "1");
        assert_eq!(records[1]["key_results"][0]["id"], "k");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("goal a (\"Ship\")") && warnings[0].contains("GOAL_013"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_goal_whose_detail_is_unavailable_stops_the_page_instead_of_losing_its_targets() {
        let mut answers: std::collections::VecDeque<_> = [
            ok(r#"{"teams":[{"id":"1"}]}"#),
            ok(r#"{"goals":[{"id":"a"}]}"#),
        ]
        .into();
        answers.extend((0..10).map(|_| status(503, "")));
        let mut script = Script {
            answers,
            ..Default::default()
        };
        let mut session = Session::default();
        let mut cursor = None;
        let error = loop {
            match read_page(
                &mut script,
                &mut session,
                CONFIG,
                "goals",
                None,
                cursor.as_deref(),
            ) {
                Ok(page) => cursor = page.cursor,
                Err(e) => break e,
            }
        };
        assert!(
            matches!(error, ConnectorError::Transient(ref m) if m.contains("/goal/a")),
            "{error}"
        );
    }
}
