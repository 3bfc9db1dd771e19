use super::*;
use host_harness::SyncMode;
use serde_json::json;

/// The prefix of the ClickUp tool, whose names these tests were written against.
const P: &str = "_clickup_";

fn descriptor(name: &str, key: &[&[&str]], properties: Value) -> StreamDescriptor {
    StreamDescriptor {
        name: name.to_owned(),
        json_schema: json!({"type": "object", "properties": properties}).to_string(),
        primary_key: key
            .iter()
            .map(|p| p.iter().map(|s| (*s).to_owned()).collect())
            .collect(),
        cursor_field: vec![],
        sync_modes: vec![SyncMode::FullRefresh],
        parent: None,
        lane: None,
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqlite-unit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("db.sqlite")
}

fn choice(name: &str, incremental: bool) -> StreamChoice {
    StreamChoice {
        name: name.to_owned(),
        incremental,
        parent: None,
        lane: None,
    }
}

fn done(state: Value) -> Checkpoint {
    Checkpoint {
        state: Some(state),
        cursor: None,
    }
}

#[test]
fn upserts_keeps_extras_rejects_keyless_and_saves_state_with_the_rows() {
    let path = scratch("upsert");
    let d = [descriptor(
        "m",
        &[&["workspace_id"], &["id"]],
        json!({"workspace_id": {"type": "string"}, "id": {"type": "string"},
               "n": {"type": ["integer", "null"]}, "ok": {"type": "boolean"},
               "o": {"type": ["object", "null"]}, "weird \"name\"": {"type": "number"}}),
    )];
    let streams = [choice("m", true)];
    let mut db = SqliteDestination::open(&path, P, &d, &streams, &SyncState::new()).unwrap();
    db.records(
        "m",
        &[
            r#"{"workspace_id":"1","id":"a","n":1,"ok":true,"o":{"x":[1]},"new":"kept"}"#.into(),
            r#"{"workspace_id":"2","id":"a","n":18446744073709551615,"weird \"name\"":1.5}"#.into(),
            r#"{"id":"b"}"#.into(),
            "[1]".into(),
        ],
    )
    .unwrap();
    db.checkpoint("m", &done(json!({"t": 1}))).unwrap();
    db.records("m", &[r#"{"workspace_id":"1","id":"a","n":2}"#.into()])
        .unwrap();
    db.checkpoint("m", &done(json!({"t": 2}))).unwrap();
    assert_eq!(db.written["m"], 3);
    assert_eq!(db.rejected["m"], 2);
    drop(db);

    let conn = Connection::open(&path).unwrap();
    type Row = (String, String, Option<String>, Option<String>, Option<i64>);
    let rows: Vec<Row> = conn
        .prepare("SELECT workspace_id, id, CAST(n AS TEXT), _clickup_extra, json_extract(o, '$.x[0]') FROM m ORDER BY workspace_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows,
        [
            ("1".into(), "a".into(), Some("2".into()), None, None),
            (
                "2".into(),
                "a".into(),
                Some("1.8446744073709552e+19".into()),
                Some(r#"{"n":18446744073709551615}"#.into()),
                None
            ),
        ]
    );
    let weird: f64 = conn
        .query_row(
            r#"SELECT "weird ""name""" FROM m WHERE workspace_id = '2'"#,
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(weird, 1.5);
    let rejected: i64 = conn
        .query_row(
            "SELECT count(*) FROM _clickup_rejected WHERE stream = 'm'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rejected, 2);
    drop(conn);
    let state = SqliteDestination::load_state(&path, P).unwrap();
    assert_eq!(state["m"], done(json!({"t": 2})));
    assert!(
        SqliteDestination::load_state(&path.with_extension("absent"), P)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn extras_are_kept_and_a_rolled_back_page_leaves_no_trace() {
    let path = scratch("extra");
    let d = [descriptor(
        "t",
        &[&["id"]],
        json!({"id": {"type": "string"}}),
    )];
    let streams = [choice("t", true)];
    let mut db = SqliteDestination::open(&path, P, &d, &streams, &SyncState::new()).unwrap();
    db.records("t", &[r#"{"id":"a","new":{"k":1}}"#.into()])
        .unwrap();
    db.checkpoint("t", &done(json!(1))).unwrap();
    // A page whose checkpoint never comes (the sync died): not committed.
    db.records("t", &[r#"{"id":"b"}"#.into()]).unwrap();
    drop(db);
    let conn = Connection::open(&path).unwrap();
    let ids: Vec<(String, String)> = conn
        .prepare("SELECT id, json_extract(_clickup_extra, '$.new.k') FROM t")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?.to_string())))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids, [("a".to_owned(), "1".to_owned())]);
}

#[test]
fn full_refresh_replaces_the_snapshot_and_survives_resumption() {
    let path = scratch("refresh");
    let d = [descriptor(
        "s",
        &[&["id"]],
        json!({"id": {"type": "string"}, "v": {"type": "integer"}}),
    )];
    let streams = [choice("s", false)];
    let page = |ids: &[&str], v: i64| -> Vec<String> {
        ids.iter()
            .map(|i| json!({"id": i, "v": v}).to_string())
            .collect()
    };
    let mid = Checkpoint {
        state: None,
        cursor: Some(json!({"page": 1})),
    };
    let ids = |path: &Path| -> Vec<String> {
        let conn = Connection::open(path).unwrap();
        let mut stmt = conn.prepare("SELECT id FROM s ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    // Sync 1: a, b, c in two pages.
    let mut db = SqliteDestination::open(&path, P, &d, &streams, &SyncState::new()).unwrap();
    db.records("s", &page(&["a", "b"], 1)).unwrap();
    db.checkpoint("s", &mid).unwrap();
    db.records("s", &page(&["c"], 1)).unwrap();
    db.checkpoint("s", &Checkpoint::default()).unwrap();
    drop(db);
    assert_eq!(ids(&path), ["a", "b", "c"]);
    // Sync 2 (c deleted upstream, d new) stops after its first page...
    let mut db = SqliteDestination::open(&path, P, &d, &streams, &SyncState::new()).unwrap();
    db.records("s", &page(&["a", "d"], 2)).unwrap();
    db.checkpoint("s", &mid).unwrap();
    drop(db);
    assert_eq!(ids(&path), ["a", "b", "c", "d"], "queryable mid-way");
    // ... and resumes from the database's state: a keeps its sync number, c goes.
    let state = SqliteDestination::load_state(&path, P).unwrap();
    assert_eq!(state["s"].cursor, mid.cursor);
    let mut db = SqliteDestination::open(&path, P, &d, &streams, &state).unwrap();
    db.records("s", &page(&["b"], 2)).unwrap();
    db.checkpoint("s", &Checkpoint::default()).unwrap();
    drop(db);
    assert_eq!(ids(&path), ["a", "b", "d"]);
    let table = query_table(&path, "SELECT id, v, _clickup_sync FROM s ORDER BY id").unwrap();
    assert_eq!(
        table,
        "id  v  _clickup_sync\n--  -  -------------\na   2  2\nb   2  2\nd   2  2"
    );
}

#[test]
fn a_changed_key_is_a_clear_error_and_new_properties_become_columns() {
    let path = scratch("evolve");
    let streams = [choice("t", true)];
    let d1 = [descriptor(
        "t",
        &[&["id"]],
        json!({"id": {"type": "string"}}),
    )];
    drop(SqliteDestination::open(&path, P, &d1, &streams, &SyncState::new()).unwrap());
    let d2 = [descriptor(
        "t",
        &[&["id"]],
        json!({"id": {"type": "string"}, "x": {"type": "integer"}}),
    )];
    let mut db = SqliteDestination::open(&path, P, &d2, &streams, &SyncState::new()).unwrap();
    db.records("t", &[r#"{"id":"a","x":5}"#.into()]).unwrap();
    db.checkpoint("t", &done(json!(1))).unwrap();
    drop(db);
    let d3 = [descriptor(
        "t",
        &[&["x"]],
        json!({"id": {"type": "string"}, "x": {"type": "integer"}}),
    )];
    let e = SqliteDestination::open(&path, P, &d3, &streams, &SyncState::new())
        .err()
        .unwrap();
    assert!(format!("{e:#}").contains("primary key"), "{e:#}");
    std::fs::write(path.with_extension("txt"), "not a database at all, no").unwrap();
    let e = SqliteDestination::open(
        &path.with_extension("txt"),
        P,
        &d1,
        &streams,
        &SyncState::new(),
    )
    .err()
    .unwrap();
    assert!(format!("{e:#}").contains("SQLite"), "{e:#}");
}

#[test]
fn a_tombstone_deletes_the_row_with_its_key_and_nothing_else() {
    let path = scratch("tombstone");
    let d = [descriptor(
        "v",
        &[&["task_id"], &["field_id"]],
        json!({"task_id": {"type": "string"}, "field_id": {"type": "string"},
               "value_number": {"type": ["number", "null"]},
               "_ab_cdc_deleted_at": {"type": ["string", "null"]}}),
    )];
    let streams = [choice("v", true)];
    let mut db = SqliteDestination::open(&path, P, &d, &streams, &SyncState::new()).unwrap();
    let live = |f: &str| {
        format!(r#"{{"task_id":"1","field_id":"{f}","value_number":1,"_ab_cdc_deleted_at":null}}"#)
    };
    db.records("v", &[live("a"), live("b"), live("c")]).unwrap();
    db.checkpoint("v", &done(json!({"t": 1}))).unwrap();
    let gone = r#"{"task_id":"1","field_id":"b","_ab_cdc_deleted_at":"2026-12-01T00:00:00.000Z"}"#;
    // A tombstone for a row that was never stored deletes nothing and is not an error.
    let never = r#"{"task_id":"9","field_id":"z","_ab_cdc_deleted_at":"2026-12-01T00:00:00.000Z"}"#;
    db.records("v", &[gone.into(), never.into()]).unwrap();
    db.checkpoint("v", &done(json!({"t": 2}))).unwrap();
    drop(db);
    let conn = Connection::open(&path).unwrap();
    let left: Vec<String> = conn
        .prepare("SELECT field_id FROM v ORDER BY field_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(left, ["a", "c"]);
}
