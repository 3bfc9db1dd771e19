//! Members a page's tasks repeat, read once a page: later copies are taken up from the first.
//!
//! Why: the tasks of one list share their parents (`space`, `folder`, `project`, `list`), and a
//! team's tasks share a few people (`creator`, `assignees`, `watchers`), statuses, priorities,
//! tags and `sharing`. Each is copied into the record as it is, and on the simulator's pages they
//! are 114 KB of the 170 KB of a page's members outside `custom_fields`, of which 22 KB are
//! distinct. Their objects are small and dense with keys, the costliest text to read, member by
//! member. So the pass keeps, for each of these keys, where in the page the last few values it
//! read are, and a later task whose value starts with the same text takes it up without reading
//! it ([`Scanner::again`], which says why that is exact). Any difference, even one byte, is a
//! miss, and that value is read as the first one was.
//!
//! The memo lives for one page, and holds places in the page and the parents' ids, never text.

use crate::scan::{Bail, Scanner, Span};

/// The keys whose values are kept: members ClickUp repeats from task to task.
const KEYS: [&[u8]; 12] = [
    b"space",
    b"folder",
    b"project",
    b"list",
    b"creator",
    b"assignees",
    b"group_assignees",
    b"watchers",
    b"status",
    b"priority",
    b"tags",
    b"sharing",
];

/// How many values of each key are kept (a new one takes the oldest one's place). A miss costs
/// a comparison with each, most ending in the first 32 bytes; reading the value costs tens of
/// instructions a byte. Each comparison stops at the first byte that differs, so even a page
/// made to defeat it (long values that differ only at their ends) costs at most this many
/// comparisons of each value's bytes.
const PER_KEY: usize = 16;

/// The values of one page read so far (see the module doc).
#[derive(Default)]
pub(super) struct MemberMemo {
    slots: [Slot; KEYS.len()],
    /// How many values were taken up.
    hits: usize,
    /// Keeps nothing (every value is read: for the bench's comparison).
    off: bool,
}

#[derive(Default)]
struct Slot {
    seen: Vec<Seen>,
    /// Where the next value kept goes, once there are [`PER_KEY`].
    next: usize,
}

/// A value read: where it is in the page, and what the caller noted of it (a parent's id).
struct Seen {
    span: Span,
    noted: Option<String>,
}

impl MemberMemo {
    /// The value at the cursor, the member's under `key`: taken up from an earlier task's when
    /// the text is the same, read otherwise (and kept, for a key of [`KEYS`]). `note` reads what
    /// the caller needs of a value read; a value taken up gives what was noted of the first.
    pub(super) fn value<'a>(
        &mut self,
        s: &mut Scanner<'a>,
        key: &[u8],
        note: impl FnOnce(&Scanner<'a>, Span) -> Result<Option<String>, Bail>,
    ) -> Result<(Span, Option<String>), Bail> {
        let slot = slot_of(key).filter(|_| !self.off);
        let Some(slot) = slot.and_then(|i| self.slots.get_mut(i)) else {
            let span = s.value()?;
            return Ok((span, note(s, span)?));
        };
        for seen in &slot.seen {
            if let Some(span) = s.again(seen.span) {
                self.hits += 1;
                return Ok((span, seen.noted.clone()));
            }
        }
        let span = s.value()?;
        let noted = note(s, span)?;
        let kept = Seen {
            span,
            noted: noted.clone(),
        };
        if slot.seen.len() < PER_KEY {
            slot.seen.push(kept);
        } else if let Some(place) = slot.seen.get_mut(slot.next) {
            *place = kept;
            slot.next = (slot.next + 1) % PER_KEY;
        }
        Ok((span, noted))
    }

    /// A memo that keeps nothing.
    pub(super) fn off() -> Self {
        MemberMemo {
            off: true,
            ..MemberMemo::default()
        }
    }

    /// How many values were taken up from an earlier task.
    pub(super) fn hits(&self) -> usize {
        self.hits
    }
}

/// The place of `key` in [`KEYS`]. A `match`, not a walk over the list: inside wasm each turn of
/// a loop checks the host's epoch, and every member of every task asks this.
fn slot_of(key: &[u8]) -> Option<usize> {
    Some(match key {
        b"space" => 0,
        b"folder" => 1,
        b"project" => 2,
        b"list" => 3,
        b"creator" => 4,
        b"assignees" => 5,
        b"group_assignees" => 6,
        b"watchers" => 7,
        b"status" => 8,
        b"priority" => 9,
        b"tags" => 10,
        b"sharing" => 11,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_slot() {
        for (i, key) in KEYS.iter().enumerate() {
            assert_eq!(slot_of(key), Some(i), "{}", String::from_utf8_lossy(key));
        }
        assert_eq!(slot_of(b"description"), None);
    }
}
