//! The command-line tool, as a user runs it: the real binary, the real component, the simulator.

use clickup_sim::{RateLimitConfig, SimConfig, Simulator, Size};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn component() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| clickup_tests::build_component().expect("build the component"))
        .clone()
}

fn sim(seed: u64) -> Simulator {
    Simulator::start(SimConfig {
        seed,
        size: Size::tiny(),
        rate_limit: RateLimitConfig::unlimited(),
        ..SimConfig::default()
    })
    .unwrap()
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cli-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The config that points the tool at `sim`.
fn sim_config(sim: &Simulator) -> Value {
    serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url()})
}

fn write_config(dir: &Path, config: Value) -> PathBuf {
    let p = dir.join("config.json");
    std::fs::write(&p, config.to_string()).unwrap();
    p
}

fn tool(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clickup-connector"))
        .args(args)
        .arg("--component")
        .arg(component())
        .output()
        .unwrap()
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn check_succeeds_with_a_good_token_and_explains_a_bad_one() {
    let sim = sim(71);
    let dir = tempdir("check");
    let good = write_config(&dir, sim_config(&sim));
    let out = tool(&["check", "--config", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(lines(&out)[0]["connectionStatus"]["status"], "SUCCEEDED");

    sim.reset_counts();
    let bad = write_config(
        &dir,
        serde_json::json!({"api_token": "12_NOPREFIXSECRET", "base_url": sim.base_url()}),
    );
    let out = tool(&["check", "--config", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("including the pk_ prefix"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("NOPREFIXSECRET"));
    assert_eq!(sim.request_counts().total, 0, "a malformed token was sent");

    sim.revoke_token(&sim.token());
    let out = tool(&["check", "--config", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert_eq!(lines(&out)[0]["connectionStatus"]["status"], "FAILED");
    assert!(text(&out).contains("Settings > Apps"), "{}", text(&out));
    assert!(!text(&out).contains(&sim.token()), "the token leaked");
}

/// Checks one message against the Airbyte protocol's required fields.
fn assert_airbyte(m: &Value) {
    let ty = m["type"].as_str().unwrap_or_else(|| panic!("no type: {m}"));
    match ty {
        "RECORD" => {
            assert!(
                m["record"]["stream"].is_string() && m["record"]["data"].is_object(),
                "{m}"
            );
            assert!(m["record"]["emitted_at"].is_u64(), "{m}");
        }
        "STATE" => {
            assert_eq!(m["state"]["type"], "STREAM", "{m}");
            assert!(
                m["state"]["stream"]["stream_descriptor"]["name"].is_string(),
                "{m}"
            );
            assert!(m["state"]["stream"]["stream_state"].is_object(), "{m}");
        }
        "LOG" => assert!(
            m["log"]["level"].is_string() && m["log"]["message"].is_string(),
            "{m}"
        ),
        "TRACE" => {
            let t = &m["trace"];
            assert!(t["emitted_at"].is_number(), "{m}");
            match t["type"].as_str() {
                Some("STREAM_STATUS") => {
                    assert!(["STARTED", "RUNNING", "COMPLETE", "INCOMPLETE"]
                        .contains(&t["stream_status"]["status"].as_str().unwrap()));
                }
                Some("ERROR") => assert!(
                    t["error"]["message"].is_string() && t["error"]["failure_type"].is_string(),
                    "{m}"
                ),
                other => panic!("unknown trace type {other:?}"),
            }
        }
        other => panic!("unexpected message type {other}"),
    }
}

#[test]
fn read_speaks_airbyte_and_every_state_follows_the_records_it_covers() {
    let sim = sim(72);
    let dir = tempdir("read");
    let cfg = write_config(&dir, sim_config(&sim));
    let out = tool(&["read", "--config", cfg.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let messages = lines(&out);
    let mut records: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut since_state: BTreeMap<String, usize> = BTreeMap::new();
    let mut last_state: BTreeMap<String, Value> = BTreeMap::new();
    for m in &messages {
        assert_airbyte(m);
        match m["type"].as_str().unwrap() {
            "RECORD" => {
                let s = m["record"]["stream"].as_str().unwrap().to_owned();
                let id = m["record"]["data"]["id"].to_string();
                records
                    .entry(s.clone())
                    .or_default()
                    .insert(format!("{}/{id}", m["record"]["data"]["workspace_id"]));
                // A task's child rows are covered by the STATE of `tasks`, their parent.
                let covering = if s.starts_with("task_") {
                    "tasks".to_owned()
                } else {
                    s
                };
                *since_state.entry(covering).or_default() += 1;
            }
            "STATE" => {
                let s = m["state"]["stream"]["stream_descriptor"]["name"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                since_state.insert(s.clone(), 0);
                last_state.insert(s, m["state"]["stream"]["stream_state"].clone());
            }
            _ => {}
        }
    }
    let world = sim.world();
    assert_eq!(records["tasks"].len(), world.task_count());
    assert_eq!(records["time_entries"].len(), world.time_entry_count());
    // The nine streams and the task's six child streams.
    assert_eq!(records.len(), 15, "{:?}", records.keys());
    for (stream, n) in &since_state {
        assert_eq!(*n, 0, "{stream}: {n} records after its last STATE");
        assert!(
            last_state[stream]["cursor"].is_null(),
            "{stream} did not complete"
        );
    }
    assert!(
        !text(&out).contains(&sim.token()),
        "the token leaked into the output"
    );
}

#[test]
fn read_into_a_folder_continues_incrementally() {
    let sim = sim(73);
    let dir = tempdir("output");
    let cfg = write_config(&dir, sim_config(&sim));
    let data = dir.join("data");
    let out = tool(&[
        "read",
        "--config",
        cfg.to_str().unwrap(),
        "--output",
        data.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let count = |stream: &str| {
        std::fs::read_to_string(data.join(format!("{stream}.jsonl")))
            .unwrap()
            .lines()
            .count()
    };
    let first_tasks = count("tasks");
    assert_eq!(first_tasks, sim.world().task_count());
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("state.json")).unwrap()).unwrap();
    assert!(state
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["stream"]["stream_descriptor"]["name"] == "tasks"));

    let changed = sim.mutate(|w| w.update_tasks(3));
    let out = tool(&[
        "read",
        "--config",
        cfg.to_str().unwrap(),
        "--output",
        data.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // The file is the current snapshot: each task once, the changed ones as changed, and they
    // are the last lines (appended by the incremental run, the older copies removed).
    let tasks: Vec<Value> = std::fs::read_to_string(data.join("tasks.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = tasks.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), first_tasks, "each task once");
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), first_tasks);
    let tail: BTreeSet<&str> = ids[first_tasks - first_tasks / 4..]
        .iter()
        .copied()
        .collect();
    for id in &changed {
        assert!(
            tail.contains(id.as_str()),
            "changed task {id} not among the re-read tasks at the end of the file"
        );
    }
    let written = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("tasks ").map(str::trim).map(str::to_owned))
        .and_then(|row| row.split_whitespace().next()?.parse::<usize>().ok())
        .expect("the summary's tasks row");
    assert!(
        written < first_tasks / 4,
        "the second read re-read {written} of {first_tasks} tasks"
    );
    // Full-refresh streams are whole snapshots, not appended twice.
    assert_eq!(count("workspaces"), sim.world().workspaces.len());
    for f in std::fs::read_dir(&data).unwrap() {
        let body = std::fs::read_to_string(f.unwrap().path()).unwrap();
        assert!(
            !body.contains(&sim.token()),
            "the token leaked into an output file"
        );
    }
}

#[test]
fn a_corrupt_state_file_is_a_config_error_that_says_how_to_start_over() {
    let sim = sim(74);
    let dir = tempdir("state");
    let cfg = write_config(&dir, sim_config(&sim));
    let state = dir.join("state.json");
    std::fs::write(&state, "{not json").unwrap();
    let out = tool(&[
        "read",
        "--config",
        cfg.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("start over"), "{}", text(&out));
    std::fs::write(&state, r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"tasks"},"stream_state":{"state":{"foreign":true}}}}]"#).unwrap();
    let out = tool(&[
        "read",
        "--config",
        cfg.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("pass no state"), "{}", text(&out));
}

#[test]
fn spec_and_discover_print_airbyte_messages() {
    let sim = sim(75);
    let dir = tempdir("discover");
    let out = tool(&["spec"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        lines(&out)[0]["spec"]["connectionSpecification"]["properties"]["api_token"]
            ["airbyte_secret"],
        true
    );
    let cfg = write_config(&dir, sim_config(&sim));
    let out = tool(&["discover", "--config", cfg.to_str().unwrap()]);
    let catalog = &lines(&out)[0]["catalog"]["streams"];
    assert_eq!(catalog.as_array().unwrap().len(), 15);
    let tags = catalog
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "task_tags")
        .unwrap();
    assert_eq!(
        tags["source_defined_primary_key"],
        serde_json::json!([["task_id"], ["tag_name"]])
    );
    assert_eq!(tags["source_defined_cursor"], true);
    let tasks = catalog
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "tasks")
        .unwrap();
    assert_eq!(
        tasks["default_cursor_field"],
        serde_json::json!(["date_updated"])
    );
}

#[test]
fn waits_for_the_rate_limit_are_reported_as_rate_limited_stream_status() {
    let sim = Simulator::start(SimConfig {
        seed: 76,
        size: Size::tiny(),
        rate_limit: RateLimitConfig {
            limit: 10,
            window: std::time::Duration::from_secs(2),
        },
        ..SimConfig::default()
    })
    .unwrap();
    let dir = tempdir("ratelimited");
    let cfg = write_config(&dir, sim_config(&sim));
    let catalog = dir.join("catalog.json");
    std::fs::write(
        &catalog,
        r#"{"streams":[{"stream":{"name":"spaces"},"sync_mode":"full_refresh"},{"stream":{"name":"folders"},"sync_mode":"full_refresh"}]}"#,
    )
    .unwrap();
    let out = tool(&[
        "read",
        "--config",
        cfg.to_str().unwrap(),
        "--catalog",
        catalog.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let messages = lines(&out);
    let limited = messages
        .iter()
        .filter(|m| m["trace"]["stream_status"]["reasons"][0]["type"] == "RATE_LIMITED")
        .count();
    assert!(
        limited > 0,
        "no RATE_LIMITED status although {} requests met a limit of 10 per 2 s",
        sim.request_counts().total
    );
    assert_eq!(
        sim.request_counts().status_429,
        0,
        "the connector hammered instead of waiting"
    );
    let spaces = messages
        .iter()
        .filter(|m| m["record"]["stream"] == "spaces")
        .count();
    assert_eq!(
        spaces,
        sim.world()
            .workspaces
            .iter()
            .map(|w| w.spaces.len())
            .sum::<usize>()
    );
}

#[test]
fn run_many_syncs_each_tenant_into_its_own_folder_and_reports_on_each() {
    let sim = sim(77);
    let dir = tempdir("runmany");
    let cfg = sim_config(&sim);
    let tenants = serde_json::json!([
        {"name": "acme", "config": cfg, "output": "acme"},
        {"name": "globex", "config": cfg, "output": "globex", "limits": {"memory_mib": 128}},
        {"name": "walled", "config": {"api_token": sim.token(), "base_url": "http://127.0.0.1:9/api/v2"}, "output": "walled"}
    ]);
    let file = dir.join("tenants.json");
    std::fs::write(&file, tenants.to_string()).unwrap();
    let sim_host = sim.base_url().split('/').nth(2).unwrap().to_owned();
    let out = tool(&[
        "run-many",
        "--pooling",
        "--allow-host",
        &sim_host,
        "--tenants",
        file.to_str().unwrap(),
    ]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "one tenant may not reach its base_url, the operator's configuration: {}",
        text(&out)
    );
    assert!(table.lines().any(|l| l == "2 ok, 1 failed"), "{table}");
    let row = |name: &str| {
        table
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row for {name}: {table}"))
            .to_owned()
    };
    assert!(
        row("acme").ends_with(" ok") && row("globex").ends_with(" ok"),
        "{table}"
    );
    assert!(
        row("walled").contains("refused by the host before it ran")
            && row("walled").contains("127.0.0.1:9"),
        "{table}"
    );
    let tasks = |t: &str| {
        std::fs::read_to_string(dir.join(t).join("tasks.jsonl"))
            .unwrap()
            .lines()
            .count()
    };
    assert_eq!(tasks("acme"), sim.world().task_count());
    assert_eq!(tasks("globex"), tasks("acme"));
}

#[test]
fn a_tenant_aimed_at_a_loopback_canary_is_refused_unless_the_operator_allows_its_host() {
    let canary = sim(78);
    let dir = tempdir("canary");
    let tenants = serde_json::json!([
        {"name": "curious", "config": sim_config(&canary), "output": "curious"}
    ]);
    let file = dir.join("tenants.json");
    std::fs::write(&file, tenants.to_string()).unwrap();

    let refused = tool(&["run-many", "--tenants", file.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    let table = String::from_utf8_lossy(&refused.stdout);
    assert!(
        table.contains("refused by the host before it ran") && table.contains("--allow-host"),
        "{table}"
    );
    assert_eq!(canary.request_counts().total, 0, "the canary was reached");

    let host = canary.base_url().split('/').nth(2).unwrap().to_owned();
    let allowed = tool(&[
        "run-many",
        "--allow-host",
        &host,
        "--tenants",
        file.to_str().unwrap(),
    ]);
    assert_eq!(allowed.status.code(), Some(0), "{}", text(&allowed));
    assert!(canary.request_counts().total > 0);
}

#[test]
fn a_file_that_is_not_a_component_is_named_but_never_echoed() {
    let dir = tempdir("notwasm");
    let secret = "pk_SECRET_DO_NOT_PRINT";
    let config = write_config(&dir, serde_json::json!({"api_token": secret}));
    let out = Command::new(env!("CARGO_BIN_EXE_clickup-connector"))
        .args(["check", "--config"])
        .arg(&config)
        .arg("--component")
        .arg(&config)
        .output()
        .unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("is not a WebAssembly component"), "{all}");
    assert!(
        !all.contains("SECRET"),
        "the file's bytes were echoed: {all}"
    );
}

#[test]
fn misspelt_config_and_tenants_fields_are_refused_before_any_request_with_the_nearest_name() {
    let sim = sim(79);
    let dir = tempdir("strict");
    for (field, nearest) in [("start_dat", "start_date"), ("api_tokn", "api_token")] {
        let mut config = sim_config(&sim);
        config[field] = serde_json::json!("2024-01-01");
        if field == "api_tokn" {
            config.as_object_mut().unwrap().remove("api_token");
        }
        let file = write_config(&dir, config);
        let out = tool(&["read", "--config", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        let expected = format!("unknown field `{field}`: did you mean `{nearest}`?");
        assert!(text(&out).contains(&expected), "{}", text(&out));
    }
    assert_eq!(sim.request_counts().total, 0, "a request was sent");

    let tenants = serde_json::json!([
        {"name": "acme", "config": sim_config(&sim), "limits": {"memory_mb": 64}}
    ]);
    let file = dir.join("tenants.json");
    std::fs::write(&file, tenants.to_string()).unwrap();
    let out = tool(&["run-many", "--tenants", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("unknown field `memory_mb`: did you mean `memory_mib`?"),
        "{}",
        text(&out)
    );
    assert_eq!(sim.request_counts().total, 0, "a tenant ran");

    let spec = tool(&["spec"]);
    assert_eq!(
        lines(&spec)[0]["spec"]["connectionSpecification"]["additionalProperties"],
        false
    );
}

#[test]
fn a_catalog_asking_for_a_mode_its_stream_does_not_offer_is_refused() {
    let sim = sim(80);
    let dir = tempdir("catalog-modes");
    let config = write_config(&dir, sim_config(&sim));
    for (stream, mode, says) in [
        ("tasks", "INVALID", "sync_mode \"INVALID\""),
        ("spaces", "incremental", "which it does not support"),
    ] {
        let catalog = dir.join("catalog.json");
        let entry = serde_json::json!({"stream": {"name": stream}, "sync_mode": mode});
        std::fs::write(
            &catalog,
            serde_json::json!({"streams": [entry]}).to_string(),
        )
        .unwrap();
        let out = tool(&[
            "read",
            "--config",
            config.to_str().unwrap(),
            "--catalog",
            catalog.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        assert!(text(&out).contains(says), "{}", text(&out));
        let trace = lines(&out)
            .into_iter()
            .find(|m| m["type"] == "TRACE")
            .unwrap();
        assert_eq!(trace["trace"]["error"]["failure_type"], "config_error");
    }
}
