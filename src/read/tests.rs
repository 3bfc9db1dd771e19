//! Tests of the verbs themselves, and the helpers the walk's tests share.

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
