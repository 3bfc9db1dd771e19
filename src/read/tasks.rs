//! The task pages.
//!
//! Where the tasks stream makes its requests: here, `GET /team/{id}/task` page by page for each
//! Workspace (archived and not), and `GET /list/{id}/task` page by page for each list the team
//! endpoint leaves out. Those lists are found by the walk down the hierarchy (`hierarchy.rs`),
//! which [`first_steps`] schedules after the team pages.
//!
//! Each page asks for the tasks updated since the Workspace's watermark (less the configured
//! overlap), raises the watermark of the next sync, and stops the sync when ClickUp answers the
//! same page twice. Each page's task ids are kept for the sweep for deletions (`deletes.rs`).

use super::{deletes, hierarchy, Walk};
use crate::cursor::{Cursor, Step};
use crate::endpoint::segment;
use crate::error::ConnectorError;
use crate::fetch::{expect_array, Fetched, Fetcher, Request};
use crate::pagination::{is_last_page, repeats_previous, PAGE_SIZE};
use crate::streams::task_children::scanned::Spans;
use crate::streams::{task_pages, tasks};
use crate::transport::Transport;

/// Task records as the one pass wrote them, each with where its child rows' members are.
#[derive(Debug, Default)]
pub(super) struct Written {
    /// The records' JSON text.
    pub(super) texts: Vec<String>,
    /// For each of [`Written::texts`], in order: where the members its child rows read are
    /// (none for a record of the tree path).
    pub(super) spans: Vec<Option<Spans>>,
}

/// The first steps of the tasks stream in a Workspace: the team task pages, then the hierarchy
/// walk that finds the lists they leave out.
pub(super) fn first_steps(walk: &Walk<'_>, ws: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = walk
        .partitions()
        .iter()
        .map(|&a| Step::TeamTasks {
            ws: ws.to_owned(),
            archived: a,
            page: 0,
            prev_first: None,
        })
        .collect();
    steps.extend(hierarchy::first_steps(walk, ws));
    steps.push(Step::SweepEnd { ws: ws.to_owned() });
    steps
}

/// The first task pages of a list the team endpoint leaves out.
pub(super) fn list_steps(walk: &Walk<'_>, ws: &str, list: &str) -> Vec<Step> {
    walk.partitions()
        .iter()
        .map(|&a| Step::ListTasks {
            ws: ws.to_owned(),
            list: list.to_owned(),
            archived: a,
            page: 0,
            prev_first: None,
        })
        .collect()
}

/// A task-page step: the page, then the step of the next page when one follows. The records
/// go into `out` as JSON text, written in one pass from the page's bytes
/// ([`task_pages::read`]).
pub(super) fn page<T: Transport>(
    walk: &Walk<'_>,
    step: Step,
    cursor: &mut Cursor,
    f: &mut Fetcher<'_, T>,
    out: &mut Written,
) -> Result<(), ConnectorError> {
    let Some(at) = TaskPage::of(&step) else {
        return Ok(());
    };
    if let Some(first) = read(walk, &at, cursor, f, out)? {
        cursor.stack.push(step.next_page(first));
    }
    Ok(())
}

/// The GET of a task-page step; `None` for other steps.
pub(super) fn request(walk: &Walk<'_>, step: &Step) -> Option<Request> {
    TaskPage::of(step).map(|at| at.request(walk))
}

/// The GETs of the `depth` pages after a task-page step's, sent ahead of knowing whether they
/// exist (a page past the end comes back empty, and counts as a request spent). Empty for
/// other steps.
pub(super) fn pages_after(walk: &Walk<'_>, step: &Step, depth: u32) -> Vec<Request> {
    let mut out = Vec::new();
    let mut next = step.clone();
    for _ in 0..depth {
        next = next.next_page(None);
        match request(walk, &next) {
            Some(r) => out.push(r),
            None => break,
        }
    }
    out
}

/// The page a task partition goes on with after the answers a call holds, known before they are
/// parsed: for a task-page step whose answer came with the batch, the page after the last of its
/// partition's pages that came, when that page's answer ends with `"last_page":false` (the flag
/// ClickUp writes last; the parse still decides what the cursor does). `None` otherwise.
pub(super) fn next_unanswered<T: Transport>(
    walk: &Walk<'_>,
    step: &Step,
    f: &Fetcher<'_, T>,
) -> Option<Step> {
    TaskPage::of(step)?;
    let mut last = step.clone();
    let mut body = f.answered_body(&request(walk, &last)?)?;
    loop {
        let next = last.clone().next_page(None);
        match f.answered_body(&request(walk, &next)?) {
            Some(b) => (last, body) = (next, b),
            None => break,
        }
    }
    says_more_pages(body).then(|| last.next_page(None))
}

/// Whether a task page's body says another page follows, at one of its ends (ClickUp writes
/// `last_page` after `tasks`; a writer that sorts keys, before). Inside the tasks the flag cannot
/// stand at either end.
fn says_more_pages(body: &[u8]) -> bool {
    const FLAG: &[u8] = b"\"last_page\":false";
    let head = body.get(..64).unwrap_or(body);
    let tail = body.get(body.len().saturating_sub(64)..).unwrap_or(body);
    [head, tail]
        .iter()
        .any(|end| end.windows(FLAG.len()).any(|w| w == FLAG))
}

/// How far ahead of a task page its partition's next pages are sent, at most `width - 1`.
///
/// - Slow start: as many pages as were read before this one (a partition that proved long is
///   likely longer), so a partition of one page costs nothing ahead, and one that ends after
///   `n` pages wastes fewer than `n`.
/// - A live partition whose size this instance knows from the lists' `task_count` (seen by a
///   hierarchy walk; the team endpoint's holds what the Workspace's live lists count, a list
///   endpoint's what that list counts): never past the page that count ends on (a page past
///   the end is a request spent on nothing), and, when the read asks for every task (no
///   `date_updated_gt`: no watermark and no `start_date`), all the way there at once. A filter
///   only removes tasks, so the count still bounds a filtered read, which starts slow. One page
///   at a time past the count, should it have been short.
pub(super) fn depth_ahead<T: Transport>(
    walk: &Walk<'_>,
    step: &Step,
    width: u32,
    f: &Fetcher<'_, T>,
) -> u32 {
    let most = width.saturating_sub(1);
    let (ws, page, counted) = match step {
        Step::TeamTasks {
            ws, archived, page, ..
        } => (ws, *page, if *archived { None } else { f.live_tasks(ws) }),
        Step::ListTasks {
            ws,
            list,
            archived,
            page,
            ..
        } => (ws, *page, if *archived { None } else { f.list_tasks(list) }),
        _ => return 0,
    };
    let slow = page.min(most);
    let Some(tasks) = counted else {
        return slow;
    };
    let pages = tasks.div_ceil(PAGE_SIZE as u64).max(1);
    match pages.checked_sub(u64::from(page) + 1) {
        Some(left) => {
            let left = left.min(u64::from(most)) as u32;
            if asked_since(walk, ws).is_some() {
                left.min(slow)
            } else {
                left
            }
        }
        None => most.min(1),
    }
}

/// One page of a task endpoint.
struct TaskPage<'s> {
    /// `/team/{ws}/task` or `/list/{list}/task`.
    path: String,
    ws: &'s str,
    /// The partition asked for (`archived=`).
    archived: bool,
    page: u32,
    /// The first task id of the page before, to catch a server that ignores `page`.
    prev_first: Option<&'s str>,
}

impl<'s> TaskPage<'s> {
    /// The page a task step asks for; `None` for other steps.
    fn of(step: &'s Step) -> Option<Self> {
        match step {
            Step::TeamTasks {
                ws,
                archived,
                page,
                prev_first,
            } => Some(TaskPage {
                path: format!("/team/{}/task", segment(ws)),
                ws,
                archived: *archived,
                page: *page,
                prev_first: prev_first.as_deref(),
            }),
            Step::ListTasks {
                ws,
                list,
                archived,
                page,
                prev_first,
            } => Some(TaskPage {
                path: format!("/list/{}/task", segment(list)),
                ws,
                archived: *archived,
                page: *page,
                prev_first: prev_first.as_deref(),
            }),
            _ => None,
        }
    }

    /// The GET of this page.
    fn request(&self, walk: &Walk<'_>) -> Request {
        let mut query = tasks::base_query(self.page, self.archived);
        if let Some(since) = asked_since(walk, self.ws) {
            query.push(("date_updated_gt", since.to_string()));
        }
        Request {
            path: self.path.clone(),
            query,
        }
    }
}

/// The watermark rule: tasks updated after the Workspace's watermark less the overlap (never
/// before the configured start), or after the configured start on a first sync.
fn updated_since(walk: &Walk<'_>, ws: &str) -> Option<i64> {
    let overlap = i64::from(walk.config.incremental_overlap_seconds) * 1000;
    match (walk.state.watermark(ws), walk.config.tasks_start_ms) {
        (Some(w), start) => Some((w - overlap).max(start.unwrap_or(0))),
        (None, start) => start,
    }
}

/// The `date_updated_gt` a page asks for: [`updated_since`], except in a sweep for deletions,
/// which reads every task (see `deletes.rs`).
fn asked_since(walk: &Walk<'_>, ws: &str) -> Option<i64> {
    updated_since(walk, ws).filter(|_| !deletes::sweeping(walk, ws))
}

/// One page of tasks. Returns `Some(first id)` when another page follows.
fn read<T: Transport>(
    walk: &Walk<'_>,
    at: &TaskPage<'_>,
    cursor: &mut Cursor,
    f: &mut Fetcher<'_, T>,
    out: &mut Written,
) -> Result<Option<Option<String>>, ConnectorError> {
    let Request { path, query } = at.request(walk);
    let Fetched::Body(page) = f.get_with(&path, &query, |body| task_pages::read(body, at.ws))?
    else {
        return Ok(None);
    };
    if let Some(body) = &page.without_tasks {
        expect_array(body, "tasks", &at.path)?;
    }
    let count = page.tasks.len();
    refuse_a_repeated_page(at, page.first_id.as_deref())?;
    // A sweep reads every task but emits only those the incremental read would have (a
    // backfill emits them all).
    let emit_after =
        updated_since(walk, at.ws).filter(|_| deletes::sweeping(walk, at.ws) && !walk.backfill);
    for task in page.tasks {
        // Each partition keeps its own kind, whether ClickUp's `archived=true` means "only" or
        // "also" archived tasks: no task is emitted twice.
        if task.archived != at.archived {
            continue;
        }
        if let Some(id) = &task.id {
            cursor.seen.entry(at.ws.to_owned()).or_default().insert(id);
        }
        if emit_after.is_some_and(|after| task.date_updated_ms.is_some_and(|u| u <= after)) {
            continue;
        }
        if let Some(updated) = task.date_updated_ms {
            // The next sync starts from the newest change seen, but never past the moment this
            // read began: a task edited during the read, behind its page, is read next time.
            cursor.raise_watermark(at.ws, updated.min(cursor.started_ms));
        }
        out.texts.push(task.record?);
        out.spans.push(task.spans);
    }
    Ok((!is_last_page(count, page.last_page)).then_some(page.first_id))
}

/// The repeated-page guard: a page that starts with the same task as the page before means
/// ClickUp ignored the page number, and the sync stops instead of looping.
fn refuse_a_repeated_page(at: &TaskPage<'_>, first: Option<&str>) -> Result<(), ConnectorError> {
    if repeats_previous(at.page, first, at.prev_first) {
        return Err(ConnectorError::Protocol(format!(
            "GET {} page {} repeats page {}: ClickUp ignored the page number. The sync stopped \
             instead of looping.",
            at.path,
            at.page,
            at.page - 1
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::error::ConnectorError;
    use crate::fetch::tests::{ok, Script};
    use crate::fetch::Session;
    use crate::read::read_page;
    use crate::read::tests::{read_all, CONFIG};
    use crate::state::StreamState;
    use serde_json::{json, Value};

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
    fn a_page_that_says_more_follow_is_seen_at_either_end_of_its_body() {
        let big = "x".repeat(200);
        for (body, more) in [
            (
                format!(r#"{{"last_page":false,"tasks":[{{"name":"{big}"}}]}}"#),
                true,
            ),
            (
                format!(r#"{{"tasks":[{{"name":"{big}"}}],"last_page":false}}"#),
                true,
            ),
            (
                format!(r#"{{"tasks":[{{"name":"{big}"}}],"last_page":true}}"#),
                false,
            ),
            (format!(r#"{{"tasks":[{{"name":"{big}"}}]}}"#), false),
            // In the middle it is a task's text, not the page's flag.
            (
                format!(r#"{{"tasks":[{{"name":"{big}"last_page":false{big}"}}]}}"#),
                false,
            ),
        ] {
            assert_eq!(super::says_more_pages(body.as_bytes()), more, "{body}");
        }
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
        // Swept at the watermark: the next sweep is not due (it would read unfiltered).
        let swept = crate::state::Sweep {
            at_ms: 1_000_000,
            ids: Default::default(),
        };
        prior.sweeps.insert("1".to_owned(), swept);
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
    fn pages_ahead_stop_where_the_lists_task_count_ends_and_start_slow_without_it() {
        use super::depth_ahead;
        use crate::config::Config;
        use crate::cursor::Step;
        use crate::fetch::Fetcher;
        use crate::read::Walk;
        use crate::streams::Stream;
        let team = |page, archived| Step::TeamTasks {
            ws: "1".into(),
            archived,
            page,
            prev_first: None,
        };
        let list = |page| Step::ListTasks {
            ws: "1".into(),
            list: "L9".into(),
            archived: false,
            page,
            prev_first: None,
        };
        let config = Config::parse(CONFIG).unwrap();
        let fresh = StreamState::empty("tasks");
        let walk = Walk {
            stream: Stream::Tasks,
            config: &config,
            state: &fresh,
            started_ms: 0,
            backfill: false,
        };
        let (mut t, mut s) = (Script::default(), Session::default());
        let mut f = Fetcher::new(&mut t, &mut s, &config);
        let d = |step: &Step, width, f: &Fetcher<'_, Script>| depth_ahead(&walk, step, width, f);
        assert_eq!(d(&team(0, false), 8, &f), 0, "nothing counted yet");
        assert_eq!(d(&team(3, false), 8, &f), 3, "slow start");
        assert_eq!(d(&team(30, false), 8, &f), 7);
        // 11 pages (0..=10) of live tasks, in two live lists; an archived list of 250.
        f.note_list("1", "L1", true, 1_000);
        f.note_list("1", "L2", true, 50);
        f.note_list("1", "L9", false, 250);
        f.note_list("2", "L3", true, 9_999);
        assert_eq!(d(&team(0, false), 8, &f), 7);
        assert_eq!(d(&team(6, false), 8, &f), 4);
        assert_eq!(d(&team(10, false), 8, &f), 0, "the last page");
        assert_eq!(d(&team(11, false), 8, &f), 1, "the count was short");
        assert_eq!(d(&team(0, false), 1, &f), 0, "serial");
        assert_eq!(d(&team(3, true), 8, &f), 3, "archived: slow start");
        assert_eq!(d(&list(0), 8, &f), 2, "250 tasks: pages 0..=2");
        assert_eq!(d(&list(2), 8, &f), 0);
        // An incremental read asks for the changed tasks only: slow start, within the count.
        let mut prior = StreamState::empty("tasks");
        prior.advance("1", 1_000_000);
        // Swept an hour ago: not due (a sweep would ask for every task, unfiltered).
        let swept = crate::state::Sweep {
            at_ms: 0,
            ids: Default::default(),
        };
        prior.sweeps.insert("1".to_owned(), swept);
        let walk = Walk {
            stream: Stream::Tasks,
            config: &config,
            state: &prior,
            started_ms: 3_600_000,
            backfill: false,
        };
        let d = |step: &Step, f: &Fetcher<'_, Script>| depth_ahead(&walk, step, 8, f);
        assert_eq!(
            d(&team(0, false), &f),
            0,
            "a changed page costs nothing ahead"
        );
        assert_eq!(d(&team(3, false), &f), 3);
        assert_eq!(d(&team(8, false), &f), 2, "never past the count");
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
}
