//! The task's child streams (`connector:source@0.2.0` derived streams): each equals the ground
//! truth, costs no request beyond the task pages, is typed right per custom field type, and a
//! value cleared in ClickUp leaves the destination after the next incremental sync.

use crate::harness::{config, run_for, sim, sync_into_db, sync_ok};
use clickup_connector::streams::task_children::{Child, Context};
use clickup_connector::streams::tasks;
use clickup_sim::{Size, World};
use host_harness::sync::{SyncEnd, SyncState};
use serde_json::Value;
use std::collections::BTreeMap;

/// The child streams' names, `tasks` first (time in status, which is opt-in, aside).
fn with_children() -> Vec<&'static str> {
    std::iter::once("tasks")
        .chain(BODY_CHILDREN.iter().map(|c| c.name()))
        .collect()
}

/// The child streams whose rows are in the task bodies.
const BODY_CHILDREN: [Child; 6] = [
    Child::CustomFieldValues,
    Child::Assignees,
    Child::Tags,
    Child::ChecklistItems,
    Child::Dependencies,
    Child::Links,
];

/// Rows keyed by the child's primary key.
pub(crate) fn keyed(child: Child, rows: &[Value]) -> BTreeMap<(String, String), Value> {
    let [a, b] = child.primary_key();
    rows.iter()
        .map(|r| {
            let part = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            ((part(a), part(b)), r.clone())
        })
        .collect()
}

/// The child rows a correct connector emits for the world's tasks (a full read), computed
/// natively from the simulator's own task JSON.
pub(crate) fn truth(world: &World, child: Child) -> Vec<Value> {
    let (mut rows, mut warnings) = (Vec::new(), Vec::new());
    for ws in &world.workspaces {
        let ctx = Context {
            workspace_id: &ws.id,
            tombstone_at: None,
        };
        for t in &ws.tasks {
            let record = tasks::record(t.to_api_json(), &ws.id).unwrap();
            child.rows(&record, &ctx, &mut rows, &mut warnings);
        }
    }
    rows
}

#[tokio::test]
async fn every_child_stream_equals_the_ground_truth_at_no_extra_request() {
    let sim = sim(41, Size::tiny());
    let names = with_children();
    let out = sync_ok(&sim, &names, &mut SyncState::new()).await;
    let world = sim.world();
    for child in BODY_CHILDREN {
        let got = out.records.get(child.name()).cloned().unwrap_or_default();
        let want = truth(&world, child);
        assert!(
            !want.is_empty(),
            "the simulator has no {}: the test proves nothing",
            child.name()
        );
        let (got_keys, want_keys) = (keyed(child, &got), keyed(child, &want));
        assert_eq!(
            got.len(),
            got_keys.len(),
            "{}: a row was emitted twice",
            child.name()
        );
        assert_eq!(
            got_keys.len(),
            want_keys.len(),
            "{}: row count",
            child.name()
        );
        for (k, w) in &want_keys {
            assert_eq!(got_keys.get(k), Some(w), "{} row {k:?}", child.name());
        }
    }
    // The child rows came with the task pages: a sync of tasks alone costs the same requests.
    let tasks_alone = sync_ok(&sim, &["tasks"], &mut SyncState::new()).await;
    assert_eq!(out.requests, tasks_alone.requests);
    // Each page's child rows come after its task records and before its checkpoint.
    let events = &out.events;
    for (i, e) in events.iter().enumerate() {
        if e.0 != "records" || Child::from_name(&e.1).is_none() {
            continue;
        }
        let page = events[..i]
            .iter()
            .rposition(|e| e.0 == "records" && e.1 == "tasks");
        let page = page.expect("child rows before any task record");
        assert!(
            !events[page..i]
                .iter()
                .any(|e| e.0 == "checkpoint" && e.1 == "tasks"),
            "child rows after their page's checkpoint: {:?}",
            &events[page..=i]
        );
    }
}

/// The raw `value` of each (task, field) in the world, and the field's definition.
fn raw_values(world: &World) -> BTreeMap<(String, String), (Value, Value)> {
    let mut out = BTreeMap::new();
    for ws in &world.workspaces {
        for t in &ws.tasks {
            let body = t.to_api_json();
            for f in body["custom_fields"].as_array().unwrap() {
                if let Some(v) = f.get("value").filter(|v| !v.is_null()) {
                    let key = (t.id.clone(), f["id"].as_str().unwrap().to_owned());
                    out.insert(key, (v.clone(), f.clone()));
                }
            }
        }
    }
    out
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

fn ids_of(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|o| match &o["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// Checks one row's typed columns against the raw value ClickUp sent, type by type.
fn check_typed(row: &Value, raw: &Value, field: &Value) {
    let kind = field["type"].as_str().unwrap();
    let what = format!("{kind} {raw}: {row}");
    assert_eq!(row["value_json"], raw.to_string(), "{what}");
    assert_eq!(row["field_type"], kind, "{what}");
    match kind {
        "url" | "email" | "phone" | "short_text" | "text" => {
            assert_eq!(&row["value_text"], raw, "{what}")
        }
        "number" | "currency" | "emoji" => {
            assert_eq!(row["value_number"].as_f64(), number(raw), "{what}")
        }
        "checkbox" => {
            let set = raw == &Value::Bool(true) || raw.as_str() == Some("true");
            assert_eq!(row["value_bool"], set, "{what}");
        }
        "date" => {
            let ms = number(raw).unwrap() as i64;
            let want = chrono::DateTime::from_timestamp_millis(ms)
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            assert_eq!(row["value_date"], want, "{what}");
        }
        "drop_down" => {
            let options = field["type_config"]["options"].as_array().unwrap();
            let chosen = options
                .iter()
                .find(|o| number(&o["orderindex"]) == number(raw));
            match chosen {
                Some(o) => {
                    assert_eq!(
                        strings(&row["value_option_ids"]),
                        [o["id"].as_str().unwrap()],
                        "{what}"
                    );
                    assert_eq!(
                        strings(&row["value_option_labels"]),
                        [o["name"].as_str().unwrap()],
                        "{what}"
                    );
                }
                None => assert!(strings(&row["value_option_ids"]).is_empty(), "{what}"),
            }
        }
        "labels" => {
            assert_eq!(strings(&row["value_option_ids"]), strings(raw), "{what}");
            let options = field["type_config"]["options"].as_array().unwrap();
            let known: Vec<String> = strings(raw)
                .iter()
                .filter_map(|id| options.iter().find(|o| o["id"] == id.as_str()))
                .map(|o| o["label"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(strings(&row["value_option_labels"]), known, "{what}");
        }
        "users" => assert_eq!(strings(&row["value_user_ids"]), ids_of(raw), "{what}"),
        "tasks" | "list_relationship" => {
            assert_eq!(strings(&row["value_task_ids"]), ids_of(raw), "{what}")
        }
        "manual_progress" | "automatic_progress" => {
            assert_eq!(
                row["value_number"].as_f64(),
                number(&raw["percent_completed"]),
                "{what}"
            )
        }
        "location" => assert_eq!(row["value_text"], raw["formatted_address"], "{what}"),
        "formula" if raw.is_number() => {
            assert_eq!(row["value_number"].as_f64(), raw.as_f64(), "{what}")
        }
        "formula" => assert_eq!(&row["value_text"], raw, "{what}"),
        _ => {
            for column in ["value_text", "value_number", "value_bool", "value_date"] {
                assert_eq!(row[column], Value::Null, "{what}");
            }
        }
    }
}

#[tokio::test]
async fn each_custom_field_type_is_typed_from_the_value_clickup_sent() {
    let sim = sim(43, Size::tiny());
    let out = sync_ok(
        &sim,
        &["tasks", "task_custom_field_values"],
        &mut SyncState::new(),
    )
    .await;
    let raw = raw_values(&sim.world());
    let rows = &out.records["task_custom_field_values"];
    assert_eq!(
        rows.len(),
        raw.len(),
        "one row per task and field with a value"
    );
    let mut types = std::collections::BTreeSet::new();
    for row in rows {
        let key = (
            row["task_id"].as_str().unwrap().to_owned(),
            row["field_id"].as_str().unwrap().to_owned(),
        );
        let (value, field) = &raw[&key];
        check_typed(row, value, field);
        types.insert(field["type"].as_str().unwrap().to_owned());
    }
    for kind in clickup_connector::streams::task_children::custom_field_values::DOCUMENTED_TYPES {
        assert!(
            types.contains(kind),
            "no value of type {kind} in the world: {types:?}"
        );
    }
    // Options that are gone from a field's config are named once per field in a sync, not
    // once per task.
    let drift: Vec<&String> = out
        .warnings
        .iter()
        .filter(|w| w.contains("matches no option") || w.contains("is not in its type_config"))
        .collect();
    assert!(
        !drift.is_empty(),
        "the world has option drift; no warning named it"
    );
    let unique: std::collections::BTreeSet<&&String> = drift.iter().collect();
    assert_eq!(unique.len(), drift.len(), "{drift:?}");
}

#[tokio::test]
async fn a_value_cleared_in_clickup_is_a_tombstone_and_its_sqlite_row_is_gone() {
    let sim = sim(47, Size::tiny());
    let dir = std::env::temp_dir().join(format!("children-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db_path = dir.join("db.sqlite");
    let _ = std::fs::remove_file(&db_path);
    let config = config(&sim);
    let names = with_children();
    let mut state = SyncState::new();
    sync_into_db(&sim, &config, &names, &db_path, &mut state).await;
    let (task_id, field_id) = sim.with_world(|w| {
        let t = w.workspaces[0]
            .tasks
            .iter()
            .find(|t| {
                t.to_api_json()["custom_fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f.get("value").is_some_and(|v| !v.is_null()))
            })
            .unwrap();
        let f = t.to_api_json()["custom_fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f.get("value").is_some_and(|v| !v.is_null()))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        (t.id.clone(), f)
    });
    let count = |task: &str, field: &str| -> i64 {
        let conn = rusqlite_open(&db_path);
        conn.query_row(
            "SELECT count(*) FROM task_custom_field_values WHERE task_id = ?1 AND field_id = ?2",
            [task, field],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(count(&task_id, &field_id), 1);
    assert!(sim.mutate(|w| w.clear_custom_field(&task_id, &field_id)));
    sync_into_db(&sim, &config, &names, &db_path, &mut state).await;
    assert_eq!(
        count(&task_id, &field_id),
        0,
        "the cleared value is still in the destination"
    );
    // Every other value of that task is still there.
    let others = sim.with_world(|w| raw_values(w).keys().filter(|(t, _)| t == &task_id).count());
    let conn = rusqlite_open(&db_path);
    let left: i64 = conn
        .query_row(
            "SELECT count(*) FROM task_custom_field_values WHERE task_id = ?1",
            [&task_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left as usize, others);
}

fn rusqlite_open(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[tokio::test]
async fn a_child_stream_read_by_itself_gives_the_same_rows() {
    let sim = sim(41, Size::tiny());
    let config = config(&sim);
    let mut run = run_for(&sim).await;
    let mut cursor: Option<String> = None;
    let mut rows = Vec::new();
    loop {
        let page = run
            .read_page(&config, "task_tags", None, cursor.as_deref())
            .await
            .unwrap();
        rows.extend(
            page.records
                .iter()
                .map(|r| serde_json::from_str::<Value>(r).unwrap()),
        );
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    let want = truth(&sim.world(), Child::Tags);
    assert_eq!(keyed(Child::Tags, &rows), keyed(Child::Tags, &want));
}

/// A config that opts in to `task_time_in_status`.
fn with_time_in_status(sim: &clickup_sim::Simulator) -> String {
    serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url(), "include_time_in_status": true})
        .to_string()
}

#[tokio::test]
async fn time_in_status_comes_a_request_per_hundred_tasks_and_equals_the_ground_truth() {
    let sim = sim(61, Size::tiny());
    let config = with_time_in_status(&sim);
    let names = ["tasks", "task_time_in_status"];
    let mut state = SyncState::new();
    let (out, end) =
        crate::harness::sync_with(&sim, &config, &names, &mut state, &crate::harness::quick())
            .await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let world = sim.world();
    let mut want = Vec::new();
    for ws in &world.workspaces {
        let ctx = Context {
            workspace_id: &ws.id,
            tombstone_at: None,
        };
        for t in &ws.tasks {
            if let Some(tis) = world.time_in_status(&t.id) {
                clickup_connector::streams::task_children::time_in_status::rows(
                    &t.id,
                    &tis.to_api_json(),
                    &ctx,
                    &mut want,
                );
            }
        }
    }
    assert!(
        !want.is_empty(),
        "the world has no time in status: the test proves nothing"
    );
    let got = &out.records["task_time_in_status"];
    let (got, want) = (
        keyed(Child::TimeInStatus, got),
        keyed(Child::TimeInStatus, &want),
    );
    let missing: Vec<_> = want
        .keys()
        .filter(|k| !got.contains_key(*k))
        .take(3)
        .collect();
    let extra: Vec<_> = got
        .keys()
        .filter(|k| !want.contains_key(*k))
        .take(3)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?} of {}",
        want.len()
    );
    for (k, w) in &want {
        assert_eq!(&got[k], w, "{k:?}");
    }
    let log = sim.request_log();
    let bulk: Vec<&String> = log
        .iter()
        .filter(|r| r.contains("bulk_time_in_status"))
        .collect();
    // A lone task of a page's Workspace is asked for alone (the bulk endpoint takes two or more).
    let lone = log
        .iter()
        .filter(|r| r.contains("/time_in_status") && !r.contains("bulk"))
        .count();
    let tasks = world.task_count();
    assert!(
        bulk.len() + lone >= tasks.div_ceil(100),
        "{} requests for {tasks} tasks",
        bulk.len() + lone
    );
    for r in &bulk {
        assert!(r.matches("task_ids=").count() >= 2, "fewer than 2 ids: {r}");
        assert!(
            r.matches("task_ids=").count() <= 100,
            "more than 100 ids: {r}"
        );
        // One Workspace a request: ClickUp answers for one.
        let ids: Vec<&str> = r
            .split("task_ids=")
            .skip(1)
            .map(|p| p.split('&').next().unwrap())
            .collect();
        let homes: std::collections::BTreeSet<&str> = ids
            .iter()
            .filter_map(|id| {
                world
                    .workspaces
                    .iter()
                    .find(|w| w.tasks.iter().any(|t| t.id == *id))
                    .map(|w| w.id.as_str())
            })
            .collect();
        assert_eq!(homes.len(), 1, "{r}");
    }
    let tasks_alone = sync_ok(&sim, &["tasks"], &mut SyncState::new()).await;
    assert_eq!(
        out.requests,
        tasks_alone.requests + (bulk.len() + lone) as u64
    );

    // An incremental sync: a Workspace with one task to ask for asks the single-task endpoint
    // (the bulk one takes two or more), and its rows come.
    sim.mutate(|w| w.update_tasks(1));
    let (next, end) =
        crate::harness::sync_with(&sim, &config, &names, &mut state, &crate::harness::quick())
            .await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let mut by_workspace: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for t in &next.records["tasks"] {
        let ws = t["workspace_id"].as_str().unwrap_or_default();
        by_workspace
            .entry(ws)
            .or_default()
            .push(t["id"].as_str().unwrap_or_default());
    }
    let lone: Vec<&str> = by_workspace
        .values()
        .filter(|t| t.len() == 1)
        .map(|t| t[0])
        .collect();
    assert!(
        !lone.is_empty(),
        "no Workspace with one task read: {by_workspace:?}"
    );
    let rows = next
        .records
        .get("task_time_in_status")
        .into_iter()
        .flatten();
    let of: std::collections::BTreeSet<&str> = rows
        .map(|r| r["task_id"].as_str().unwrap_or_default())
        .collect();
    let log = sim.request_log();
    for id in lone {
        assert!(of.contains(id), "no rows for {id}: {of:?}");
        let asked = format!("/task/{id}/time_in_status");
        assert!(log.iter().any(|r| r.contains(&asked)), "{asked} not asked");
    }
}

#[tokio::test]
async fn a_workspace_without_time_in_status_gives_one_warning_naming_it_and_the_rest_syncs() {
    let sim = sim(62, Size::tiny());
    let ws = sim.world().workspaces[0].id.clone();
    assert!(sim.mutate(|w| w.set_time_in_status(&ws, false)));
    let config = with_time_in_status(&sim);
    let (out, end) = crate::harness::sync_with(
        &sim,
        &config,
        &["tasks", "task_time_in_status", "task_tags"],
        &mut SyncState::new(),
        &crate::harness::quick(),
    )
    .await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let named: Vec<&String> = out
        .warnings
        .iter()
        .filter(|w| w.contains("TIS_027"))
        .collect();
    assert_eq!(named.len(), 1, "{:?}", out.warnings);
    assert!(
        named[0].contains("Time In Status is not available"),
        "{}",
        named[0]
    );
    assert_eq!(out.records["tasks"].len(), sim.world().task_count());
    assert!(out.records.get("task_tags").is_some_and(|r| !r.is_empty()));
    // Each Workspace is gated alone: whichever is denied, and whenever its request goes, the
    // others' rows all come.
    let all: Vec<String> =
        sim.with_world(|w| w.workspaces.iter().map(|ws| ws.id.clone()).collect());
    assert!(all.len() >= 2, "one Workspace: the test proves nothing");
    assert!(sim.mutate(|w| w.set_time_in_status(&ws, true)));
    for denied in &all {
        assert!(sim.mutate(|w| w.set_time_in_status(denied, false)));
        let (out, end) = crate::harness::sync_with(
            &sim,
            &config,
            &["tasks", "task_time_in_status"],
            &mut SyncState::new(),
            &crate::harness::quick(),
        )
        .await;
        assert!(matches!(end, SyncEnd::Complete), "{end:?}");
        let with_rows: std::collections::BTreeSet<String> = out
            .records
            .get("task_time_in_status")
            .into_iter()
            .flatten()
            .map(|r| r["workspace_id"].as_str().unwrap().to_owned())
            .collect();
        let want: std::collections::BTreeSet<String> =
            all.iter().filter(|w| *w != denied).cloned().collect();
        assert_eq!(with_rows, want, "Workspace {denied} denied");
        assert!(sim.mutate(|w| w.set_time_in_status(denied, true)));
    }
    // Without the opt-in the stream is not offered, and asking for it says how to get it.
    let mut run = run_for(&sim).await;
    let plain = crate::harness::config(&sim);
    let offered = run.discover(&plain).await.unwrap();
    assert!(offered.iter().all(|d| d.name != "task_time_in_status"));
    let asked = ["task_time_in_status".to_owned()];
    match run
        .read_page_and_children(&plain, "tasks", None, None, &asked)
        .await
    {
        Err(host_harness::CallError::Connector(host_harness::WitError::UnknownStream(m))) => {
            assert!(m.contains("include_time_in_status"), "{m}")
        }
        other => panic!("{other:?}"),
    }
}
