//! Tests of deleting tasks and time entries between syncs.

use super::test_client::get;
use super::*;
use serde_json::{json, Value};
use std::collections::HashSet;

const NOW: i64 = 1_750_000_000_000;

fn tiny() -> Simulator {
    Simulator::start(SimConfig {
        size: Size::tiny(),
        now_ms: Some(NOW),
        rate_limit: RateLimitConfig::unlimited(),
        ..SimConfig::default()
    })
    .expect("simulator starts")
}

/// Every task id of a task listing (which must already have a `?`), over all pages.
fn listed(sim: &Simulator, path: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    for page in 0..100 {
        let reply = get(sim, &format!("{path}&page={page}"));
        assert_eq!(reply.status, 200, "{path}");
        let v = reply.json();
        for t in v["tasks"].as_array().expect("tasks") {
            out.insert(t["id"].as_str().expect("id").to_string());
        }
        if v["last_page"] == json!(true) {
            break;
        }
    }
    out
}

/// Every task id the team endpoint serves, in both archived partitions.
fn team_listing(sim: &Simulator, team: &str) -> HashSet<String> {
    let path = format!("/team/{team}/task?include_closed=true&subtasks=true");
    let mut all = listed(sim, &path);
    all.extend(listed(sim, &format!("{path}&archived=true")));
    all
}

fn list_listing(sim: &Simulator, list: &str) -> HashSet<String> {
    let path = format!("/list/{list}/task?include_closed=true&subtasks=true&include_timl=true");
    let mut all = listed(sim, &path);
    all.extend(listed(sim, &format!("{path}&archived=true")));
    all
}

/// Every time-entry id of the workspace, for every member, at any date.
fn entry_listing(sim: &Simulator, ws: &Workspace) -> HashSet<String> {
    let members: Vec<String> = ws.members.iter().map(|m| m.user.id.to_string()).collect();
    let path = format!(
        "/team/{}/time_entries?start_date=0&end_date={}&assignee={}",
        ws.id,
        NOW + 400 * 86_400_000,
        members.join(",")
    );
    let v = get(sim, &path).json();
    v["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_string())
        .collect()
}

/// The ids `tasks` / `list_relationship` values of `t` point at, with their `deleted`.
fn references(t: &Task) -> Vec<(String, Value)> {
    t.custom_fields
        .iter()
        .filter(|s| matches!(s.field.kind.as_str(), "tasks" | "list_relationship"))
        .filter_map(|s| match &s.value {
            CustomValue::Set(Value::Array(items)) => Some(items),
            _ => None,
        })
        .flatten()
        .map(|i| {
            (
                i["id"].as_str().unwrap_or("").to_string(),
                i["deleted"].clone(),
            )
        })
        .collect()
}

#[test]
fn a_deleted_task_and_its_subtasks_leave_every_listing() {
    let sim = tiny();
    let world = sim.world();
    let ws = &world.workspaces[0];
    // A live top-level task with a subtask that has a subtask of its own, pointed at
    // by another task's `tasks` value.
    let referenced: HashSet<String> = ws
        .tasks
        .iter()
        .flat_map(references)
        .map(|(id, _)| id)
        .collect();
    let parent = ws
        .tasks
        .iter()
        .filter(|t| !t.is_subtask() && referenced.contains(&t.id))
        .find(|t| {
            ws.tasks.iter().any(|c| {
                c.parent.as_ref() == Some(&t.id)
                    && ws.tasks.iter().any(|g| g.parent.as_ref() == Some(&c.id))
            }) && ws.list(&t.list.id).is_some_and(|l| ws.list_is_live(l))
        })
        .cloned()
        .expect("a referenced task with two levels of subtasks");
    // The subtree, computed from the ground truth.
    let mut subtree: HashSet<String> = HashSet::from([parent.id.clone()]);
    loop {
        let more: Vec<String> = ws
            .tasks
            .iter()
            .filter(|t| !subtree.contains(&t.id))
            .filter(|t| t.parent.as_ref().is_some_and(|p| subtree.contains(p)))
            .map(|t| t.id.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        subtree.extend(more);
    }
    assert!(subtree.len() >= 3);
    let tracked: HashSet<String> = ws
        .time_entries
        .iter()
        .filter(|e| e.task.as_ref().is_some_and(|t| subtree.contains(&t.id)))
        .map(|e| e.id.clone())
        .collect();
    let before_team = team_listing(&sim, &ws.id);
    assert!(subtree.iter().all(|id| before_team.contains(id)));
    let before_list = list_listing(&sim, &parent.list.id);
    assert!(before_list.contains(&parent.id));
    let count_before = ws.list(&parent.list.id).map(|l| l.task_count);

    let deleted = sim.mutate(|w| w.delete_task(&parent.id));
    assert_eq!(deleted.tasks.first(), Some(&parent.id));
    assert_eq!(
        deleted.tasks.iter().cloned().collect::<HashSet<_>>(),
        subtree
    );
    assert_eq!(deleted.tasks.len(), subtree.len());
    assert_eq!(
        deleted.time_entries.iter().cloned().collect::<HashSet<_>>(),
        tracked
    );

    let after = sim.world();
    let ws_after = &after.workspaces[0];
    assert_eq!(ws_after.tasks.len(), ws.tasks.len() - subtree.len());
    assert_eq!(
        ws_after.time_entries.len(),
        ws.time_entries.len() - tracked.len()
    );
    for id in &subtree {
        assert!(after.task(id).is_none());
        let r = get(&sim, &format!("/task/{id}"));
        assert_eq!(r.status, 404);
        assert_eq!(
            r.json(),
            json!({"err": "Task not found, deleted", "ECODE": "ITEM_013"})
        );
    }
    let after_team = team_listing(&sim, &ws.id);
    assert!(after_team.is_disjoint(&subtree));
    assert_eq!(
        after_team,
        before_team.difference(&subtree).cloned().collect()
    );
    let after_list = list_listing(&sim, &parent.list.id);
    assert!(after_list.is_disjoint(&subtree));
    assert!(ws_after.list(&parent.list.id).map(|l| l.task_count) < count_before);
    let entries = entry_listing(&sim, ws_after);
    assert!(entries.is_disjoint(&tracked));
    for id in &tracked {
        let r = get(&sim, &format!("/team/{}/time_entries/{id}", ws.id));
        assert_eq!(r.status, 404);
    }

    // Other tasks keep pointing at it, marked deleted; nothing else about them changed.
    let mut pointing = 0;
    for t in &ws_after.tasks {
        let old = ws.tasks.iter().find(|o| o.id == t.id).expect("kept");
        assert_eq!(t.date_updated, old.date_updated);
        for (id, flag) in references(t) {
            assert_eq!(flag, json!(subtree.contains(&id)), "{id} in {}", t.id);
            if id == parent.id {
                pointing += 1;
                let body = get(&sim, &format!("/task/{}", t.id)).json();
                let served = body["custom_fields"]
                    .as_array()
                    .expect("custom_fields")
                    .iter()
                    .filter_map(|f| f["value"].as_array())
                    .flatten()
                    .find(|i| i["id"] == json!(parent.id))
                    .cloned()
                    .expect("still listed");
                assert_eq!(served["deleted"], json!(true));
            }
        }
        // Dependency and link entries it shared with a deleted task stay.
        assert_eq!(t.dependencies, old.dependencies);
        assert_eq!(t.linked_tasks, old.linked_tasks);
    }
    assert!(pointing > 0);

    // Deleting again, or an unknown id, removes nothing.
    assert!(sim.mutate(|w| w.delete_task(&parent.id)).is_empty());
    assert_eq!(
        sim.mutate(|w| w.delete_task("nosuchtask")),
        Deleted::default()
    );
}

#[test]
fn a_deleted_task_leaves_the_lists_it_was_added_to() {
    let sim = tiny();
    let world = sim.world();
    let ws = &world.workspaces[0];
    let task = ws
        .tasks
        .iter()
        .find(|t| !t.locations.is_empty() && !t.is_subtask())
        .cloned()
        .expect("a task in several lists");
    let other = task.locations[0].id.clone();
    assert!(list_listing(&sim, &other).contains(&task.id));
    let deleted = sim.mutate(|w| w.delete_task(&task.id));
    assert!(deleted.tasks.contains(&task.id));
    assert!(!list_listing(&sim, &other).contains(&task.id));
    assert!(!list_listing(&sim, &task.list.id).contains(&task.id));
    // Dependencies of other tasks may still name it.
    let dependent = ws
        .tasks
        .iter()
        .filter(|t| t.id != task.id && !deleted.tasks.contains(&t.id))
        .find(|t| {
            t.dependencies.iter().any(|d| {
                deleted.tasks.contains(&d.task_id) || deleted.tasks.contains(&d.depends_on)
            })
        });
    if let Some(t) = dependent {
        let body = get(&sim, &format!("/task/{}", t.id)).json();
        assert_eq!(
            body["dependencies"].as_array().map(Vec::len),
            Some(t.dependencies.len())
        );
    }
}

#[test]
fn a_deleted_time_entry_leaves_every_listing() {
    let sim = tiny();
    let world = sim.world();
    let ws = &world.workspaces[0];
    let entry = ws
        .time_entries
        .iter()
        .find(|e| !e.is_running())
        .cloned()
        .expect("a finished entry");
    assert!(entry_listing(&sim, ws).contains(&entry.id));
    let single = format!("/team/{}/time_entries/{}", ws.id, entry.id);
    assert_eq!(get(&sim, &single).status, 200);

    assert!(sim.mutate(|w| w.delete_time_entry(&entry.id)));
    assert!(!entry_listing(&sim, ws).contains(&entry.id));
    assert_eq!(
        entry_listing(&sim, ws).len(),
        ws.time_entries.len() - 1,
        "only that entry left"
    );
    let r = get(&sim, &single);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["ECODE"], "TIMEENTRY_005");
    assert!(sim.world().find_time_entry(&entry.id).is_none());
    assert!(!sim.mutate(|w| w.delete_time_entry(&entry.id)));
    assert!(!sim.mutate(|w| w.delete_time_entry("1")));

    // The running timer: `/current` answers `null` once it is deleted.
    let running = ws
        .time_entries
        .iter()
        .find(|e| e.is_running())
        .cloned()
        .expect("the owner's running timer");
    let current = format!("/team/{}/time_entries/current", ws.id);
    assert_eq!(get(&sim, &current).json()["data"]["id"], json!(running.id));
    assert!(sim.mutate(|w| w.delete_time_entry(&running.id)));
    assert_eq!(get(&sim, &current).json(), json!({ "data": null }));
    assert_eq!(sim.world().time_entry_count(), world.time_entry_count() - 2);
}
