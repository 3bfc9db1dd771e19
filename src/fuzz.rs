//! Property tests ("fuzzing") of everything that reads data from outside: ClickUp's answers (any
//! bytes, any JSON, any status), the state and the cursor a host passes back, and timestamps.
//! The property is always the same: a typed result, never a panic (a panic is a trap in someone's
//! host). CI runs the default 256 cases per property; `PROPTEST_CASES=100000 cargo test -p
//! clickup-connector --lib fuzz` runs a longer campaign.

use crate::cursor::Cursor;
use crate::fetch::tests::Script;
use crate::fetch::Session;
use crate::read::read_page;
use crate::state::StreamState;
use crate::timestamp;
use crate::transport::{HttpResponse, TransportError};
use proptest::prelude::*;
use serde_json::{json, Value};

const CONFIG: &str =
    r#"{"api_token":"pk_1_T","base_url":"http://sim/api/v2","max_rate_limit_wait_seconds":1}"#;
const STREAMS: [&str; 9] = crate::streams::Stream::NAMES;

/// Any JSON value, nested a few levels, with ClickUp-ish keys so that the parsers go deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[0-9]{0,20}".prop_map(Value::String),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let keys = prop_oneof![
            Just("id".to_owned()),
            Just("teams".to_owned()),
            Just("members".to_owned()),
            Just("user".to_owned()),
            Just("spaces".to_owned()),
            Just("folders".to_owned()),
            Just("lists".to_owned()),
            Just("tasks".to_owned()),
            Just("last_page".to_owned()),
            Just("goals".to_owned()),
            Just("goal".to_owned()),
            Just("data".to_owned()),
            Just("date_updated".to_owned()),
            Just("archived".to_owned()),
            Just("custom_fields".to_owned()),
            Just("checklists".to_owned()),
            Just("items".to_owned()),
            Just("key_results".to_owned()),
            Just("duration".to_owned()),
            Just("task_location".to_owned()),
            Just("folder".to_owned()),
            Just("list".to_owned()),
            Just("space".to_owned()),
            Just("hidden".to_owned()),
            "[a-z_]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One answer: a status, rate-limit headers, and a body that is JSON, cut JSON, or bytes.
fn any_answer() -> impl Strategy<Value = Result<HttpResponse, TransportError>> {
    let body = prop_oneof![
        any_json().prop_map(|v| v.to_string().into_bytes()),
        any_json().prop_map(|v| {
            let s = v.to_string();
            s.as_bytes()[..s.len() / 2].to_vec()
        }),
        prop::collection::vec(any::<u8>(), 0..64),
    ];
    let status = prop_oneof![
        Just(200u16),
        Just(200),
        Just(200),
        Just(401),
        Just(403),
        Just(404),
        Just(429),
        Just(500),
        any::<u16>()
    ];
    (status, body, any::<Option<u32>>(), any::<Option<u64>>()).prop_map(
        |(status, body, remaining, reset)| {
            Ok(HttpResponse {
                status,
                rate_limit: Some(100),
                rate_remaining: remaining,
                rate_reset_s: reset.map(|r| r % 4_000_000_000),
                body,
            })
        },
    )
}

proptest! {
    #[test]
    fn any_answers_give_pages_or_typed_errors_never_a_panic(
        stream in prop::sample::select(STREAMS.to_vec()),
        answers in prop::collection::vec(any_answer(), 1..8),
    ) {
        let mut script = Script { answers: answers.into(), now: 1_700_000_000_000, ..Default::default() };
        let mut session = Session::default();
        let mut cursor: Option<String> = None;
        for _ in 0..10 {
            match read_page(&mut script, &mut session, CONFIG, stream, None, cursor.as_deref()) {
                Ok(page) => {
                    for r in &page.records {
                        prop_assert!(serde_json::from_str::<Value>(r).is_ok_and(|v| v.is_object()));
                    }
                    cursor = page.cursor;
                    if cursor.is_none() { break; }
                }
                Err(_) => break,
            }
        }
    }

    #[test]
    fn any_state_text_is_accepted_or_refused_never_a_panic(text in ".{0,80}", value in any_json()) {
        let _ = StreamState::parse(Some(&text), "tasks");
        let _ = StreamState::parse(Some(&value.to_string()), "tasks");
        let _ = Cursor::parse(&text, "tasks");
        let _ = Cursor::parse(&value.to_string(), "tasks");
    }

    #[test]
    fn any_timestamp_value_converts_or_is_kept(value in any_json()) {
        let out = timestamp::convert(&value);
        prop_assert!(out == value || out.as_str().is_some_and(|s| s.ends_with('Z') && s.len() == 24));
    }

    #[test]
    fn any_config_text_is_accepted_or_refused_never_a_panic(value in any_json(), text in ".{0,60}") {
        let _ = crate::config::Config::parse(&value.to_string());
        let _ = crate::config::Config::parse(&text);
    }
}
