//! Tests of the time-in-status endpoints.

use super::test_client::{get, get_with};
use super::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

const NOW: i64 = 1_750_000_000_000;

fn start(rate_limit: RateLimitConfig) -> Simulator {
    Simulator::start(SimConfig {
        size: Size::tiny(),
        now_ms: Some(NOW),
        rate_limit,
        ..SimConfig::default()
    })
    .expect("simulator starts")
}

fn bulk_path(ids: &[&str]) -> String {
    let q: Vec<String> = ids.iter().map(|id| format!("task_ids={id}")).collect();
    format!("/task/bulk_time_in_status/task_ids?{}", q.join("&"))
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn since(total_time: &Value) -> i64 {
    total_time["since"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("since is a ms string")
}

#[test]
fn bulk_time_in_status_answers_each_known_task() {
    let sim = start(RateLimitConfig::unlimited());
    let world = sim.world();
    let ws = &world.workspaces[0];
    let open_first = ws
        .tasks
        .iter()
        .find(|t| t.status.orderindex == 0 && t.status.kind == "open")
        .expect("a task in the first status");
    let in_progress = ws
        .tasks
        .iter()
        .find(|t| t.status.status == "review")
        .expect("a task in review");
    let closed = ws
        .tasks
        .iter()
        .find(|t| t.is_closed())
        .expect("a closed task");
    let done = ws
        .tasks
        .iter()
        .find(|t| t.status.kind == "done")
        .expect("a done task");
    let asked = [
        open_first.id.as_str(),
        in_progress.id.as_str(),
        "nosuchtask",
        closed.id.as_str(),
        done.id.as_str(),
    ];
    let reply = get(&sim, &bulk_path(&asked));
    assert_eq!(reply.status, 200);
    let body = reply.json();
    let want: BTreeSet<String> = [open_first, in_progress, closed, done]
        .iter()
        .map(|t| t.id.clone())
        .collect();
    assert_eq!(keys(&body), want, "unknown ids are left out");

    let clock = world.status_clock_ms();
    for task in [open_first, in_progress, closed, done] {
        let entry = &body[&task.id];
        let truth = world.time_in_status(&task.id).expect("known task");
        assert_eq!(entry, &truth.to_api_json());
        assert_eq!(
            keys(entry),
            BTreeSet::from(["current_status".into(), "status_history".into()])
        );
        let current = &entry["current_status"];
        assert_eq!(
            keys(current),
            BTreeSet::from(["status".into(), "color".into(), "total_time".into()])
        );
        assert_eq!(current["status"], json!(task.status.status));
        assert_eq!(current["color"], json!(task.status.color));
        assert!(current["total_time"]["by_minute"].is_i64());
        let history = entry["status_history"].as_array().expect("history");
        let first = history.first().expect("at least the current status");
        let last = history.last().expect("the current status");
        for h in history {
            assert_eq!(
                keys(h),
                ["status", "color", "type", "total_time", "orderindex"]
                    .into_iter()
                    .map(String::from)
                    .collect()
            );
            assert!(h["orderindex"].is_i64() && h["total_time"]["by_minute"].is_i64());
        }
        // Forward through the statuses, from the first one, the time from
        // creation to the clock split between them.
        assert_eq!(since(&first["total_time"]), task.date_created);
        assert_eq!(first["orderindex"], 0);
        assert_eq!(last["status"], current["status"]);
        assert_eq!(last["total_time"], current["total_time"]);
        let sinces: Vec<i64> = history.iter().map(|h| since(&h["total_time"])).collect();
        assert!(sinces.windows(2).all(|w| w[0] <= w[1]));
        let orders: Vec<i64> = history
            .iter()
            .filter_map(|h| h["orderindex"].as_i64())
            .collect();
        assert!(orders.windows(2).all(|w| w[0] < w[1]));
        let minutes: i64 = history
            .iter()
            .filter_map(|h| h["total_time"]["by_minute"].as_i64())
            .sum();
        let span = (clock - task.date_created) / 60_000;
        assert!(minutes <= span && minutes + history.len() as i64 >= span);
        let entered = since(&current["total_time"]);
        assert_eq!(
            current["total_time"]["by_minute"],
            json!((clock - entered) / 60_000)
        );
        if task.is_closed() {
            assert_eq!(Some(entered), task.date_closed);
        } else if task.status.kind == "done" {
            assert_eq!(Some(entered), task.date_done);
        } else if task.status.orderindex == 0 {
            assert_eq!(history.len(), 1);
        } else {
            assert!(entered >= task.date_created && entered <= task.date_updated);
        }
    }
    assert!(body[&closed.id]["status_history"]
        .as_array()
        .is_some_and(|h| h.len() >= 2));

    // The same answer again, and from a fresh simulator of the same seed.
    assert_eq!(get(&sim, &bulk_path(&asked)).json(), body);
    let again = start(RateLimitConfig::unlimited());
    assert_eq!(get(&again, &bulk_path(&asked)).json(), body);
    // The `[]` spelling reads the same.
    let bracketed = format!(
        "/task/bulk_time_in_status/task_ids?task_ids[]={}&task_ids[]={}",
        closed.id, done.id
    );
    assert_eq!(keys(&get(&sim, &bracketed).json()).len(), 2);
}

#[test]
fn single_task_time_in_status_matches_the_bulk_answer() {
    let sim = start(RateLimitConfig::unlimited());
    let world = sim.world();
    let task = &world.workspaces[1].tasks[4];
    let single = get(&sim, &format!("/task/{}/time_in_status", task.id));
    assert_eq!(single.status, 200);
    let other = &world.workspaces[1].tasks[5];
    let bulk = get(&sim, &bulk_path(&[&task.id, &other.id])).json();
    assert_eq!(single.json(), bulk[&task.id]);
    let one = get(&sim, &bulk_path(&[&task.id]));
    assert_eq!(
        (one.status, one.json()["ECODE"].clone()),
        (400, json!("TIS_002"))
    );
    // By custom id, keyed as asked; `team_id` is then required.
    let ws = &world.workspaces[0];
    let custom = ws
        .tasks
        .iter()
        .find(|t| t.custom_id.is_some())
        .expect("a task with a custom id");
    let custom_id = custom.custom_id.clone().unwrap_or_default();
    let by_custom = get(
        &sim,
        &format!(
            "/task/bulk_time_in_status/task_ids?custom_task_ids=true&team_id={}&task_ids={custom_id}&task_ids=NOPE-1",
            ws.id
        ),
    )
    .json();
    assert_eq!(
        by_custom,
        json!({ custom_id.clone(): world.time_in_status(&custom.id).expect("known").to_api_json() })
    );
    let no_team = get(
        &sim,
        &format!(
            "/task/bulk_time_in_status/task_ids?custom_task_ids=true&task_ids={custom_id}&task_ids=NOPE-1"
        ),
    );
    assert_eq!(no_team.status, 400);
    assert_eq!(no_team.json()["ECODE"], "INPUT_005", "team_id is required");
    let unknown = get(&sim, "/task/nosuchtask/time_in_status");
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.json(),
        json!({"err": "Task not found, deleted", "ECODE": "ITEM_013"})
    );
}

#[test]
fn bulk_time_in_status_limits_and_errors() {
    let sim = start(RateLimitConfig::unlimited());
    let world = sim.world();
    let ws0 = &world.workspaces[0];
    let ws1 = &world.workspaces[1];
    let hundred: Vec<&str> = ws0.tasks.iter().take(100).map(|t| t.id.as_str()).collect();
    let ok = get(&sim, &bulk_path(&hundred));
    assert_eq!(ok.status, 200);
    assert_eq!(keys(&ok.json()).len(), 100);
    let too_many: Vec<&str> = ws0.tasks.iter().take(101).map(|t| t.id.as_str()).collect();
    let r = get(&sim, &bulk_path(&too_many));
    assert_eq!(r.status, 400);
    let err = r.json();
    assert!(err["err"].is_string());
    assert_eq!(err["ECODE"], "TIS_003");
    let none = get(&sim, "/task/bulk_time_in_status/task_ids");
    assert_eq!(none.status, 400);
    assert_eq!(none.json()["ECODE"], "INPUT_005");
    let unknown_only = get(&sim, &bulk_path(&["nope1", "nope2"]));
    assert_eq!((unknown_only.status, unknown_only.json()), (200, json!({})));

    let path = bulk_path(&[&ws0.tasks[0].id, &ws0.tasks[1].id]);
    let bogus = get_with(&sim, &path, Some("pk_nope")).expect("reply");
    assert_eq!(bogus.status, 401);
    assert_eq!(bogus.json()["ECODE"], "OAUTH_025");
    sim.add_token(TokenSpec {
        token: "pk_9_OTHER".into(),
        user_id: sim.owner_user_id(),
        workspaces: vec![ws1.id.clone()],
        denied_spaces: Vec::new(),
    });
    let other = get_with(&sim, &path, Some("pk_9_OTHER")).expect("reply");
    assert_eq!(other.status, 401);
    assert_eq!(other.json()["ECODE"], "OAUTH_027");

    // Tasks of several workspaces: answered for the first one's.
    let mixed = bulk_path(&[&ws0.tasks[0].id, &ws1.tasks[0].id, &ws0.tasks[1].id]);
    assert_eq!(
        keys(&get(&sim, &mixed).json()),
        BTreeSet::from([ws0.tasks[0].id.clone(), ws0.tasks[1].id.clone()])
    );

    // A plan without the feature.
    assert!(sim.mutate(|w| w.set_time_in_status(&ws0.id, false)));
    assert!(!sim.mutate(|w| w.set_time_in_status("1", false)));
    let paywall =
        json!({"err": "Time In Status is not available on your plan.", "ECODE": "TIS_027"});
    let r = get(&sim, &path);
    assert_eq!((r.status, r.json()), (403, paywall.clone()));
    let r = get(&sim, &format!("/task/{}/time_in_status", ws0.tasks[0].id));
    assert_eq!((r.status, r.json()), (403, paywall));
    let r = get(&sim, &mixed);
    assert_eq!(r.status, 403, "the first id's workspace decides");
    let r = get(&sim, &bulk_path(&[&ws1.tasks[0].id, &ws0.tasks[0].id]));
    assert_eq!(r.status, 200);
    assert_eq!(keys(&r.json()), BTreeSet::from([ws1.tasks[0].id.clone()]));
    assert!(sim.mutate(|w| w.set_time_in_status(&ws0.id, true)));
    assert_eq!(get(&sim, &path).status, 200);
    assert!(sim.world().workspaces.iter().all(|w| w.time_in_status));
}

#[test]
fn new_and_deleted_tasks() {
    let sim = start(RateLimitConfig::unlimited());
    let created = sim.mutate(|w| w.create_tasks(1));
    let old = sim.with_world(|w| w.workspaces[0].tasks[0].id.clone());
    let body = get(&sim, &bulk_path(&[&created[0], &old])).json();
    assert_eq!(
        body[&created[0]],
        json!({}),
        "a brand-new task has no record"
    );
    assert!(body[&old]["current_status"].is_object());
    assert_eq!(
        sim.with_world(|w| w.time_in_status(&created[0]))
            .map(|t| t.current),
        Some(None)
    );
    let deleted = sim.mutate(|w| w.delete_task(&old));
    assert_eq!(deleted.tasks.first(), Some(&old));
    let body = get(&sim, &bulk_path(&[&created[0], &old])).json();
    assert_eq!(keys(&body), BTreeSet::from([created[0].clone()]));
    assert_eq!(sim.with_world(|w| w.time_in_status(&old)), None);
}

#[test]
fn bulk_time_in_status_is_rate_limited_and_counted() {
    let sim = start(RateLimitConfig {
        limit: 2,
        window: Duration::from_secs(60),
    });
    let id = sim.with_world(|w| w.workspaces[0].tasks[0].id.clone());
    let path = bulk_path(&[&id, &id]);
    assert_eq!(get(&sim, &path).status, 200);
    let single = get(&sim, &format!("/task/{id}/time_in_status"));
    assert_eq!(single.status, 200);
    assert_eq!(single.header("x-ratelimit-remaining"), Some("0"));
    let limited = get(&sim, &path);
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json()["ECODE"], "APP_002");
    let counts = sim.request_counts();
    assert_eq!(counts.endpoint("GET /task/bulk_time_in_status/task_ids"), 2);
    assert_eq!(counts.endpoint("GET /task/{id}/time_in_status"), 1);
    assert_eq!(counts.rate_limited, 1);
    assert_eq!(sim.request_log().first(), Some(&path));
}
