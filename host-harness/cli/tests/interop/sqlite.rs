//! The SQLite destination, read back with SQLite itself (rusqlite's bundled SQLite): `read
//! --sqlite` gives one table per stream keyed by the primary key, holding exactly what `read
//! --output` wrote; an incremental run updates rows in place; a sync crashed between pages
//! resumes from the database's own state to the same database a clean sync gives; and the
//! query the demo prints runs.

use crate::tools::{
    component, json_lines, reference_records, sim, streams, tempdir, text, tool, write_config,
};
use connector_sinks::sqlite::SqliteDestination;
use host_harness::egress::EgressPolicy;
use host_harness::sync::{self, Checkpoint, Observer, StreamChoice, SyncEnd, SyncOptions};
use host_harness::StreamDescriptor;
use host_harness::{ConnectorHost, LoadOptions};
use host_harness::{Run, RunOptions};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn key_of(stream: &str) -> &'static [&'static str] {
    match stream {
        "members" => &["workspace_id", "id"],
        "task_custom_field_values" => &["task_id", "field_id"],
        "task_assignees" => &["task_id", "user_id"],
        "task_tags" => &["task_id", "tag_name"],
        "task_checklist_items" => &["task_id", "item_id"],
        "task_dependencies" => &["task_id", "depends_on"],
        "task_links" => &["task_id", "linked_task_id"],
        _ => &["id"],
    }
}

/// Whether a stream is one of the task's child streams (derived from `tasks`: no state row of
/// its own, its parent's covers it).
fn is_child(stream: &str) -> bool {
    stream.starts_with("task_")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn read_sqlite(config: &Path, db: &Path) {
    let out = tool(&["read", "--config", s(config), "--sqlite", s(db)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("sqlite3 "),
        "{}",
        text(&out)
    );
}

/// A cell as JSON, to compare with a record's value.
fn cell(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => panic!("a blob of {} bytes", b.len()),
    }
}

/// Every table's rows (by primary key) as `column → value`, columns `_clickup_sync` left out
/// when `without_sync`.
fn dump(db: &Path, without_sync: bool) -> BTreeMap<String, Vec<BTreeMap<String, Value>>> {
    let conn = Connection::open(db).expect("open the database");
    streams()
        .iter()
        .map(|stream| {
            let order = key_of(stream)
                .iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", ");
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM \"{stream}\" ORDER BY {order}"))
                .expect("select");
            let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
            let mut rows = stmt.query([]).expect("query");
            let mut out = Vec::new();
            while let Some(row) = rows.next().expect("row") {
                let mut map = BTreeMap::new();
                for (i, n) in names.iter().enumerate() {
                    if !(without_sync && n == "_clickup_sync") {
                        map.insert(n.clone(), cell(row.get_ref(i).expect("cell")));
                    }
                }
                out.push(map);
            }
            (stream.to_string(), out)
        })
        .collect()
}

/// Whether a cell holds a record's value: JSON text for objects and arrays, 0/1 for booleans.
fn holds(cell: &Value, value: &Value) -> bool {
    match (cell, value) {
        (Value::String(t), Value::Object(_) | Value::Array(_)) => {
            serde_json::from_str::<Value>(t).ok().as_ref() == Some(value)
        }
        (Value::Number(n), Value::Bool(b)) => n.as_i64() == Some(i64::from(*b)),
        (Value::String(t), Value::Bool(b)) => t == if *b { "1" } else { "0" },
        (Value::String(t), Value::Number(n)) => t.parse::<f64>().ok() == n.as_f64(),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

#[test]
fn read_into_sqlite_keys_every_record_and_an_incremental_run_updates_rows_in_place() {
    let sim = sim(31);
    let dir = tempdir("sqlite-read");
    let config = write_config(&dir, &sim);
    let db = dir.join("clickup.sqlite");

    let reference = reference_records(&config, streams());
    read_sqlite(&config, &db);
    let conn = Connection::open(&db).expect("open");
    let tables = dump(&db, false);
    for &stream in streams() {
        let records = &reference[stream];
        let rows = &tables[stream];
        assert!(!records.is_empty(), "{stream}: no records to compare");
        assert_eq!(rows.len(), records.len(), "{stream}: one row per record");
        let key = key_of(stream)
            .iter()
            .map(|k| format!("\"{k}\""))
            .collect::<Vec<_>>()
            .join(", ");
        assert_eq!(
            count(
                &conn,
                &format!("SELECT count(*) FROM (SELECT DISTINCT {key} FROM \"{stream}\")")
            ),
            records.len() as i64,
            "{stream}: primary keys unique"
        );
        // Every property of every record is in its column or in _clickup_extra, exactly.
        let by_key: BTreeMap<Vec<String>, &BTreeMap<String, Value>> = rows
            .iter()
            .map(|r| {
                (
                    key_of(stream).iter().map(|k| r[*k].to_string()).collect(),
                    r,
                )
            })
            .collect();
        for record in records {
            let k: Vec<String> = key_of(stream)
                .iter()
                .map(|f| match &record[*f] {
                    Value::Number(n) => Value::from(n.as_i64().expect("integer key")),
                    v => v.clone(),
                })
                .map(|v| v.to_string())
                .collect();
            let row = by_key
                .get(&k)
                .unwrap_or_else(|| panic!("{stream}: no row for {k:?}"));
            let extra: Value = match &row["_clickup_extra"] {
                Value::String(t) => serde_json::from_str(t).expect("_clickup_extra is JSON"),
                _ => Value::Null,
            };
            for (name, value) in record.as_object().expect("object") {
                let ok = match row.get(name) {
                    Some(c) => holds(c, value) || extra.get(name) == Some(value),
                    None => extra.get(name) == Some(value),
                };
                assert!(
                    ok,
                    "{stream} {k:?}: {name} = {value} is not in the row {row:?}"
                );
            }
        }
    }
    // JSON columns are queryable.
    let tasks = reference["tasks"].len() as i64;
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM tasks WHERE json_extract(status, '$.status') IS NOT NULL"
        ),
        tasks
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM _clickup_state WHERE cursor IS NULL"
        ),
        streams().iter().filter(|s| !is_child(s)).count() as i64,
        "every stream complete, its state saved in the database"
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM _clickup_rejected"), 0);
    drop(conn);

    // ClickUp changes; the same command continues from the database's state.
    let (updated, created) = sim.mutate(|w| (w.update_tasks(5), w.create_tasks(3)));
    assert_eq!((updated.len(), created.len()), (5, 3));
    read_sqlite(&config, &db);
    let conn = Connection::open(&db).expect("open");
    assert_eq!(
        count(&conn, "SELECT count(*) FROM tasks"),
        tasks + 3,
        "grew by the created tasks"
    );
    assert_eq!(
        count(&conn, "SELECT count(DISTINCT id) FROM tasks"),
        tasks + 3,
        "no duplicates"
    );
    for id in &updated {
        let (name, date_updated, sync): (String, String, i64) = conn
            .query_row(
                "SELECT name, date_updated, _clickup_sync FROM tasks WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("the updated task's row");
        assert!(name.ends_with(" (edited)"), "{id}: {name}");
        assert_eq!(
            sync, 2,
            "{id} rewritten by the second sync ({date_updated})"
        );
    }
    for id in &created {
        assert_eq!(
            count(
                &conn,
                &format!("SELECT count(*) FROM tasks WHERE id = '{id}'")
            ),
            1,
            "created task {id}"
        );
    }
    drop(conn);

    // The database the incremental run left is the one a fresh full sync makes.
    let fresh = dir.join("fresh.sqlite");
    read_sqlite(&config, &fresh);
    assert_eq!(dump(&db, true), dump(&fresh, true));

    // Nothing changed: nothing changes.
    read_sqlite(&config, &db);
    assert_eq!(dump(&db, true), dump(&fresh, true));
}

/// Passes everything to the database but "crashes" (fails) at the checkpoint after `pages`
/// checkpoints: the records of that page are in the open transaction, never committed.
struct CrashAfter<'a> {
    db: &'a mut SqliteDestination,
    pages: u32,
    completed: &'a mut BTreeSet<String>,
}

impl Observer for CrashAfter<'_> {
    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        self.db.records(stream, records)
    }
    fn checkpoint(&mut self, stream: &str, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        if self.pages == 0 {
            anyhow::bail!("simulated crash");
        }
        self.pages -= 1;
        self.db.checkpoint(stream, checkpoint)
    }
    fn stream_complete(&mut self, stream: &str) {
        self.completed.insert(stream.to_owned());
    }
}

/// Syncs into `db` until complete, crashing every `crash_every` pages (0: never); returns how
/// many times it crashed. After a crash, it goes on with the streams not yet complete, from the
/// database's state (as an orchestrator resuming the interrupted sync would).
async fn sync_with_crashes(
    run: &mut Run,
    config: &str,
    descriptors: &[StreamDescriptor],
    streams: &[StreamChoice],
    db: &Path,
    crash_every: u32,
) -> u32 {
    let mut crashes = 0;
    let mut completed = BTreeSet::new();
    loop {
        let streams: Vec<StreamChoice> = streams
            .iter()
            .filter(|s| !completed.contains(&s.name))
            .cloned()
            .collect();
        let mut state = SqliteDestination::load_state(db, "_clickup_").expect("load the state");
        let mut dest = SqliteDestination::open(db, "_clickup_", descriptors, &streams, &state)
            .expect("open the database");
        let mut observer = CrashAfter {
            db: &mut dest,
            pages: if crash_every == 0 {
                u32::MAX
            } else {
                crash_every
            },
            completed: &mut completed,
        };
        match sync::sync(
            run,
            config,
            &streams,
            &mut state,
            &SyncOptions::default(),
            &mut observer,
        )
        .await
        {
            Ok(SyncEnd::Complete) => return crashes,
            Ok(other) => panic!("sync ended with {other:?}"),
            Err(e) => {
                assert!(e.to_string().contains("simulated crash"), "{e:#}");
                crashes += 1;
                assert!(crashes < 2000, "no progress");
            }
        }
    }
}

#[test]
fn a_sync_crashed_between_pages_resumes_from_the_database_to_the_same_rows() {
    let sim = sim(32);
    let dir = tempdir("sqlite-crash");
    let config =
        serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url()}).to_string();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let host = ConnectorHost::load(&component(), &LoadOptions::default()).expect("load");
        let mut run = Run::new(
            &host,
            RunOptions {
                egress: EgressPolicy::for_base_url(&sim.base_url()).expect("egress"),
                ..Default::default()
            },
        )
        .await
        .expect("run");
        let descriptors = run.discover(&config).await.expect("discover");
        let streams = StreamChoice::every(&descriptors);
        let clean = dir.join("clean.sqlite");
        let crashed = dir.join("crashed.sqlite");
        assert_eq!(
            sync_with_crashes(&mut run, &config, &descriptors, &streams, &clean, 0).await,
            0
        );
        // A crash after every page (one read-page call: a batch of requests side by side).
        let crashes =
            sync_with_crashes(&mut run, &config, &descriptors, &streams, &crashed, 1).await;
        assert!(crashes > 10, "only {crashes} crashes");
        assert_eq!(
            dump(&crashed, false),
            dump(&clean, false),
            "full sync, {crashes} crashes"
        );

        sim.mutate(|w| (w.update_tasks(5), w.create_tasks(3), w.add_time_entries(4)));
        assert_eq!(
            sync_with_crashes(&mut run, &config, &descriptors, &streams, &clean, 0).await,
            0
        );
        let crashes =
            sync_with_crashes(&mut run, &config, &descriptors, &streams, &crashed, 1).await;
        assert!(crashes > 5, "only {crashes} crashes");
        assert_eq!(
            dump(&crashed, true),
            dump(&clean, true),
            "incremental sync, {crashes} crashes"
        );
        eprintln!("exactly once through {crashes} crashes");
    });
}

#[test]
fn the_demo_writes_a_database_and_the_query_it_prints_runs() {
    let dir = tempdir("sqlite-demo");
    let output = dir.join("demo");
    let mut counts = Vec::new();
    for _ in 0..2 {
        let out = tool(&["demo", "--output", s(&output)]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let line = stdout
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("sqlite3 "))
            .unwrap_or_else(|| panic!("no sqlite3 command in:\n{stdout}"));
        let rest = line["sqlite3 ".len()..].trim_start_matches("-header -column ");
        let (db, query) = rest.split_once(' ').expect("sqlite3 DB \"QUERY\"");
        let query = query
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .expect("a double-quoted query");
        assert_eq!(Path::new(db), output.join("clickup.sqlite"));
        let conn = Connection::open(db).expect("open the demo's database");
        let mut stmt = conn.prepare(query).expect("the printed query is valid SQL");
        let names: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .expect("the printed query runs")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(names.len(), 8, "{names:?}");
        assert_eq!(
            names.iter().filter(|n| n.ends_with(" (edited)")).count(),
            5,
            "the five updated tasks, updated in place: {names:?}"
        );
        for n in &names {
            assert!(
                stdout.contains(n.as_str()),
                "the demo shows the result: {n}"
            );
        }
        // Pasted into a shell, with the sqlite3 program where it is installed.
        match std::process::Command::new("sh")
            .arg("-c")
            .arg(line)
            .output()
        {
            Ok(o) if o.status.success() => {
                let shown = String::from_utf8_lossy(&o.stdout);
                for n in &names {
                    assert!(shown.contains(n.as_str()), "sqlite3 shows {n}:\n{shown}");
                }
            }
            _ => eprintln!("note: no sqlite3 program here; the query ran through rusqlite only"),
        }
        let lines =
            json_lines(&std::fs::read_to_string(output.join("tasks.jsonl")).expect("tasks.jsonl"));
        let ids: BTreeSet<&str> = lines.iter().filter_map(|r| r["id"].as_str()).collect();
        assert_eq!(count(&conn, "SELECT count(*) FROM tasks"), ids.len() as i64);
        counts.push(count(&conn, "SELECT count(*) FROM tasks"));
        // The second query joins tasks with a typed custom field: numbers, and drop-down labels.
        let join = stdout
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("sqlite3 "))
            .nth(1)
            .unwrap_or_else(|| panic!("no custom-field query in:\n{stdout}"));
        let query = join
            .split_once(" \"")
            .and_then(|(_, q)| q.strip_suffix('"'))
            .expect("a double-quoted query");
        assert!(query.contains("task_custom_field_values"), "{query}");
        let mut stmt = conn
            .prepare(query)
            .expect("the custom-field query is valid SQL");
        let rows: Vec<(String, f64, Option<String>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("the custom-field query runs")
            .collect::<Result<_, _>>()
            .expect("typed rows: a REAL story_points");
        assert!(!rows.is_empty(), "no task has Story Points");
        assert!(rows.windows(2).all(|w| w[0].1 >= w[1].1), "{rows:?}");
        assert!(
            rows.iter().any(|r| r.2.is_some()),
            "no Stage label resolved: {rows:?}"
        );
        for (name, _, _) in &rows {
            assert!(stdout.contains(name.as_str()), "the demo shows {name}");
        }
    }
    assert_eq!(counts[0], counts[1], "a rerun starts over");
}
