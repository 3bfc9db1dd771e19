use super::*;
use proptest::prelude::*;
use std::collections::BTreeSet;

#[test]
fn ids_round_trip_sorted_in_one_string_and_malformed_text_is_refused() {
    let mut ids = KnownIds::default();
    for id in ["9hz", "86a1", "9hx", "", "a b"] {
        ids.insert(id);
    }
    let text = serde_json::to_string(&ids).unwrap();
    assert_eq!(text, r#""86a1 9hx 9hz""#);
    assert_eq!(serde_json::from_str::<KnownIds>(&text).unwrap(), ids);
    assert_eq!(
        serde_json::from_str::<KnownIds>(r#""""#).unwrap(),
        KnownIds::default()
    );
    for bad in [r#""a  b""#, r#""a\nb""#, "[\"a\"]", "5"] {
        assert!(serde_json::from_str::<KnownIds>(bad).is_err(), "{bad}");
    }
    let mut now = KnownIds::default();
    now.insert("9hx");
    let gone: Vec<&str> = ids.missing_from(&now).collect();
    assert_eq!(gone, ["86a1", "9hz"]);
}

#[test]
fn entries_round_trip_with_their_starts_and_a_pair_without_one_is_refused() {
    let mut e = KnownEntries::default();
    e.insert("4", 1_700_000_000_000);
    e.insert("31", 5);
    let text = serde_json::to_string(&e).unwrap();
    assert_eq!(text, r#""31@5 4@1700000000000""#);
    assert_eq!(serde_json::from_str::<KnownEntries>(&text).unwrap(), e);
    for bad in [r#""4""#, r#""4@x""#, r#""@5""#] {
        assert!(serde_json::from_str::<KnownEntries>(bad).is_err(), "{bad}");
    }
}

#[test]
fn ids_out_of_order_or_with_spaces_at_the_ends_are_read_sorted() {
    let ids: KnownIds = serde_json::from_str(r#"" b a c a ""#).unwrap();
    assert_eq!(ids.len(), 3);
    assert_eq!(serde_json::to_string(&ids).unwrap(), r#""a b c""#);
    assert!(ids.contains("a") && ids.contains("c") && !ids.contains(""));
}

/// An id of up to 4 characters from a small alphabet (so that sets overlap), one of them
/// outside ASCII (a probe of the binary search can land inside it).
fn id() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![Just('a'), Just('b'), Just('é'), Just('9')],
        1..5,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn known(ids: &BTreeSet<String>) -> KnownIds {
    let mut known = KnownIds::default();
    ids.iter().for_each(|id| known.insert(id));
    known
}

proptest! {
    /// Read from its text and added to, as a call reads the cursor and adds a page's ids, the
    /// set behaves as a `BTreeSet`: membership, order, length, difference, union and text.
    #[test]
    fn a_set_read_from_its_text_then_added_to_is_the_set_of_all_its_ids(
        first in proptest::collection::btree_set(id(), 0..40),
        added in proptest::collection::vec(id(), 0..40),
        other in proptest::collection::btree_set(id(), 0..40),
        probes in proptest::collection::vec(id(), 0..20),
    ) {
        let text = serde_json::to_string(&known(&first)).unwrap();
        let mut ids: KnownIds = serde_json::from_str(&text).unwrap();
        added.iter().for_each(|id| ids.insert(id));
        let mut model = first.clone();
        model.extend(added.iter().cloned());

        let listed: Vec<&str> = ids.iter().collect();
        let expected: Vec<&str> = model.iter().map(String::as_str).collect();
        prop_assert_eq!(&listed, &expected);
        prop_assert_eq!(ids.len(), model.len());
        for probe in probes.iter().chain(&added).chain(&first) {
            prop_assert_eq!(ids.contains(probe), model.contains(probe), "{}", probe);
        }
        let other_ids = known(&other);
        let gone: Vec<&str> = ids.missing_from(&other_ids).collect();
        let expected_gone: Vec<&str> = model.difference(&other).map(String::as_str).collect();
        prop_assert_eq!(gone, expected_gone);

        // Written out (the text and the additions merged), it is the model's text.
        let model_text = serde_json::to_string(&known(&model)).unwrap();
        prop_assert_eq!(serde_json::to_string(&ids).unwrap(), model_text.clone());
        let expected_text: Vec<&str> = model.iter().map(String::as_str).collect();
        prop_assert_eq!(model_text, serde_json::to_string(&expected_text.join(" ")).unwrap());
        let again: KnownIds = serde_json::from_str(&serde_json::to_string(&ids).unwrap()).unwrap();
        prop_assert_eq!(&again, &ids);
        prop_assert_eq!(serde_json::to_string(&again).unwrap(), serde_json::to_string(&known(&model)).unwrap());

        ids.extend(&other_ids);
        model.extend(other.iter().cloned());
        prop_assert_eq!(&ids, &known(&model));
        prop_assert_eq!(ids.len(), model.len());
    }
}
