use super::*;

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|k| (*k).to_owned()).collect()
}

fn state_of(pending: &PendingKeys) -> ChildKeys {
    ChildKeys::default().merged(pending)
}

#[test]
fn keys_round_trip_through_json_sorted_and_looked_up_by_task() {
    let mut p = PendingKeys::default();
    p.push(
        "86b2",
        &keys(&["urgent", "a tag, with: 100% \"odd\" bytes\\\n", "ünïcode"]),
    );
    p.push("86a1", &keys(&["12"]));
    p.push("86c3", &[]);
    let k = state_of(&p);
    assert_eq!(k.len(), 2, "a task without rows has no entry");
    let text = serde_json::to_string(&k).unwrap();
    assert!(
        !text[1..text.len() - 1].contains(['\\', '"']),
        "no JSON escapes: {text}"
    );
    assert!(text.starts_with("\"86a1:12 86b2:"), "{text}");
    let back: ChildKeys = serde_json::from_str(&text).unwrap();
    assert_eq!(back, k);
    assert_eq!(back.keys_of("86a1"), Some(keys(&["12"])));
    assert_eq!(
        back.keys_of("86b2"),
        Some(keys(&[
            "urgent",
            "a tag, with: 100% \"odd\" bytes\\\n",
            "ünïcode"
        ]))
    );
    assert_eq!(back.keys_of("86c3"), None);
    assert_eq!(back.keys_of("0"), None);
    assert_eq!(back.keys_of("zzz"), None);
}

#[test]
fn a_later_entry_replaces_the_earlier_and_an_empty_one_removes_the_task() {
    let mut first = PendingKeys::default();
    for (task, k) in [("3", "c"), ("1", "a"), ("2", "b")] {
        first.push(task, &keys(&[k]));
    }
    let old = state_of(&first);
    let mut next = PendingKeys::default();
    next.push("2", &keys(&["b", "b2"]));
    next.push("3", &[]);
    next.push("2", &keys(&["b3"]));
    let merged = old.merged(&next);
    assert_eq!(merged.keys_of("1"), Some(keys(&["a"])));
    assert_eq!(merged.keys_of("2"), Some(keys(&["b3"])));
    assert_eq!(merged.keys_of("3"), None);
    assert_eq!(serde_json::to_string(&merged).unwrap(), r#""1:a 2:b3""#);
}

#[test]
fn binary_search_finds_every_task_of_a_large_set() {
    let mut p = PendingKeys::default();
    for n in (0..2_000).rev() {
        p.push(&format!("t{n:05}"), &keys(&[&n.to_string()]));
    }
    let k = state_of(&p);
    for n in 0..2_000 {
        assert_eq!(k.keys_of(&format!("t{n:05}")), Some(vec![n.to_string()]));
    }
}

#[test]
fn malformed_state_and_cursor_text_is_refused() {
    for bad in [
        r#""a:1  b:2""#,
        r#"" a:1""#,
        r#""a1""#,
        r#""b:1 a:1""#,
        r#""a:1 a:2""#,
        r#""a:""#,
        r#""a:%4""#,
        r#""a:%zz""#,
        r#""a:%FF""#,
        r#"":1""#,
        r#""a:x:y""#,
        r#""a:\"""#,
        "5",
    ] {
        assert!(serde_json::from_str::<ChildKeys>(bad).is_err(), "{bad}");
    }
    assert!(serde_json::from_str::<PendingKeys>(r#""b:1 a: a:2""#).is_ok());
    for bad in [r#""a:1  b""#, r#""a:%G0""#, r#"":x""#] {
        assert!(serde_json::from_str::<PendingKeys>(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_task_id_that_could_not_be_stored_is_left_out() {
    let mut p = PendingKeys::default();
    p.push("", &keys(&["a"]));
    p.push("a b", &keys(&["a"]));
    p.push("a:b", &keys(&["a"]));
    assert_eq!(p, PendingKeys::default());
}

/// The check as it was before it ran in one pass (a split per entry and a `String` per key): the
/// oracle for the one-pass check, which must accept and refuse exactly the same texts.
fn check_as_before(text: &str, sorted: bool) -> Result<Vec<usize>, ()> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    if text.contains("  ") || text.starts_with(' ') || text.ends_with(' ') {
        return Err(());
    }
    let mut starts = Vec::new();
    let mut last: Option<&str> = None;
    let mut at = 0;
    for entry in text.split(' ') {
        let (task, keys) = entry.split_once(':').ok_or(())?;
        let unescaped = |b: u8| must_encode(b) && b != b'%' && b != b',';
        if task.is_empty() || task.bytes().any(must_encode) || keys.bytes().any(unescaped) {
            return Err(());
        }
        if split_keys(keys).any(|k| decode_checked(k).is_none()) {
            return Err(());
        }
        if sorted && (last.is_some_and(|l| l >= task) || keys.is_empty()) {
            return Err(());
        }
        last = Some(task);
        starts.push(at);
        at += entry.len() + 1;
    }
    Ok(starts)
}

proptest::proptest! {
    #[test]
    fn the_one_pass_check_accepts_and_refuses_what_the_old_one_did(
        text in proptest::prop_oneof![
            // Well-formed entries, whose escapes may stand for bytes that are not UTF-8.
            "([ab]{1,2}:(([ab1é]|%[0-9A-F]{2}){1,3},?){0,3} ){0,3}[ab]{1,2}:([ab]|%[0-9A-F]{2}){0,3}",
            // Entries with broken escapes, doubled spaces, stray colons.
            "([ab]{0,2}:?(([ab1é]|%[0-9A-Fz]{0,2}){0,3},?){0,3}(:| |  )?){0,4}",
            // Any text of the bytes that matter.
            "[ :,%aAF0-9é\"\\\\\n]{0,24}",
        ],
        sorted: bool,
    ) {
        proptest::prop_assert_eq!(check(&text, sorted).map_err(drop), check_as_before(&text, sorted));
    }
}
