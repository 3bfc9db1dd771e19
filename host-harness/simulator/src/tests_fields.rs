//! Tests of custom fields defined at every level and of the field endpoints.

use super::test_client::{get, get_with};
use super::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

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

fn ids(fields: &[Arc<CustomField>]) -> Vec<String> {
    fields.iter().map(|f| f.id.clone()).collect()
}

fn served_ids(body: &Value) -> Vec<String> {
    body["fields"]
        .as_array()
        .expect("fields array")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_string())
        .collect()
}

/// (first space, its first folder, that folder's first list) of a workspace.
fn first_scopes(ws: &Workspace) -> (&Space, &Folder, &List) {
    let space = ws.spaces.iter().find(|s| !s.archived).expect("space");
    let folder = ws
        .folders
        .iter()
        .find(|f| f.space.id == space.id && !f.archived)
        .expect("folder");
    let list = ws
        .lists
        .iter()
        .find(|l| !l.folderless && l.folder.id == folder.id && !l.archived)
        .expect("list");
    (space, folder, list)
}

#[test]
fn fields_are_defined_at_every_level_and_tasks_carry_those_that_apply() {
    for size in [Size::tiny(), Size::small()] {
        let world = World::generate(1, &size, NOW);
        for ws in &world.workspaces {
            let (space, folder, list) = first_scopes(ws);
            let at = |scope: FieldScope| -> Vec<String> {
                ws.fields_at(&scope)
                    .iter()
                    .map(|f| format!("{} ({})", f.name, f.kind))
                    .collect()
            };
            assert_eq!(ws.fields_at(&FieldScope::Workspace).len(), 21);
            assert_eq!(
                at(FieldScope::Space(space.id.clone())),
                ["Team (drop_down)", "Effort (number)"]
            );
            assert_eq!(
                at(FieldScope::Folder(folder.id.clone())),
                ["Client code (short_text)"]
            );
            assert_eq!(
                at(FieldScope::List(list.id.clone())),
                ["Review date (date)", "Areas (labels)"]
            );
            assert_eq!(ws.field_definitions().len(), 26);
            // Workspace-level definitions come first, as before.
            assert!(ws.field_definitions()[..21]
                .iter()
                .all(|f| f.scope == FieldScope::Workspace));

            for t in &ws.tasks {
                let scopes: BTreeSet<String> = t
                    .custom_fields
                    .iter()
                    .map(|f| format!("{:?}", f.field.scope))
                    .collect();
                let mut want = BTreeSet::from([format!("{:?}", FieldScope::Workspace)]);
                let home = ws.list(&t.list.id).expect("home list");
                if home.space.id == space.id {
                    want.insert(format!("{:?}", FieldScope::Space(space.id.clone())));
                }
                if !home.folderless && home.folder.id == folder.id {
                    want.insert(format!("{:?}", FieldScope::Folder(folder.id.clone())));
                }
                if home.id == list.id {
                    want.insert(format!("{:?}", FieldScope::List(list.id.clone())));
                }
                assert_eq!(scopes, want, "task {} in list {}", t.id, home.name);
                assert_eq!(
                    ids(&ws.fields_for_list(&t.list.id)).len(),
                    t.custom_fields.len()
                );
            }
            // Every field below the Workspace holds values on some of its tasks, and
            // is left unset on others.
            for field in ws.field_definitions().iter().skip(21) {
                let slots: Vec<&FieldValue> = ws
                    .tasks
                    .iter()
                    .filter_map(|t| t.custom_field(&field.id))
                    .collect();
                assert!(
                    slots
                        .iter()
                        .any(|s| matches!(&s.value, CustomValue::Set(v) if !v.is_null())),
                    "{} never set",
                    field.name
                );
                assert!(slots.iter().any(|s| s.value == CustomValue::Absent));
            }
        }
    }
}

#[test]
fn scoped_values_take_their_types_shapes() {
    let world = World::generate(1, &Size::tiny(), NOW);
    let ws = &world.workspaces[0];
    let (_, _, list) = first_scopes(ws);
    // The big list holds the every-field-set task 6 and the all-null task 9.
    assert_eq!(
        ws.tasks.iter().filter(|t| t.list.id == list.id).count(),
        BIG_LIST_TASKS
    );
    for field in ws.field_definitions().iter().skip(21) {
        for t in ws.tasks.iter() {
            let Some(CustomValue::Set(v)) = t.custom_field(&field.id).map(|s| &s.value) else {
                continue;
            };
            match field.kind.as_str() {
                "drop_down" => {
                    let n = v.as_i64().expect("orderindex");
                    assert!(field.options().iter().any(|o| o["orderindex"] == json!(n)));
                }
                "number" => assert!(v.is_number() || v.is_string()),
                "short_text" => assert!(v.is_string()),
                "date" => assert!(v.is_string() || v.is_number()),
                "labels" => {
                    let known: Vec<&Value> = field.options().iter().map(|o| &o["id"]).collect();
                    let picked = v.as_array().expect("labels array");
                    assert!(!picked.is_empty() && picked.iter().all(|p| known.contains(&p)));
                }
                other => panic!("unexpected kind {other}"),
            }
        }
    }
    let all_set = ws
        .tasks
        .iter()
        .filter(|t| t.list.id == list.id)
        .nth(6)
        .expect("task 6");
    assert!(all_set
        .custom_fields
        .iter()
        .all(|s| matches!(s.value, CustomValue::Set(_))));
}

#[test]
fn field_endpoints_serve_each_level() {
    let sim = tiny();
    let world = sim.world();
    for ws in &world.workspaces {
        let (space, folder, list) = first_scopes(ws);
        let team = get(&sim, &format!("/team/{}/field", ws.id));
        assert_eq!(team.status, 200);
        let team = team.json();
        assert_eq!(
            served_ids(&team),
            ids(&ws.fields_at(&FieldScope::Workspace))
        );
        // The definition, without `value`, with a ms-string date.
        for f in team["fields"].as_array().expect("fields") {
            let keys: BTreeSet<&str> = f
                .as_object()
                .expect("object")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(
                keys,
                BTreeSet::from([
                    "id",
                    "name",
                    "type",
                    "type_config",
                    "date_created",
                    "hide_from_guests",
                    "required"
                ])
            );
            assert!(f["date_created"]
                .as_str()
                .is_some_and(|d| d.parse::<i64>().is_ok()));
        }

        let space_body = get(&sim, &format!("/space/{}/field", space.id)).json();
        assert_eq!(
            served_ids(&space_body),
            ids(&ws.fields_at(&FieldScope::Space(space.id.clone())))
        );
        assert_eq!(space_body["fields"][0]["name"], "Team");
        assert_eq!(space_body["fields"][0]["type"], "drop_down");
        let other_space = ws
            .spaces
            .iter()
            .find(|s| s.id != space.id)
            .expect("another space");
        let empty = get(&sim, &format!("/space/{}/field", other_space.id)).json();
        assert_eq!(empty, json!({ "fields": [] }));

        let folder_body = get(&sim, &format!("/folder/{}/field", folder.id)).json();
        assert_eq!(
            served_ids(&folder_body),
            ids(&ws.fields_at(&FieldScope::Folder(folder.id.clone())))
        );
        assert_eq!(folder_body["fields"].as_array().map(Vec::len), Some(1));

        // A list serves its own and the inherited fields, exactly the definitions its
        // tasks carry.
        let list_body = get(&sim, &format!("/list/{}/field", list.id)).json();
        let want = ws.fields_for_list(&list.id);
        assert_eq!(served_ids(&list_body), ids(&want));
        assert_eq!(want.len(), 21 + 2 + 1 + 2);
        let task = ws
            .tasks
            .iter()
            .find(|t| t.list.id == list.id)
            .expect("a task in the list");
        let task_body = get(&sim, &format!("/task/{}", task.id)).json();
        let definitions: Vec<Value> = task_body["custom_fields"]
            .as_array()
            .expect("custom_fields")
            .iter()
            .map(|f| {
                let mut f = f.clone();
                if let Value::Object(map) = &mut f {
                    map.remove("value");
                    map.remove("value_richtext");
                }
                f
            })
            .collect();
        assert_eq!(list_body["fields"], Value::Array(definitions));

        // A folderless list of the first space inherits the Workspace's and the
        // space's; one in another space only the Workspace's.
        let folderless = ws
            .lists
            .iter()
            .find(|l| l.folderless && l.space.id == space.id)
            .expect("folderless list");
        let body = get(&sim, &format!("/list/{}/field", folderless.id)).json();
        assert_eq!(body["fields"].as_array().map(Vec::len), Some(23));
        let elsewhere = ws
            .lists
            .iter()
            .find(|l| l.space.id == other_space.id)
            .expect("list in another space");
        let body = get(&sim, &format!("/list/{}/field", elsewhere.id)).json();
        assert_eq!(served_ids(&body), served_ids(&team));
    }
}

#[test]
fn field_endpoints_answer_errors_and_are_counted() {
    let sim = tiny();
    let world = sim.world();
    let ws0 = &world.workspaces[0];
    let ws1 = &world.workspaces[1];
    let (space, folder, list) = first_scopes(ws0);
    sim.reset_counts();

    let paths = [
        format!("/team/{}/field", ws0.id),
        format!("/space/{}/field", space.id),
        format!("/folder/{}/field", folder.id),
        format!("/list/{}/field", list.id),
    ];
    for path in &paths {
        let bogus = get_with(&sim, path, Some("pk_nope")).expect("reply");
        assert_eq!(bogus.status, 401, "{path}");
        assert_eq!(bogus.json()["ECODE"], "OAUTH_025");
        let missing = get_with(&sim, path, None).expect("reply");
        assert_eq!(missing.status, 401);
        assert_eq!(missing.json()["ECODE"], "OAUTH_017");
    }
    let unknown = [
        ("/team/1/field", 401, "OAUTH_027"),
        ("/space/1/field", 404, "PROJ_006"),
        ("/folder/1/field", 404, "CAT_014"),
        ("/list/1/field", 404, "SUBCAT_016"),
    ];
    for (path, status, ecode) in unknown {
        let r = get(&sim, path);
        assert_eq!(r.status, status, "{path}");
        assert_eq!(r.json()["ECODE"], ecode, "{path}");
    }
    // A token limited to the other workspace, and one denied the first space.
    sim.add_token(TokenSpec {
        token: "pk_9_OTHER".into(),
        user_id: sim.owner_user_id(),
        workspaces: vec![ws1.id.clone()],
        denied_spaces: Vec::new(),
    });
    sim.add_token(TokenSpec {
        token: "pk_9_DENIED".into(),
        user_id: sim.owner_user_id(),
        workspaces: Vec::new(),
        denied_spaces: vec![space.id.clone()],
    });
    for path in &paths {
        let r = get_with(&sim, path, Some("pk_9_OTHER")).expect("reply");
        assert_eq!(r.status, 401, "{path}");
        assert_eq!(r.json()["ECODE"], "OAUTH_027");
    }
    for path in paths.iter().skip(1) {
        let r = get_with(&sim, path, Some("pk_9_DENIED")).expect("reply");
        assert_eq!(r.status, 401, "{path}");
    }
    // The workspace's own fields stay visible to a token denied one space.
    let r = get_with(&sim, &paths[0], Some("pk_9_DENIED")).expect("reply");
    assert_eq!(r.status, 200);

    let counts = sim.request_counts();
    for pattern in ["team", "space", "folder", "list"] {
        let key = format!("GET /{pattern}/{{id}}/field");
        assert_eq!(counts.endpoint(&key), 5, "{key}");
    }
    let log = sim.request_log();
    assert_eq!(log.first(), paths.first());
    assert!(log.contains(&format!("/list/{}/field", list.id)));
}

#[test]
fn moved_tasks_take_the_fields_of_their_new_list() {
    let sim = tiny();
    let world = sim.world();
    let ws = &world.workspaces[0];
    let (space, _, list) = first_scopes(ws);
    let task = ws
        .tasks
        .iter()
        .filter(|t| t.list.id == list.id)
        .nth(6)
        .cloned()
        .expect("task 6 sets every field");
    let elsewhere = ws
        .lists
        .iter()
        .find(|l| l.space.id != space.id && ws.list_is_live(l))
        .expect("a list in another space");
    assert!(sim.mutate(|w| w.move_task(&task.id, &elsewhere.id)));
    let moved = sim.world().task(&task.id).cloned().expect("moved");
    assert_eq!(
        ids(&moved
            .custom_fields
            .iter()
            .map(|s| Arc::clone(&s.field))
            .collect::<Vec<_>>()),
        ids(&ws.fields_for_list(&elsewhere.id))
    );
    // Workspace-level values travel with the task.
    for slot in &moved.custom_fields {
        assert_eq!(Some(slot), task.custom_field(&slot.field.id));
    }
    let scoped = ws.fields_at(&FieldScope::List(list.id.clone()));
    let field = scoped.first().expect("a list field");
    assert!(!sim.mutate(|w| w.set_custom_field(&task.id, &field.id, json!("1"))));
    let body = get(&sim, &format!("/task/{}", task.id)).json();
    assert!(body["custom_fields"]
        .as_array()
        .expect("fields")
        .iter()
        .all(|f| f["id"] != json!(field.id)));

    // Back home: the list's own fields return, without values.
    assert!(sim.mutate(|w| w.move_task(&task.id, &list.id)));
    let back = sim.world().task(&task.id).cloned().expect("back");
    assert_eq!(
        back.custom_field(&field.id).map(|s| &s.value),
        Some(&CustomValue::Absent)
    );
    assert!(sim.mutate(|w| w.set_custom_field(&task.id, &field.id, json!("1700000000000"))));
}
