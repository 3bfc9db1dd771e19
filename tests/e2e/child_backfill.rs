//! A child stream added to an incremental sync of `tasks` already under way: its first sync
//! reads every task once, so its table holds every task's rows (not only those of the tasks
//! changed since), and the syncs after it are incremental again.

use crate::child_deletes::{keys_in, truth_keys};
use crate::harness::{config, sim, sync_into_db};
use clickup_connector::streams::task_children::Child;
use clickup_sim::Size;
use host_harness::sync::SyncState;
use std::collections::BTreeSet;

#[tokio::test]
async fn a_child_stream_added_later_gets_every_tasks_rows_and_then_only_the_changes() {
    let sim = sim(61, Size::tiny());
    let dir = std::env::temp_dir().join(format!("child-backfill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("db.sqlite");
    let _ = std::fs::remove_file(&db);
    let config = config(&sim);
    let mut state = SyncState::new();
    let before = ["tasks", "task_assignees"];
    sync_into_db(&sim, &config, &before, &db, &mut state).await;
    let changed = sim.mutate(|w| w.update_tasks(2));

    let after = ["tasks", "task_assignees", "task_tags"];
    let added = sync_into_db(&sim, &config, &after, &db, &mut state).await;
    let tasks = sim.world().task_count();
    assert_eq!(added.records["tasks"].len(), tasks, "every task, once");
    for child in [Child::Assignees, Child::Tags] {
        let truth = sim.with_world(|w| truth_keys(w, child));
        assert!(
            !truth.is_empty(),
            "no {}: the test proves nothing",
            child.name()
        );
        assert_eq!(keys_in(&db, child), truth, "{}", child.name());
    }
    assert!(
        added.records["task_assignees"]
            .iter()
            .all(|r| r["_ab_cdc_deleted_at"].is_null()),
        "nothing was taken off a task"
    );

    // The next sync reads what an incremental sync of tasks alone reads from the same state.
    let ids = |out: &crate::harness::Collected| -> BTreeSet<String> {
        let tasks = out.records.get("tasks").into_iter().flatten();
        tasks
            .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let alone = sync_into_db(
        &sim,
        &config,
        &["tasks"],
        &dir.join("alone.sqlite"),
        &mut state.clone(),
    )
    .await;
    let again = sync_into_db(&sim, &config, &after, &db, &mut state).await;
    assert!(
        ids(&alone).len() < tasks / 4,
        "{} tasks re-read",
        ids(&alone).len()
    );
    assert_eq!(
        ids(&again),
        ids(&alone),
        "the sync after the backfill is incremental"
    );
    assert!(changed.iter().all(|id| ids(&added).contains(id)));
}
