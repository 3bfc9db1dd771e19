//! One test per bug of other ClickUp connectors, each through the component against the
//! simulator's layouts that trigger it. `bugNN` in a test's name is the row of this table
//! (what Airbyte's `source-clickup-api`, `tap-clickup`, Faros, PostHog, ingestr, Nango and
//! others get wrong, and where it was reported):
//!
//! | # | what goes wrong | where it was reported |
//! |---|---|---|
//! | 1 | Only the first 100 tasks of each list come back (a broken paginator). The same bug recurs across many ClickUp clients. | airbytehq/airbyte#36538 |
//! | 2 | Folderless lists (lists directly under a space) are never read, so their tasks vanish. Others read only folderless lists and lose folder lists. | airbytehq/airbyte#86907; BasedHardware/omi PR 13822 |
//! | 3 | Closed tasks and subtasks are missing: ClickUp excludes both unless `include_closed=true` and `subtasks=true` are sent. | airbytehq/airbyte#24054, #26122 |
//! | 4 | Tasks in archived lists are missing from the workspace-wide task endpoint, even with `archived=true`. | AutoIDM/tap-clickup#99 |
//! | 5 | The per-list task endpoint returns only tasks whose *home* list it is; tasks added to several lists need `include_timl=true` or the home list's fetch. | taazkareem/clickup-mcp-server#9 |
//! | 6 | Time entries cover only the last 30 days and only the token owner: ClickUp's default when no dates and no `assignee` are sent. | AutoIDM/tap-clickup#134, #151 |
//! | 7 | No incremental sync at all: every run refetches everything. | airbytehq/airbyte PR 77122 (open) |
//! | 8 | Rate limits: one connector assumes the Enterprise 10,000 req/min with 41 concurrent requests on a 100 req/min plan; others back off blindly instead of waiting until `X-RateLimit-Reset`. | Airbyte manifest `api_budget`; psolymos/clickrup PR 8 |
//! | 9 | Errors swallowed: HTTP 500 and 404 ignored on every stream, or a failing list skipped with a debug log: a "successful" sync that is silently incomplete. | Airbyte manifest; ingestr |
//! | 10 | Custom-field `value` is polymorphic (number, string, array, object, null) and breaks strict destinations. | AutoIDM/tap-clickup#72, #116 |
//! | 11 | `time_estimate` can be fractional; strict integer schemas reject it. | AutoIDM/tap-clickup PR 147 |
//! | 12 | `date_updated_gt` is reported to behave as `>=`; others assume `>`. A watermark must overlap and deduplicate, never skip. | meanllbrl/dreamcontext PR 27; Nango template |
//! | 13 | Paging the time-entries endpoint loops forever: it has no pagination; narrow the date window instead. | psolymos/clickrup PR 17 |
//! | 14 | Goals inside goal folders appear only under `folders[].goals` of the goals response; reading only `goals[]` misses them. Completed goals need `include_completed=true`. | AutoIDM/tap-clickup#90; ClickUp's spec example |
//! | 15 | Timestamps left as millisecond strings, so every user converts them by hand. | all but PostHog |

use crate::harness::{by_key, config, failed, ids, quick, sim, sync_ok, sync_with, ALL};
use crate::truth::expected;
use clickup_sim::{Fault, Size};
use host_harness::sync::SyncState;
use host_harness::CallError;
use host_harness::WitError;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

async fn tasks_of(seed: u64) -> (clickup_sim::Simulator, BTreeMap<String, Value>) {
    let sim = sim(seed, Size::tiny());
    let out = sync_ok(&sim, &["tasks"], &mut SyncState::new()).await;
    let tasks = out.records.get("tasks").cloned().unwrap_or_default();
    let keyed = by_key(&tasks);
    assert_eq!(keyed.len(), tasks.len(), "a task was emitted twice");
    (sim, keyed)
}

/// Bug 1: only the first 100 tasks of each list.
#[tokio::test]
async fn bug01_every_page_of_a_list_with_more_than_100_tasks() {
    let (sim, got) = tasks_of(11).await;
    let world = sim.world();
    let mut per_list: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for t in world.workspaces.iter().flat_map(|w| &w.tasks) {
        per_list.entry(t.list.id.as_str()).or_default().push(&t.id);
    }
    let big: Vec<_> = per_list.iter().filter(|(_, ts)| ts.len() > 100).collect();
    assert!(!big.is_empty(), "the simulator has no list over 100 tasks");
    for (list, tasks) in big {
        let missing = tasks.iter().filter(|t| !got.contains_key(**t)).count();
        assert_eq!(
            missing,
            0,
            "list {list}: {missing} of {} tasks missing",
            tasks.len()
        );
    }
}

/// Bug 2: folderless lists (and their tasks) never read; or only they are.
#[tokio::test]
async fn bug02_folder_lists_and_folderless_lists_with_their_tasks() {
    let sim = sim(12, Size::tiny());
    let out = sync_ok(&sim, &["lists", "tasks"], &mut SyncState::new()).await;
    let world = sim.world();
    let lists = ids(&out.records["lists"]);
    let tasks = ids(&out.records["tasks"]);
    let all_lists: Vec<_> = world.workspaces.iter().flat_map(|w| &w.lists).collect();
    assert!(all_lists.iter().any(|l| l.folderless) && all_lists.iter().any(|l| !l.folderless));
    for l in &all_lists {
        assert!(
            lists.contains(&l.id),
            "list {} (folderless: {}) missing",
            l.id,
            l.folderless
        );
    }
    for t in world.workspaces.iter().flat_map(|w| &w.tasks) {
        assert!(
            tasks.contains(&t.id),
            "task {} of list {} missing",
            t.id,
            t.list.id
        );
    }
}

/// Bug 3: closed tasks and subtasks missing (ClickUp excludes both by default).
#[tokio::test]
async fn bug03_closed_tasks_and_subtasks() {
    let (sim, got) = tasks_of(13).await;
    let world = sim.world();
    let all: Vec<_> = world.workspaces.iter().flat_map(|w| &w.tasks).collect();
    let closed: Vec<_> = all.iter().filter(|t| t.status.is_closed()).collect();
    let subtasks: Vec<_> = all.iter().filter(|t| t.parent.is_some()).collect();
    assert!(!closed.is_empty() && !subtasks.is_empty());
    for t in closed.iter().chain(subtasks.iter()) {
        assert!(
            got.contains_key(&t.id),
            "task {} (closed or subtask) missing",
            t.id
        );
    }
}

/// Bug 4: tasks in archived lists (the team-wide endpoint leaves them out).
#[tokio::test]
async fn bug04_tasks_in_archived_lists_folders_and_spaces() {
    let (sim, got) = tasks_of(14).await;
    let world = sim.world();
    let mut hidden = 0;
    for ws in &world.workspaces {
        for t in &ws.tasks {
            let live = ws.list(&t.list.id).is_some_and(|l| ws.list_is_live(l));
            if !live {
                hidden += 1;
                assert!(
                    got.contains_key(&t.id),
                    "task {} in archived list {} missing",
                    t.id,
                    t.list.id
                );
            }
        }
    }
    assert!(hidden > 0, "the simulator has no task in an archived list");
}

/// Bug 5: tasks that live in several lists: read once, whatever list they were added to.
#[tokio::test]
async fn bug05_tasks_in_several_lists_exactly_once() {
    let (sim, got) = tasks_of(15).await;
    let world = sim.world();
    let multi: Vec<_> = world
        .workspaces
        .iter()
        .flat_map(|w| &w.tasks)
        .filter(|t| !t.locations.is_empty())
        .collect();
    assert!(
        !multi.is_empty(),
        "the simulator has no task in several lists"
    );
    for t in multi {
        let r = &got[&t.id];
        assert_eq!(r["list_id"], t.list.id.as_str(), "the home list is kept");
        assert_eq!(
            r["locations"].as_array().map(Vec::len),
            Some(t.locations.len())
        );
    }
}

/// Bug 6: time entries of the last 30 days and the token owner only.
#[tokio::test]
async fn bug06_time_entries_of_every_user_over_the_whole_history() {
    let sim = sim(16, Size::tiny());
    let out = sync_ok(&sim, &["time_entries"], &mut SyncState::new()).await;
    let world = sim.world();
    let got = ids(&out.records["time_entries"]);
    let owner = world.owner_id();
    let month_ago = world.now_ms - 30 * 86_400_000;
    let all: Vec<_> = world
        .workspaces
        .iter()
        .flat_map(|w| &w.time_entries)
        .collect();
    assert!(all.iter().any(|e| e.user.id != owner) && all.iter().any(|e| e.start < month_ago));
    for e in all {
        assert!(
            got.contains(&e.id),
            "entry {} (user {}, start {}) missing",
            e.id,
            e.user.id,
            e.start
        );
    }
}

/// Bug 7: no incremental sync: every run refetches everything.
#[tokio::test]
async fn bug07_a_second_sync_reads_only_what_changed() {
    let sim = sim(17, Size::tiny());
    let mut state = SyncState::new();
    let first = sync_ok(&sim, &["tasks"], &mut state).await;
    let second = sync_ok(&sim, &["tasks"], &mut state).await;
    let (n1, n2) = (
        first.records["tasks"].len(),
        second.records.get("tasks").map_or(0, Vec::len),
    );
    assert!(n1 > 200, "{n1}");
    assert!(
        n2 * 20 < n1,
        "a no-change incremental sync re-read {n2} of {n1} tasks"
    );
}

/// Bug 9: errors swallowed: a failing endpoint must fail the sync, not end it "successfully".
#[tokio::test]
async fn bug09_server_errors_are_not_swallowed() {
    let sim = sim(19, Size::tiny());
    let ws = sim.world().workspaces[0].id.clone();
    sim.inject(&format!("/team/{ws}/task"), Fault::Status(500), 1_000);
    let (out, end) = sync_with(
        &sim,
        &config(&sim),
        &["tasks"],
        &mut SyncState::new(),
        &quick(),
    )
    .await;
    match failed(end) {
        CallError::Connector(WitError::Transient(m)) => {
            assert!(m.contains(&format!("/team/{ws}/task")), "{m}")
        }
        other => panic!("{other:?}"),
    }
    assert!(out.warnings.is_empty());
}

/// Bug 10: polymorphic custom-field values (number, string, array, object, absent).
#[tokio::test]
async fn bug10_custom_field_values_of_every_shape_with_a_stable_json_text() {
    let (_sim, got) = tasks_of(20).await;
    let mut kinds = BTreeSet::new();
    for t in got.values() {
        for f in t["custom_fields"].as_array().into_iter().flatten() {
            let kind = match f.get("value") {
                None => "absent",
                Some(Value::Null) => "null",
                Some(Value::Number(_)) => "number",
                Some(Value::String(_)) => "string",
                Some(Value::Array(_)) => "array",
                Some(Value::Object(_)) => "object",
                Some(Value::Bool(_)) => "bool",
            };
            kinds.insert(kind);
            match f.get("value") {
                Some(v) => assert_eq!(f["value_json"], Value::String(v.to_string())),
                None => assert_eq!(f["value_json"], Value::Null),
            }
        }
    }
    for k in ["absent", "number", "string", "array", "object"] {
        assert!(
            kinds.contains(k),
            "no custom field value of kind {k}: {kinds:?}"
        );
    }
}

/// Bug 11: fractional `time_estimate` kept as a number.
#[tokio::test]
async fn bug11_fractional_time_estimates_are_kept() {
    let (sim, got) = tasks_of(21).await;
    let world = sim.world();
    let fractional: Vec<_> = world
        .workspaces
        .iter()
        .flat_map(|w| &w.tasks)
        .filter(|t| t.time_estimate.is_some_and(|e| e.fract() != 0.0))
        .collect();
    assert!(!fractional.is_empty());
    for t in fractional {
        assert_eq!(
            got[&t.id]["time_estimate"].as_f64(),
            t.time_estimate,
            "task {}",
            t.id
        );
    }
}

/// Bug 12: `date_updated_gt` behaves as `>=`: a watermark must overlap, never skip.
#[tokio::test]
async fn bug12_a_change_at_the_watermark_itself_is_not_skipped() {
    let sim = sim(22, Size::tiny());
    let mut state = SyncState::new();
    sync_ok(&sim, &["tasks"], &mut state).await;
    let watermark = state["tasks"].state.as_ref().unwrap()["watermarks"]
        .as_object()
        .unwrap()
        .clone();
    let (ws, mark) = watermark
        .iter()
        .next()
        .map(|(k, v)| (k.clone(), v.as_i64().unwrap()))
        .unwrap();
    // A second task changed in the very millisecond of the watermark, after the first sync read.
    let changed = sim.mutate(|w| {
        let wsi = w.workspaces.iter().position(|x| x.id == ws).unwrap();
        let t = w.workspaces[wsi]
            .tasks
            .iter_mut()
            .find(|t| t.date_updated < mark)
            .unwrap();
        t.date_updated = mark;
        t.name = "renamed at the watermark".into();
        t.id.clone()
    });
    let second = sync_ok(&sim, &["tasks"], &mut state).await;
    let got = by_key(&second.records["tasks"]);
    assert_eq!(got[&changed]["name"], "renamed at the watermark");
}

/// Bug 13: paging the time-entry endpoint (it has none) loops forever; windows must be narrowed
/// instead, and a window holding more than 100 entries is read whole.
#[tokio::test]
async fn bug13_time_entries_in_one_wide_window_are_read_whole_without_paging() {
    let sim = sim(23, Size::small());
    let cfg = serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url(), "time_entries_window_days": 3650}).to_string();
    let (out, end) = sync_with(
        &sim,
        &cfg,
        &["time_entries"],
        &mut SyncState::new(),
        &quick(),
    )
    .await;
    assert!(matches!(end, host_harness::sync::SyncEnd::Complete));
    let world = sim.world();
    let per_ws = world
        .workspaces
        .iter()
        .map(|w| w.time_entries.len())
        .max()
        .unwrap_or(0);
    assert!(per_ws > 100, "no workspace with over 100 entries: {per_ws}");
    assert_eq!(
        ids(&out.records["time_entries"]).len(),
        world.time_entry_count()
    );
    let counts = sim.request_counts();
    let te = counts
        .by_endpoint
        .iter()
        .filter(|(k, _)| k.contains("time_entries"))
        .map(|(_, v)| v)
        .sum::<u64>();
    assert!(
        te <= 2 * world.workspaces.len() as u64,
        "{te} time-entry requests for one window per workspace"
    );
}

/// Bug 14: goals inside goal folders, and completed goals.
#[tokio::test]
async fn bug14_goals_in_goal_folders_and_completed_goals_with_their_targets() {
    let sim = sim(24, Size::tiny());
    let out = sync_ok(&sim, &["goals"], &mut SyncState::new()).await;
    let world = sim.world();
    let got = by_key(&out.records["goals"]);
    let goals: Vec<_> = world.workspaces.iter().flat_map(|w| &w.goals).collect();
    assert!(goals.iter().any(|g| g.folder_id.is_some()) && goals.iter().any(|g| g.completed));
    for g in goals {
        let r = got.get(&g.id).unwrap_or_else(|| {
            panic!(
                "goal {} (folder {:?}, completed {}) missing",
                g.id, g.folder_id, g.completed
            )
        });
        assert_eq!(
            r["key_results"].as_array().map(Vec::len),
            Some(g.key_results.len())
        );
    }
}

/// Bug 15: timestamps left as millisecond strings.
#[tokio::test]
async fn bug15_no_timestamp_is_left_in_milliseconds() {
    let sim = sim(25, Size::tiny());
    let out = sync_ok(&sim, &ALL, &mut SyncState::new()).await;
    let fields = [
        "date_created",
        "date_updated",
        "date_closed",
        "date_done",
        "due_date",
        "start_date",
        "date_joined",
        "date_invited",
        "last_active",
        "start",
        "end",
        "at",
        "last_update",
    ];
    for (stream, records) in &out.records {
        for r in records {
            for f in fields {
                if let Some(Value::String(s)) = r.get(f) {
                    assert!(
                        !s.chars().all(|c| c.is_ascii_digit()),
                        "{stream}.{f} is still milliseconds: {s}"
                    );
                }
                assert!(
                    !r.get(f).is_some_and(Value::is_number) || f == "duration",
                    "{stream}.{f} is a number"
                );
            }
        }
        assert_eq!(
            records.len(),
            expected(&sim.world(), stream).len(),
            "{stream}"
        );
    }
}
