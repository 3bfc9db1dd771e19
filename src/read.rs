//! Reading a stream page by page: the walk from `GET /team` down to the records.
//!
//! [`read_page`] is the whole `read-page` verb. It validates the config, the state and the cursor,
//! then pops steps off the cursor (see [`crate::cursor`]) until it has sent one request or has
//! records to return, and hands back the records, the rest of the cursor, and, when the stream is
//! complete, its new state. Which steps a stream needs:
//!
//! | stream | walk |
//! |---|---|
//! | workspaces, members | `/team` |
//! | spaces | `/team` → spaces (archived and not) |
//! | folders | … → folders of each space (archived and not) |
//! | lists | … → lists of each folder, and folderless lists of each space (archived and not) |
//! | tasks | `/team/{id}/task` pages (archived and not), plus `/list/{id}/task` pages of every list the team endpoint leaves out (archived, or in an archived folder or space) |
//! | goals | `/team/{id}/goal`, then `/goal/{id}` for each goal's targets |
//! | time_entries | `/team/{id}/time_entries` per date window, for every member |
//!
//! Hierarchy answers are cached in the instance's [`Session`], so a full sync of all streams asks
//! for each of them once.

use crate::config::Config;
use crate::cursor::{Cursor, Step};
use crate::error::ConnectorError;
use crate::fetch::{Fetched, Fetcher, Session, Stats};
use crate::pagination::{is_last_page, repeats_previous};
use crate::state::StreamState;
use crate::streams::{
    array_at, folders, goals, id_of, lists, members, spaces, tasks, time_entries, workspaces,
    Stream,
};
use crate::transport::Transport;
use serde_json::Value;

/// One page of a stream (mirrors the WIT `page`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// Records, each a JSON object as text.
    pub records: Vec<String>,
    /// The stream's new state, when it changed (only when the stream completes).
    pub state: Option<String>,
    /// Where the next page starts; `None` when the stream is complete.
    pub cursor: Option<String>,
    /// Warnings for the user (skipped resources).
    pub warnings: Vec<String>,
    /// What this call did.
    pub stats: Stats,
}

/// The `read-page` verb.
pub fn read_page<T: Transport>(
    transport: &mut T,
    session: &mut Session,
    config_json: &str,
    stream_name: &str,
    state: Option<&str>,
    cursor: Option<&str>,
) -> Result<Page, ConnectorError> {
    let config = Config::parse(config_json)?;
    let stream = Stream::from_name(stream_name)?;
    let state = if stream.is_incremental() {
        StreamState::parse(state, stream.name())?
    } else {
        StreamState::empty(stream.name())
    };
    let mut cursor = match cursor {
        Some(text) => Cursor::parse(text, stream.name())?,
        None => Cursor::start(stream.name(), transport.now_ms()),
    };
    let mut fetcher = Fetcher::new(transport, session, &config);
    let walk = Walk {
        stream,
        config: &config,
        state: &state,
    };
    let mut records = Vec::new();
    while let Some(step) = cursor.stack.pop() {
        let sent = fetcher.stats.requests;
        walk.run(step, &mut cursor, &mut fetcher, &mut records)?;
        if !records.is_empty() || fetcher.stats.requests > sent {
            break;
        }
    }
    let complete = cursor.stack.is_empty();
    let new_state = (complete && stream.is_incremental()).then(|| {
        let mut next = state.clone();
        for (ws, ms) in &cursor.next_watermarks {
            next.advance(ws, *ms);
        }
        next.to_json()
    });
    let records = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap_or_default())
        .collect();
    Ok(Page {
        records,
        state: new_state,
        cursor: (!complete).then(|| cursor.to_json()),
        warnings: fetcher.warnings,
        stats: fetcher.stats,
    })
}

/// The `check` verb: the config is valid and the token reads at least one wanted Workspace.
pub fn check<T: Transport>(
    transport: &mut T,
    session: &mut Session,
    config_json: &str,
) -> Result<(), ConnectorError> {
    let config = Config::parse(config_json)?;
    let mut fetcher = Fetcher::new(transport, session, &config);
    let body = match fetcher.get("/team", &[])? {
        Fetched::Body(body) => body,
        Fetched::Skipped => return Err(ConnectorError::Forbidden(fetcher.warnings.join(" "))),
    };
    let teams = workspaces::teams(&body);
    if teams.is_empty() {
        return Err(ConnectorError::Forbidden(
            "the token is valid but sees no Workspace. Use a token of a user who belongs to the \
             Workspace you want to sync."
                .to_owned(),
        ));
    }
    let wanted = teams
        .iter()
        .filter_map(id_of)
        .filter(|id| config.wants_workspace(id))
        .count();
    if wanted == 0 {
        return Err(ConnectorError::Config(format!(
            "workspace_ids lists none of the {} Workspace(s) this token sees.",
            teams.len()
        )));
    }
    Ok(())
}

/// What a stream's read needs to run its steps.
struct Walk<'a> {
    stream: Stream,
    config: &'a Config,
    state: &'a StreamState,
}

impl Walk<'_> {
    /// The `archived` values to ask for: both, unless the config leaves archived items out.
    fn partitions(&self) -> &'static [bool] {
        if self.config.include_archived {
            &[false, true]
        } else {
            &[false]
        }
    }

    fn run<T: Transport>(
        &self,
        step: Step,
        cursor: &mut Cursor,
        f: &mut Fetcher<'_, T>,
        out: &mut Vec<Value>,
    ) -> Result<(), ConnectorError> {
        let partitions = self.partitions();
        match step {
            Step::Teams => self.teams(cursor, f, out),
            Step::Spaces { ws, archived } => {
                let Fetched::Body(body) = f.get_cached(
                    &format!("/team/{ws}/space"),
                    &[("archived", archived.to_string())],
                )?
                else {
                    return Ok(());
                };
                let mut next = Vec::new();
                for space in array_at(&body, "spaces") {
                    let Some(sid) = id_of(space) else { continue };
                    let in_archived = archived || flag(space, "archived");
                    match self.stream {
                        Stream::Spaces => out.push(spaces::record(space, &ws)?),
                        Stream::Folders | Stream::Lists | Stream::Tasks => {
                            for &a in partitions {
                                next.push(Step::Folders {
                                    ws: ws.clone(),
                                    space: sid.clone(),
                                    archived: a,
                                    in_archived,
                                });
                            }
                            if self.stream != Stream::Folders {
                                for &a in partitions {
                                    next.push(Step::FolderlessLists {
                                        ws: ws.clone(),
                                        space: sid.clone(),
                                        archived: a,
                                        in_archived,
                                    });
                                }
                            }
                        }
                        _ => {}
                    }
                }
                cursor.push_in_order(next);
                Ok(())
            }
            Step::Folders {
                ws,
                space,
                archived,
                in_archived,
            } => {
                let Fetched::Body(body) = f.get_cached(
                    &format!("/space/{space}/folder"),
                    &[("archived", archived.to_string())],
                )?
                else {
                    return Ok(());
                };
                let mut next = Vec::new();
                for folder in array_at(&body, "folders") {
                    let Some(fid) = id_of(folder) else { continue };
                    if self.stream == Stream::Folders {
                        out.push(folders::record(folder, &ws, &space)?);
                        continue;
                    }
                    let in_archived = in_archived || archived || flag(folder, "archived");
                    for &a in partitions {
                        next.push(Step::FolderLists {
                            ws: ws.clone(),
                            space: space.clone(),
                            folder: fid.clone(),
                            archived: a,
                            in_archived,
                        });
                    }
                }
                cursor.push_in_order(next);
                Ok(())
            }
            Step::FolderLists {
                ws,
                space,
                folder,
                archived,
                in_archived,
            } => {
                let path = format!("/folder/{folder}/list");
                self.lists(
                    &path,
                    &ws,
                    &space,
                    Some(&folder),
                    archived,
                    in_archived,
                    cursor,
                    f,
                    out,
                )
            }
            Step::FolderlessLists {
                ws,
                space,
                archived,
                in_archived,
            } => {
                let path = format!("/space/{space}/list");
                self.lists(
                    &path,
                    &ws,
                    &space,
                    None,
                    archived,
                    in_archived,
                    cursor,
                    f,
                    out,
                )
            }
            step @ (Step::TeamTasks { .. } | Step::ListTasks { .. }) => {
                self.tasks(step, cursor, f, out)
            }
            Step::Goals { ws } => {
                let query = [("include_completed", "true".to_owned())];
                let Fetched::Body(body) = f.get(&format!("/team/{ws}/goal"), &query)? else {
                    return Ok(());
                };
                let steps = goals::ids(&body)
                    .into_iter()
                    .map(|goal| Step::Goal {
                        ws: ws.clone(),
                        goal,
                    })
                    .collect();
                cursor.push_in_order(steps);
                Ok(())
            }
            Step::Goal { ws, goal } => {
                if let Fetched::Body(body) = f.get(&format!("/goal/{goal}"), &[])? {
                    out.push(goals::record(&body, &ws)?);
                }
                Ok(())
            }
            Step::TimeEntries {
                ws,
                from,
                to,
                assignees,
            } => {
                let mut query = vec![
                    ("start_date", from.to_string()),
                    ("end_date", to.to_string()),
                ];
                if !assignees.is_empty() {
                    query.push(("assignee", assignees));
                }
                if let Fetched::Body(body) = f.get(&format!("/team/{ws}/time_entries"), &query)? {
                    for entry in array_at(&body, "data") {
                        out.push(time_entries::record(entry, &ws)?);
                    }
                }
                Ok(())
            }
        }
    }

    /// `GET /team`: Workspace and member records, and the first steps of every other stream.
    fn teams<T: Transport>(
        &self,
        cursor: &mut Cursor,
        f: &mut Fetcher<'_, T>,
        out: &mut Vec<Value>,
    ) -> Result<(), ConnectorError> {
        let Fetched::Body(body) = f.get_cached("/team", &[])? else {
            return Ok(());
        };
        let teams = workspaces::teams(&body);
        if let Some(wanted) = &self.config.workspace_ids {
            for id in wanted {
                if !teams.iter().any(|t| id_of(t).as_ref() == Some(id)) {
                    f.warnings.push(format!(
                        "Workspace {id} (from workspace_ids) is not among the Workspaces this token \
                         sees; it was skipped."
                    ));
                }
            }
        }
        let partitions = self.partitions();
        let mut next = Vec::new();
        for team in teams {
            let Some(ws) = id_of(team) else { continue };
            if !self.config.wants_workspace(&ws) {
                continue;
            }
            match self.stream {
                Stream::Workspaces => out.push(workspaces::record(team)?),
                Stream::Members => out.extend(members::records(team, &ws)),
                Stream::Spaces | Stream::Folders | Stream::Lists => {
                    next.extend(partitions.iter().map(|&a| Step::Spaces {
                        ws: ws.clone(),
                        archived: a,
                    }));
                }
                Stream::Tasks => {
                    next.extend(partitions.iter().map(|&a| Step::TeamTasks {
                        ws: ws.clone(),
                        archived: a,
                        page: 0,
                        prev_first: None,
                    }));
                    next.extend(partitions.iter().map(|&a| Step::Spaces {
                        ws: ws.clone(),
                        archived: a,
                    }));
                }
                Stream::Goals => next.push(Step::Goals { ws: ws.clone() }),
                Stream::TimeEntries => {
                    let start = match self.state.watermark(&ws) {
                        Some(w) => {
                            let lookback =
                                i64::from(self.config.time_entries_lookback_days) * 86_400_000;
                            (w - lookback).max(self.config.time_entries_start_ms)
                        }
                        None => self.config.time_entries_start_ms,
                    };
                    let ids = members::ids(team);
                    let chunks: Vec<String> = if ids.is_empty() {
                        vec![String::new()]
                    } else {
                        ids.chunks(time_entries::ASSIGNEES_PER_REQUEST)
                            .map(|c| c.join(","))
                            .collect()
                    };
                    let windows = time_entries::windows(
                        start,
                        cursor.started_ms,
                        self.config.time_entries_window_days,
                    );
                    for (from, to) in windows {
                        for assignees in &chunks {
                            next.push(Step::TimeEntries {
                                ws: ws.clone(),
                                from,
                                to,
                                assignees: assignees.clone(),
                            });
                        }
                    }
                    cursor.raise_watermark(&ws, cursor.started_ms);
                }
            }
        }
        cursor.push_in_order(next);
        Ok(())
    }

    /// A list answer: list records, or the task steps of lists the team endpoint leaves out.
    #[allow(clippy::too_many_arguments)]
    fn lists<T: Transport>(
        &self,
        path: &str,
        ws: &str,
        space: &str,
        folder: Option<&str>,
        archived: bool,
        in_archived: bool,
        cursor: &mut Cursor,
        f: &mut Fetcher<'_, T>,
        out: &mut Vec<Value>,
    ) -> Result<(), ConnectorError> {
        let Fetched::Body(body) = f.get_cached(path, &[("archived", archived.to_string())])? else {
            return Ok(());
        };
        let partitions = self.partitions();
        let mut next = Vec::new();
        for list in array_at(&body, "lists") {
            let Some(lid) = id_of(list) else { continue };
            match self.stream {
                Stream::Lists => out.push(lists::record(list, ws, space, folder)?),
                Stream::Tasks if in_archived || archived || lists::is_archived(list) => {
                    next.extend(partitions.iter().map(|&a| Step::ListTasks {
                        ws: ws.to_owned(),
                        list: lid.clone(),
                        archived: a,
                        page: 0,
                        prev_first: None,
                    }));
                }
                _ => {}
            }
        }
        cursor.push_in_order(next);
        Ok(())
    }

    /// A task-page step: the page, then the step of the next page when one follows.
    fn tasks<T: Transport>(
        &self,
        step: Step,
        cursor: &mut Cursor,
        f: &mut Fetcher<'_, T>,
        out: &mut Vec<Value>,
    ) -> Result<(), ConnectorError> {
        let (path, ws, archived, page, prev_first) = match &step {
            Step::TeamTasks {
                ws,
                archived,
                page,
                prev_first,
            } => (
                format!("/team/{ws}/task"),
                ws,
                *archived,
                *page,
                prev_first.as_deref(),
            ),
            Step::ListTasks {
                ws,
                list,
                archived,
                page,
                prev_first,
                ..
            } => (
                format!("/list/{list}/task"),
                ws,
                *archived,
                *page,
                prev_first.as_deref(),
            ),
            _ => return Ok(()),
        };
        let ws = ws.clone();
        let next = self.task_page(&path, &ws, archived, page, prev_first, cursor, f, out)?;
        if let Some(first) = next {
            cursor.stack.push(step.next_page(first));
        }
        Ok(())
    }

    /// One page of tasks. Returns `Some(first id)` when another page follows.
    #[allow(clippy::too_many_arguments)]
    fn task_page<T: Transport>(
        &self,
        path: &str,
        ws: &str,
        archived: bool,
        page: u32,
        prev_first: Option<&str>,
        cursor: &mut Cursor,
        f: &mut Fetcher<'_, T>,
        out: &mut Vec<Value>,
    ) -> Result<Option<Option<String>>, ConnectorError> {
        let mut query = tasks::base_query(page, archived);
        let overlap = i64::from(self.config.incremental_overlap_seconds) * 1000;
        let since = match (self.state.watermark(ws), self.config.tasks_start_ms) {
            (Some(w), start) => Some((w - overlap).max(start.unwrap_or(0))),
            (None, start) => start,
        };
        if let Some(since) = since {
            query.push(("date_updated_gt", since.to_string()));
        }
        let Fetched::Body(mut body) = f.get(path, &query)? else {
            return Ok(None);
        };
        let (page_tasks, last_page) = tasks::take_page(&mut body);
        let count = page_tasks.len();
        let first = page_tasks.first().and_then(id_of);
        if repeats_previous(page, first.as_deref(), prev_first) {
            return Err(ConnectorError::Protocol(format!(
                "GET {path} page {page} repeats page {}: ClickUp ignored the page number. The sync \
                 stopped instead of looping.",
                page - 1
            )));
        }
        for task in page_tasks {
            // Each partition keeps its own kind, whether ClickUp's `archived=true` means "only" or
            // "also" archived tasks: no task is emitted twice.
            if tasks::is_archived(&task) != archived {
                continue;
            }
            if let Some(updated) = tasks::date_updated_ms(&task) {
                // The next sync starts from the newest change seen, but never past the moment this
                // read began: a task edited during the read, behind its page, is read next time.
                cursor.raise_watermark(ws, updated.min(cursor.started_ms));
            }
            out.push(tasks::record(task, ws)?);
        }
        Ok((!is_last_page(count, last_page)).then_some(first))
    }
}

fn flag(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::tests::{ok, status, Script};
    use serde_json::json;

    const CONFIG: &str = r#"{"api_token":"pk_1_T","base_url":"http://sim/api/v2"}"#;

    fn read_all(
        script: &mut Script,
        stream: &str,
        state: Option<&str>,
    ) -> (Vec<Value>, Option<String>, Vec<String>) {
        let mut session = Session::default();
        let mut cursor: Option<String> = None;
        let mut records = Vec::new();
        let mut warnings = Vec::new();
        let mut last_state = None;
        for _ in 0..1000 {
            let page = read_page(
                script,
                &mut session,
                CONFIG,
                stream,
                state,
                cursor.as_deref(),
            )
            .unwrap();
            records.extend(
                page.records
                    .iter()
                    .map(|r| serde_json::from_str::<Value>(r).unwrap()),
            );
            warnings.extend(page.warnings);
            if page.state.is_some() {
                last_state = page.state;
            }
            cursor = page.cursor;
            if cursor.is_none() {
                return (records, last_state, warnings);
            }
        }
        panic!("the stream never completed");
    }

    fn tasks_page(ids: std::ops::Range<u32>, last: Option<bool>) -> String {
        let tasks: Vec<Value> = ids
            .map(|i| json!({"id": format!("t{i}"), "date_updated": format!("{}", 1000 + i), "list": {"id": "L"}}))
            .collect();
        let mut body = json!({ "tasks": tasks });
        if let Some(l) = last {
            body["last_page"] = json!(l);
        }
        body.to_string()
    }

    #[test]
    fn tasks_read_every_page_until_a_short_page_and_then_the_state_moves() {
        let team = r#"{"teams":[{"id":"1","members":[]}]}"#;
        let mut script = Script {
            answers: [
                ok(team),
                ok(&tasks_page(0..100, None)),
                ok(&tasks_page(100..200, Some(false))),
                ok(&tasks_page(200..250, None)),
                ok(r#"{"tasks":[],"last_page":true}"#), // archived partition
                ok(r#"{"spaces":[]}"#),
                ok(r#"{"spaces":[]}"#),
            ]
            .into(),
            now: 10_000_000,
            ..Default::default()
        };
        let (records, state, _) = read_all(&mut script, "tasks", None);
        assert_eq!(records.len(), 250);
        assert!(
            script.urls[1].contains("include_closed=true")
                && script.urls[1].contains("subtasks=true")
        );
        assert!(script.urls[3].contains("page=2"));
        let state = StreamState::parse(state.as_deref(), "tasks").unwrap();
        assert_eq!(state.watermark("1"), Some(1249));
    }

    #[test]
    fn incremental_tasks_ask_from_the_watermark_minus_the_overlap() {
        let mut prior = StreamState::empty("tasks");
        prior.advance("1", 1_000_000);
        let mut script = Script {
            answers: [
                ok(r#"{"teams":[{"id":"1"}]}"#),
                ok(r#"{"tasks":[],"last_page":true}"#),
                ok(r#"{"tasks":[],"last_page":true}"#),
                ok(r#"{"spaces":[]}"#),
                ok(r#"{"spaces":[]}"#),
            ]
            .into(),
            now: 2_000_000,
            ..Default::default()
        };
        let (records, state, _) = read_all(&mut script, "tasks", Some(&prior.to_json()));
        assert!(records.is_empty());
        assert!(
            script.urls[1].contains("date_updated_gt=700000"),
            "{}",
            script.urls[1]
        );
        // Nothing changed: the watermark stays.
        assert_eq!(
            StreamState::parse(state.as_deref(), "tasks").unwrap(),
            prior
        );
    }

    #[test]
    fn a_server_that_ignores_page_is_caught() {
        let mut script = Script {
            answers: [
                ok(r#"{"teams":[{"id":"1"}]}"#),
                ok(&tasks_page(0..100, None)),
                ok(&tasks_page(0..100, None)),
            ]
            .into(),
            ..Default::default()
        };
        let mut session = Session::default();
        let mut cursor = None;
        let mut error = None;
        for _ in 0..5 {
            match read_page(
                &mut script,
                &mut session,
                CONFIG,
                "tasks",
                None,
                cursor.as_deref(),
            ) {
                Ok(p) => cursor = p.cursor,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        assert!(
            matches!(error, Some(ConnectorError::Protocol(m)) if m.contains("ignored the page number"))
        );
    }

    #[test]
    fn a_skipped_space_is_named_and_the_rest_is_read() {
        let mut script = Script {
            answers: [
                ok(r#"{"teams":[{"id":"1"}]}"#),
                ok(r#"{"spaces":[{"id":"s1"},{"id":"s2"}]}"#),
                status(401, r#"{"err":"Team not authorized","ECODE":"OAUTH_027"}"#),
                ok(r#"{"folders":[{"id":"f2"}]}"#), // s1, archived
                ok(r#"{"folders":[{"id":"f3"}]}"#), // s2
                ok(r#"{"folders":[]}"#),            // s2, archived
                ok(r#"{"spaces":[]}"#),             // archived spaces
            ]
            .into(),
            ..Default::default()
        };
        let (records, _, warnings) = read_all(&mut script, "folders", None);
        let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["f2", "f3"]);
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("/space/s1/folder") && w.contains("OAUTH_027")),
            "{warnings:?}"
        );
    }

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

    #[test]
    fn check_reports_auth_and_config_errors() {
        let mut script = Script {
            answers: [status(
                401,
                r#"{"err":"Token invalid","ECODE":"OAUTH_025"}"#,
            )]
            .into(),
            ..Default::default()
        };
        let e = check(&mut script, &mut Session::default(), CONFIG).unwrap_err();
        assert!(matches!(e, ConnectorError::Auth(ref m) if m.contains("Settings > Apps")));
        let mut script = Script::default();
        let e = check(
            &mut script,
            &mut Session::default(),
            r#"{"api_token":"oops"}"#,
        )
        .unwrap_err();
        assert!(matches!(e, ConnectorError::Config(_)));
        assert!(script.urls.is_empty(), "a malformed token must not be sent");
        let mut script = Script {
            answers: [ok(r#"{"teams":[]}"#)].into(),
            ..Default::default()
        };
        assert!(matches!(
            check(&mut script, &mut Session::default(), CONFIG),
            Err(ConnectorError::Forbidden(_))
        ));
    }

    #[test]
    fn a_bad_state_is_refused_before_any_request() {
        let mut script = Script::default();
        let e = read_page(
            &mut script,
            &mut Session::default(),
            CONFIG,
            "tasks",
            Some("{oops"),
            None,
        )
        .unwrap_err();
        assert!(matches!(e, ConnectorError::InvalidState(_)));
        assert!(script.urls.is_empty());
    }
}
