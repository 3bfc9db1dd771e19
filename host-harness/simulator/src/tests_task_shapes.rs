//! Tests of the task-body shapes: custom-field values of every type, options deleted
//! under their values, dependencies and links, and the custom-field mutations.

use super::test_client::get;
use super::*;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

const NOW: i64 = 1_750_000_000_000;

/// Every field type ClickUp documents a value shape for.
const TYPES: [&str; 20] = [
    "url",
    "email",
    "phone",
    "short_text",
    "text",
    "drop_down",
    "labels",
    "date",
    "checkbox",
    "number",
    "currency",
    "emoji",
    "users",
    "tasks",
    "list_relationship",
    "manual_progress",
    "automatic_progress",
    "location",
    "formula",
    "attachment",
];

fn small() -> World {
    World::generate(1, &Size::small(), NOW)
}

/// The set values of fields of type `kind` in the workspace, with their task.
fn values_of<'a>(ws: &'a Workspace, kind: &str) -> Vec<(&'a Task, &'a FieldValue, &'a Value)> {
    ws.tasks
        .iter()
        .flat_map(|t| t.custom_fields.iter().map(move |f| (t, f)))
        .filter(|(_, f)| f.field.kind == kind)
        .filter_map(|(t, f)| match &f.value {
            CustomValue::Set(v) => Some((t, f, v)),
            _ => None,
        })
        .collect()
}

fn is_numeric_string(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.parse::<f64>().is_ok())
}

fn orderindex(option: &Value) -> Option<i64> {
    match &option["orderindex"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[test]
fn every_field_type_holds_a_value_in_a_small_world() {
    let world = small();
    for ws in &world.workspaces {
        let kinds: BTreeSet<&str> = ws.custom_fields.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(kinds, TYPES.into_iter().collect(), "field types");
        for field in &ws.custom_fields {
            let set = ws
                .tasks
                .iter()
                .filter_map(|t| t.custom_field(&field.id))
                .filter(|f| match &f.value {
                    CustomValue::Set(Value::Array(a)) => !a.is_empty(),
                    CustomValue::Set(v) => !v.is_null(),
                    _ => false,
                })
                .count();
            assert!(set > 0, "no task sets {} ({})", field.name, field.kind);
        }
        // Every task has a slot for every field that applies to its home list, in the
        // workspace's order.
        for t in &ws.tasks {
            let ids: Vec<&str> = t
                .custom_fields
                .iter()
                .map(|f| f.field.id.as_str())
                .collect();
            let want = ws.fields_for_list(&t.list.id);
            let want: Vec<&str> = want.iter().map(|f| f.id.as_str()).collect();
            assert_eq!(ids, want);
        }
    }
}

#[test]
fn values_take_the_shapes_clickup_sends() {
    let world = small();
    let ws = &world.workspaces[0];
    let members: HashSet<i64> = ws.members.iter().map(|m| m.user.id).collect();
    let tasks: HashMap<&str, &Task> = ws.tasks.iter().map(|t| (t.id.as_str(), t)).collect();

    for kind in ["url", "email", "phone", "short_text", "text"] {
        assert!(
            values_of(ws, kind).iter().all(|(_, _, v)| v.is_string()),
            "{kind}"
        );
    }
    let texts = values_of(ws, "text");
    let rich: Vec<_> = texts
        .iter()
        .filter_map(|(_, f, v)| f.value_richtext.as_ref().map(|r| (r, v)))
        .collect();
    assert!(!rich.is_empty() && rich.len() < texts.len());
    for (r, v) in rich {
        let delta: Value = serde_json::from_str(r).expect("richtext is JSON");
        let text = format!("{}\n", v.as_str().unwrap_or(""));
        assert_eq!(delta["ops"][0]["insert"], json!(text));
    }

    // Numbers and currencies: JSON numbers and numeric strings ("12.50").
    for kind in ["number", "currency", "formula"] {
        let vs = values_of(ws, kind);
        assert!(
            vs.iter()
                .all(|(_, _, v)| v.is_number() || is_numeric_string(v)),
            "{kind}"
        );
        assert!(vs.iter().any(|(_, _, v)| v.is_number()), "{kind} as number");
        assert!(
            vs.iter().any(|(_, _, v)| is_numeric_string(v)),
            "{kind} as string"
        );
    }
    assert!(values_of(ws, "currency").iter().any(|(_, _, v)| v
        .as_str()
        .is_some_and(|s| s.split_once('.').is_some_and(|(_, d)| d.len() == 2))));

    // Dates: ms strings mostly, sometimes numbers.
    let dates = values_of(ws, "date");
    let as_string = dates
        .iter()
        .filter(|(_, _, v)| is_numeric_string(v))
        .count();
    let as_number = dates.iter().filter(|(_, _, v)| v.is_i64()).count();
    assert_eq!(as_string + as_number, dates.len());
    assert!(as_number > 0 && as_string > as_number);

    assert!(values_of(ws, "checkbox")
        .iter()
        .all(|(_, _, v)| **v == json!("true")));

    // Drop-downs hold an integer orderindex; options are not listed in orderindex
    // order, and one field sends orderindex as strings.
    let dropdowns: Vec<&Arc<CustomField>> = ws
        .custom_fields
        .iter()
        .filter(|f| f.kind == "drop_down")
        .collect();
    assert!(dropdowns.iter().any(|f| f
        .options()
        .iter()
        .enumerate()
        .any(|(n, o)| orderindex(o) != Some(n as i64))));
    assert!(dropdowns
        .iter()
        .any(|f| f.options().iter().all(|o| o["orderindex"].is_string())));
    for (_, f, v) in values_of(ws, "drop_down") {
        let index = v.as_i64().expect("drop_down value is an integer");
        let known = f
            .field
            .options()
            .iter()
            .any(|o| orderindex(o) == Some(index));
        let retired = f
            .field
            .retired_options
            .iter()
            .any(|o| orderindex(o) == Some(index));
        assert!(known || retired, "{index} in {}", f.field.name);
    }
    // Values pick options by orderindex, not by position: some value is the
    // orderindex of an option listed at another position.
    assert!(values_of(ws, "drop_down").iter().any(|(_, f, v)| {
        let opts = f.field.options();
        let pos = opts.iter().position(|o| orderindex(o) == v.as_i64());
        pos.is_some_and(|p| Some(p as i64) != v.as_i64())
    }));

    for (_, f, v) in values_of(ws, "labels") {
        for id in v.as_array().expect("labels value is an array") {
            let listed = |o: &Value| o["id"] == *id;
            assert!(
                f.field.options().iter().any(listed) || f.field.retired_options.iter().any(listed)
            );
        }
    }

    for (_, f, v) in values_of(ws, "emoji") {
        let count = f.field.type_config["count"].as_i64().unwrap_or(0);
        assert!((0..=count).contains(&v.as_i64().expect("rating is an integer")));
    }

    for (_, _, v) in values_of(ws, "users") {
        for u in v.as_array().expect("users value is an array") {
            assert!(members.contains(&u["id"].as_i64().expect("integer user id")));
        }
    }

    for (t, _, v) in values_of(ws, "tasks") {
        for r in v.as_array().expect("tasks value is an array") {
            let id = r["id"].as_str().expect("task id");
            assert_ne!(id, t.id);
            assert_eq!(tasks.get(id).map(|o| o.name.as_str()), r["name"].as_str());
        }
    }
    for (t, f, v) in values_of(ws, "list_relationship") {
        let list = f.field.related_list_id().expect("related list");
        assert!(ws.list(list).is_some());
        for r in v.as_array().expect("list_relationship value is an array") {
            let id = r["id"].as_str().expect("task id");
            assert_ne!(id, t.id);
            let other = tasks.get(id).expect("a task of the workspace");
            assert_eq!(other.list.id, list);
            assert_eq!(r["status"], json!(other.status.status));
        }
    }

    let progress = values_of(ws, "manual_progress");
    assert!(progress.iter().any(|(_, _, v)| v["current"].is_string()));
    assert!(progress.iter().any(|(_, _, v)| v["current"].is_number()));
    for (_, f, v) in progress {
        let current: i64 = match &v["current"] {
            Value::String(s) => s.parse().expect("numeric current"),
            other => other.as_i64().expect("integer current"),
        };
        let start = f.field.type_config["start"].as_i64().unwrap_or(0);
        let end = f.field.type_config["end"].as_i64().unwrap_or(100);
        assert_eq!(
            v["percent_completed"].as_i64(),
            Some((current - start) * 100 / (end - start))
        );
    }
    for (_, _, v) in values_of(ws, "automatic_progress") {
        assert!((0..=100).contains(&v["percent_completed"].as_i64().expect("percent")));
    }

    let locations = values_of(ws, "location");
    assert!(locations
        .iter()
        .all(|(_, _, v)| v["location"]["lat"].is_f64()
            && v["location"]["lng"].is_f64()
            && v["formatted_address"].is_string()));
    assert!(locations
        .iter()
        .any(|(_, _, v)| v.get("place_id").is_some()));
    assert!(locations
        .iter()
        .any(|(_, _, v)| v.get("place_id").is_none()));

    for (t, _, v) in values_of(ws, "attachment") {
        let files = v.as_array().expect("attachment value is an array");
        assert!(!files.is_empty());
        for a in files {
            assert!(a["id"].is_string() && a["url"].is_string() && a["date"].is_string());
            assert_eq!(a["parent_id"], json!(t.id));
        }
    }
}

#[test]
fn some_values_point_at_deleted_options() {
    let world = small();
    let (mut dropdown, mut labels, mut set) = (0, 0, 0);
    for ws in &world.workspaces {
        for kind in ["drop_down", "labels"] {
            for (_, f, v) in values_of(ws, kind) {
                set += 1;
                let opts = f.field.options();
                let stale = match kind {
                    "drop_down" => !opts.iter().any(|o| orderindex(o) == v.as_i64()),
                    _ => v
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|id| !opts.iter().any(|o| o["id"] == *id)),
                };
                if stale {
                    assert!(!f.field.retired_options.is_empty());
                    if kind == "drop_down" {
                        dropdown += 1;
                    } else {
                        labels += 1;
                        // One stale id beside live ones, never only stale ones twice.
                        let ids = v.as_array().map(Vec::len).unwrap_or(0);
                        let live = v
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter(|id| opts.iter().any(|o| o["id"] == **id))
                            .count();
                        assert_eq!(ids - live, 1);
                    }
                }
            }
        }
    }
    assert!(
        dropdown > 0 && labels > 0,
        "{dropdown} drop-down, {labels} labels"
    );
    assert!(
        (dropdown + labels) * 20 < set,
        "drift is rare: {}/{set}",
        dropdown + labels
    );

    // Task 10 of the big list always drifts, on every field with deleted options.
    let ws = &world.workspaces[0];
    let big = ws
        .lists
        .iter()
        .find(|l| ws.tasks.iter().filter(|t| t.list.id == l.id).count() == BIG_LIST_TASKS)
        .expect("big list");
    let task = ws
        .tasks
        .iter()
        .find(|t| t.list.id == big.id && t.orderindex == 10)
        .expect("task 10");
    for f in task
        .custom_fields
        .iter()
        .filter(|f| !f.field.retired_options.is_empty())
    {
        let CustomValue::Set(v) = &f.value else {
            panic!("{} is not set", f.field.name)
        };
        let retired = &f.field.retired_options[0];
        match f.field.kind.as_str() {
            "drop_down" => assert_eq!(v.as_i64(), orderindex(retired)),
            _ => assert!(v.as_array().is_some_and(|a| a.contains(&retired["id"]))),
        }
    }
}

#[test]
fn dependencies_and_links_are_listed_on_both_tasks() {
    let world = small();
    let mut kinds = HashSet::new();
    for ws in &world.workspaces {
        let tasks: HashMap<&str, &Task> = ws.tasks.iter().map(|t| (t.id.as_str(), t)).collect();
        let members: HashSet<i64> = ws.members.iter().map(|m| m.user.id).collect();
        let with_deps = ws
            .tasks
            .iter()
            .filter(|t| !t.dependencies.is_empty())
            .count();
        let with_links = ws
            .tasks
            .iter()
            .filter(|t| !t.linked_tasks.is_empty())
            .count();
        assert!(
            with_deps > 0 && with_deps * 5 < ws.tasks.len(),
            "{with_deps} with deps"
        );
        assert!(
            with_links > 0 && with_links * 5 < ws.tasks.len(),
            "{with_links} with links"
        );
        assert!(ws.tasks.iter().any(|t| t.dependencies.len() >= 2));
        for t in &ws.tasks {
            for d in &t.dependencies {
                assert!(d.task_id == t.id || d.depends_on == t.id);
                assert_ne!(d.task_id, d.depends_on);
                assert_eq!(d.workspace_id, ws.id);
                assert!(members.contains(&d.userid));
                kinds.insert(d.kind);
                let other_id = if d.task_id == t.id {
                    &d.depends_on
                } else {
                    &d.task_id
                };
                let other = tasks.get(other_id.as_str()).expect("the other task exists");
                assert_eq!(other.dependencies.iter().filter(|e| *e == d).count(), 1);
                let (waiting, blocking) = (tasks[d.task_id.as_str()], tasks[d.depends_on.as_str()]);
                assert!(blocking.date_created < waiting.date_created);
                assert!(d.date_created >= waiting.date_created.max(blocking.date_created));
                assert!(d.date_created <= world.now_ms);
            }
            let pairs: HashSet<(&str, &str)> = t
                .dependencies
                .iter()
                .map(|d| (d.task_id.as_str(), d.depends_on.as_str()))
                .collect();
            assert_eq!(pairs.len(), t.dependencies.len(), "no duplicate entries");
            for l in &t.linked_tasks {
                assert!(l.task_id == t.id || l.link_id == t.id);
                assert_ne!(l.task_id, l.link_id);
                assert_eq!(l.workspace_id, ws.id);
                let other_id = if l.task_id == t.id {
                    &l.link_id
                } else {
                    &l.task_id
                };
                let other = tasks
                    .get(other_id.as_str())
                    .expect("the linked task exists");
                assert_eq!(other.linked_tasks.iter().filter(|e| *e == l).count(), 1);
            }
        }
    }
    assert_eq!(
        kinds,
        HashSet::from([DEPENDENCY_TYPE_WAITING_ON, DEPENDENCY_TYPE_BLOCKING])
    );
}

#[test]
fn task_bodies_render_dependencies_links_and_values() {
    let sim = Simulator::start(SimConfig {
        size: Size::tiny(),
        rate_limit: RateLimitConfig::unlimited(),
        now_ms: Some(NOW),
        ..SimConfig::default()
    })
    .expect("simulator starts");
    let world = sim.world();
    let ws = &world.workspaces[0];
    let waiting = ws
        .tasks
        .iter()
        .find(|t| t.dependencies.iter().any(|d| d.task_id == t.id))
        .expect("a waiting task");
    let dep = waiting
        .dependencies
        .iter()
        .find(|d| d.task_id == waiting.id)
        .expect("its entry");
    let want = json!({
        "task_id": dep.task_id,
        "depends_on": dep.depends_on,
        "type": dep.kind,
        "date_created": dep.date_created.to_string(),
        "userid": dep.userid.to_string(),
        "workspace_id": ws.id,
        "chain_id": null,
    });
    for id in [&dep.task_id, &dep.depends_on] {
        let body = get(&sim, &format!("/task/{id}")).json();
        let entries = body["dependencies"].as_array().cloned().unwrap_or_default();
        assert!(entries.contains(&want), "{id}: {entries:?}");
    }
    let linked = ws
        .tasks
        .iter()
        .find(|t| !t.linked_tasks.is_empty())
        .expect("a linked task");
    let link = &linked.linked_tasks[0];
    let want = json!({
        "task_id": link.task_id,
        "link_id": link.link_id,
        "date_created": link.date_created.to_string(),
        "userid": link.userid.to_string(),
        "workspace_id": ws.id,
    });
    for id in [&link.task_id, &link.link_id] {
        let body = get(&sim, &format!("/task/{id}")).json();
        assert!(
            body["linked_tasks"]
                .as_array()
                .is_some_and(|a| a.contains(&want)),
            "{id}"
        );
    }
    // Unset fields have no `value` key; a text value may carry `value_richtext`.
    let body = get(&sim, &format!("/task/{}", waiting.id)).json();
    for (slot, json) in waiting
        .custom_fields
        .iter()
        .zip(body["custom_fields"].as_array().unwrap())
    {
        assert_eq!(json["id"], json!(slot.field.id));
        match &slot.value {
            CustomValue::Absent => assert!(json.get("value").is_none()),
            CustomValue::Null => assert_eq!(json["value"], Value::Null),
            CustomValue::Set(v) => assert_eq!(&json["value"], v),
        }
        assert_eq!(
            json.get("value_richtext").and_then(Value::as_str),
            slot.value_richtext.as_deref()
        );
    }
}

#[test]
fn new_shapes_are_deterministic_per_seed() {
    let shapes = |w: &World| -> Vec<Value> {
        w.workspaces
            .iter()
            .flat_map(|ws| &ws.tasks)
            .map(|t| {
                let body = t.to_api_json();
                json!([
                    body["custom_fields"],
                    body["dependencies"],
                    body["linked_tasks"]
                ])
            })
            .collect()
    };
    let a = small();
    let b = small();
    assert!(shapes(&a) == shapes(&b), "same seed, same values");
    assert!(shapes(&a) != shapes(&World::generate(2, &Size::small(), NOW)));

    // Tasks created between syncs get the same values in the same world (apart from
    // dates, which follow the real clock they are created at).
    let mut a = World::generate(3, &Size::tiny(), NOW);
    let mut b = a.clone();
    let ids = a.create_tasks(20);
    assert_eq!(ids, b.create_tasks(20));
    let of = |w: &World| -> Vec<(String, Option<Value>)> {
        ids.iter()
            .filter_map(|id| w.task(id))
            .flat_map(|t| &t.custom_fields)
            .filter(|f| f.field.kind != "date" && f.field.kind != "attachment")
            .map(|f| (f.field.name.clone(), f.to_api_json().get("value").cloned()))
            .collect()
    };
    assert!(of(&a) == of(&b), "created tasks differ");
    // Their `tasks` values point at real tasks of their workspace.
    for id in &ids {
        let (w, _) = a.find_task(id).expect("created");
        let ws = &a.workspaces[w];
        let t = a.task(id).expect("created");
        for f in t.custom_fields.iter().filter(|f| f.field.kind == "tasks") {
            if let CustomValue::Set(Value::Array(refs)) = &f.value {
                for r in refs {
                    let rid = r["id"].as_str().unwrap_or("");
                    assert!(ws.tasks.iter().any(|o| o.id == rid && o.id != *id));
                }
            }
        }
    }
}

#[test]
fn custom_field_values_are_set_and_cleared_between_syncs() {
    let sim = Simulator::start(SimConfig {
        size: Size::tiny(),
        rate_limit: RateLimitConfig::unlimited(),
        ..SimConfig::default()
    })
    .expect("simulator starts");
    let world = sim.world();
    let ws = &world.workspaces[0];
    let task = &ws.tasks[3];
    let field = ws
        .custom_fields
        .iter()
        .find(|f| f.kind == "currency")
        .expect("a currency field");
    let before = task.date_updated;

    assert!(sim.mutate(|w| w.set_custom_field(&task.id, &field.id, json!("99.90"))));
    let after = sim.world();
    let t = after.task(&task.id).expect("task");
    assert!(t.date_updated > before);
    assert_eq!(
        t.custom_field(&field.id).map(|f| &f.value),
        Some(&CustomValue::Set(json!("99.90")))
    );
    let body = get(&sim, &format!("/task/{}", task.id)).json();
    let slot = body["custom_fields"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["id"] == json!(field.id)))
        .cloned()
        .expect("slot");
    assert_eq!(slot["value"], json!("99.90"));
    assert_eq!(body["date_updated"], json!(t.date_updated.to_string()));

    let set_at = t.date_updated;
    assert!(sim.mutate(|w| w.clear_custom_field(&task.id, &field.id)));
    let t = sim.world().task(&task.id).cloned().expect("task");
    assert!(t.date_updated > set_at);
    assert_eq!(
        t.custom_field(&field.id).map(|f| &f.value),
        Some(&CustomValue::Absent)
    );
    let body = get(&sim, &format!("/task/{}", task.id)).json();
    let slot = body["custom_fields"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["id"] == json!(field.id)))
        .cloned()
        .expect("the slot stays");
    assert!(slot.get("value").is_none());

    // `null` is sent as `"value": null`; a text field's richtext goes with its value.
    assert!(sim.mutate(|w| w.set_custom_field(&task.id, &field.id, Value::Null)));
    let t = sim.world().task(&task.id).cloned().expect("task");
    assert_eq!(
        t.custom_field(&field.id).map(|f| &f.value),
        Some(&CustomValue::Null)
    );
    let text = ws
        .custom_fields
        .iter()
        .find(|f| f.kind == "text")
        .expect("text field");
    assert!(sim.mutate(|w| w.set_custom_field(&task.id, &text.id, json!("plain"))));
    let t = sim.world().task(&task.id).cloned().expect("task");
    assert_eq!(
        t.custom_field(&text.id)
            .and_then(|f| f.value_richtext.clone()),
        None
    );

    let stamp = t.date_updated;
    assert!(!sim.mutate(|w| w.set_custom_field("nope", &field.id, json!(1))));
    assert!(!sim.mutate(|w| w.clear_custom_field(&task.id, "no-such-field")));
    assert_eq!(
        sim.world().task(&task.id).map(|t| t.date_updated),
        Some(stamp)
    );
}
