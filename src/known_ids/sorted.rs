//! The sorted form of a set of ids: one string of ids in byte order, separated by single
//! spaces. A set in this form is read from the state or the cursor without building anything,
//! looked up by binary search, and merged with another in one walk.

use std::cmp::Ordering;

/// The ids of a sorted text, in order (none for the empty text).
pub(super) fn ids(text: &str) -> impl Iterator<Item = &str> + Clone {
    text.split(' ').filter(|id| !id.is_empty())
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
        let ordered = before.is_none_or(|b| b < id);
        before = Some(id);
        ordered
    })
}

/// Whether the sorted `text` holds `id`: a binary search over its bytes, each probe widened to
/// the id it falls in.
pub(super) fn holds(text: &str, id: &str) -> bool {
    let (bytes, id) = (text.as_bytes(), id.as_bytes());
    // `lo` is always the start of an id, `hi` the end of one.
    let (mut lo, mut hi) = (0, bytes.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = bytes[lo..mid]
            .iter()
            .rposition(|&b| b == b' ')
            .map_or(lo, |at| lo + at + 1);
        let end = bytes[mid..hi]
            .iter()
            .position(|&b| b == b' ')
            .map_or(hi, |at| mid + at);
        match bytes[start..end].cmp(id) {
            Ordering::Equal => return true,
            Ordering::Less => lo = end + 1,
            Ordering::Greater => hi = start.saturating_sub(1),
        }
    }
    false
}

/// The ids of two sorted sequences, in order, each once.
pub(super) fn union<'a>(
    a: impl Iterator<Item = &'a str>,
    b: impl Iterator<Item = &'a str>,
) -> impl Iterator<Item = &'a str> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) => match x.cmp(y) {
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
