//! The typing of every custom field type on the value shapes ClickUp sends, tombstones, and
//! inputs of any shape (never a panic).

use super::*;
use proptest::prelude::*;

const WORKSPACE: &str = "9014";
const AT: &str = "2024-05-01T12:00:00.000Z";
const FULL: Context<'static> = Context {
    workspace_id: WORKSPACE,
    tombstone_at: None,
};
const INCREMENTAL: Context<'static> = Context {
    workspace_id: WORKSPACE,
    tombstone_at: Some(AT),
};

/// The typed columns (every `value_*` but `value_json`).
const TYPED: [&str; 8] = [
    "value_text",
    "value_number",
    "value_bool",
    "value_date",
    "value_option_ids",
    "value_option_labels",
    "value_user_ids",
    "value_task_ids",
];

/// The rows and warnings of one task record. Every test also holds the rows written straight to
/// text ([`texts`]) to the text of these rows, byte for byte.
fn read(task: &Value, ctx: &Context<'_>) -> (Vec<Value>, Vec<String>) {
    let (mut out, mut warnings) = (Vec::new(), Vec::new());
    rows(task, ctx, &mut out, &mut warnings);
    let (mut texts_out, mut text_warnings) = (Vec::new(), Vec::new());
    texts(task, ctx, &mut texts_out, &mut text_warnings);
    let written: Vec<String> = out.iter().map(json_text).collect();
    assert_eq!(texts_out, written, "rows written straight to text");
    assert_eq!(text_warnings, warnings);
    // A record that is not an object is left to `pruned` (the caller's fallback).
    for record in [json_text(task), to_string_pretty(task)] {
        if !task.is_object() {
            assert!(scanned::read(&record).is_err(), "{record}");
            continue;
        }
        let (scanned_out, scanned_warnings) = scanned_rows(&record, ctx);
        assert_eq!(scanned_out, written, "rows of the record scanned: {record}");
        assert_eq!(scanned_warnings, warnings);
    }
    (out, warnings)
}

/// The rows and warnings of a record's text read with [`scanned::read`] (which must take it).
fn scanned_rows(record: &str, ctx: &Context<'_>) -> (Vec<String>, Vec<String>) {
    let Ok(read) = scanned::read(record) else {
        panic!("the scanner does not take {record}");
    };
    let (mut out, mut warnings) = (Vec::new(), Vec::new());
    let given = texts_of(
        &read.task,
        &read.fields,
        ctx,
        &mut OptionsMemo::default(),
        &mut out,
        &mut warnings,
    );
    assert_eq!(given, Ok(()), "the scanned fields of {record}");
    (out, warnings)
}

/// The record as indented JSON: whitespace everywhere, so no value of it is clean.
fn to_string_pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// A task record holding these custom fields.
fn task(fields: Value) -> Value {
    json!({"id": "86c0abc12", "name": "Ship it", "custom_fields": fields})
}

/// A custom field as a task record carries it (`value_json` from the connector included).
fn field(field_type: &str, value: Value) -> Value {
    json!({
        "id": format!("f-{field_type}"), "name": "My field", "type": field_type,
        "type_config": {}, "date_created": "2021-01-01T00:00:00.000Z",
        "hide_from_guests": false, "required": false,
        "value": value, "value_json": "ignored by the stream",
    })
}

/// The one row of a field with a value, in a full read, and the warnings.
fn one(field: Value) -> (Value, Vec<String>) {
    let (mut out, warnings) = read(&task(json!([field])), &FULL);
    assert_eq!(out.len(), 1, "{out:?}");
    (out.remove(0), warnings)
}

/// The one row of a field of this type and value (no warnings expected).
fn typed_row(field_type: &str, value: Value) -> Value {
    let (row, warnings) = one(field(field_type, value));
    assert!(warnings.is_empty(), "{warnings:?}");
    row
}

/// The typed columns that are not null.
fn set(row: &Value) -> Vec<&'static str> {
    TYPED.into_iter().filter(|c| !row[*c].is_null()).collect()
}

/// The sorted keys of a JSON object.
fn keys(object: &Value) -> Vec<String> {
    let mut keys: Vec<String> = object
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// A drop-down whose options are out of order (position ≠ orderindex), with string and integer
/// orderindexes.
fn drop_down_field(value: Value) -> Value {
    let mut f = field("drop_down", value);
    f["type_config"] = json!({"sorting": "manual", "new_drop_down": true, "options": [
        {"id": "opt-high", "name": "High", "color": "#f00", "orderindex": "2"},
        {"id": "opt-low", "name": "Low", "color": "#0f0", "orderindex": "0"},
        {"id": "opt-mid", "name": "Mid", "color": "#00f", "orderindex": 1},
    ]});
    f
}

/// A labels field with a `label` option and a `name`-only option.
fn labels_field(value: Value) -> Value {
    let mut f = field("labels", value);
    f["type_config"] = json!({"sorting": "manual", "options": [
        {"id": "lab-bug", "label": "Bug", "color": "#f00"},
        {"id": "lab-feat", "name": "Feature", "color": "#0f0"},
    ]});
    f
}

#[test]
fn a_live_row_has_the_key_the_field_and_the_raw_value() {
    let row = typed_row("short_text", json!("hello"));
    assert_eq!(row["task_id"], "86c0abc12");
    assert_eq!(row["field_id"], "f-short_text");
    assert_eq!(row["workspace_id"], WORKSPACE);
    assert_eq!(row["field_name"], "My field");
    assert_eq!(row["field_type"], "short_text");
    assert_eq!(row["value_json"], "\"hello\"");
    assert_eq!(row["_ab_cdc_deleted_at"], Value::Null);
}

#[test]
fn rows_have_exactly_the_schemas_keys_and_the_key_is_in_it() {
    let (live, _) = one(field("number", json!(1)));
    let (tombstones, _) = read(&task(json!([field("number", Value::Null)])), &INCREMENTAL);
    let expected = keys(&schema());
    assert_eq!(expected.len(), 15);
    assert_eq!(keys(&live), expected);
    assert_eq!(keys(&tombstones[0]), expected);
    for k in PRIMARY_KEY {
        assert_eq!(schema()[k], types::id(), "{k}");
    }
}

#[test]
fn text_types_fill_value_text() {
    for t in ["url", "email", "phone", "short_text", "text"] {
        let row = typed_row(t, json!("https://example.com/a"));
        assert_eq!(row["value_text"], "https://example.com/a", "{t}");
        assert_eq!(set(&row), ["value_text"], "{t}");
    }
    // `value_richtext` beside a text value changes nothing.
    let mut f = field("text", json!("Line\n"));
    f["value_richtext"] = json!("{\"ops\":[]}");
    assert_eq!(one(f).0["value_text"], "Line\n");
}

#[test]
fn number_and_currency_read_numbers_and_numeric_strings() {
    for t in ["number", "currency"] {
        assert_eq!(
            typed_row(t, json!("12.50"))["value_number"],
            json!(12.5),
            "{t}"
        );
        assert_eq!(typed_row(t, json!("23"))["value_number"], json!(23), "{t}");
        assert_eq!(
            typed_row(t, json!(" -4 "))["value_number"],
            json!(-4),
            "{t}"
        );
        assert_eq!(typed_row(t, json!(7))["value_number"], json!(7), "{t}");
        assert_eq!(
            typed_row(t, json!(0.25))["value_number"],
            json!(0.25),
            "{t}"
        );
        assert_eq!(set(&typed_row(t, json!(7))), ["value_number"], "{t}");
    }
    // The raw text is kept as ClickUp sent it: a string stays a string.
    assert_eq!(
        typed_row("currency", json!("12.50"))["value_json"],
        "\"12.50\""
    );
    assert_eq!(typed_row("number", json!(12.5))["value_json"], "12.5");
}

#[test]
fn unparseable_numbers_are_null_but_kept_in_value_json() {
    for text in ["abc", "1,000.00", "", "NaN", "inf"] {
        let row = typed_row("currency", json!(text));
        assert_eq!(row["value_number"], Value::Null, "{text}");
        assert_eq!(row["value_json"], json!(text).to_string(), "{text}");
    }
}

#[test]
fn checkbox_reads_booleans_strings_and_one_or_zero() {
    let cases = [
        (json!("true"), json!(true)),
        (json!(" TRUE "), json!(true)),
        (json!("False"), json!(false)),
        (json!(true), json!(true)),
        (json!(false), json!(false)),
        (json!(1), json!(true)),
        (json!(0), json!(false)),
        (json!("yes"), Value::Null),
        (json!(2), Value::Null),
    ];
    for (value, expected) in cases {
        let row = typed_row("checkbox", value.clone());
        assert_eq!(row["value_bool"], expected, "{value}");
    }
    assert_eq!(set(&typed_row("checkbox", json!("true"))), ["value_bool"]);
}

#[test]
fn date_reads_ms_as_a_string_or_a_number() {
    let iso = "2021-01-01T00:00:00.000Z";
    assert_eq!(typed_row("date", json!("1609459200000"))["value_date"], iso);
    assert_eq!(
        typed_row("date", json!(1609459200000i64))["value_date"],
        iso
    );
    assert_eq!(
        typed_row("date", json!("1428562800000"))["value_date"],
        "2015-04-09T07:00:00.000Z"
    );
    assert_eq!(set(&typed_row("date", json!("0"))), ["value_date"]);
    assert_eq!(typed_row("date", json!("soon"))["value_date"], Value::Null);
}

#[test]
fn drop_down_matches_the_orderindex_never_the_position() {
    // Integer value 0 is "Low" (orderindex "0"), the second option, not the first ("High").
    let (row, warnings) = one(drop_down_field(json!(0)));
    assert!(warnings.is_empty());
    assert_eq!(row["value_option_ids"], json!(["opt-low"]));
    assert_eq!(row["value_option_labels"], json!(["Low"]));
    assert_eq!(set(&row), ["value_option_ids", "value_option_labels"]);
    assert_eq!(row["value_json"], "0");
    // A string value, matched against an integer orderindex.
    let (row, _) = one(drop_down_field(json!("1")));
    assert_eq!(row["value_option_ids"], json!(["opt-mid"]));
    assert_eq!(row["value_option_labels"], json!(["Mid"]));
    // Value 2 is the first option (orderindex "2").
    let (row, _) = one(drop_down_field(json!(2)));
    assert_eq!(row["value_option_labels"], json!(["High"]));
}

#[test]
fn a_removed_drop_down_option_gives_empty_arrays_and_a_warning() {
    let (row, warnings) = one(drop_down_field(json!(5)));
    assert_eq!(row["value_option_ids"], json!([]));
    assert_eq!(row["value_option_labels"], json!([]));
    assert_eq!(row["value_json"], "5");
    assert_eq!(warnings.len(), 1);
    let w = &warnings[0];
    assert!(
        w.contains("\"My field\"") && w.contains("\"f-drop_down\""),
        "{w}"
    );
    assert!(w.contains("orderindex 5"), "{w}");
    assert!(!w.contains("86c0abc12"), "names no task: {w}");
}

#[test]
fn labels_keep_every_id_and_label_the_known_ones() {
    let (row, warnings) = one(labels_field(json!(["lab-feat", "lab-gone", "lab-bug"])));
    assert_eq!(
        row["value_option_ids"],
        json!(["lab-feat", "lab-gone", "lab-bug"])
    );
    // `label`, else `name`; the unknown id has no label.
    assert_eq!(row["value_option_labels"], json!(["Feature", "Bug"]));
    assert_eq!(set(&row), ["value_option_ids", "value_option_labels"]);
    assert_eq!(warnings.len(), 1);
    let w = &warnings[0];
    assert!(
        w.contains("\"My field\"") && w.contains("\"f-labels\""),
        "{w}"
    );
    assert!(w.contains("\"lab-gone\""), "{w}");
    assert!(!w.contains("86c0abc12"), "names no task: {w}");
}

#[test]
fn identical_warnings_from_two_tasks_are_identical_text() {
    let (mut warnings, mut out) = (Vec::new(), Vec::new());
    for id in ["t1", "t2"] {
        let t = json!({"id": id, "custom_fields": [drop_down_field(json!(9))]});
        rows(&t, &FULL, &mut out, &mut warnings);
    }
    assert_eq!(out.len(), 2);
    assert_eq!(warnings.len(), 2);
    assert_eq!(warnings[0], warnings[1]);
}

#[test]
fn users_give_their_ids_as_strings() {
    let users = json!([
        {"id": 183, "username": "Ann", "email": "ann@example.com", "color": "#fff",
         "initials": "A", "profilePicture": null},
        {"id": "184"},
        185,
        "186",
        {"username": "no id"},
    ]);
    let row = typed_row("users", users);
    assert_eq!(row["value_user_ids"], json!(["183", "184", "185", "186"]));
    assert_eq!(set(&row), ["value_user_ids"]);
}

#[test]
fn tasks_and_list_relationships_give_task_ids() {
    let row = typed_row(
        "tasks",
        json!([{"id": "86a1", "name": "Other"}, {"id": "86a2", "name": "More"}]),
    );
    assert_eq!(row["value_task_ids"], json!(["86a1", "86a2"]));
    assert_eq!(set(&row), ["value_task_ids"]);
    let row = typed_row(
        "list_relationship",
        json!([{"id": "86b1", "name": "Linked", "status": "open"}, "86b2"]),
    );
    assert_eq!(row["value_task_ids"], json!(["86b1", "86b2"]));
}

#[test]
fn emoji_rating_is_a_number() {
    assert_eq!(typed_row("emoji", json!(4))["value_number"], json!(4));
    assert_eq!(typed_row("emoji", json!("3"))["value_number"], json!(3));
    assert_eq!(set(&typed_row("emoji", json!(0))), ["value_number"]);
}

#[test]
fn manual_progress_is_its_percent_completed() {
    let row = typed_row(
        "manual_progress",
        json!({"current": "30", "percent_completed": 30}),
    );
    assert_eq!(row["value_number"], json!(30));
    assert_eq!(set(&row), ["value_number"]);
    assert_eq!(
        row["value_json"],
        r#"{"current":"30","percent_completed":30}"#
    );
    let row = typed_row(
        "manual_progress",
        json!({"current": "5", "percent_completed": "12.5"}),
    );
    assert_eq!(row["value_number"], json!(12.5));
}

#[test]
fn automatic_progress_reads_percent_completed_else_percent_complete() {
    let row = typed_row("automatic_progress", json!({"percent_completed": 50}));
    assert_eq!(row["value_number"], json!(50));
    let row = typed_row("automatic_progress", json!({"percent_complete": 25}));
    assert_eq!(row["value_number"], json!(25));
    let row = typed_row(
        "automatic_progress",
        json!({"percent_completed": null, "percent_complete": 75}),
    );
    assert_eq!(row["value_number"], json!(75));
}

#[test]
fn location_is_its_formatted_address() {
    let row = typed_row(
        "location",
        json!({"location": {"lat": 48.8584, "lng": 2.2945},
               "formatted_address": "Champ de Mars, 75007 Paris, France", "place_id": "ChIJ"}),
    );
    assert_eq!(row["value_text"], "Champ de Mars, 75007 Paris, France");
    assert_eq!(set(&row), ["value_text"]);
}

#[test]
fn formula_numbers_are_numbers_and_strings_are_text_and_numbers_when_numeric() {
    let row = typed_row("formula", json!(42.5));
    assert_eq!(row["value_number"], json!(42.5));
    assert_eq!(set(&row), ["value_number"]);
    let row = typed_row("formula", json!("12"));
    assert_eq!(row["value_text"], "12");
    assert_eq!(row["value_number"], json!(12));
    let row = typed_row("formula", json!("N/A"));
    assert_eq!(row["value_text"], "N/A");
    assert_eq!(set(&row), ["value_text"]);
}

#[test]
fn attachment_multi_key_and_unknown_types_keep_only_value_json() {
    let attachment = json!([{"id": "a1.png", "title": "a1.png", "url": "https://x/a1.png",
                             "date": 1609459200000i64, "extension": "png"}]);
    for (t, value) in [
        ("attachment", attachment),
        ("multi_key", json!("k")),
        ("a_type_from_2030", json!({"x": 1})),
    ] {
        let row = typed_row(t, value.clone());
        assert!(set(&row).is_empty(), "{t}: {row}");
        assert_eq!(row["value_json"], value.to_string(), "{t}");
        assert_eq!(row["field_type"], t);
    }
}

#[test]
fn values_of_the_wrong_shape_give_null_typed_columns() {
    for (t, value) in [
        ("users", json!("183")),
        ("tasks", json!({"id": "86a1"})),
        ("labels", json!("lab-bug")),
        ("drop_down", json!({"orderindex": 1})),
        ("drop_down", json!("High")),
        ("text", json!(5)),
        ("location", json!("Paris")),
        ("manual_progress", json!(30)),
        ("checkbox", json!([true])),
        ("date", json!({"ms": 1})),
    ] {
        let (row, warnings) = one(field(t, value.clone()));
        assert!(set(&row).is_empty(), "{t} {value}: {row}");
        assert!(warnings.is_empty(), "{t} {value}: {warnings:?}");
        assert_eq!(row["value_json"], value.to_string());
    }
}

#[test]
fn unset_fields_are_tombstones_in_an_incremental_read() {
    let mut absent = field("drop_down", Value::Null);
    if let Some(f) = absent.as_object_mut() {
        f.remove("value");
    }
    let fields = json!([
        absent,
        field("text", Value::Null),
        field("number", json!(3))
    ]);
    let (out, warnings) = read(&task(fields), &INCREMENTAL);
    assert!(warnings.is_empty());
    assert_eq!(out.len(), 3);
    for tombstone in &out[..2] {
        assert_eq!(tombstone["_ab_cdc_deleted_at"], AT);
        assert_eq!(tombstone["task_id"], "86c0abc12");
        assert_eq!(tombstone["workspace_id"], WORKSPACE);
        assert_eq!(tombstone["field_name"], "My field");
        assert_eq!(tombstone["value_json"], Value::Null);
        assert!(set(tombstone).is_empty(), "{tombstone}");
    }
    assert_eq!(out[0]["field_id"], "f-drop_down");
    assert_eq!(out[0]["field_type"], "drop_down");
    assert_eq!(out[1]["field_id"], "f-text");
    assert_eq!(out[2]["value_number"], json!(3));
    assert_eq!(out[2]["_ab_cdc_deleted_at"], Value::Null);
}

#[test]
fn unset_fields_give_no_row_in_a_full_read() {
    let mut absent = field("text", Value::Null);
    if let Some(f) = absent.as_object_mut() {
        f.remove("value");
    }
    let fields = json!([
        absent,
        field("users", Value::Null),
        field("number", json!(3))
    ]);
    let (out, _) = read(&task(fields), &FULL);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0]["field_id"], "f-number");
}

#[test]
fn hostile_inputs_give_what_they_can_and_never_panic() {
    // Tasks without custom fields, with custom fields of the wrong type, or without an id.
    for t in [
        json!({"id": "t"}),
        json!({"id": "t", "custom_fields": null}),
        json!({"id": "t", "custom_fields": "x"}),
        json!({"id": "t", "custom_fields": {"id": "f", "value": 1}}),
        json!({"custom_fields": [field("number", json!(1))]}),
        json!([field("number", json!(1))]),
        json!("task"),
        Value::Null,
    ] {
        for ctx in [FULL, INCREMENTAL] {
            assert_eq!(read(&t, &ctx), (vec![], vec![]), "{t}");
        }
    }
    // Fields that are no objects or have no id are skipped; odd configs type nothing.
    let fields = json!([
        1, "f", null, [], {}, {"name": "no id", "type": "number", "value": 1},
        {"id": null, "value": 1}, {"id": 77, "type": 5, "value": 1},
        {"id": "dd", "type": "drop_down", "type_config": "x", "value": 0},
        {"id": "dd2", "type": "drop_down", "type_config": {"options": {"a": 1}}, "value": 0},
        {"id": "dd3", "type": "drop_down",
         "type_config": {"options": [1, null, {"orderindex": null}, {"orderindex": 0}]}, "value": 0},
        {"id": "lb", "type": "labels", "type_config": {"options": [1, {"id": 2}]}, "value": [2, null]},
    ]);
    let (out, warnings) = read(&task(fields), &INCREMENTAL);
    let ids: Vec<&Value> = out.iter().map(|r| &r["field_id"]).collect();
    assert_eq!(
        ids,
        [
            &json!("77"),
            &json!("dd"),
            &json!("dd2"),
            &json!("dd3"),
            &json!("lb")
        ]
    );
    assert_eq!(out[0]["field_type"], Value::Null);
    assert!(set(&out[0]).is_empty());
    // The option matched by orderindex has no id nor name: empty arrays, no warning.
    assert_eq!(out[3]["value_option_ids"], json!([]));
    assert_eq!(out[4]["value_option_ids"], json!(["2"]));
    assert_eq!(out[4]["value_option_labels"], json!([]));
    assert_eq!(warnings.len(), 2, "{warnings:?}"); // dd and dd2 have no options
    assert!(warnings[0].contains("\"\" (id \"dd\")"), "{warnings:?}");
}

/// Any JSON value, a few levels deep, with the keys custom field values use.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "-?[0-9]{0,20}(\\.[0-9]{0,4})?".prop_map(Value::String),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        let key = prop::sample::select(vec![
            "id",
            "name",
            "label",
            "orderindex",
            "options",
            "percent_completed",
            "percent_complete",
            "formatted_address",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(key.prop_map(str::to_owned), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The field types the stream knows, and one it does not.
fn any_type() -> impl Strategy<Value = &'static str> {
    let mut kinds = DOCUMENTED_TYPES.to_vec();
    kinds.push("unknown");
    prop::sample::select(kinds)
}

proptest! {
    #[test]
    fn any_value_and_config_give_one_well_formed_row(
        field_type in any_type(), value in any_json(), config in any_json(),
    ) {
        let f = json!({"id": "f", "name": "F", "type": field_type, "type_config": config,
                       "value": value});
        let (out, _) = read(&task(json!([f])), &INCREMENTAL);
        prop_assert_eq!(out.len(), 1);
        prop_assert_eq!(keys(&out[0]), keys(&schema()));
        let raw = (!value.is_null()).then(|| value.to_string());
        prop_assert_eq!(&out[0]["value_json"], &json!(raw));
        prop_assert_eq!(out[0]["_ab_cdc_deleted_at"].is_null(), !value.is_null());
    }
}
