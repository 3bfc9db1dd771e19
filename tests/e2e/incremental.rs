//! Incremental syncs: after changes in ClickUp, the next sync returns every change, misses
//! nothing, and the state only moves forward; a killed sync resumes where it stopped.

use crate::harness::{by_key, config, ids, quick, sim, sync_ok, sync_with, ALL};
use crate::truth::expected;
use clickup_sim::Size;
use host_harness::sync::{SyncEnd, SyncOptions, SyncState};
use std::collections::BTreeMap;

fn watermarks(state: &SyncState, stream: &str) -> BTreeMap<String, i64> {
    state[stream].state.as_ref().unwrap()["watermarks"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_i64().unwrap()))
        .collect()
}

#[tokio::test]
async fn a_second_sync_returns_every_change_and_the_state_moves_forward() {
    let sim = sim(31, Size::tiny());
    let mut state = SyncState::new();
    sync_ok(&sim, &["tasks", "time_entries"], &mut state).await;
    let (before_tasks, before_entries) = (
        watermarks(&state, "tasks"),
        watermarks(&state, "time_entries"),
    );

    let (updated, created, closed, moved, added, edited) = sim.mutate(|w| {
        let updated = w.update_tasks(7);
        let created = w.create_tasks(4);
        let closed_id = w.workspaces[0]
            .tasks
            .iter()
            .find(|t| !t.status.is_closed())
            .map(|t| t.id.clone())
            .unwrap();
        assert!(w.close_task(&closed_id));
        let ws = &w.workspaces[0];
        let moved_id = ws.tasks[3].id.clone();
        let target = ws
            .lists
            .iter()
            .find(|l| l.id != ws.tasks[3].list.id && ws.list_is_live(l))
            .unwrap()
            .id
            .clone();
        assert!(w.move_task(&moved_id, &target));
        let added = w.add_time_entries(5);
        let edited_id = w.workspaces[0].time_entries.last().unwrap().id.clone();
        assert!(w.edit_time_entry(&edited_id));
        (
            updated,
            created,
            closed_id,
            (moved_id, target),
            added,
            edited_id,
        )
    });

    let second = sync_ok(&sim, &["tasks", "time_entries"], &mut state).await;
    let world = sim.world();
    let tasks = by_key(&second.records["tasks"]);
    let truth = by_key(&expected(&world, "tasks"));
    for id in updated.iter().chain(&created).chain([&closed, &moved.0]) {
        assert_eq!(
            tasks.get(id),
            truth.get(id),
            "task {id} missing or stale in the incremental sync"
        );
    }
    assert_eq!(tasks[&moved.0]["list_id"], moved.1.as_str());
    let entries = by_key(&second.records["time_entries"]);
    let entry_truth = by_key(&expected(&world, "time_entries"));
    for id in added.iter().chain([&edited]) {
        assert_eq!(entries.get(id), entry_truth.get(id), "time entry {id}");
    }
    for (ws, w) in &before_tasks {
        assert!(
            watermarks(&state, "tasks")[ws] >= *w,
            "the task watermark went back"
        );
    }
    for (ws, w) in &before_entries {
        assert!(
            watermarks(&state, "time_entries")[ws] >= *w,
            "the time-entry watermark went back"
        );
    }
    assert!(
        tasks.len() < truth.len() / 4,
        "the incremental sync re-read {} of {} tasks",
        tasks.len(),
        truth.len()
    );
}

#[tokio::test]
async fn a_sync_killed_after_any_page_resumes_with_nothing_lost_and_at_most_a_page_twice() {
    let sim = sim(32, Size::tiny());
    let clean = sync_ok(&sim, &ALL, &mut SyncState::new()).await;
    let total_pages = clean.events.iter().filter(|e| e.0 == "checkpoint").count() as u64;
    let cfg = config(&sim);
    for k in [1, 2, 5, total_pages / 3, total_pages / 2, total_pages - 2] {
        let mut state = SyncState::new();
        let stop = SyncOptions {
            stop_after_pages: Some(k),
            ..quick()
        };
        let (first, end) = sync_with(&sim, &cfg, &ALL, &mut state, &stop).await;
        assert!(matches!(end, SyncEnd::Interrupted), "k={k}: {end:?}");
        let (rest, end) = sync_with(&sim, &cfg, &ALL, &mut state, &quick()).await;
        assert!(matches!(end, SyncEnd::Complete), "k={k}: {end:?}");
        for stream in ALL {
            let mut all = first.records.get(stream).cloned().unwrap_or_default();
            all.extend(rest.records.get(stream).cloned().unwrap_or_default());
            let want = clean.records.get(stream).cloned().unwrap_or_default();
            assert_eq!(
                ids(&all),
                ids(&want),
                "k={k}: {stream} lost or invented records"
            );
            let duplicates = all.len() - ids(&all).len();
            assert!(
                duplicates <= 100,
                "k={k}: {stream} read {duplicates} records twice (more than a page)"
            );
        }
    }
}
