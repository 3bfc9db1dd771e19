//! What `--output` and `--sqlite` hold after several runs, and what they refuse to touch.

use crate::support::{arg, config_for, jsonl, sim, tempdir, text, tool, write_json};
use serde_json::Value;
use std::collections::BTreeSet;

fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().expect("an id").to_owned())
        .collect()
}

#[test]
fn output_files_hold_each_record_once_as_last_synced_after_incremental_runs() {
    let sim = sim(301);
    let dir = tempdir("dedupe");
    let cfg = config_for(&dir, &sim);
    let data = dir.join("data");
    let read = || tool(&["read", "--config", arg(&cfg), "--output", arg(&data)]);
    let out = read();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let changed = sim.mutate(|w| w.update_tasks(4));
    let out = read();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains("older copies of records updated since the last run were replaced"),
        "{stdout}"
    );
    let out = read();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let tasks = jsonl(&data.join("tasks.jsonl"));
    let task_ids = ids(&tasks);
    let unique: BTreeSet<&String> = task_ids.iter().collect();
    assert_eq!(
        unique.len(),
        task_ids.len(),
        "a task is in tasks.jsonl twice"
    );
    assert_eq!(task_ids.len(), sim.world().task_count());
    for id in &changed {
        let task = tasks
            .iter()
            .find(|t| t["id"] == id.as_str())
            .expect("changed task");
        assert!(
            task["name"]
                .as_str()
                .is_some_and(|n| n.ends_with(" (edited)")),
            "tasks.jsonl holds an old copy of {id}: {task}"
        );
    }
    let entries = ids(&jsonl(&data.join("time_entries.jsonl")));
    let unique: BTreeSet<&String> = entries.iter().collect();
    assert_eq!(
        unique.len(),
        entries.len(),
        "a time entry is in the file twice"
    );
    assert_eq!(entries.len(), sim.world().time_entry_count());
}

#[test]
fn sqlite_refuses_a_table_it_did_not_create_and_changes_nothing() {
    let sim = sim(302);
    let dir = tempdir("foreign");
    let cfg = config_for(&dir, &sim);
    let db = dir.join("mine.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE tasks (id TEXT, my_note TEXT); INSERT INTO tasks VALUES ('t1', 'keep me');",
        )
        .unwrap();
    }
    let schema = || -> Vec<(String, String)> {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut stmt = conn
            .prepare("SELECT name, sql FROM sqlite_master ORDER BY name")
            .unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.map(Result::unwrap).collect()
    };
    let before = schema();
    let out = tool(&["read", "--config", arg(&cfg), "--sqlite", arg(&db)]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("already has a table `tasks` that this tool did not create"),
        "{}",
        text(&out)
    );
    assert_eq!(schema(), before, "the database's tables were changed");
    let note: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT my_note FROM tasks WHERE id = 't1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(note, "keep me");

    // A database the tool made itself is its own on every later run.
    let ours = dir.join("ours.sqlite");
    for _ in 0..2 {
        let out = tool(&["read", "--config", arg(&cfg), "--sqlite", arg(&ours)]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    let conn = rusqlite::Connection::open(&ours).unwrap();
    let listed: i64 = conn
        .query_row("SELECT count(*) FROM _clickup_tables", [], |r| r.get(0))
        .unwrap();
    // The nine streams and the task's six child streams.
    assert_eq!(listed, 15, "every stream table is listed as the tool's");
}

#[test]
fn a_bad_saved_state_fails_only_its_stream_until_that_stream_is_reset() {
    let sim = sim(303);
    let dir = tempdir("reset");
    let cfg = config_for(&dir, &sim);
    let data = dir.join("data");
    let state_file = data.join("state.json");
    let read = |extra: &[&str]| {
        let mut args = vec!["read", "--config", arg(&cfg), "--output", arg(&data)];
        args.extend_from_slice(extra);
        tool(&args)
    };
    let out = read(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // Damage the tasks stream's saved state only.
    let mut state: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).unwrap()).unwrap();
    for s in state.as_array_mut().unwrap() {
        if s["stream"]["stream_descriptor"]["name"] == "tasks" {
            s["stream"]["stream_state"]["state"]["v"] = 999.into();
        }
    }
    write_json(&state_file, &state);
    let new_entries = sim.mutate(|w| w.add_time_entries(3));
    let edited = sim.mutate(|w| w.update_tasks(2));

    let out = read(&[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains(arg(&state_file)),
        "the message names the file: {said}"
    );
    assert!(
        said.contains("--reset tasks"),
        "the message says how to start over: {said}"
    );
    let entries = ids(&jsonl(&data.join("time_entries.jsonl")));
    for id in &new_entries {
        assert!(
            entries.contains(id),
            "the other streams still synced: {id} missing"
        );
    }

    let out = read(&["--reset", "nosuchstream"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("no such stream"), "{}", text(&out));

    let out = read(&["--reset", "tasks"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let tasks = jsonl(&data.join("tasks.jsonl"));
    assert_eq!(tasks.len(), sim.world().task_count());
    for id in &edited {
        let task = tasks
            .iter()
            .find(|t| t["id"] == id.as_str())
            .expect("edited task");
        assert!(task["name"]
            .as_str()
            .is_some_and(|n| n.ends_with(" (edited)")));
    }
}
