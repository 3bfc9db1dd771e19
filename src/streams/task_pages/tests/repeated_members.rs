//! Pages whose tasks repeat members, as ClickUp's do (the same parents, people, statuses): the
//! values the one pass takes up from an earlier task ([`super::super::member_memo`]) give the
//! tree path's records, and near misses (a value that goes on past an earlier one, differs in
//! one byte, or is not clean) are read, not taken up.

use super::*;

/// The members the memo keeps, and one it does not.
const KEYS: [&str; 7] = [
    "space", "list", "status", "watchers", "tags", "sharing", "name",
];

/// Values a page's tasks draw their members from: a few of any shape, each also one byte off
/// ([`one_byte_off`]) and as a near miss of itself (an element or member more, a string one character longer, a number one digit
/// longer).
fn pool() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(prop_oneof![parent(), any_json()], 1..4).prop_map(|values| {
        let mut pool = values.clone();
        for value in &values {
            pool.push(one_byte_off(value));
        }
        for value in values {
            pool.push(match value {
                Value::Array(mut items) => {
                    items.push(json!(1));
                    Value::Array(items)
                }
                Value::Object(mut map) => {
                    map.insert("zz".into(), json!([true]));
                    Value::Object(map)
                }
                Value::String(s) if !s.starts_with(RAW) => Value::String(format!("{s}x")),
                // A number with a digit more: its text starts with the first's.
                Value::Number(n) => Value::String(format!("{RAW}{n}7")),
                other => json!([other]),
            });
        }
        pool
    })
}

/// `value` with the last character of its string, or of its object's `id`, changed: the same
/// length, one byte off.
fn one_byte_off(value: &Value) -> Value {
    let off = |s: &str| {
        let mut s = s.to_owned();
        let last = if s.pop() == Some('0') { '1' } else { '0' };
        s.push(last);
        s
    };
    match value {
        Value::String(s) if !s.starts_with(RAW) => Value::String(off(s)),
        Value::Object(map) => {
            let mut map = map.clone();
            if let Some(Value::String(id)) = map.get("id") {
                let id = off(id);
                map.insert("id".into(), Value::String(id));
            }
            Value::Object(map)
        }
        other => other.clone(),
    }
}

/// A page of tasks whose members under [`KEYS`] come from one pool.
fn repeating_page() -> impl Strategy<Value = Value> {
    let picks = prop::collection::vec(prop::option::of(any::<prop::sample::Index>()), KEYS.len());
    (pool(), prop::collection::vec((real_task(), picks), 1..6)).prop_map(|(pool, tasks)| {
        let tasks: Vec<Value> = tasks
            .into_iter()
            .map(|(mut task, picks)| {
                for (key, pick) in KEYS.iter().zip(picks) {
                    if let Some(pick) = pick {
                        task[*key] = pick.get(&pool).clone();
                    }
                }
                task
            })
            .collect();
        json!({ "tasks": tasks, "last_page": false })
    })
}

proptest! {
    #[test]
    fn repeated_members_taken_up_give_the_trees_records(
        page in repeating_page(),
        seed in 1u64..,
        escapes in any::<bool>(),
        shuffle in any::<bool>(),
    ) {
        let body = text(&page, Style { seed, repeat_keys: false, escapes, shuffle });
        // The one pass reads these pages itself (a value taken up wrongly would leave the cursor
        // inside the next one, and the page to the tree path), unless serde_json refuses them.
        let passed = assert_same(&body)?;
        let refused = serde_json::from_slice::<Value>(&body).is_err();
        prop_assert!(passed || refused, "left to the tree path: {}", String::from_utf8_lossy(&body));
    }
}

#[test]
fn a_member_is_taken_up_only_when_its_text_is_an_earlier_ones() {
    let list = json!({"id": "10", "name": "Sprint", "access": true});
    let hidden = json!({"id": "10", "name": "Sprint", "access": true, "hidden": true});
    let watchers = json!([{"id": 1, "username": "Ann"}, {"id": 2, "username": "Bo"}]);
    let tasks = [
        json!({"id": "a", "list": list, "watchers": watchers, "status": "open"}),
        // The same list and watchers: both taken up (and the list's id with it).
        json!({"id": "b", "list": list, "watchers": watchers, "status": "open"}),
        // A list with one member more, watchers with one more: read.
        json!({"id": "c", "list": hidden, "watchers": [{"id": 1, "username": "Ann"}, {"id": 2, "username": "Bo"}, {"id": 3}], "status": "open!"}),
        // Not clean (a float): read, and never kept.
        json!({"id": "d", "watchers": [1.50], "status": "open"}),
        json!({"id": "e", "list": hidden, "watchers": [1.50]}),
    ];
    let body = json!({ "tasks": tasks }).to_string();
    let mut fields = Fields::default();
    let page = pass(body.as_bytes(), "1", &mut fields).unwrap();
    // b: list, watchers, status; d: status; e: list.
    assert_eq!(fields.repeats.hits(), 5);
    let list_ids: Vec<Value> = page
        .tasks
        .iter()
        .map(|t| {
            serde_json::from_str::<Value>(t.record.as_ref().unwrap()).unwrap()["list_id"].clone()
        })
        .collect();
    assert_eq!(
        list_ids,
        // A hidden list gives no id, taken up or read.
        [
            json!("10"),
            json!("10"),
            json!(null),
            json!(null),
            json!(null)
        ]
    );
    assert_eq!(
        page,
        reference(body.as_bytes(), "1")
            .unwrap()
            .with_records_as_one_pass(&page)
    );
}

#[test]
fn a_value_that_goes_on_past_an_earlier_one_is_not_taken_up() {
    // The second task's `tags` text starts with the first's and goes on: that is no JSON, and
    // is refused as the tree path refuses it. A number is never taken up (`1` starts `12`).
    for body in [
        r#"{"tasks":[{"tags":[1]},{"tags":[1]]}]}"#,
        r#"{"tasks":[{"tags":"ab"},{"tags":"ab"c}]}"#,
        r#"{"tasks":[{"tags":{"a":1}},{"tags":{"a":1}}}]}"#,
    ] {
        assert!(one_pass(body.as_bytes(), "1").is_err(), "{body}");
        assert!(read(body.as_bytes(), "1").is_err(), "{body}");
    }
    let body = r#"{"tasks":[{"tags":1},{"tags":12}]}"#;
    let mut fields = Fields::default();
    let page = pass(body.as_bytes(), "1", &mut fields).unwrap();
    assert_eq!(fields.repeats.hits(), 0);
    let tags: Value = serde_json::from_str(page.tasks[1].record.as_ref().unwrap()).unwrap();
    assert_eq!(tags["tags"], 12);
}
