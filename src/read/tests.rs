//! Tests of the verbs themselves, and the helpers the walk's tests share.

mod field_batches;

use super::{check, read_page};
use crate::error::ConnectorError;
use crate::fetch::tests::{ok, status, Script};
use crate::fetch::Session;
use serde_json::Value;

/// A config that reaches the scripted transport.
pub(super) const CONFIG: &str = r#"{"api_token":"pk_1_T","base_url":"http://sim/api/v2"}"#;

/// Reads `stream` to its end, page after page: its records, its last state and its warnings.
pub(super) fn read_all(
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

#[test]
fn ids_in_a_cursor_cannot_steer_the_request_to_another_endpoint() {
    // A cursor from outside (a saved state file, a host) whose ids try to leave the endpoint.
    let cursor = serde_json::json!({
        "v": 1,
        "stream": "tasks",
        "stack": [
            {"step": "list_tasks", "ws": "1", "list": "../../user?x=1#", "archived": false,
             "page": 0, "prev_first": null},
            {"step": "folder_lists", "ws": "1", "space": "2", "folder": "../team", "archived": false,
             "in_archived": false},
        ],
        "started_ms": 1_700_000_000_000_i64,
    })
    .to_string();
    let mut script = Script {
        answers: [
            ok(r#"{"lists":[]}"#),
            ok(r#"{"tasks":[],"last_page":true}"#),
        ]
        .into(),
        ..Default::default()
    };
    let mut session = Session::default();
    let first = read_page(
        &mut script,
        &mut session,
        CONFIG,
        "tasks",
        None,
        Some(&cursor),
    )
    .unwrap();
    read_page(
        &mut script,
        &mut session,
        CONFIG,
        "tasks",
        None,
        first.cursor.as_deref(),
    )
    .unwrap();
    let paths: Vec<&str> = script
        .urls
        .iter()
        .map(|u| {
            u.trim_start_matches("http://sim/api/v2")
                .split('?')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(
        paths,
        [
            "/folder/%2E%2E%2Fteam/list",
            "/list/%2E%2E%2F%2E%2E%2Fuser%3Fx%3D1%23/task"
        ]
    );
    assert!(
        script.urls.iter().all(|u| !u.contains("x=1")),
        "{:?}",
        script.urls
    );
}

/// A transport that answers by URL, says Business Plus's limit on every answer, takes 300 ms
/// per round trip (a batch too: its requests are in flight together), and logs each batch.
struct Routed {
    now: i64,
    batches: Vec<usize>,
    answer: fn(&str) -> String,
    /// Whether requests may be started at the end of a call for the next one to take.
    can_start: bool,
    /// Started requests not taken yet.
    started: Vec<String>,
    /// Batches whose every request was started by the call before: no round trip waited.
    taken_whole: usize,
}

impl Routed {
    fn respond(&self, url: &str) -> crate::transport::HttpResponse {
        crate::transport::HttpResponse {
            status: 200,
            rate_limit: Some(1_000),
            rate_remaining: Some(900),
            rate_reset_s: Some((self.now / 1000 + 60) as u64),
            body: (self.answer)(url).into_bytes(),
        }
    }
}

impl crate::transport::Transport for Routed {
    fn get(
        &mut self,
        url: &str,
        _token: Option<&str>,
    ) -> Result<crate::transport::HttpResponse, crate::transport::TransportError> {
        self.now += 300;
        self.batches.push(1);
        Ok(self.respond(url))
    }
    fn get_many(
        &mut self,
        urls: &[String],
        _token: Option<&str>,
    ) -> Vec<Result<crate::transport::HttpResponse, crate::transport::TransportError>> {
        let all_started = urls.iter().all(|u| self.started.contains(u));
        if all_started {
            self.taken_whole += 1;
        } else {
            self.now += 300;
        }
        self.batches
            .push(urls.iter().filter(|u| !self.started.contains(u)).count());
        self.started.clear();
        urls.iter().map(|u| Ok(self.respond(u))).collect()
    }
    fn start_many(&mut self, urls: &[String], _token: Option<&str>) -> bool {
        if self.can_start {
            self.started.extend(urls.iter().cloned());
            self.batches.push(urls.len());
        }
        self.can_start
    }
    fn now_ms(&self) -> i64 {
        self.now
    }
    fn sleep_ms(&mut self, ms: u64) {
        self.now += ms as i64;
    }
    fn random(&mut self) -> u64 {
        7
    }
}

/// One Workspace whose live partition holds 12 pages of tasks (the last one short).
fn twelve_pages(url: &str) -> String {
    if url.ends_with("/team") {
        return r#"{"teams":[{"id":"1","members":[]}]}"#.to_owned();
    }
    if url.contains("/space?") {
        return r#"{"spaces":[]}"#.to_owned();
    }
    let page: usize = url
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let n = match (url.contains("archived=true"), page) {
        (true, _) | (false, 12..) => 0,
        (false, 11) => 40,
        (false, _) => 100,
    };
    let tasks: Vec<Value> = (0..n)
        .map(|i| serde_json::json!({"id": format!("p{page}t{i}"), "date_updated": "1000", "list": {"id": "L"}}))
        .collect();
    serde_json::json!({ "tasks": tasks }).to_string()
}

fn read_routed(config: &str, can_start: bool) -> (Vec<String>, Routed, usize) {
    read_routed_on(config, can_start, false)
}

/// `one_shot`: a fresh instance (session) per call, as `wasmtime run --invoke` gives.
fn read_routed_on(config: &str, can_start: bool, one_shot: bool) -> (Vec<String>, Routed, usize) {
    let mut t = Routed {
        now: 1_000_000,
        batches: Vec::new(),
        answer: twelve_pages,
        can_start,
        started: Vec::new(),
        taken_whole: 0,
    };
    let mut session = Session::default();
    let (mut cursor, mut records, mut most) = (None, Vec::new(), 0);
    for _ in 0..100 {
        if one_shot {
            session = Session::default();
        }
        let page = read_page(
            &mut t,
            &mut session,
            config,
            "tasks",
            None,
            cursor.as_deref(),
        )
        .unwrap();
        most = most.max(page.records.len());
        records.extend(page.records);
        cursor = page.cursor;
        if cursor.is_none() {
            return (records, t, most);
        }
    }
    panic!("the stream never completed");
}

#[test]
fn side_by_side_task_pages_give_the_serial_records_in_fewer_round_trips_and_little_waste() {
    let serial = r#"{"api_token":"pk_1_T","base_url":"http://sim/api/v2","max_concurrency":1}"#;
    let wide = r#"{"api_token":"pk_1_T","base_url":"http://sim/api/v2","max_concurrency":8}"#;
    let (one, t1, _) = read_routed(serial, false);
    let (many, t8, most) = read_routed(wide, false);
    assert_eq!(one.len(), 1_140);
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(sorted(one), sorted(many), "other records side by side");
    assert!(t1.batches.iter().all(|&n| n == 1), "{:?}", t1.batches);
    let sent = |t: &Routed| t.batches.iter().sum::<usize>();
    // 1,000/min × 300 ms × 1.5: 8 wide once the first answer told the plan.
    assert_eq!(
        t8.batches.iter().copied().max(),
        Some(8),
        "{:?}",
        t8.batches
    );
    assert!(
        t8.batches.len() * 2 < t1.batches.len(),
        "{} round trips side by side, {} serially",
        t8.batches.len(),
        t1.batches.len()
    );
    // Slow start past the end of a 12-page partition: at most width - 1 pages spent.
    assert!(
        sent(&t8) <= sent(&t1) + 7,
        "{} against {}",
        sent(&t8),
        sent(&t1)
    );
    assert!(most <= 8 * 100, "one call returned {most} records");
}

#[test]
fn the_next_calls_batch_is_started_before_a_call_returns_and_taken_by_the_next() {
    let wide = r#"{"api_token":"pk_1_T","base_url":"http://sim/api/v2","max_concurrency":8}"#;
    let (plain, t_plain, _) = read_routed(wide, false);
    let (piped, t_piped, _) = read_routed(wide, true);
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(sorted(plain), sorted(piped), "other records when pipelined");
    assert!(
        t_piped.taken_whole > 0,
        "no batch was started ahead: {:?}",
        t_piped.batches
    );
    let sent = |t: &Routed| t.batches.iter().sum::<usize>();
    assert!(
        t_piped.now < t_plain.now,
        "pipelined {} ms, not {} ms",
        t_piped.now - 1_000_000,
        t_plain.now - 1_000_000
    );
    // At most the last batch started is not taken (the stream ended).
    assert!(
        sent(&t_piped) <= sent(&t_plain) + 8,
        "{} sent against {}: {:?}",
        sent(&t_piped),
        sent(&t_plain),
        t_piped.batches
    );
}

#[test]
fn an_instance_on_its_first_call_starts_nothing_ahead_for_a_next_call_it_may_never_see() {
    let wide = r#"{"api_token":"pk_1_T","base_url":"http://sim/api/v2","max_concurrency":8}"#;
    let (records, t, _) = read_routed_on(wide, true, true);
    assert_eq!(records.len(), 1_140);
    assert_eq!(t.taken_whole, 0);
    assert!(t.started.is_empty(), "started for nobody: {:?}", t.started);
    assert!(t.batches.iter().all(|&n| n == 1), "{:?}", t.batches);
}

/// Twelve pages of tasks, each with a tag and an assignee (rows whose keys the cursor carries).
fn tagged_pages(url: &str) -> String {
    let text = twelve_pages(url);
    let mut page: Value = serde_json::from_str(&text).unwrap();
    if let Some(tasks) = page.get_mut("tasks").and_then(Value::as_array_mut) {
        for (i, task) in tasks.iter_mut().enumerate() {
            task["tags"] = serde_json::json!([{"name": format!("tag {}", i % 3)}]);
            task["assignees"] = serde_json::json!([{"id": i % 5}]);
        }
    }
    page.to_string()
}

/// A serial transport of [`tagged_pages`].
fn tagged() -> Routed {
    Routed {
        now: 1_000_000,
        batches: Vec::new(),
        answer: tagged_pages,
        can_start: false,
        started: Vec::new(),
        taken_whole: 0,
    }
}

/// One `read-page-and-children` call of `tasks`.
fn read_tagged(
    t: &mut Routed,
    session: &mut Session,
    cursor: Option<&str>,
    children: &[String],
) -> Result<super::PageAndChildren, ConnectorError> {
    super::read_page_and_children(t, session, CONFIG, "tasks", None, cursor, children)
}

/// A read of `tasks` with two child streams, each cursor passed back through `pass_back`, on one
/// instance: every page it gave.
fn read_with_children(pass_back: fn(String) -> String) -> Vec<super::PageAndChildren> {
    let mut t = tagged();
    let children = ["task_tags".to_owned(), "task_assignees".to_owned()];
    let mut session = Session::default();
    let (mut cursor, mut pages) = (None::<String>, Vec::new());
    for _ in 0..100 {
        let page = read_tagged(&mut t, &mut session, cursor.as_deref(), &children).unwrap();
        cursor = page.page.cursor.clone().map(pass_back);
        pages.push(page);
        if cursor.is_none() {
            return pages;
        }
    }
    panic!("the stream never completed");
}

#[test]
fn a_cursor_taken_back_from_the_instance_reads_as_the_same_cursor_parsed_again() {
    // As it was handed out: the instance takes its own parsed copy. With a space after it (still
    // the same JSON): parsed and checked again.
    let kept = read_with_children(|c| c);
    let parsed = read_with_children(|c| c + " ");
    assert_eq!(kept, parsed);
    let last = kept.last().unwrap();
    let state: Value = serde_json::from_str(last.page.state.as_deref().unwrap()).unwrap();
    assert!(
        state["children"]["task_tags"]
            .as_str()
            .unwrap()
            .contains(":tag%201"),
        "the keys of the tags read on every page are in the state: {state}"
    );
    assert!(kept.iter().map(|p| p.children[0].1.len()).sum::<usize>() >= 1140);
}

#[test]
fn a_changed_cursor_is_checked_even_right_after_the_instance_handed_it_out() {
    let mut t = tagged();
    let children = ["task_tags".to_owned()];
    let mut session = Session::default();
    let mut cursor = None::<String>;
    for _ in 0..3 {
        let page = read_tagged(&mut t, &mut session, cursor.as_deref(), &children).unwrap();
        cursor = page.page.cursor;
    }
    let handed = cursor.unwrap();
    assert!(handed.contains(":tag%200"), "{handed}");
    let damaged = handed.replace(":tag%200", ":tag%2");
    let e = read_tagged(&mut t, &mut session, Some(&damaged), &children).unwrap_err();
    assert!(matches!(e, ConnectorError::InvalidState(_)), "{e:?}");
}
