//! Pages whose tasks share custom field definitions, as ClickUp's do: the fields the one pass
//! takes up from an earlier one ([`super::super::field_memo`]) give the tree path's records, and
//! the child rows' spans of a scan of the record.

use super::*;
use crate::streams::task_children::scanned;

/// What a task does to a shared definition.
#[derive(Debug, Clone, Copy)]
enum Twist {
    /// Nothing: the definition as it is, with the task's value.
    None,
    /// No `value` member.
    NoValue,
    /// A `value_json` member of its own.
    OwnValueJson,
    /// After `value`, a key of the definition again (the tree keeps the last).
    RepeatedKey,
    /// After `value`, a member the definition does not have.
    ExtraMember,
    /// The definition changed after its first bytes (its options).
    Changed,
}

fn twist() -> impl Strategy<Value = Twist> {
    prop_oneof![
        8 => Just(Twist::None),
        1 => Just(Twist::NoValue),
        1 => Just(Twist::OwnValueJson),
        1 => Just(Twist::RepeatedKey),
        1 => Just(Twist::ExtraMember),
        1 => Just(Twist::Changed),
    ]
}

/// A field's definition: [`custom_field`] without its value.
fn definition() -> impl Strategy<Value = Value> {
    custom_field().prop_map(|mut field| {
        if let Some(map) = field.as_object_mut() {
            map.remove("value");
            map.remove("value_json");
        }
        field
    })
}

/// One task's use of a definition: which one, its value, and its twist.
type Use = (prop::sample::Index, Value, Twist);

fn field_of(definitions: &[Value], (which, value, twist): &Use) -> Value {
    let mut field = which.get(definitions).clone();
    match twist {
        Twist::None => field["value"] = value.clone(),
        Twist::NoValue => {}
        Twist::OwnValueJson => {
            field["value"] = value.clone();
            field["value_json"] = json!("stale");
        }
        // Written as raw text: `"value":1,"id":"again"` (members are written in key order, so
        // `value` is among the last).
        Twist::RepeatedKey => field["value"] = json!(format!("{RAW}1,\"id\":\"again\"")),
        Twist::ExtraMember => field["value"] = json!(format!("{RAW}1,\"zz\":{{\"a\":[1]}}")),
        Twist::Changed => {
            field["type_config"]["zz"] = json!("changed");
            field["value"] = value.clone();
        }
    }
    field
}

/// A page of tasks whose custom fields are a few shared definitions.
fn shared_page() -> impl Strategy<Value = (Value, bool)> {
    let uses = prop::collection::vec((any::<prop::sample::Index>(), any_json(), twist()), 0..5);
    (
        prop::collection::vec(definition(), 1..4),
        prop::collection::vec((real_task(), uses), 1..6),
    )
        .prop_map(|(definitions, tasks)| {
            let mut taken = std::collections::HashMap::new();
            let mut changed = false;
            let tasks: Vec<Value> = tasks
                .into_iter()
                .map(|(mut task, uses)| {
                    for (which, _, twist) in &uses {
                        match twist {
                            Twist::None | Twist::OwnValueJson | Twist::ExtraMember => {
                                *taken.entry(which.index(definitions.len())).or_insert(0) += 1
                            }
                            Twist::Changed => changed = true,
                            Twist::NoValue | Twist::RepeatedKey => {}
                        }
                    }
                    let fields = uses.iter().map(|u| field_of(&definitions, u)).collect();
                    task["custom_fields"] = Value::Array(fields);
                    task
                })
                .collect();
            // Some definition is used twice with the same text up to its `value`: the first use
            // keeps it, the second takes it up, unless another definition with the same first
            // bytes took its place in between.
            let plain = Style {
                seed: 1,
                repeat_keys: false,
                escapes: false,
                shuffle: false,
            };
            let heads: std::collections::HashSet<Vec<u8>> = definitions
                .iter()
                .map(|d| text(d, plain).into_iter().take(96).collect())
                .collect();
            let distinct = heads.len() == definitions.len() && !changed;
            let shared = distinct && taken.values().any(|&n| n >= 2);
            (json!({ "tasks": tasks, "last_page": false }), shared)
        })
}

/// Each record's noted spans are what a scan of the record finds.
fn assert_spans(page: &TaskPage) -> Result<(), TestCaseError> {
    for task in &page.tasks {
        let (Ok(record), Some(spans)) = (&task.record, &task.spans) else {
            continue;
        };
        let (Ok(noted), Ok(found)) = (scanned::from_spans(record, spans), scanned::read(record))
        else {
            return Err(TestCaseError::fail(format!("not taken: {record}")));
        };
        prop_assert_eq!(&noted.task, &found.task, "{}", record);
        let noted_fields = super::value_json_checked(&noted.fields, record)?;
        prop_assert_eq!(&noted_fields, &found.fields, "{}", record);
    }
    Ok(())
}

proptest! {
    #[test]
    fn shared_definitions_taken_up_give_the_trees_records_and_spans(
        (page, shared) in shared_page(),
        seed in 1u64..,
        escapes in any::<bool>(),
    ) {
        let body = text(&page, Style { seed, repeat_keys: false, escapes, shuffle: false });
        assert_same(&body)?;
        let mut fields = Fields::default();
        if let Ok(read) = pass(&body, "9", &mut fields) {
            assert_spans(&read)?;
            let (hits, _) = fields.memo.counts();
            // Escapes vary string by string, so the same definition is not the same text.
            prop_assert!(hits > 0 || !shared || escapes, "no field taken up: {}", String::from_utf8_lossy(&body));
        }
    }
}

#[test]
fn a_definition_is_kept_by_its_first_use_and_taken_up_by_the_rest() {
    let definition = |id: &str| {
        json!({"id": id, "name": "Priority level", "type": "drop_down", "date_created": "1609459200000",
               "hide_from_guests": false, "required": false,
               "type_config": {"options": [{"id": "o1", "name": "High", "color": "#f00", "orderindex": 0},
                                           {"id": "o2", "name": "Low", "color": "#0f0", "orderindex": 1}]}})
    };
    let tasks: Vec<Value> = (0..3)
        .map(|i| {
            let fields: Vec<Value> = ["f-1", "f-2"]
                .iter()
                .map(|id| {
                    let mut field = definition(id);
                    field["value"] = json!(i);
                    field
                })
                .collect();
            json!({"id": format!("t{i}"), "custom_fields": fields})
        })
        .collect();
    let body = json!({"tasks": tasks}).to_string();
    let mut fields = Fields::default();
    let page = pass(body.as_bytes(), "1", &mut fields).unwrap();
    // Each field's first use is read and kept; its two later uses are taken up.
    assert_eq!(fields.memo.counts(), (4, 2));
    let record: Value = serde_json::from_str(page.tasks[2].record.as_ref().unwrap()).unwrap();
    assert_eq!(record["custom_fields"][1]["value_json"], "2");
    assert_eq!(
        record["custom_fields"][1]["date_created"],
        "2021-01-01T00:00:00.000Z"
    );
    assert_eq!(
        page,
        reference(body.as_bytes(), "1")
            .unwrap()
            .with_records_as_one_pass(&page)
    );
    assert_spans(&page).unwrap();
}
