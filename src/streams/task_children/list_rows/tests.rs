//! The rows written from a record's text are the rows made from its `Value`s, byte for byte.

use super::write;
use crate::scan::Bail;
use crate::streams::json_text;
use crate::streams::task_children::{scanned, task_id, Child, Context};
use crate::streams::task_pages::tests::{any_json, style, text};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// The five streams written here.
const LISTED: [Child; 5] = [
    Child::Assignees,
    Child::Tags,
    Child::ChecklistItems,
    Child::Dependencies,
    Child::Links,
];

/// An id as ClickUp sends one, or something that is none, or odder.
fn id() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => "[a-z0-9]{1,6}".prop_map(Value::String),
        2 => any::<i64>().prop_map(|n| json!(n)),
        1 => Just(json!("t")),
        1 => Just(json!("")),
        1 => Just(Value::Null),
        1 => prop::sample::select(vec![
            json!(1.5), json!(u64::MAX), json!(-0.0), json!(1e300), json!("a\"b\\c"),
            json!("\u{1}\u{7f}é"), json!({"id": "x"}), json!([1]),
        ]),
        // Numbers written as serde_json would not write them (`2.50`, `1E+2`) among others.
        1 => any_json(),
    ]
}

/// A string member: plain, with what JSON escapes, or any value now and then.
fn text_member() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => "[a-zA-Z .@#0-9]{0,8}".prop_map(Value::String),
        2 => "[a-z\"\\\\/\u{0}-\u{1f}\u{7f}é€😀]{0,6}".prop_map(Value::String),
        1 => Just(Value::Null),
        1 => any_json(),
    ]
}

/// A ClickUp ms timestamp (string or number), or something that is none.
fn ms() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (0i64..4_102_444_800_000).prop_map(|ms| json!(ms.to_string())),
        1 => (0i64..4_102_444_800_000).prop_map(|ms| json!(ms)),
        1 => Just(json!(1567780450202.4)),
        1 => any_json(),
    ]
}

/// An element of a list: an object of `members`, sometimes with one of them missing, or
/// anything at all now and then.
fn element(members: Vec<(&'static str, BoxedStrategy<Value>)>) -> impl Strategy<Value = Value> {
    let (keys, values): (Vec<_>, Vec<_>) = members.into_iter().unzip();
    let object = (values, any::<prop::sample::Index>(), any::<bool>()).prop_map(
        move |(values, drop, dropped)| {
            let mut object: Map<String, Value> =
                keys.iter().map(|k| (*k).to_owned()).zip(values).collect();
            if dropped {
                let key = keys[drop.index(keys.len())];
                object.remove(key);
            }
            Value::Object(object)
        },
    );
    prop_oneof![8 => object, 1 => any_json()]
}

fn list(members: Vec<(&'static str, BoxedStrategy<Value>)>) -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => prop::collection::vec(element(members), 0..4).prop_map(Value::Array),
        1 => any_json(),
    ]
}

/// A task's id and Workspace and its five lists, in ClickUp's shapes and odder ones.
fn task() -> impl Strategy<Value = Value> {
    let assignee = vec![
        ("id", id().boxed()),
        ("username", text_member().boxed()),
        ("email", text_member().boxed()),
        ("initials", text_member().boxed()),
        ("color", text_member().boxed()),
        ("profilePicture", Just(Value::Null).boxed()),
    ];
    let tag = vec![
        ("name", text_member().boxed()),
        ("tag_fg", text_member().boxed()),
        ("tag_bg", text_member().boxed()),
        ("creator", any::<i64>().prop_map(|n| json!(n)).boxed()),
    ];
    let item = vec![
        ("id", id().boxed()),
        ("name", text_member().boxed()),
        (
            "orderindex",
            prop_oneof![any::<i64>().prop_map(|n| json!(n)), Just(json!(2.5))].boxed(),
        ),
        (
            "assignee",
            prop_oneof![
                Just(Value::Null),
                id().prop_map(|id| json!({"id": id, "username": "u"})),
                any_json()
            ]
            .boxed(),
        ),
        ("resolved", any::<bool>().prop_map(Value::Bool).boxed()),
        ("parent", id().boxed()),
        ("date_created", ms().boxed()),
        ("children", Just(json!([])).boxed()),
    ];
    let checklist = vec![
        ("id", id().boxed()),
        ("name", text_member().boxed()),
        ("items", list(item).boxed()),
    ];
    let dependency = vec![
        ("task_id", id().boxed()),
        ("depends_on", id().boxed()),
        (
            "type",
            prop_oneof![Just(json!(0)), Just(json!(1)), any_json()].boxed(),
        ),
        ("date_created", ms().boxed()),
        ("userid", id().boxed()),
    ];
    let link = vec![
        ("task_id", id().boxed()),
        ("link_id", id().boxed()),
        ("date_created", ms().boxed()),
        ("userid", id().boxed()),
        ("workspace_id", id().boxed()),
    ];
    (
        id(),
        list(assignee),
        list(tag),
        list(checklist),
        list(dependency),
        list(link),
    )
        .prop_map(|(id, assignees, tags, checklists, dependencies, links)| {
            json!({
                "id": id, "workspace_id": "9", "name": "a task",
                "assignees": assignees, "tags": tags, "checklists": checklists,
                "dependencies": dependencies, "linked_tasks": links,
            })
        })
}

/// The rows [`Child::rows`] makes of `task`, as text, and their keys.
fn from_values(child: Child, task: &Value, ctx: &Context<'_>) -> (Vec<String>, Vec<String>) {
    let (mut rows, mut warnings) = (Vec::new(), Vec::new());
    child.rows(task, ctx, &mut rows, &mut warnings);
    let field = child.kept_key().unwrap_or_default();
    let keys = rows
        .iter()
        .filter_map(|r| r.get(field).and_then(Value::as_str).map(str::to_owned))
        .collect();
    (rows.iter().map(json_text).collect(), keys)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn rows_written_from_the_text_are_the_rows_made_from_values(
        task in task(), style in style()
    ) {
        let ctx = Context { workspace_id: "9", tombstone_at: None };
        // The record as the connector writes it, and the same written with escapes and its
        // members in another order.
        let written = json_text(&task);
        let again = String::from_utf8(text(&task, style)).unwrap();
        for record in [&written, &again] {
            // What the record holds (the generator's raw numbers are written as numbers); a
            // number serde_json refuses is in no record the connector writes.
            let Ok(task) = serde_json::from_str::<Value>(record) else { continue };
            let read = scanned::read(record);
            prop_assert!(read.is_ok(), "not read: {}", record);
            let Ok(read) = read else { continue };
            // The id as the connector takes it: from the record read, where a raw number such as
            // `1e2` has become serde_json's `100.0`.
            let Some(id) = task_id(&read.task) else { continue };
            for child in LISTED {
                let (mut rows, mut keys) = (Vec::new(), Vec::new());
                match write(child, &read.lists, &id, &ctx, &mut rows, &mut keys) {
                    Ok(()) => {
                        let (want, want_keys) = from_values(child, &task, &ctx);
                        prop_assert_eq!(&rows, &want, "{:?} of {}", child, record);
                        prop_assert_eq!(&keys, &want_keys);
                    }
                    // Left to the `Value`s only for an escaped key.
                    Err(Bail) => prop_assert!(record.contains("\\"), "{:?} of {}", child, record),
                }
            }
        }
    }
}

#[test]
fn a_row_s_members_are_in_serde_json_s_order_and_copied_as_written() {
    let task = json!({
        "id": "t1", "workspace_id": "9",
        "assignees": [{"id": 183, "username": "Ann \"A\"", "email": null, "initials": "AA",
                       "color": "#fff"}],
        "tags": [{"name": "urgent", "tag_fg": "#000", "tag_bg": "#f00"}, {"name": 3}],
        "checklists": [{"id": "c1", "name": "List", "items": [
            {"id": "i1", "name": "step", "orderindex": 1.5, "assignee": {"id": 7},
             "resolved": false, "parent": null, "date_created": "1700000000000"}]}],
        "dependencies": [{"task_id": "t1", "depends_on": "t2", "type": 1,
                          "date_created": "1700000000000", "userid": 5},
                         {"task_id": "t3", "depends_on": "t1", "type": 1}],
        "linked_tasks": [{"task_id": "t4", "link_id": "t1", "date_created": 1700000000000u64,
                          "userid": "5"}],
    });
    let record = json_text(&task);
    let read = scanned::read(&record).unwrap();
    let ctx = Context {
        workspace_id: "9",
        tombstone_at: None,
    };
    let rows = |child| {
        let (mut rows, mut keys) = (Vec::new(), Vec::new());
        write(child, &read.lists, "t1", &ctx, &mut rows, &mut keys).unwrap();
        (rows, keys)
    };
    let at = "\"date_created\":\"2023-11-14T22:13:20.000Z\"";
    let table = [
        (Child::Assignees, vec![
            "{\"_ab_cdc_deleted_at\":null,\"color\":\"#fff\",\"email\":null,\"initials\":\"AA\",\"task_id\":\"t1\",\"user_id\":\"183\",\"username\":\"Ann \\\"A\\\"\",\"workspace_id\":\"9\"}".to_owned(),
        ], vec!["183"]),
        (Child::Tags, vec![
            "{\"_ab_cdc_deleted_at\":null,\"tag_bg\":\"#f00\",\"tag_fg\":\"#000\",\"tag_name\":\"urgent\",\"task_id\":\"t1\",\"workspace_id\":\"9\"}".to_owned(),
        ], vec!["urgent"]),
        (Child::ChecklistItems, vec![
            "{\"_ab_cdc_deleted_at\":null,\"assignee_id\":\"7\",\"checklist_id\":\"c1\",\"checklist_name\":\"List\",\"date_created\":\"1700000000000\",\"item_id\":\"i1\",\"name\":\"step\",\"orderindex\":1.5,\"parent_item_id\":null,\"resolved\":false,\"task_id\":\"t1\",\"workspace_id\":\"9\"}".to_owned(),
        ], vec!["i1"]),
        (Child::Dependencies, vec![
            format!("{{\"_ab_cdc_deleted_at\":null,{at},\"depends_on\":\"t2\",\"task_id\":\"t1\",\"type\":1,\"user_id\":\"5\",\"workspace_id\":\"9\"}}"),
        ], vec!["t2"]),
        (Child::Links, vec![
            format!("{{\"_ab_cdc_deleted_at\":null,{at},\"linked_task_id\":\"t4\",\"task_id\":\"t1\",\"user_id\":\"5\",\"workspace_id\":\"9\"}}"),
        ], vec!["t4"]),
    ];
    for (child, want, keys) in table {
        assert_eq!(
            rows(child),
            (
                want,
                keys.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>()
            ),
            "{child:?}"
        );
    }
}
