//! `clickup-connector singer` as a Singer tap, piped into a real Singer target from PyPI
//! (`target-jsonl`, which validates every record against the stream's SCHEMA with a Draft-4
//! validator, writes `<stream>.jsonl`, and echoes the last STATE it committed).

use crate::tools::{self, component, reference_records, sim, tempdir, text, write_config};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// `clickup-connector singer ARGS | target-jsonl`: the rows loaded per stream, and the state the
/// target echoed.
fn tap_into_target(args: &[&str], destination: &Path) -> (BTreeMap<String, Vec<Value>>, String) {
    std::fs::create_dir_all(destination).unwrap();
    let target_config = destination.join("target-config.json");
    std::fs::write(
        &target_config,
        json!({"destination_path": destination, "do_timestamp_file": false}).to_string(),
    )
    .unwrap();
    let mut tap = Command::new(env!("CARGO_BIN_EXE_clickup-connector"))
        .arg("singer")
        .args(args)
        .arg("--component")
        .arg(component())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the tap");
    let target = Command::new(tools::tools().target_jsonl())
        .arg("--config")
        .arg(&target_config)
        .stdin(tap.stdout.take().expect("tap stdout"))
        .output()
        .expect("run target-jsonl");
    let tap = tap.wait_with_output().expect("tap exit");
    assert!(tap.status.success(), "tap failed: {}", text(&tap));
    assert!(
        target.status.success(),
        "target-jsonl failed: {}",
        text(&target)
    );
    let echoed = String::from_utf8(target.stdout).unwrap();
    let state = echoed
        .lines()
        .last()
        .expect("target-jsonl echoes the state")
        .to_owned();
    let mut rows = BTreeMap::new();
    for entry in std::fs::read_dir(destination).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stream) = name.strip_suffix(".jsonl") {
            let mut records = tools::json_lines(&std::fs::read_to_string(entry.path()).unwrap());
            records.sort_by_key(|r| r.to_string());
            rows.insert(stream.to_owned(), records);
        }
    }
    (rows, state)
}

#[test]
fn a_singer_target_loads_every_stream_and_continues_incrementally_from_its_state() {
    let sim = sim(821);
    let dir = tempdir("singer");
    let config = write_config(&dir, &sim);
    let cfg = config.to_str().unwrap();

    // --discover: a catalog with every stream selected, passed back unchanged with --catalog.
    let discovered = tools::tool(&["singer", "--config", cfg, "--discover"]);
    assert!(discovered.status.success(), "{}", text(&discovered));
    let catalog: Value = serde_json::from_slice(&discovered.stdout).unwrap();
    let streams: Vec<&str> = catalog["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["tap_stream_id"].as_str().unwrap())
        .collect();
    // The nine streams and the task's six child streams.
    assert_eq!(streams.len(), 15);
    assert_eq!(catalog["streams"][5]["replication_key"], "date_updated");
    let catalog_path = dir.join("catalog.json");
    std::fs::write(&catalog_path, catalog.to_string()).unwrap();

    let (rows, state) = tap_into_target(
        &["--config", cfg, "--catalog", catalog_path.to_str().unwrap()],
        &dir.join("first"),
    );
    let expected = reference_records(&config, &streams);
    for stream in &streams {
        let loaded = rows
            .get(*stream)
            .unwrap_or_else(|| panic!("no {stream} rows"));
        assert!(!loaded.is_empty(), "{stream}: no rows");
        assert!(
            loaded == &expected[*stream],
            "{stream}: the target's rows differ from the records"
        );
    }

    // The target's echoed state resumes: only what changed comes through.
    let state_path = dir.join("state.json");
    std::fs::write(&state_path, &state).unwrap();
    let (updated, created) = sim.mutate(|w| (w.update_tasks(4), w.create_tasks(2)));
    let (rows, _) = tap_into_target(
        &[
            "--config",
            cfg,
            "--catalog",
            catalog_path.to_str().unwrap(),
            "--state",
            state_path.to_str().unwrap(),
        ],
        &dir.join("second"),
    );
    let ids: Vec<&str> = rows["tasks"]
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for id in updated.iter().chain(&created) {
        assert!(
            ids.contains(&id.as_str()),
            "changed task {id} not loaded: {ids:?}"
        );
    }
    assert!(
        ids.len() < expected["tasks"].len() / 4,
        "an incremental run reloaded {} of {} tasks",
        ids.len(),
        expected["tasks"].len()
    );
}

#[test]
fn the_catalog_chooses_the_streams_and_bad_inputs_say_what_to_fix() {
    let sim = sim(822);
    let dir = tempdir("singer-select");
    let config = write_config(&dir, &sim);
    let cfg = config.to_str().unwrap();
    let discovered = tools::tool(&["singer", "--config", cfg, "--discover"]);
    let mut catalog: Value = serde_json::from_slice(&discovered.stdout).unwrap();
    for entry in catalog["streams"].as_array_mut().unwrap() {
        let keep = entry["tap_stream_id"] == "spaces" || entry["tap_stream_id"] == "lists";
        entry["metadata"][0]["metadata"]["selected"] = json!(keep);
    }
    let catalog_path = dir.join("catalog.json");
    std::fs::write(&catalog_path, catalog.to_string()).unwrap();
    let (rows, _) = tap_into_target(
        &["--config", cfg, "--catalog", catalog_path.to_str().unwrap()],
        &dir.join("out"),
    );
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["lists", "spaces"]);

    let broken = dir.join("broken-state.json");
    std::fs::write(&broken, r#"{"bookmarks": {"tasks": 7}}"#).unwrap();
    let out = tools::tool(&[
        "singer",
        "--config",
        cfg,
        "--state",
        broken.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("start over"), "{}", text(&out));

    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        json!({"api_token": "pk_1_WRONG", "base_url": sim.base_url()}).to_string(),
    )
    .unwrap();
    let out = tools::tool(&["singer", "--config", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(out.stdout.is_empty() || !String::from_utf8_lossy(&out.stdout).contains("RECORD"));
    assert!(
        !text(&out).contains("pk_1_WRONG"),
        "the token leaked: {}",
        text(&out)
    );
}
