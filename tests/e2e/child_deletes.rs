//! Rows that leave a task: an assignee removed, a tag dropped, a checklist item, a dependency
//! or a link undone, and every row of a deleted task. A full sync into SQLite, those edits in
//! ClickUp, then an incremental sync gives a tombstone for exactly the rows gone, and each
//! child table in SQLite is ClickUp's again (a deleted task's custom field values too: its
//! tombstone in `tasks` takes them). A sync after that, with nothing changed, gives none.

use crate::harness::{sim, sync_into_db, Collected};
use crate::task_children::{keyed, truth};
use clickup_connector::streams::task_children::Child;
use clickup_sim::{Size, World};
use host_harness::sync::SyncState;
use std::collections::BTreeSet;
use std::path::Path;

/// The child streams whose keys the state keeps.
const KEPT: [Child; 5] = [
    Child::Assignees,
    Child::Tags,
    Child::ChecklistItems,
    Child::Dependencies,
    Child::Links,
];

pub(crate) type Keys = BTreeSet<(String, String)>;

fn names() -> Vec<&'static str> {
    std::iter::once("tasks")
        .chain(KEPT.iter().map(|c| c.name()))
        .chain([Child::CustomFieldValues.name()])
        .collect()
}

pub(crate) fn truth_keys(world: &World, child: Child) -> Keys {
    keyed(child, &truth(world, child)).into_keys().collect()
}

fn tombstones(out: &Collected, child: Child) -> Keys {
    let rows: Vec<_> = out
        .records
        .get(child.name())
        .into_iter()
        .flatten()
        .filter(|r| r["_ab_cdc_deleted_at"].is_string())
        .cloned()
        .collect();
    keyed(child, &rows).into_keys().collect()
}

pub(crate) fn keys_in(db: &Path, child: Child) -> Keys {
    let [a, b] = child.primary_key();
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(&format!("SELECT {a}, {b} FROM {}", child.name()))
        .unwrap();
    let keys = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    keys
}

/// The first tasks of the first Workspace (not subtasks) that `has`, `n` of them.
fn pick(world: &World, n: usize, has: impl Fn(&clickup_sim::Task) -> bool) -> Vec<String> {
    world.workspaces[0]
        .tasks
        .iter()
        .filter(|t| !t.is_subtask() && has(t))
        .take(n)
        .map(|t| t.id.clone())
        .collect()
}

#[tokio::test]
async fn rows_taken_off_a_task_and_a_deleted_tasks_rows_become_tombstones_and_leave_sqlite() {
    let sim = sim(59, Size::tiny());
    let dir = std::env::temp_dir().join(format!("child-deletes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("db.sqlite");
    let _ = std::fs::remove_file(&db);
    let config = serde_json::json!({
        "api_token": sim.token(), "base_url": sim.base_url(), "deletes_sweep_interval_hours": 0,
    })
    .to_string();
    let mut state = SyncState::new();
    let first = sync_into_db(&sim, &config, &names(), &db, &mut state).await;
    let before: Vec<Keys> = sim.with_world(|w| KEPT.iter().map(|c| truth_keys(w, *c)).collect());
    for (child, keys) in KEPT.iter().zip(&before) {
        assert!(
            tombstones(&first, *child).is_empty(),
            "a full sync gives no tombstone"
        );
        assert_eq!(&keys_in(&db, *child), keys, "{}", child.name());
    }

    sim.mutate(|w| {
        let mut strip = pick(w, 2, |t| !t.assignees.is_empty());
        strip.extend(pick(w, 2, |t| !t.tags.is_empty()));
        strip.extend(pick(w, 2, |t| {
            t.checklists.iter().any(|c| !c.items.is_empty())
        }));
        strip.extend(pick(w, 1, |t| !t.dependencies.is_empty()));
        strip.extend(pick(w, 1, |t| !t.linked_tasks.is_empty()));
        let deleted = pick(w, 1, |t| {
            !strip.contains(&t.id) && !t.assignees.is_empty() && !t.tags.is_empty()
        });
        for id in &strip {
            w.strip_task(id).expect("the task exists");
        }
        assert!(!w.delete_task(&deleted[0]).is_empty());
    });
    let second = sync_into_db(&sim, &config, &names(), &db, &mut state).await;
    let after: Vec<Keys> = sim.with_world(|w| KEPT.iter().map(|c| truth_keys(w, *c)).collect());
    for ((child, before), after) in KEPT.iter().zip(&before).zip(&after) {
        let gone: Keys = before.difference(after).cloned().collect();
        assert!(!gone.is_empty(), "{}: nothing was taken off", child.name());
        assert_eq!(
            tombstones(&second, *child),
            gone,
            "{}: tombstones for exactly the rows gone",
            child.name()
        );
        assert_eq!(
            &keys_in(&db, *child),
            after,
            "{}: SQLite is ClickUp's",
            child.name()
        );
    }

    // A deleted task's custom field values (no tombstones: their keys are not kept) leave with
    // its tombstone in tasks.
    let values = Child::CustomFieldValues;
    assert_eq!(
        keys_in(&db, values),
        sim.with_world(|w| truth_keys(w, values)),
        "{}: SQLite is ClickUp's",
        values.name()
    );

    let third = sync_into_db(&sim, &config, &names(), &db, &mut state).await;
    for child in KEPT {
        assert!(
            tombstones(&third, child).is_empty(),
            "{}: nothing changed",
            child.name()
        );
    }
}
