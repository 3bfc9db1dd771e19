//! End-to-end tests of the simulator over real loopback HTTP.

use super::test_client::{get, get_with};
use super::*;
use serde_json::Value;
use std::collections::HashSet;
use std::time::{Duration, Instant};

const NOW: i64 = 1_750_000_000_000;

fn start(config: SimConfig) -> Simulator {
    Simulator::start(config).expect("simulator starts")
}

fn tiny() -> Simulator {
    start(SimConfig {
        size: Size::tiny(),
        rate_limit: RateLimitConfig::unlimited(),
        ..SimConfig::default()
    })
}

fn ids_of(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Every task id over all pages of `path` (which must already have a `?`).
fn all_pages(sim: &Simulator, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for page in 0.. {
        let reply = get(sim, &format!("{path}&page={page}"));
        assert_eq!(reply.status, 200, "{path}");
        let v = reply.json();
        out.extend(ids_of(&v, "tasks"));
        if v["last_page"] == Value::Bool(true) {
            break;
        }
        assert!(page < 1000, "paging does not end");
    }
    out
}

fn list_with_home_tasks(world: &World, n: usize) -> List {
    let ws = &world.workspaces[0];
    ws.lists
        .iter()
        .find(|l| ws.tasks.iter().filter(|t| t.list.id == l.id).count() == n)
        .cloned()
        .expect("list of the given size")
}

#[test]
fn same_seed_same_world_and_different_seed_different_world() {
    let a = World::generate(7, &Size::tiny(), NOW);
    let b = World::generate(7, &Size::tiny(), NOW);
    let c = World::generate(8, &Size::tiny(), NOW);
    assert_eq!(a.to_api_json(), b.to_api_json());
    assert_ne!(a.to_api_json(), c.to_api_json());

    let s1 = start(SimConfig {
        seed: 7,
        now_ms: Some(NOW),
        size: Size::tiny(),
        ..SimConfig::default()
    });
    let s2 = start(SimConfig {
        seed: 7,
        now_ms: Some(NOW),
        size: Size::tiny(),
        ..SimConfig::default()
    });
    assert_eq!(get(&s1, "/team").body, get(&s2, "/team").body);
}

#[test]
fn tiny_world_holds_every_troublesome_layout() {
    let world = World::generate(1, &Size::tiny(), NOW);
    let ws = &world.workspaces[0];
    list_with_home_tasks(&world, BIG_LIST_TASKS);
    list_with_home_tasks(&world, EXACT_PAGE_LIST_TASKS);
    let all_tasks: Vec<&Task> = world.workspaces.iter().flat_map(|w| &w.tasks).collect();
    assert!(all_tasks
        .iter()
        .any(|t| t.is_closed() && t.date_closed.is_some()));
    assert!(all_tasks.iter().any(|t| t.is_subtask()));
    assert!(all_tasks
        .iter()
        .any(|t| t.is_subtask() && t.parent != t.top_level_parent));
    assert!(all_tasks.iter().any(|t| !t.locations.is_empty()));
    assert!(all_tasks
        .iter()
        .any(|t| t.time_estimate.is_some_and(|e| e.fract() != 0.0)));
    assert!(all_tasks.iter().any(|t| t.priority.is_none()));
    assert!(all_tasks.iter().any(|t| t.priority.is_some()));
    assert!(all_tasks.iter().any(|t| t.due_date.is_none()));
    assert!(all_tasks.iter().any(|t| t.due_date.is_some()));
    // Individually archived tasks in non-archived lists.
    assert!(ws
        .tasks
        .iter()
        .any(|t| t.archived && ws.list(&t.list.id).is_some_and(|l| ws.list_is_live(l))));
    // Tasks in archived lists, an archived space, an archived and a hidden folder.
    assert!(ws
        .tasks
        .iter()
        .any(|t| ws.list(&t.list.id).is_some_and(|l| l.archived)));
    assert!(ws.spaces.iter().any(|s| s.archived));
    assert!(ws.folders.iter().any(|f| f.archived));
    assert!(ws.folders.iter().any(|f| f.hidden));
    assert!(ws.lists.iter().any(|l| l.folderless && l.archived));
    // Custom-field values of every kind.
    let values: Vec<&CustomValue> = all_tasks
        .iter()
        .flat_map(|t| t.custom_fields.iter().map(|f| &f.value))
        .collect();
    let has = |p: &dyn Fn(&Value) -> bool| {
        values
            .iter()
            .any(|v| matches!(v, CustomValue::Set(x) if p(x)))
    };
    assert!(has(&|v| v.is_number()));
    assert!(has(&|v| v.is_string()));
    assert!(has(&|v| v.is_array()));
    assert!(has(&|v| v.is_object()));
    assert!(values.iter().any(|v| matches!(v, CustomValue::Absent)));
    assert!(values.iter().any(|v| matches!(v, CustomValue::Null)));
    // Members of all four roles, and an invited one without a username.
    let roles: HashSet<u8> = ws.members.iter().map(|m| m.role).collect();
    assert_eq!(roles, HashSet::from([1, 2, 3, 4]));
    assert!(ws.members.iter().any(|m| m.user.username.is_none()));
    // Goals: in and out of folders, completed ones, key results.
    assert!(ws.goals.iter().any(|g| g.folder_id.is_some()));
    assert!(ws.goals.iter().any(|g| g.folder_id.is_none()));
    assert!(ws
        .goals
        .iter()
        .any(|g| g.completed && g.folder_id.is_some()));
    assert!(ws
        .goals
        .iter()
        .any(|g| g.completed && g.folder_id.is_none()));
    assert!(ws.goals.iter().any(|g| !g.key_results.is_empty()));
    // Time entries: a running one, some older than 30 days, several users.
    assert!(ws
        .time_entries
        .iter()
        .any(|e| e.is_running() && e.duration < 0));
    assert!(ws
        .time_entries
        .iter()
        .any(|e| e.start < NOW - DEFAULT_WINDOW_MS));
    let users: HashSet<i64> = ws.time_entries.iter().map(|e| e.user.id).collect();
    assert!(users.len() >= 2);
    // Id shapes.
    assert!(ws.id.chars().all(|c| c.is_ascii_digit()));
    assert!(ws.tasks[0].id.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(ws.time_entries[0].id.len(), 19);
    assert_eq!(ws.goals[0].id.len(), 36);
}

#[test]
fn reference_world_generates_quickly() {
    let t0 = Instant::now();
    let world = World::generate(1, &Size::reference(), NOW);
    let took = t0.elapsed();
    let tasks = world.task_count();
    assert!((27_000..=33_000).contains(&tasks), "{tasks} tasks");
    let entries = world.time_entry_count();
    assert!((4_500..=5_500).contains(&entries), "{entries} entries");
    let lists: usize = world.workspaces.iter().map(|w| w.lists.len()).sum();
    assert_eq!(lists, Size::reference().list_count());
    assert_eq!(
        World::generate(1, &Size::tiny(), NOW)
            .workspaces
            .iter()
            .map(|w| w.lists.len())
            .sum::<usize>(),
        Size::tiny().list_count()
    );
    let scaled = World::generate(1, &Size::with_tasks(5_000), NOW).task_count();
    assert!(
        (4_000..=6_000).contains(&scaled),
        "{scaled} tasks for 5,000"
    );
    // Debug builds are several times slower than release; stay generous here.
    assert!(took < Duration::from_secs(5), "generation took {took:?}");
    eprintln!("reference world: {tasks} tasks, {entries} entries, {lists} lists in {took:?}");
}

#[test]
fn task_json_has_clickups_types() {
    let sim = tiny();
    let world = sim.world();
    let big = list_with_home_tasks(&world, BIG_LIST_TASKS);
    let v = get(
        &sim,
        &format!("/list/{}/task?include_closed=true&subtasks=true", big.id),
    )
    .json();
    let t = &v["tasks"][0];
    for key in ["date_created", "date_updated", "orderindex"] {
        assert!(t[key].is_string(), "{key} is a string");
    }
    assert!(t["creator"]["id"].is_i64());
    assert!(t["folder"]["id"].is_string());
    assert_eq!(t["list"]["id"], Value::String(big.id.clone()));
    assert!(t["custom_fields"].is_array());
    assert_eq!(v["tasks"].as_array().map(Vec::len), Some(100));
    assert_eq!(v["last_page"], Value::Bool(false));
}

#[test]
fn paging_by_hundred_with_last_page() {
    let sim = tiny();
    let world = sim.world();
    let big = list_with_home_tasks(&world, BIG_LIST_TASKS);
    let expected: HashSet<String> = world.workspaces[0]
        .tasks
        .iter()
        .filter(|t| t.list.id == big.id && !t.archived)
        .map(|t| t.id.clone())
        .collect();
    let path = format!("/list/{}/task?include_closed=true&subtasks=true", big.id);
    let mut sizes = Vec::new();
    for page in 0..3 {
        let v = get(&sim, &format!("{path}&page={page}")).json();
        sizes.push((
            v["tasks"].as_array().map(Vec::len).unwrap_or(0),
            v["last_page"].as_bool(),
        ));
    }
    let non_archived = expected.len();
    assert_eq!(sizes[0], (100, Some(false)));
    assert_eq!(sizes[1], (100, Some(false)));
    assert_eq!(sizes[2], (non_archived - 200, Some(true)));
    let got: HashSet<String> = all_pages(&sim, &path).into_iter().collect();
    assert_eq!(got, expected);

    // Exactly 100: one full page that is also the last, then an empty page.
    let exact = list_with_home_tasks(&world, EXACT_PAGE_LIST_TASKS);
    let path = format!("/list/{}/task?include_closed=true&subtasks=true", exact.id);
    let p0 = get(&sim, &format!("{path}&page=0")).json();
    assert_eq!(p0["tasks"].as_array().map(Vec::len), Some(100));
    assert_eq!(p0["last_page"], Value::Bool(true));
    let p1 = get(&sim, &format!("{path}&page=1")).json();
    assert_eq!(p1["tasks"].as_array().map(Vec::len), Some(0));
    assert_eq!(p1["last_page"], Value::Bool(true));
}

#[test]
fn closed_tasks_and_subtasks_need_flags() {
    let sim = tiny();
    let world = sim.world();
    let big = list_with_home_tasks(&world, BIG_LIST_TASKS);
    let home: Vec<&Task> = world.workspaces[0]
        .tasks
        .iter()
        .filter(|t| t.list.id == big.id && !t.archived)
        .collect();
    let count = |closed: bool, subtasks: bool| {
        home.iter()
            .filter(|t| (closed || !t.is_closed()) && (subtasks || !t.is_subtask()))
            .count()
    };
    let base = format!("/list/{}/task?x=1", big.id);
    assert_eq!(all_pages(&sim, &base).len(), count(false, false));
    assert_eq!(
        all_pages(&sim, &format!("{base}&include_closed=true")).len(),
        count(true, false)
    );
    assert_eq!(
        all_pages(&sim, &format!("{base}&subtasks=true")).len(),
        count(false, true)
    );
    assert!(count(false, false) < count(true, false));
    assert!(count(false, false) < count(false, true));
}

#[test]
fn team_endpoint_omits_archived_containers_and_pages_everything_else() {
    let sim = tiny();
    let world = sim.world();
    let ws = &world.workspaces[0];
    let expected: HashSet<String> = ws
        .tasks
        .iter()
        .filter(|t| !t.archived && ws.list(&t.list.id).is_some_and(|l| ws.list_is_live(l)))
        .map(|t| t.id.clone())
        .collect();
    let path = format!("/team/{}/task?include_closed=true&subtasks=true", ws.id);
    let got: Vec<String> = all_pages(&sim, &path);
    assert_eq!(got.len(), expected.len(), "no duplicates across pages");
    assert_eq!(got.into_iter().collect::<HashSet<_>>(), expected);

    // archived=true: only individually archived tasks, still none from archived lists.
    let archived: HashSet<String> = all_pages(&sim, &format!("{path}&archived=true"))
        .into_iter()
        .collect();
    let expected_archived: HashSet<String> = ws
        .tasks
        .iter()
        .filter(|t| t.archived && ws.list(&t.list.id).is_some_and(|l| ws.list_is_live(l)))
        .map(|t| t.id.clone())
        .collect();
    assert!(!archived.is_empty());
    assert_eq!(archived, expected_archived);

    // ... but the list endpoint serves an archived list's tasks.
    let archived_list = ws
        .lists
        .iter()
        .find(|l| l.archived && ws.tasks.iter().any(|t| t.list.id == l.id))
        .expect("an archived list with tasks");
    let in_archived = all_pages(
        &sim,
        &format!(
            "/list/{}/task?include_closed=true&subtasks=true",
            archived_list.id
        ),
    );
    assert!(!in_archived.is_empty());
    assert!(in_archived.iter().all(|id| !expected.contains(id)));
}

#[test]
fn list_endpoint_serves_home_tasks_unless_include_timl() {
    let sim = tiny();
    let world = sim.world();
    let ws = &world.workspaces[0];
    let (task, other) = ws
        .tasks
        .iter()
        .find_map(|t| {
            t.locations
                .iter()
                .find(|l| l.id != t.list.id)
                .map(|l| (t.clone(), l.id.clone()))
        })
        .filter(|(t, _)| !t.archived)
        .expect("a task in several lists");
    let path = format!("/list/{other}/task?include_closed=true&subtasks=true");
    assert!(!all_pages(&sim, &path).contains(&task.id));
    assert!(all_pages(&sim, &format!("{path}&include_timl=true")).contains(&task.id));
}

#[test]
fn default_order_is_newest_first_and_reverse_is_oldest_first() {
    let sim = tiny();
    let world = sim.world();
    let big = list_with_home_tasks(&world, BIG_LIST_TASKS);
    let created = |v: &Value| -> Vec<i64> {
        v["tasks"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t["date_created"].as_str()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let desc = created(&get(&sim, &format!("/list/{}/task", big.id)).json());
    assert!(desc.windows(2).all(|w| w[0] >= w[1]));
    let asc = created(&get(&sim, &format!("/list/{}/task?reverse=true", big.id)).json());
    assert!(asc.windows(2).all(|w| w[0] <= w[1]));
    let bad = get(&sim, &format!("/list/{}/task?order_by=nope", big.id));
    assert_eq!(bad.status, 400);
}

#[test]
fn hierarchy_archived_flags_return_only_the_asked_partition() {
    let sim = tiny();
    let world = sim.world();
    let ws = &world.workspaces[0];
    let active = get(&sim, &format!("/team/{}/space", ws.id)).json();
    let archived = get(&sim, &format!("/team/{}/space?archived=true", ws.id)).json();
    let flags = |v: &Value| -> Vec<bool> {
        v["spaces"]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s["archived"].as_bool()).collect())
            .unwrap_or_default()
    };
    assert!(!flags(&active).is_empty() && flags(&active).iter().all(|a| !a));
    assert!(!flags(&archived).is_empty() && flags(&archived).iter().all(|a| *a));

    let space = &ws.spaces[0];
    let folderless = get(&sim, &format!("/space/{}/list", space.id)).json();
    let first = &folderless["lists"][0];
    assert_eq!(first["folder"]["hidden"], Value::Bool(true));
    assert_eq!(first["folder"]["name"], Value::String("hidden".into()));
    assert!(first["task_count"].is_u64());
    let archived_lists = get(&sim, &format!("/space/{}/list?archived=true", space.id)).json();
    assert_eq!(archived_lists["lists"].as_array().map(Vec::len), Some(1));
    let folders = get(&sim, &format!("/space/{}/folder", space.id)).json();
    assert!(folders["folders"][0]["task_count"].is_string());
    assert!(folders["folders"][0]["lists"].is_array());
    let archived_folders = get(&sim, &format!("/space/{}/folder?archived=true", space.id)).json();
    assert_eq!(
        archived_folders["folders"].as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn goals_hide_completed_and_nest_folder_goals() {
    let sim = tiny();
    let world = sim.world();
    let ws = &world.workspaces[0];
    let count_all = |v: &Value| {
        let top = ids_of(v, "goals");
        let nested: Vec<String> = v["folders"]
            .as_array()
            .map(|fs| fs.iter().flat_map(|f| ids_of(f, "goals")).collect())
            .unwrap_or_default();
        (top, nested)
    };
    let (top, nested) = count_all(&get(&sim, &format!("/team/{}/goal", ws.id)).json());
    let (top_all, nested_all) = count_all(
        &get(
            &sim,
            &format!("/team/{}/goal?include_completed=true", ws.id),
        )
        .json(),
    );
    assert_eq!(top_all.len() + nested_all.len(), ws.goals.len());
    assert!(top.len() + nested.len() < ws.goals.len());
    assert!(!nested.is_empty());
    assert!(top.iter().all(|id| !nested_all.contains(id)));
    let goal = get(&sim, &format!("/goal/{}", nested_all[0])).json();
    assert!(goal["goal"]["key_results"].is_array());
}

#[test]
fn time_entries_default_to_owner_and_last_30_days() {
    // Real clock, so the default window covers the generated data.
    let sim = tiny();
    let world = sim.world();
    let ws = &world.workspaces[0];
    let owner = sim.owner_user_id();
    let before = clock::real_now_ms();
    let default = get(&sim, &format!("/team/{}/time_entries", ws.id)).json();
    let now = clock::real_now_ms();
    let got: HashSet<String> = ids_of(&default, "data").into_iter().collect();
    // The server's clock read lies between `before` and `now`.
    let owners = || ws.time_entries.iter().filter(|e| e.user.id == owner);
    let surely_in: HashSet<String> = owners()
        .filter(|e| e.start >= now - DEFAULT_WINDOW_MS && e.start <= before)
        .map(|e| e.id.clone())
        .collect();
    let maybe_in: HashSet<String> = owners()
        .filter(|e| e.start >= before - DEFAULT_WINDOW_MS)
        .map(|e| e.id.clone())
        .collect();
    assert!(!surely_in.is_empty());
    assert!(got.is_superset(&surely_in), "{got:?} vs {surely_in:?}");
    assert!(got.is_subset(&maybe_in), "{got:?} vs {maybe_in:?}");
    assert!(
        owners().any(|e| !maybe_in.contains(&e.id)),
        "some older than 30 days"
    );
    assert!(ws
        .time_entries
        .iter()
        .any(|e| e.user.id != owner && !got.contains(&e.id)));
    // The running entry: numeric negative duration and no end.
    let running = default["data"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["end"].is_null()))
        .expect("running entry");
    assert!(running["duration"].as_i64().is_some_and(|d| d < 0));
    assert!(running["start"].is_string());

    let members: Vec<String> = ws.members.iter().map(|m| m.user.id.to_string()).collect();
    let everything = get(
        &sim,
        &format!(
            "/team/{}/time_entries?start_date=0&end_date={}&assignee={}",
            ws.id,
            now + 1,
            members.join(",")
        ),
    )
    .json();
    assert_eq!(
        everything["data"].as_array().map(Vec::len),
        Some(ws.time_entries.len())
    );
    let finished = everything["data"]
        .as_array()
        .and_then(|a| a.iter().find(|e| !e["end"].is_null()))
        .expect("finished entry");
    assert!(finished["duration"].is_string());
    assert!(finished["at"].is_string());
}

#[test]
fn auth_errors_have_clickup_bodies() {
    let sim = tiny();
    let world = sim.world();
    let missing = get_with(&sim, "/team", None).unwrap();
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json()["ECODE"], "OAUTH_017");
    let bogus = get_with(&sim, "/team", Some("pk_nope")).unwrap();
    assert_eq!(bogus.status, 401);
    assert_eq!(bogus.json()["ECODE"], "OAUTH_025");
    let bearer = get_with(&sim, "/team", Some(&format!("Bearer {}", sim.token()))).unwrap();
    assert_eq!(bearer.status, 200);

    let ws0 = &world.workspaces[0];
    let ws1 = &world.workspaces[1];
    let denied = &ws0.spaces[0];
    sim.add_token(TokenSpec {
        token: "pk_2_LIMITED".into(),
        user_id: sim.owner_user_id(),
        workspaces: vec![ws0.id.clone()],
        denied_spaces: vec![denied.id.clone()],
    });
    let limited = |path: &str| get_with(&sim, path, Some("pk_2_LIMITED")).unwrap();
    let teams = limited("/team").json();
    assert_eq!(teams["teams"].as_array().map(Vec::len), Some(1));
    let other = limited(&format!("/team/{}/space", ws1.id));
    assert_eq!(other.status, 401);
    assert_eq!(other.json()["ECODE"], "OAUTH_027");
    let denied_reply = limited(&format!("/space/{}/folder", denied.id));
    assert_eq!(denied_reply.status, 401);
    assert_eq!(denied_reply.json()["ECODE"], "OAUTH_027");
    let team_tasks = all_pages_with(
        &sim,
        "pk_2_LIMITED",
        &format!("/team/{}/task?subtasks=true", ws0.id),
    );
    let denied_tasks: HashSet<&str> = ws0
        .tasks
        .iter()
        .filter(|t| t.space_id == denied.id)
        .map(|t| t.id.as_str())
        .collect();
    assert!(!denied_tasks.is_empty());
    assert!(team_tasks
        .iter()
        .all(|id| !denied_tasks.contains(id.as_str())));

    sim.revoke_token("pk_2_LIMITED");
    let revoked = limited("/team");
    assert_eq!(revoked.status, 401);
    assert_eq!(revoked.json()["ECODE"], "OAUTH_019");

    let unknown = get(&sim, "/space/1");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["ECODE"], "PROJ_006");
    assert_eq!(get(&sim, "/task/zzzzzz").status, 404);
    assert_eq!(get(&sim, "/nowhere").status, 404);
    let bad = get(&sim, &format!("/team/{}/task?page=minus-one", ws0.id));
    assert_eq!(bad.status, 400);
    assert!(bad.json()["err"].is_string());
    let bad_bool = get(&sim, &format!("/team/{}/space?archived=yes", ws0.id));
    assert_eq!(bad_bool.status, 400);
}

fn all_pages_with(sim: &Simulator, token: &str, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for page in 0..1000 {
        let reply = get_with(sim, &format!("{path}&page={page}"), Some(token)).unwrap();
        assert_eq!(reply.status, 200);
        let v = reply.json();
        out.extend(ids_of(&v, "tasks"));
        if v["last_page"] == Value::Bool(true) {
            break;
        }
    }
    out
}

#[test]
fn rate_limit_headers_and_429() {
    let sim = start(SimConfig {
        size: Size::tiny(),
        rate_limit: RateLimitConfig {
            limit: 3,
            window: Duration::from_secs(60),
        },
        ..SimConfig::default()
    });
    let before = clock::real_now_ms() / 1000;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = get(&sim, "/team");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("x-ratelimit-limit"), Some("3"));
        remaining.push(r.header("x-ratelimit-remaining").map(str::to_string));
        let reset: i64 = r
            .header("x-ratelimit-reset")
            .and_then(|v| v.parse().ok())
            .expect("reset header");
        assert!(
            reset >= before + 59 && reset <= before + 62,
            "{reset} vs {before}"
        );
    }
    assert_eq!(
        remaining,
        vec![Some("2".into()), Some("1".into()), Some("0".into())]
    );
    for _ in 0..2 {
        let r = get(&sim, "/team");
        assert_eq!(r.status, 429);
        assert_eq!(r.json()["ECODE"], "APP_002");
        assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
        assert!(r.header("x-ratelimit-reset").is_some());
    }
    // Another token has its own budget; a fresh limit restores budget.
    let counts = sim.request_counts();
    assert_eq!(counts.total, 5);
    assert_eq!(counts.rate_limited, 2);
    assert_eq!(counts.endpoint("GET /team"), 5);
    sim.set_rate_limit(RateLimitConfig {
        limit: 10,
        window: Duration::from_secs(60),
    });
    assert_eq!(get(&sim, "/team").status, 200);
}

#[test]
fn injected_faults_are_served_and_counted() {
    let sim = start(SimConfig {
        size: Size::tiny(),
        rate_limit: RateLimitConfig {
            limit: 10,
            window: Duration::from_secs(60),
        },
        ..SimConfig::default()
    });
    sim.inject("/team", Fault::Status(503), 1);
    let r = get(&sim, "/team");
    assert_eq!(r.status, 503);
    assert!(r.json()["err"].is_string());
    assert_eq!(get(&sim, "/team").status, 200);

    sim.inject("/team", Fault::Status(429), 1);
    let r = get(&sim, "/team");
    assert_eq!(r.status, 429);
    assert!(r.header("x-ratelimit-reset").is_some());
    // The injected 429 gave its budget back: 3 admitted so far, 7 left after the next.
    assert_eq!(
        get(&sim, "/team").header("x-ratelimit-remaining"),
        Some("7")
    );

    sim.inject("/team", Fault::Drop, 1);
    let dropped = get_with(&sim, "/team", Some(&sim.token()));
    assert!(dropped.is_err(), "dropped connection: {dropped:?}");

    sim.inject("/team", Fault::Truncated, 1);
    let truncated = get_with(&sim, "/team", Some(&sim.token()));
    assert!(truncated.is_err(), "truncated body: {truncated:?}");

    sim.inject("/team", Fault::Malformed, 1);
    let malformed = get_with(&sim, "/team", Some(&sim.token())).unwrap();
    assert!(serde_json::from_slice::<Value>(&malformed.body).is_err());

    // Cleanly framed (the client reads it without an error), but the JSON stops half-way.
    sim.inject("/team", Fault::ShortBody, 1);
    let short = get_with(&sim, "/team", Some(&sim.token())).unwrap();
    assert_eq!(short.status, 200);
    let whole = get(&sim, "/team").body;
    assert_eq!(short.body, whole[..whole.len().div_ceil(2)]);
    assert!(serde_json::from_slice::<Value>(&short.body).is_err_and(|e| e.is_eof()));

    sim.inject("/team", Fault::Slow(Duration::from_millis(200)), 1);
    let t0 = Instant::now();
    assert_eq!(get(&sim, "/team").status, 200);
    assert!(t0.elapsed() >= Duration::from_millis(200));

    let counts = sim.request_counts();
    assert_eq!(counts.faults, 7);
    assert_eq!(counts.status_429, 1);
    assert_eq!(counts.rate_limited, 0);
}

#[test]
fn random_faults_follow_their_seed() {
    let sim = tiny();
    sim.set_faults(FaultConfig {
        seed: 3,
        rate_5xx: 0.5,
        ..FaultConfig::default()
    });
    let run = |sim: &Simulator| -> Vec<u16> { (0..20).map(|_| get(sim, "/team").status).collect() };
    let first = run(&sim);
    sim.set_faults(FaultConfig {
        seed: 3,
        rate_5xx: 0.5,
        ..FaultConfig::default()
    });
    assert_eq!(first, run(&sim));
    assert!(first.iter().any(|s| *s >= 500) && first.contains(&200));
}

#[test]
fn mutations_are_stamped_after_everything_and_found_incrementally() {
    let sim = tiny();
    let world = sim.world();
    let ws = &world.workspaces[0];
    let before = world.last_stamp_ms;
    let updated = sim.mutate(|w| w.update_tasks(5));
    let created = sim.mutate(|w| w.create_tasks(3));
    assert_eq!(updated.len(), 5);
    assert_eq!(created.len(), 3);
    let after = sim.world();
    for id in updated.iter().chain(&created) {
        let t = after.task(id).expect("task exists");
        assert!(t.date_updated > before);
    }
    let mut stamps: Vec<i64> = updated
        .iter()
        .chain(&created)
        .filter_map(|id| after.task(id).map(|t| t.date_updated))
        .collect();
    let n = stamps.len();
    stamps.sort_unstable();
    stamps.dedup();
    assert_eq!(stamps.len(), n, "stamps strictly increase");

    // date_updated_gt is inclusive: the first stamp itself is returned.
    let first_stamp = stamps[0];
    let mut changed = HashSet::new();
    for w in &after.workspaces {
        let path = format!(
            "/team/{}/task?include_closed=true&subtasks=true&archived=false&order_by=updated&date_updated_gt={first_stamp}",
            w.id
        );
        changed.extend(all_pages(&sim, &path));
        let archived = format!("{path}&archived=true");
        changed.extend(all_pages(&sim, &archived));
    }
    for id in &created {
        assert!(changed.contains(id), "created task {id} found");
    }
    let live_updated: Vec<&String> = updated
        .iter()
        .filter(|id| {
            after.workspaces.iter().any(|w| {
                w.tasks
                    .iter()
                    .any(|t| &t.id == *id && w.list(&t.list.id).is_some_and(|l| w.list_is_live(l)))
            })
        })
        .collect();
    for id in live_updated {
        assert!(changed.contains(id), "updated task {id} found");
    }

    // Moves, closes, time entries.
    let task_id = ws.tasks[0].id.clone();
    let target = ws
        .lists
        .iter()
        .find(|l| l.id != ws.tasks[0].list.id)
        .map(|l| l.id.clone());
    let target = target.expect("another list");
    assert!(sim.mutate(|w| w.move_task(&task_id, &target)));
    assert!(sim.mutate(|w| w.close_task(&task_id)));
    let moved = get(&sim, &format!("/task/{task_id}")).json();
    assert_eq!(moved["list"]["id"], Value::String(target));
    assert_eq!(moved["status"]["type"], "closed");
    let entries = sim.mutate(|w| w.add_time_entries(2));
    assert_eq!(entries.len(), 2);
    assert!(sim.mutate(|w| w.edit_time_entry(&entries[0])));
    assert!(!sim.mutate(|w| w.delete_task(&task_id)).is_empty());
    assert_eq!(get(&sim, &format!("/task/{task_id}")).status, 404);
}

#[test]
fn reference_world_serves_pages_fast() {
    let sim = start(SimConfig {
        size: Size::reference(),
        now_ms: Some(NOW),
        rate_limit: RateLimitConfig::unlimited(),
        ..SimConfig::default()
    });
    let team = sim.with_world(|w| w.workspaces[0].id.clone());
    let t0 = Instant::now();
    for page in 0..5 {
        let r = get(
            &sim,
            &format!("/team/{team}/task?include_closed=true&subtasks=true&page={page}"),
        );
        assert_eq!(r.status, 200);
    }
    let per_page = t0.elapsed() / 5;
    eprintln!("reference team page: {per_page:?}");
    assert!(per_page < Duration::from_secs(1), "{per_page:?} per page");
}

#[test]
fn malformed_requests_get_errors_not_panics() {
    use std::io::{Read, Write};
    let sim = tiny();
    let team = sim.with_world(|w| w.workspaces[0].id.clone());
    for path in [
        format!("/team/{team}/task?page=99999999999999999999"),
        format!("/team/{team}/task?page=-1"),
        format!("/team/{team}/task?date_updated_gt=%FF%FE"),
        format!("/team/{team}/time_entries?end_date=-9223372036854775808"),
        format!("/team/{team}/time_entries?assignee=1,,x"),
        format!("/team/{team}/time_entries?space_id=1&list_id=2"),
        "/team/%ZZ/task".to_string(),
        "/task/".to_string(),
    ] {
        let r = get(&sim, &path);
        assert!((200..500).contains(&r.status), "{path}: {}", r.status);
        assert!(serde_json::from_slice::<Value>(&r.body).is_ok(), "{path}");
    }
    let huge_page = get(&sim, &format!("/team/{team}/task?page=1000000"));
    assert_eq!(huge_page.json()["tasks"].as_array().map(Vec::len), Some(0));
    assert_eq!(huge_page.json()["last_page"], Value::Bool(true));

    // Not HTTP at all: hyper answers 400 and the server keeps serving.
    let mut raw = std::net::TcpStream::connect(sim.addr()).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    raw.write_all(b"\x00\x01 NOT HTTP\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let _ = raw.read_to_end(&mut answer);
    assert!(answer.is_empty() || answer.starts_with(b"HTTP/1.1 400"));
    assert_eq!(get(&sim, "/team").status, 200);
}

#[test]
fn concurrent_clients_are_all_served() {
    let sim = tiny();
    let team = sim.with_world(|w| w.workspaces[0].id.clone());
    std::thread::scope(|s| {
        for t in 0..6 {
            let sim = &sim;
            let team = &team;
            s.spawn(move || {
                for page in 0..5 {
                    let r = get(
                        sim,
                        &format!("/team/{team}/task?page={page}&reverse={}", t % 2 == 0),
                    );
                    assert_eq!(r.status, 200);
                }
            });
        }
    });
    assert_eq!(sim.request_counts().endpoint("GET /team/{id}/task"), 30);
}

#[test]
fn simulator_is_shareable_and_stops_on_drop() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Simulator>();
    assert_send_sync::<World>();
    let sim = tiny();
    let addr = sim.addr();
    assert!(sim.base_url().starts_with("http://127.0.0.1:"));
    assert!(sim.base_url().ends_with("/api/v2"));
    assert_eq!(get(&sim, "/team").status, 200);
    drop(sim);
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[test]
fn the_request_log_holds_every_target_in_order_until_reset() {
    let sim = tiny();
    let ws = sim.world().workspaces[0].id.clone();
    sim.inject("/team", Fault::Status(500), 1);
    get(&sim, "/team");
    get(&sim, &format!("/team/{ws}/space?archived=true"));
    assert_eq!(
        sim.request_log(),
        [
            "/team".to_owned(),
            format!("/team/{ws}/space?archived=true")
        ]
    );
    sim.reset_counts();
    assert!(sim.request_log().is_empty());
}

#[test]
fn time_entries_filter_on_start_or_on_overlap() {
    let sim = tiny();
    let ws = sim.world().workspaces[0].clone();
    let members: Vec<String> = ws.members.iter().map(|m| m.user.id.to_string()).collect();
    let finished = ws
        .time_entries
        .iter()
        .find(|e| e.end.is_some_and(|end| end > e.start + 2))
        .expect("a finished entry");
    let end = finished.end.unwrap_or_default();
    // A window that starts after the entry did but before it ended.
    let window = |from: i64, to: i64| {
        let url = format!(
            "/team/{}/time_entries?start_date={from}&end_date={to}&assignee={}",
            ws.id,
            members.join(",")
        );
        ids_of(&get(&sim, &url).json(), "data")
    };
    let inside = (finished.start + 1, end);
    assert!(!window(inside.0, inside.1).contains(&finished.id));
    assert!(window(finished.start, finished.start).contains(&finished.id));
    sim.set_time_entry_range(TimeEntryRange::Overlap);
    assert!(window(inside.0, inside.1).contains(&finished.id));
    assert!(!window(end + 1, end + 2).contains(&finished.id));
}

#[test]
fn an_answer_takes_at_least_its_latency_from_the_request() {
    let sim = start(SimConfig {
        size: Size::tiny(),
        rate_limit: RateLimitConfig::unlimited(),
        latency: LatencyConfig::ms(300, 0),
        ..SimConfig::default()
    });
    let team = sim.with_world(|w| w.workspaces[0].id.clone());
    for path in ["/team".to_owned(), format!("/team/{team}/task?page=0")] {
        let asked = Instant::now();
        assert_eq!(get(&sim, &path).status, 200);
        assert!(asked.elapsed() >= Duration::from_millis(300), "{path}");
    }
}
