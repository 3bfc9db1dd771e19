//! Every kind of message `clickup-connector` prints validates against the official Airbyte
//! protocol models (PyPI `airbyte-protocol-models`, pydantic), with no field the models do not
//! declare (`python/validate_airbyte.py`). The runs below make the tool print each message type
//! it has: SPEC, CONNECTION_STATUS (both ways), CATALOG, RECORD, per-stream STATE, LOG (a skipped
//! space), TRACE ERROR and TRACE STREAM_STATUS, with and without RATE_LIMITED.

use crate::tools::{self, sim, tempdir, text, tool, write_config};
use clickup_sim::{RateLimitConfig, SimConfig, Simulator, Size, TokenSpec};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs the validator on `lines`: its exit code and JSON summary.
fn validator(lines: &str) -> (Option<i32>, Value) {
    let script = clickup_tests::project_root()
        .join("host-harness/cli/tests/interop/python/validate_airbyte.py");
    let mut child = Command::new(tools::tools().python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the validator");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = lines.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("validator output");
    writer
        .join()
        .expect("writer")
        .expect("write to the validator");
    let summary = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("validator said ({e}): {}", text(&out)));
    (out.status.code(), summary)
}

/// Validates `lines` with the official models; returns the count per message type, or panics
/// with every invalid line.
fn validate(lines: &str) -> BTreeMap<String, u64> {
    let (code, summary) = validator(lines);
    assert!(
        code == Some(0) && summary["errors"] == json!([]),
        "messages that do not validate: {:#}",
        summary["errors"]
    );
    serde_json::from_value(summary["types"].clone()).expect("types")
}

/// The tool's stdout for `args`, with its exit code.
fn run(args: &[&str]) -> (String, Option<i32>) {
    let out = tool(args);
    (
        String::from_utf8(out.stdout).expect("UTF-8"),
        out.status.code(),
    )
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn write(dir: &Path, name: &str, content: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).expect("write");
    p
}

#[test]
fn every_message_the_tool_prints_validates_against_the_official_airbyte_models() {
    let sim = sim(811);
    let dir = tempdir("airbyte-models");
    let config = write_config(&dir, &sim);
    let mut all = String::new();
    let mut expect_code = |args: &[&str], code: i32| {
        let (out, got) = run(args);
        assert_eq!(got, Some(code), "{args:?} exited {got:?}: {out}");
        all.push_str(&out);
        out
    };

    expect_code(&["spec"], 0);
    expect_code(&["check", "--config", path(&config)], 0);
    expect_code(&["discover", "--config", path(&config)], 0);

    // A full read, then an incremental one from the STATE messages it printed (as an Airbyte
    // platform would pass them back).
    let first = expect_code(&["read", "--config", path(&config)], 0);
    let mut last_state: BTreeMap<String, Value> = BTreeMap::new();
    for m in tools::json_lines(&first) {
        if m["type"] == "STATE" {
            let name = m["state"]["stream"]["stream_descriptor"]["name"]
                .as_str()
                .unwrap();
            last_state.insert(name.to_owned(), m["state"].clone());
        }
    }
    let state = write(
        &dir,
        "state.json",
        &Value::Array(last_state.into_values().collect()).to_string(),
    );
    sim.mutate(|w| w.update_tasks(3));
    let second = expect_code(
        &["read", "--config", path(&config), "--state", path(&state)],
        0,
    );
    assert!(
        second
            .lines()
            .filter(|l| l.contains(r#""type":"RECORD""#))
            .count()
            < first.lines().count() / 2
    );

    // Errors: a bad token (CONNECTION_STATUS FAILED; TRACE ERROR), a broken state file.
    // (`discover` needs no request: the streams are the same for every token.)
    let bad = write(
        &dir,
        "bad.json",
        &json!({"api_token": "pk_1_WRONG", "base_url": sim.base_url()}).to_string(),
    );
    expect_code(&["check", "--config", path(&bad)], 3);
    expect_code(&["read", "--config", path(&bad)], 3);
    let broken = write(&dir, "broken-state.json", r#"{"not": "a state"}"#);
    expect_code(
        &["read", "--config", path(&config), "--state", path(&broken)],
        3,
    );

    // A space the token may not see: skipped with a LOG warning, the rest synced.
    let world = sim.world();
    let denied = world.workspaces[0]
        .spaces
        .iter()
        .find(|s| !s.archived)
        .unwrap()
        .id
        .clone();
    sim.add_token(TokenSpec {
        token: "pk_2_LIMITED".into(),
        user_id: world.owner_id(),
        workspaces: vec![],
        denied_spaces: vec![denied],
    });
    let limited = write(
        &dir,
        "limited.json",
        &json!({"api_token": "pk_2_LIMITED", "base_url": sim.base_url()}).to_string(),
    );
    let catalog = write(
        &dir,
        "catalog.json",
        r#"{"streams":[{"stream":{"name":"folders"},"sync_mode":"full_refresh"}]}"#,
    );
    expect_code(
        &[
            "read",
            "--config",
            path(&limited),
            "--catalog",
            path(&catalog),
        ],
        0,
    );

    // A tight rate limit: the waits are reported as RATE_LIMITED stream statuses.
    let slow = Simulator::start(SimConfig {
        seed: 812,
        size: Size::tiny(),
        rate_limit: RateLimitConfig {
            limit: 10,
            window: std::time::Duration::from_secs(2),
        },
        ..SimConfig::default()
    })
    .unwrap();
    let slow_config = write_config(&tempdir("airbyte-models-slow"), &slow);
    let spaces = write(
        &dir,
        "spaces.json",
        r#"{"streams":[{"stream":{"name":"spaces"},"sync_mode":"full_refresh"},{"stream":{"name":"folders"},"sync_mode":"full_refresh"}]}"#,
    );
    expect_code(
        &[
            "read",
            "--config",
            path(&slow_config),
            "--catalog",
            path(&spaces),
        ],
        0,
    );

    let types = validate(&all);
    for kind in [
        "SPEC",
        "CONNECTION_STATUS",
        "CATALOG",
        "RECORD",
        "STATE/STREAM",
        "LOG",
        "TRACE/ERROR",
        "TRACE/STREAM_STATUS",
        "TRACE/STREAM_STATUS/RATE_LIMITED",
    ] {
        assert!(
            types.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} message among {types:?}"
        );
    }
    println!(
        "airbyte-protocol-models: all {} messages valid: {types:?}",
        types.values().sum::<u64>()
    );
}

#[test]
fn the_validator_rejects_what_the_models_reject() {
    // The yardstick itself: a wrong type, a misspelt field, a bad enum value.
    for line in [
        r#"{"type":"RECORDS","record":{"stream":"a","data":{},"emitted_at":1}}"#,
        r#"{"type":"RECORD","record":{"stream":"a","data":{},"emitted_at":1,"emited_at":1}}"#,
        r#"{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1.0,"error":{"message":"m","failure_type":"oops"}}}"#,
    ] {
        let (code, summary) = validator(line);
        assert_eq!(code, Some(1), "accepted: {line}");
        assert_eq!(
            summary["errors"].as_array().map(Vec::len),
            Some(1),
            "{summary}"
        );
    }
}
