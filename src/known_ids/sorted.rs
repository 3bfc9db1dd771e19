//! The sorted form of a set of ids: one string of ids in byte order, separated by single
//! spaces. A set in this form is read from the state or the cursor without building anything,
//! looked up by binary search, and merged with another in one walk.

use std::cmp::Ordering;

/// The ids of a sorted text, in order (none for the empty text).
pub(super) fn ids(text: &str) -> impl Iterator<Item = &str> + Clone {
    text.split(' ').filter(|id| !id.is_empty())
}

/// Whether `text` holds no whitespace but single spaces (no two in a row, no tab, no line break,
/// no Unicode space). Over ASCII text both checks are a fold over every byte, with no early
/// exit, which the compiler turns into vector code: a call reads a cursor that holds every task
/// id of the read so far, and a check of one character at a time was a step per byte of it.
pub(super) fn single_spaced(text: &str) -> bool {
    let bytes = text.as_bytes();
    let other_space = if text.is_ascii() {
        // `\t`, `\n`, vertical tab, form feed and `\r`: ASCII's whitespace other than the space.
        bytes.iter().fold(false, |any, b| {
            any | (b.wrapping_sub(b'\t') <= b'\r' - b'\t')
        })
    } else {
        text.contains(|c: char| c.is_whitespace() && c != ' ')
    };
    let two_spaces = bytes
        .iter()
        .zip(bytes.get(1..).unwrap_or_default())
        .fold(false, |any, (a, b)| any | ((*a == b' ') & (*b == b' ')));
    !other_space && !two_spaces
}

/// Whether `text` is already in the sorted form: no space at either end, and each id greater
/// than the one before it (so none repeats). The caller has refused other whitespace and
/// double spaces.
pub(super) fn is_sorted(text: &str) -> bool {
    if text.starts_with(' ') || text.ends_with(' ') {
        return false;
    }
    let mut before: Option<&str> = None;
    ids(text).all(|id| {
        let ordered = before.is_none_or(|b| cmp_ids(b.as_bytes(), id.as_bytes()).is_lt());
        before = Some(id);
        ordered
    })
}

/// `a` against `b` in byte order, as `a.cmp(b)`, eight bytes a step (each eight compared as one
/// big-endian number). Why not `a.cmp(b)`: inside wasm a slice comparison is a call of
/// compiler-builtins' `memcmp`, a byte at a time, and a call reads and writes a cursor that holds
/// every task id of the read so far (its ids checked for order when it is read, found by a binary
/// search when a page's ids are merged in): 2% of a wasm profile of a task page was that `memcmp`.
#[inline]
pub(super) fn cmp_ids(mut a: &[u8], mut b: &[u8]) -> Ordering {
    while let (Some(x), Some(y)) = (a.first_chunk::<8>(), b.first_chunk::<8>()) {
        let (x, y) = (u64::from_be_bytes(*x), u64::from_be_bytes(*y));
        if x != y {
            return x.cmp(&y);
        }
        (a, b) = (
            a.get(8..).unwrap_or_default(),
            b.get(8..).unwrap_or_default(),
        );
    }
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// Whether the sorted `text` holds `id` (a binary search: [`lower_bound`]).
pub(super) fn holds(text: &str, id: &str) -> bool {
    lower_bound(text, id).1
}

/// The ids of two sorted sequences, in order, each once.
pub(super) fn union<'a>(
    a: impl Iterator<Item = &'a str>,
    b: impl Iterator<Item = &'a str>,
) -> impl Iterator<Item = &'a str> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) => match cmp_ids(x.as_bytes(), y.as_bytes()) {
            Ordering::Less => a.next(),
            Ordering::Greater => b.next(),
            Ordering::Equal => {
                b.next();
                a.next()
            }
        },
        (Some(_), None) => a.next(),
        (None, _) => b.next(),
    })
}

/// The text of sorted ids: `ids` joined by single spaces.
pub(super) fn join<'a>(ids: impl Iterator<Item = &'a str>, capacity: usize) -> String {
    let mut text = String::with_capacity(capacity);
    for id in ids {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(id);
    }
    text
}

/// The sorted `text` with the sorted `added` ids merged in, each once: the runs of `text` between
/// two additions are copied whole, each found by a binary search, so the cost is a copy of the
/// text and a search per addition (not a step per id, as [`union`] and [`join`] take).
pub(super) fn merge<'a>(text: &str, added: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    for id in added {
        let (at, present) = lower_bound(rest, id);
        // `at` is where an id starts, or the end: never inside a character.
        let (run, tail) = rest.split_at_checked(at).unwrap_or((rest, ""));
        push_run(&mut out, run.trim_end_matches(' '));
        if !present {
            push_run(&mut out, id);
        }
        rest = tail;
    }
    push_run(&mut out, rest);
    out
}

/// Appends a run of sorted ids (or one id), a space before it unless it is the first.
fn push_run(out: &mut String, run: &str) {
    if run.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(run);
}

/// Where, in the sorted `text`, the first id not less than `id` starts (the text's length when
/// there is none), and whether that id is `id`: a binary search over the text's bytes, each probe
/// widened to the id it falls in (safe inside multi-byte characters: ids end at spaces).
fn lower_bound(text: &str, id: &str) -> (usize, bool) {
    let (bytes, id) = (text.as_bytes(), id.as_bytes());
    // Every id starting before `lo` is less than `id`; every id starting at `hi` or after is
    // not. `lo` is always the start of an id (or the end), and so is `hi`.
    let (mut lo, mut hi) = (0, bytes.len());
    let part = |from: usize, to: usize| bytes.get(from..to).unwrap_or_default();
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = part(lo, mid)
            .iter()
            .rposition(|&b| b == b' ')
            .map_or(lo, |at| lo + at + 1);
        let end = part(mid, hi)
            .iter()
            .position(|&b| b == b' ')
            .map_or(hi, |at| mid + at);
        if cmp_ids(part(start, end), id).is_lt() {
            lo = (end + 1).min(bytes.len());
        } else {
            hi = start;
        }
    }
    let found = lo < bytes.len()
        && part(lo, bytes.len())
            .split(|&b| b == b' ')
            .next()
            .is_some_and(|first| cmp_ids(first, id).is_eq());
    (lo, found)
}
