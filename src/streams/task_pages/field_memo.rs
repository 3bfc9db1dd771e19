//! Custom fields' definitions, read once a page: the rest of the page's copies are taken as
//! they were written.
//!
//! Why: ClickUp sends each custom field's whole definition (id, name, type, `type_config` with
//! every option, `date_created`, `hide_from_guests`, `required`) in every task that has the
//! field, and only its `value` differs. On the simulator's pages that is 84% of a task's bytes,
//! and reading the definitions was most of the one pass. A field object's text from its `{` up
//! to its `value` member is the same in every task of a list, so the pass keeps, for each field
//! it reads, that text's place in the page, what it wrote for it and the scanner's state there
//! ([`crate::scan::Resumable`]). A later field whose text starts with the same bytes has its
//! record text copied and is read on from its `value`: the same bytes at the same depth give the
//! same record, so nothing but the work changes. Any difference, even one byte, is a miss, and
//! that field is read as the first one was.
//!
//! The memo lives for one page: nothing carries from page to page. It holds at most
//! [`MAX_ENTRIES`] fields' texts (a page of 100 tasks with 26 fields each has some 30), each a
//! copy of part of a record the pass wrote, so it never holds more than the page's records again.

use crate::scan::{bytes_hash, Resumable, Scanner};
use crate::streams::task_children::scanned::FieldSpans;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

/// How many bytes, from a field's `{`, find its entry; a field whose definition is shorter is
/// not kept (it is quick to read anyway).
const HEAD: usize = 96;

/// The most fields' definitions a page's memo keeps.
pub(super) const MAX_ENTRIES: usize = 1024;

/// The fields of one page read so far (see the module doc).
#[derive(Default)]
pub(super) struct FieldMemo {
    entries: Vec<Entry>,
    by_head: HashMap<u64, usize, BuildHasherDefault<Prehashed>>,
    /// How many fields were taken up from an entry.
    hits: usize,
    /// Keeps nothing (every field is read in full: for the bench's comparison).
    off: bool,
}

/// One field's definition: where its text is in the page, and what reading it gave.
pub(super) struct Entry {
    /// Its text, from the `{` to the end of the member before `value`, in the page.
    pub(super) input: Range<usize>,
    /// The scanner's state at the end of that text.
    pub(super) state: Resumable,
    /// What the pass wrote for that text.
    pub(super) output: Vec<u8>,
    /// Where, in `output`, the child rows' members are.
    pub(super) spans: FieldSpans,
}

impl FieldMemo {
    /// The entry whose first [`HEAD`] bytes the page has at the cursor (on a field's `{`), if
    /// any: [`Scanner::resume`] then checks the rest of its text.
    pub(super) fn find(&self, s: &Scanner<'_>) -> Option<&Entry> {
        let head = s.rest().get(..HEAD)?;
        self.entries.get(*self.by_head.get(&bytes_hash(head))?)
    }

    /// Counts a field taken up from an entry [`FieldMemo::find`] gave.
    pub(super) fn hit(&mut self) {
        self.hits += 1;
    }

    /// A memo that keeps nothing.
    pub(super) fn off() -> Self {
        FieldMemo {
            off: true,
            ..FieldMemo::default()
        }
    }

    /// How many fields were taken up from an entry, and how many entries there are.
    pub(super) fn counts(&self) -> (usize, usize) {
        (self.hits, self.entries.len())
    }

    /// Keeps a field's definition: its text at `input`, the state there, and what was written
    /// for it (`spans` placed in the record's text, `output` starting at `base` in it).
    pub(super) fn keep(
        &mut self,
        s: &Scanner<'_>,
        input: Range<usize>,
        state: Resumable,
        output: &[u8],
        spans: &FieldSpans,
        base: usize,
    ) {
        if self.off || self.entries.len() >= MAX_ENTRIES || input.len() < HEAD {
            return;
        }
        let Some(head) = s.slice(input.clone()).get(..HEAD) else {
            return;
        };
        self.by_head.insert(bytes_hash(head), self.entries.len());
        self.entries.push(Entry {
            input,
            state,
            output: output.to_vec(),
            spans: shifted(spans, |at| at - base),
        });
    }
}

/// The spans of an entry placed in a record whose copy of its output starts at `base`.
// Inlined: it runs for most of a page's custom fields, and out of line it cost a call each
// (0.9% of a task page's instructions once `FieldSpans` had six members).
#[inline(always)]
pub(super) fn placed(entry: &Entry, base: usize) -> FieldSpans {
    shifted(&entry.spans, |at| at + base)
}

#[inline(always)]
fn shifted(spans: &FieldSpans, by: impl Fn(usize) -> usize) -> FieldSpans {
    let each = |r: &Option<Range<usize>>| r.as_ref().map(|r| by(r.start)..by(r.end));
    FieldSpans {
        id: each(&spans.id),
        name: each(&spans.name),
        kind: each(&spans.kind),
        value: each(&spans.value),
        type_config: each(&spans.type_config),
        value_json: each(&spans.value_json),
    }
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
