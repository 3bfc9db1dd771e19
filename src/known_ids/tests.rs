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
/// outside ASCII (a probe of the binary search can land inside it), after one of a few prefixes
/// of 7 to 16 bytes (ids are compared eight bytes a step: they differ in the first eight, or
/// after them, or one ends inside them).
fn id() -> impl Strategy<Value = String> {
    let prefix = prop_oneof![
        Just(""),
        Just("86b1tj9"),
        Just("86b1tj9x"),
        Just("86b1tj9é"),
        Just("86b1tj9x86b1tj9x")
    ];
    let chars = proptest::collection::vec(
        prop_oneof![Just('a'), Just('b'), Just('é'), Just('9')],
        1..5,
    );
    (prefix, chars).prop_map(|(prefix, chars)| prefix.chars().chain(chars).collect())
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

proptest! {
    /// Added to in batches and settled after each (as a read does after each call's page), the
    /// set is the set of all the batches' ids, and its text is theirs.
    #[test]
    fn a_set_settled_after_each_batch_is_the_set_of_every_batch(
        batches in proptest::collection::vec(proptest::collection::vec(id(), 0..12), 0..6),
    ) {
        let mut ids = KnownIds::default();
        let mut model = BTreeSet::new();
        for batch in &batches {
            batch.iter().for_each(|id| ids.insert(id));
            model.extend(batch.iter().cloned());
            let before = serde_json::to_string(&ids).unwrap();
            ids.settle();
            prop_assert_eq!(serde_json::to_string(&ids).unwrap(), before);
            prop_assert_eq!(&ids, &known(&model));
        }
        let listed: Vec<&str> = ids.iter().collect();
        let expected: Vec<&str> = model.iter().map(String::as_str).collect();
        prop_assert_eq!(listed, expected);
    }
}

/// Every whitespace character Rust knows but the space, at any place of an ASCII or a
/// non-ASCII text, and two spaces in a row anywhere, are refused; single spaces are not.
#[test]
fn only_single_spaces_separate_ids_wherever_another_space_would_be() {
    let others: Vec<char> = (0..=0x3000u32)
        .filter_map(char::from_u32)
        .filter(|c| c.is_whitespace() && *c != ' ')
        .collect();
    assert!(others.len() > 20, "{others:?}");
    for base in ["86b1tj9xk 86b1tj9xm 9hz", "86b1tj9é 9hz abcdefghijklmnop"] {
        assert!(sorted::single_spaced(base), "{base}");
        for at in base.char_indices().map(|(i, _)| i).chain([base.len()]) {
            for &c in &others {
                let text = format!("{}{c}{}", &base[..at], &base[at..]);
                assert!(!sorted::single_spaced(&text), "{c:?} at {at} of {base}");
            }
            let text = format!("{} {}", &base[..at], &base[at..]);
            let doubled = text.contains("  ");
            assert_eq!(
                sorted::single_spaced(&text),
                !doubled,
                "a space at {at} of {base}"
            );
        }
    }
}
