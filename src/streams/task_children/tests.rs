use super::*;
use serde_json::json;

const FULL: Context<'static> = Context {
    workspace_id: "9",
    tombstone_at: None,
};

fn rows_of(child: Child, task: &Value) -> Vec<Value> {
    let (mut out, mut warnings) = (Vec::new(), Vec::new());
    child.rows(task, &FULL, &mut out, &mut warnings);
    out
}

fn keys(child: Child, rows: &[Value]) -> Vec<(String, String)> {
    let [a, b] = child.primary_key();
    rows.iter()
        .map(|r| {
            (
                r[a].as_str().unwrap().to_owned(),
                r[b].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_child_row_has_its_key_the_workspace_and_no_tombstone_and_matches_its_schema() {
    let task = json!({
        "id": "t1",
        "assignees": [{"id": 183, "username": "Ann", "email": "a@x", "initials": "A", "color": "#f"}],
        "tags": [{"name": "urgent", "tag_fg": "#fff", "tag_bg": "#000"}],
        "checklists": [{"id": "c1", "name": "Launch", "items": [
            {"id": "i1", "name": "Ship", "orderindex": 0, "resolved": true,
             "assignee": {"id": 183}, "parent": null, "date_created": "2021-01-01T00:00:00.000Z"}]}],
        "dependencies": [{"task_id": "t1", "depends_on": "t0", "type": 1,
                          "date_created": "1609459200000", "userid": "183"}],
        "linked_tasks": [{"task_id": "t1", "link_id": "t7", "date_created": 1609459200000_i64, "userid": 183}],
        "custom_fields": [{"id": "f", "name": "Points", "type": "number", "value": 3}],
    });
    // Time in status is not in the task body (it is asked for per page).
    for child in Child::ALL.into_iter().filter(|c| *c != Child::TimeInStatus) {
        let rows = rows_of(child, &task);
        assert_eq!(rows.len(), 1, "{}: {rows:?}", child.name());
        let schema = child.json_schema();
        for (key, value) in rows[0].as_object().unwrap() {
            assert!(
                schema["properties"].get(key).is_some(),
                "{}: {key} not in the schema",
                child.name()
            );
            assert!(!value.is_null() || key != "task_id");
        }
        assert_eq!(rows[0]["workspace_id"], "9");
        assert_eq!(rows[0]["_ab_cdc_deleted_at"], Value::Null);
        assert_eq!(keys(child, &rows)[0].0, "t1");
    }
    assert_eq!(
        keys(Child::Assignees, &rows_of(Child::Assignees, &task))[0].1,
        "183"
    );
    let item = &rows_of(Child::ChecklistItems, &task)[0];
    assert_eq!(
        (
            item["checklist_id"].as_str(),
            item["checklist_name"].as_str()
        ),
        (Some("c1"), Some("Launch"))
    );
    assert_eq!(item["assignee_id"], "183");
    let dep = &rows_of(Child::Dependencies, &task)[0];
    assert_eq!(
        (dep["depends_on"].as_str(), dep["date_created"].as_str()),
        (Some("t0"), Some("2021-01-01T00:00:00.000Z"))
    );
    let link = &rows_of(Child::Links, &task)[0];
    assert_eq!(
        (link["linked_task_id"].as_str(), link["user_id"].as_str()),
        (Some("t7"), Some("183"))
    );
}

#[test]
fn a_dependency_is_one_row_owned_by_the_waiting_task_and_a_link_one_row_per_end() {
    let entry = json!({"task_id": "a", "depends_on": "b", "type": 0});
    let link = json!({"task_id": "a", "link_id": "b"});
    let waiting = json!({"id": "a", "dependencies": [entry], "linked_tasks": [link]});
    let blocking = json!({"id": "b", "dependencies": [entry], "linked_tasks": [link]});
    assert_eq!(
        keys(Child::Dependencies, &rows_of(Child::Dependencies, &waiting)),
        [("a".into(), "b".into())]
    );
    assert!(rows_of(Child::Dependencies, &blocking).is_empty());
    assert_eq!(
        keys(Child::Links, &rows_of(Child::Links, &waiting)),
        [("a".into(), "b".into())]
    );
    assert_eq!(
        keys(Child::Links, &rows_of(Child::Links, &blocking)),
        [("b".into(), "a".into())]
    );
}

#[test]
fn children_of_a_task_without_lists_or_with_hostile_shapes_are_none_and_nothing_panics() {
    let hostile = [
        json!({"id": "t"}),
        json!({"id": "t", "assignees": "x", "tags": [1, null, {"name": 5}], "checklists": [{"items": "no"}, 7],
               "dependencies": [{}, {"depends_on": {}}], "linked_tasks": [{"task_id": "x", "link_id": "y"}]}),
        json!({"assignees": [{"id": 1}]}),
        json!([1, 2]),
        json!(null),
    ];
    for task in &hostile {
        for child in Child::ALL {
            assert!(rows_of(child, task).is_empty(), "{}: {task}", child.name());
        }
    }
}

#[test]
fn names_round_trip_and_a_child_of_another_stream_is_unknown() {
    for child in Child::ALL {
        assert_eq!(Child::from_name(child.name()), Some(child));
    }
    let names = vec!["task_tags".to_owned()];
    assert_eq!(Child::parse_all("tasks", &names).unwrap(), [Child::Tags]);
    let e = Child::parse_all("goals", &names).unwrap_err().to_string();
    assert!(e.contains("task_assignees") && e.contains("goals"), "{e}");
    assert!(Child::parse_all("tasks", &["tags".to_owned()]).is_err());
}

#[test]
fn the_members_the_one_pass_notes_are_the_ones_pruned_keeps_but_custom_fields() {
    let listed: Vec<&str> = super::pruned::TASK
        .0
        .iter()
        .map(|(name, _)| *name)
        .collect();
    for name in &listed {
        let expected = (*name != "custom_fields").then_some(*name);
        assert_eq!(super::scanned::kept(name.as_bytes()), expected, "{name}");
    }
    for other in [
        "",
        "custom_fields",
        "ids",
        "tag",
        "name",
        "status",
        "linked_task",
    ] {
        assert_eq!(super::scanned::kept(other.as_bytes()), None, "{other}");
    }
}
