//! Deleted tasks: a full sync, deletions (and tasks closed or moved, which are not deletions),
//! then an incremental sync that sweeps gives a tombstone for exactly the deleted tasks, and
//! their rows leave the SQLite destination.

use crate::harness::{quick, sim, sync_into_db, Collected};
use clickup_sim::Size;
use host_harness::sync::{SyncEnd, SyncState};
use std::collections::BTreeSet;
use std::path::Path;

fn ids_in(db: &Path) -> BTreeSet<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT id FROM tasks").unwrap();
    let ids = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    ids
}

#[tokio::test]
async fn a_sweep_tombstones_exactly_the_deleted_tasks_and_their_sqlite_rows_are_gone() {
    let sim = sim(53, Size::tiny());
    let dir = std::env::temp_dir().join(format!("deletes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("db.sqlite");
    let _ = std::fs::remove_file(&db);
    let config = serde_json::json!({
        "api_token": sim.token(), "base_url": sim.base_url(), "deletes_sweep_interval_hours": 0,
    })
    .to_string();
    let mut state = SyncState::new();
    sync_into_db(&sim, &config, &["tasks"], &db, &mut state).await;
    let before = ids_in(&db);
    assert_eq!(before.len(), sim.world().task_count());

    let (deleted, closed, moved) = sim.mutate(|w| {
        let ws = &w.workspaces[0];
        let live: Vec<String> = ws
            .tasks
            .iter()
            .filter(|t| !t.status.is_closed() && !t.is_subtask())
            .map(|t| t.id.clone())
            .collect();
        let list = ws
            .lists
            .iter()
            .find(|l| {
                ws.list_is_live(l)
                    && l.id != ws.tasks.iter().find(|t| t.id == live[3]).unwrap().list.id
            })
            .unwrap()
            .id
            .clone();
        let mut deleted: BTreeSet<String> = BTreeSet::new();
        for id in &live[..2] {
            deleted.extend(w.delete_task(id).tasks);
        }
        assert!(w.close_task(&live[2]));
        assert!(w.move_task(&live[3], &list));
        (deleted, live[2].clone(), live[3].clone())
    });
    assert!(deleted.len() >= 2);
    let second = sync_into_db(&sim, &config, &["tasks"], &db, &mut state).await;
    let tombstones: BTreeSet<String> = second.records["tasks"]
        .iter()
        .filter(|r| r["_ab_cdc_deleted_at"].is_string())
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        tombstones, deleted,
        "tombstones for exactly the deleted tasks"
    );
    for t in second.records["tasks"]
        .iter()
        .filter(|r| r["_ab_cdc_deleted_at"].is_string())
    {
        assert_eq!(
            t.as_object().unwrap().len(),
            3,
            "a tombstone is the key and the time: {t}"
        );
    }
    let after = ids_in(&db);
    assert!(
        after.is_disjoint(&deleted),
        "deleted tasks are still in SQLite"
    );
    assert!(after.contains(&closed) && after.contains(&moved));
    let now: BTreeSet<String> = sim.with_world(|w| {
        w.workspaces
            .iter()
            .flat_map(|ws| ws.tasks.iter().map(|t| t.id.clone()))
            .collect()
    });
    assert_eq!(after, now, "SQLite holds exactly ClickUp's tasks");

    // Nothing more is deleted: the next sweep finds nothing to tombstone.
    let third = sync_into_db(&sim, &config, &["tasks"], &db, &mut state).await;
    assert!(third
        .records
        .get("tasks")
        .into_iter()
        .flatten()
        .all(|r| r["_ab_cdc_deleted_at"].is_null()));
}

/// One sync of `time_entries`, collected; from `state`.
async fn sync_entries(sim: &clickup_sim::Simulator, state: &mut SyncState) -> Collected {
    let (out, end) = crate::harness::sync_with(
        sim,
        &crate::harness::config(sim),
        &["time_entries"],
        state,
        &quick(),
    )
    .await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    out
}

#[tokio::test]
async fn time_entries_of_the_look_back_that_no_longer_come_back_are_tombstones() {
    let sim = sim(59, Size::tiny());
    let mut state = SyncState::new();
    sync_entries(&sim, &mut state).await;
    let watermark = |state: &SyncState, ws: &str| {
        state["time_entries"].state.as_ref().unwrap()["watermarks"][ws]
            .as_i64()
            .unwrap()
    };
    let lookback = 30 * 86_400_000;
    // Two entries inside the look-back, one before it: only the first two can be seen gone.
    let (inside, before) = sim.mutate(|w| {
        let ws = w.workspaces[0].id.clone();
        let cut = watermark(&state, &ws) - lookback;
        let entries = &w.workspaces[0].time_entries;
        let inside: Vec<String> = entries
            .iter()
            .filter(|e| e.start >= cut)
            .take(2)
            .map(|e| e.id.clone())
            .collect();
        let before = entries
            .iter()
            .find(|e| e.start < cut)
            .map(|e| e.id.clone())
            .unwrap();
        for id in inside.iter().chain([&before]) {
            assert!(w.delete_time_entry(id));
        }
        (inside, before)
    });
    assert_eq!(
        inside.len(),
        2,
        "the world has no recent entries: the test proves nothing"
    );
    let second = sync_entries(&sim, &mut state).await;
    let tombstones: BTreeSet<String> = second.records["time_entries"]
        .iter()
        .filter(|r| r["_ab_cdc_deleted_at"].is_string())
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        tombstones,
        inside.iter().cloned().collect(),
        "only the look-back's deletions"
    );
    assert!(!tombstones.contains(&before));
    // The next sync has nothing more to tombstone.
    let third = sync_entries(&sim, &mut state).await;
    assert!(third
        .records
        .get("time_entries")
        .into_iter()
        .flatten()
        .all(|r| r["_ab_cdc_deleted_at"].is_null()));
}
