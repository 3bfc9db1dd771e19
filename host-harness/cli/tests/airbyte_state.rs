//! Airbyte state, as the platform uses it, through the real binary (`read` on stdout, `--state`
//! with the per-stream STATE messages the platform would have saved), against the simulator.
//! The Airbyte CDK's standard tests (`tests/interop/airbyte_standard.rs`) do not read with a
//! state at all; these are the checks they lack:
//!
//! - a second read from the first read's state loses nothing and reads only what changed;
//! - a read resumed from every intermediate STATE of a read loses nothing;
//! - a state from the future reads no records;
//! - a corrupt state is a clear error with exit 3: `cli.rs`,
//!   `a_corrupt_state_file_is_a_config_error_that_says_how_to_start_over`, and every mutation of
//!   a real state in `fuzz_inputs.rs`.
//!
//! (`tests/e2e/incremental.rs` and `tests/e2e/reliability.rs` check the same properties one level
//! down, on the host library's `sync` with its own state; here it is the files and messages.)

mod support;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use support::{messages, sim, sim_config, tempdir, text, tool, write_json};

/// The incremental streams, and how far before the last watermark a later read may re-read a
/// record it already gave (the config's defaults): `incremental_overlap_seconds` (300) for
/// tasks by `date_updated`, `time_entries_lookback_days` (30) for time entries by `start`. The
/// task's child streams are incremental with `tasks`; their rows have no such field.
const INCREMENTAL: [(&str, &str, i64); 8] = [
    ("tasks", "date_updated", 300_000),
    ("time_entries", "start", 30 * 86_400_000),
    ("task_custom_field_values", "date_updated", 300_000),
    ("task_assignees", "date_updated", 300_000),
    ("task_tags", "date_updated", 300_000),
    ("task_checklist_items", "date_updated", 300_000),
    ("task_dependencies", "date_updated", 300_000),
    ("task_links", "date_updated", 300_000),
];

/// Records per stream, keyed by `workspace_id/id` (members' key is the pair), or for a task's
/// child row by `task_id/` and the child's key.
type Records = BTreeMap<String, BTreeMap<String, Value>>;

fn key(record: &Value) -> String {
    const CHILD_KEYS: [&str; 6] = [
        "field_id",
        "user_id",
        "tag_name",
        "item_id",
        "depends_on",
        "linked_task_id",
    ];
    match CHILD_KEYS.iter().find(|k| record.get(**k).is_some()) {
        Some(child) if record.get("task_id").is_some() => {
            format!("{}/{}", record["task_id"], record[*child])
        }
        _ => format!("{}/{}", record["workspace_id"], record["id"]),
    }
}

/// The stream whose STATE covers `stream`: a task's child stream has none of its own, its
/// parent's (`tasks`) covers it.
fn covering(stream: &str) -> &str {
    if stream.starts_with("task_") {
        "tasks"
    } else {
        stream
    }
}

/// Whether a record is a tombstone (`_ab_cdc_deleted_at` set: the row is gone in ClickUp).
fn is_tombstone(record: &Value) -> bool {
    record
        .get("_ab_cdc_deleted_at")
        .is_some_and(|v| !v.is_null())
}

/// The records of `messages`, per stream, keyed.
fn records(messages: &[Value]) -> Records {
    let mut out = Records::new();
    for m in messages.iter().filter(|m| m["type"] == "RECORD") {
        let data = &m["record"]["data"];
        out.entry(m["record"]["stream"].as_str().unwrap().to_owned())
            .or_default()
            .insert(key(data), data.clone());
    }
    out
}

/// What the platform saves after the messages `messages`: the last STATE of each stream, as a
/// state file (a JSON array of the messages' `state`).
fn saved_state(messages: &[Value]) -> Value {
    let mut last: BTreeMap<String, Value> = BTreeMap::new();
    for m in messages.iter().filter(|m| m["type"] == "STATE") {
        let name = m["state"]["stream"]["stream_descriptor"]["name"]
            .as_str()
            .unwrap();
        last.insert(name.to_owned(), m["state"].clone());
    }
    Value::Array(last.into_values().collect())
}

/// `read --config CONFIG [--state STATE]`, which must succeed; its messages.
fn read(config: &Path, state: Option<&Path>) -> Vec<Value> {
    let mut args = vec!["read", "--config", config.to_str().unwrap()];
    if let Some(s) = state {
        args.extend(["--state", s.to_str().unwrap()]);
    }
    let out = tool(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    messages(&out)
}

/// The watermarks per workspace of `stream` in a saved state.
fn watermarks(state: &Value, stream: &str) -> BTreeMap<String, i64> {
    let entry = state
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stream"]["stream_descriptor"]["name"] == stream)
        .unwrap_or_else(|| panic!("no state for {stream}: {state}"));
    entry["stream"]["stream_state"]["state"]["watermarks"]
        .as_object()
        .unwrap_or_else(|| panic!("no watermarks for {stream}: {entry}"))
        .iter()
        .map(|(ws, w)| (ws.clone(), w.as_i64().unwrap()))
        .collect()
}

/// Milliseconds since the epoch of an RFC 3339 UTC time as the connector writes them
/// (`2021-01-01T00:00:00.000Z`).
fn rfc3339_ms(t: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| -> i64 { t[r].parse().unwrap_or_else(|_| panic!("{t}")) };
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    // Days from 1970-01-01 to y-m-d (H. Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 24 + n(11..13)) * 60 + n(14..16)) * 60_000 + n(17..19) * 1000 + n(20..23)
}

#[test]
fn a_second_read_from_the_first_reads_state_loses_nothing_and_reads_only_the_changes() {
    let sim = sim(901);
    let dir = tempdir("state-twice");
    let config = write_json(&dir, "config.json", &sim_config(&sim));
    let first = read(&config, None);
    let before = records(&first);
    let state = saved_state(&first);
    let state_file = write_json(&dir, "state.json", &state);

    let (updated, created, added, edited) = sim.mutate(|w| {
        // The newest entry: edits to entries older than the look-back need a full refresh
        // (ClickUp has no "changed since" filter for them; see the README).
        let edited = w.workspaces[0].time_entries.last().unwrap().id.clone();
        assert!(w.edit_time_entry(&edited));
        (
            w.update_tasks(5),
            w.create_tasks(3),
            w.add_time_entries(4),
            edited,
        )
    });
    let second = records(&read(&config, Some(&state_file)));
    // What a full read sees now: the yardstick.
    let now = records(&read(&config, None));

    for (stream, field, window) in INCREMENTAL {
        let marks = watermarks(&state, covering(stream));
        // A child stream the changed tasks have no rows of has no records in the second read.
        let none = BTreeMap::new();
        let of = |r: &'_ Records| r.get(stream).cloned().unwrap_or_else(|| none.clone());
        let (old, new, truth) = (&of(&before), &of(&second), &of(&now));
        assert!(!truth.is_empty(), "{stream}: nothing to compare");
        // Nothing lost: the first read's records, updated by the second's, are today's.
        let mut merged = old.clone();
        merged.extend(new.clone());
        // What a destination does with a tombstone: the row goes.
        merged.retain(|_, r| !is_tombstone(r));
        assert!(
            merged == *truth,
            "{stream}: the first read plus the second is not what ClickUp holds now"
        );
        // Only changes: a record the second read gives again unchanged lies within the
        // look-back of its workspace's watermark.
        for (k, record) in new {
            if is_tombstone(record) {
                assert!(
                    !truth.contains_key(k),
                    "{stream} {k}: a tombstone for a live row"
                );
                continue;
            }
            assert_eq!(Some(record), truth.get(k), "{stream} {k}: stale");
            if old.get(k) != Some(record) {
                continue;
            }
            let ws = record["workspace_id"].as_str().unwrap();
            if let Some(at) = record[field].as_str() {
                assert!(
                    rfc3339_ms(at) >= marks[ws] - window,
                    "{stream} {k}: re-read unchanged, {field} {at} is before the look-back \
                     of the watermark {}",
                    marks[ws]
                );
            }
        }
    }
    let ids = |stream: &str| -> Vec<String> {
        second[stream]
            .values()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    for id in updated.iter().chain(&created) {
        assert!(ids("tasks").contains(id), "changed task {id} not read");
    }
    for id in added.iter().chain([&edited]) {
        assert!(ids("time_entries").contains(id), "time entry {id} not read");
    }
    assert!(second["tasks"].len() < now["tasks"].len() / 4);
    // Full-refresh streams: the second read is a whole snapshot.
    for (stream, truth) in &now {
        if INCREMENTAL.iter().all(|(s, _, _)| s != stream) {
            assert_eq!(second.get(stream), Some(truth), "{stream}");
        }
    }
}

#[test]
fn a_read_resumed_from_every_intermediate_state_loses_nothing() {
    let sim = sim(902);
    let dir = tempdir("state-resume");
    // One workspace and wide time-entry windows keep the number of STATEs (one run each) small.
    let mut cfg = sim_config(&sim);
    cfg["workspace_ids"] = json!([sim.world().workspaces[0].id]);
    cfg["time_entries_window_days"] = json!(3650);
    let config = write_json(&dir, "config.json", &cfg);
    let clean = read(&config, None);
    let truth = records(&clean);
    let states: Vec<usize> = (0..clean.len())
        .filter(|&i| clean[i]["type"] == "STATE")
        .collect();
    // Each STATE follows one read-page call: one batch of requests side by side.
    assert!(states.len() > 10, "only {} STATEs", states.len());
    let started = std::time::Instant::now();

    // Two at a time: each resume is one run of the binary.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|worker| {
                let (states, clean, truth, dir, config) = (&states, &clean, &truth, &dir, &config);
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for &i in states.iter().skip(worker).step_by(2) {
                        let seen = &clean[..=i];
                        let file = write_json(dir, &format!("state-{i}.json"), &saved_state(seen));
                        let resumed = read(config, Some(&file));
                        let (before, after) = (records(seen), records(&resumed));
                        for (stream, want) in truth {
                            let none = BTreeMap::new();
                            let (a, b) = (
                                before.get(stream).unwrap_or(&none),
                                after.get(stream).unwrap_or(&none),
                            );
                            let lost: Vec<&String> = want
                                .keys()
                                .filter(|k| !a.contains_key(*k) && !b.contains_key(*k))
                                .collect();
                            if !lost.is_empty() {
                                failures.push(format!(
                                    "resumed from message {i}: {stream} lost {} records, e.g. {}",
                                    lost.len(),
                                    lost[0]
                                ));
                            }
                        }
                    }
                    failures
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "{failures:#?}");
    eprintln!(
        "resumed from each of {} STATEs in {:.1} s: nothing lost",
        states.len(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn a_state_from_the_future_reads_no_records() {
    let sim = sim(903);
    let dir = tempdir("state-future");
    let config = write_json(&dir, "config.json", &sim_config(&sim));
    let mut state = saved_state(&read(&config, None));
    // Every watermark in the year 2200.
    for entry in state.as_array_mut().unwrap() {
        if let Some(marks) = entry["stream"]["stream_state"]["state"]["watermarks"].as_object_mut()
        {
            for w in marks.values_mut() {
                *w = json!(7_258_118_400_000i64);
            }
        }
    }
    let state_file = write_json(&dir, "state.json", &state);
    let catalog = json!({"streams": INCREMENTAL.map(|(s, _, _)| json!({
        "stream": {"name": s}, "sync_mode": "incremental"
    }))});
    let catalog_file = write_json(&dir, "catalog.json", &catalog);
    let out = tool(&[
        "read",
        "--config",
        config.to_str().unwrap(),
        "--catalog",
        catalog_file.to_str().unwrap(),
        "--state",
        state_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let got = messages(&out);
    let n = got.iter().filter(|m| m["type"] == "RECORD").count();
    assert_eq!(n, 0, "a state from the future read {n} records");
    // Each stream still ends with a STATE, and it keeps the future watermark.
    let saved = saved_state(&got);
    for (stream, _, _) in INCREMENTAL {
        assert!(
            watermarks(&saved, covering(stream))
                .values()
                .all(|&w| w == 7_258_118_400_000),
            "{stream}: {saved}"
        );
    }
}
