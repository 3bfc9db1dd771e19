//! Objects read member by member ([`Scanner::open_object`], [`Scanner::next_key`]), and resumed
//! where another object with the same text so far was left ([`Scanner::resume`]).
//!
//! Why resuming: ClickUp repeats each custom field's definition (id, name, type, options) in
//! every task that has the field, byte for byte, and only its `value` differs. A reader that has
//! read one such object up to a member can keep the scanner's state there ([`Resumable`]), and
//! take up a later object whose text is the same up to that point without scanning it again:
//! the same bytes at the same depth make the same decisions.

use super::{Bail, Key, Scanner};
use std::borrow::Cow;
use std::collections::HashSet;

/// Objects with more keys than this are checked for repeats with a hash set.
pub(super) const SCAN_LIMIT: usize = 64;

/// An object being read: its keys so far, as 64-bit hashes, to catch a repeated one (two
/// different keys with the same hash also count: that only sends the page down the tree path).
/// The hashes of the first [`SCAN_LIMIT`] keys are on the scanner's stack from `base` on (one
/// stack for all the open objects: nothing to allocate or clear per object); past that, in a
/// hash set.
#[derive(Debug)]
pub struct ObjectRead {
    base: usize,
    /// One bit per key hash seen ([`admit`]'s filter).
    seen: u64,
    many: Option<HashSet<u64>>,
    tidy: bool,
    first: bool,
    /// Where the last member's value ended, and the state then (for [`Scanner::resumable`]).
    last: Option<Mark>,
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    at: usize,
    tidy: bool,
    keys: usize,
    seen: u64,
}

impl ObjectRead {
    /// Whether the object had no whitespace outside its values (so far).
    pub fn tidy(&self) -> bool {
        self.tidy
    }

    #[inline(always)]
    fn insert(&mut self, stack: &mut Vec<u64>, key: &[u8]) -> Result<(), Bail> {
        let hash = bytes_hash(key);
        let listed = stack.get(self.base..).unwrap_or_default();
        match admit::<SCAN_LIMIT>(hash, listed, &mut self.seen, &mut self.many) {
            Admit::Repeated => Err(Bail),
            Admit::List => {
                stack.push(hash);
                Ok(())
            }
            Admit::Spilled => Ok(()),
        }
    }
}

/// What becomes of a key's hash in an object whose hashes so far are `listed` (at most `LIMIT`
/// of them, scanned) or, past that, in `many`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admit {
    /// The object had the key already.
    Repeated,
    /// New: the caller lists it after `listed`.
    List,
    /// New, and kept in `many` (the object has more keys than `LIMIT`).
    Spilled,
}

/// Admits a key's hash to an object's keys (see [`Admit`]): a scan of the few listed ones, a
/// hash set once there are more than `LIMIT`. `seen` has a bit set for each listed hash (by its
/// top six bits): a key whose bit is clear is new without a scan, which spares most keys of a
/// task's forty the scan of those before them.
// Inlined, with the limit a constant: otherwise the scanner lost 3% inside wasm (section 2b).
#[inline(always)]
pub(crate) fn admit<const LIMIT: usize>(
    hash: u64,
    listed: &[u64],
    seen: &mut u64,
    many: &mut Option<HashSet<u64>>,
) -> Admit {
    let bit = 1u64 << (hash >> 58);
    let maybe_seen = *seen & bit != 0;
    *seen |= bit;
    match many {
        Some(many) => {
            if many.insert(hash) {
                Admit::Spilled
            } else {
                Admit::Repeated
            }
        }
        None if maybe_seen && listed.contains(&hash) => Admit::Repeated,
        None if listed.len() < LIMIT => Admit::List,
        None => {
            let mut all: HashSet<u64> = listed.iter().copied().collect();
            all.insert(hash);
            *many = Some(all);
            Admit::Spilled
        }
    }
}

/// The state of an object's reader between two of its members: enough to take up another
/// object, at the same depth, whose text from its `{` is the same for [`Resumable::len`] bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumable {
    hashes: Vec<u64>,
    seen: u64,
    tidy: bool,
    depth: usize,
    len: usize,
}

impl Resumable {
    /// How many bytes of the object's text, from its `{`, the state covers.
    pub fn text_len(&self) -> usize {
        self.len
    }
}

impl<'a> Scanner<'a> {
    /// Opens the object at the cursor, after whitespace; read its members with
    /// [`Scanner::next_key`].
    pub fn open_object(&mut self) -> Result<ObjectRead, Bail> {
        self.consume(b'{')?;
        self.deeper()?;
        let tidy = !self.ws();
        Ok(ObjectRead {
            base: self.keys.len(),
            seen: 0,
            many: None,
            tidy,
            first: true,
            last: None,
        })
    }

    /// The next member's key and whether it had escapes, the cursor then after its colon (the
    /// caller reads the value); `None` once the object's `}` is read. A repeated key is
    /// [`Bail`].
    pub fn next_key(&mut self, o: &mut ObjectRead) -> Result<Option<(Key<'a>, bool)>, Bail> {
        self.next_key_with::<true>(o)
    }

    /// [`Scanner::next_key`] for a caller that catches a repeated key itself (one that sorts
    /// the keys finds repeats side by side): no key is hashed, and the object cannot be
    /// resumed ([`Scanner::resumable`] gives none).
    pub fn next_key_unchecked(
        &mut self,
        o: &mut ObjectRead,
    ) -> Result<Option<(Key<'a>, bool)>, Bail> {
        self.next_key_with::<false>(o)
    }

    #[inline(always)]
    fn next_key_with<const CHECKED: bool>(
        &mut self,
        o: &mut ObjectRead,
    ) -> Result<Option<(Key<'a>, bool)>, Bail> {
        if o.first {
            if self.text.get(self.at) == Some(&b'}') {
                self.close(o);
                return Ok(None);
            }
            o.first = false;
        } else {
            o.last = CHECKED.then_some(Mark {
                at: self.at,
                tidy: o.tidy,
                keys: self.keys.len() - o.base,
                seen: o.seen,
            });
            o.tidy &= !self.ws();
            match self.text.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.close(o);
                    return Ok(None);
                }
                _ => return Err(Bail),
            }
            o.tidy &= !self.ws();
        }
        if let Some((start, end)) = self.compact_key_at() {
            let key = self.text.get(start..end).unwrap_or_default();
            self.at = end + 2;
            if CHECKED {
                o.insert(&mut self.keys, key)?;
            }
            o.tidy &= !self.ws();
            return Ok(Some((Cow::Borrowed(key), false)));
        }
        let (key, escaped) = self.key()?;
        if CHECKED {
            o.insert(&mut self.keys, key.as_bytes())?;
        }
        o.tidy &= !self.ws();
        if self.text.get(self.at) != Some(&b':') {
            return Err(Bail);
        }
        self.at += 1;
        o.tidy &= !self.ws();
        let key = match key {
            Cow::Borrowed(key) => Cow::Borrowed(key.as_bytes()),
            Cow::Owned(key) => Cow::Owned(key.into_bytes()),
        };
        Ok(Some((key, escaped)))
    }

    /// Where the text of a compact key at the cursor is, `"key":` with no escape and no
    /// whitespace (as ClickUp writes them); none otherwise ([`Scanner::key`] reads it then).
    /// Nothing is consumed.
    #[inline(always)]
    fn compact_key_at(&self) -> Option<(usize, usize)> {
        let start = self.at + 1;
        if self.text.get(self.at) != Some(&b'"') {
            return None;
        }
        let len = super::special_at(self.text.get(start..).unwrap_or_default());
        let end = start + len;
        if self.text.get(end..end + 2) != Some(b"\":") {
            return None;
        }
        Some((start, end))
    }

    /// An object at the cursor (on its `{`) only scanned: its extent, whether it is clean (no
    /// whitespace outside its values, no escape in a key, every value clean), and no key
    /// repeated. The members' loop of [`Scanner::next_key`] without what a reader of the keys
    /// needs (their text, the state to resume from): most objects of a page are only scanned,
    /// and inside wasm that reader's state, kept in memory, cost more than the scan.
    pub(super) fn skim_object(&mut self) -> Result<bool, Bail> {
        self.consume(b'{')?;
        self.deeper()?;
        let base = self.keys.len();
        let (mut seen, mut many) = (0, None);
        let mut clean = !self.ws();
        if self.text.get(self.at) == Some(&b'}') {
            self.at += 1;
            self.depth -= 1;
            return Ok(clean);
        }
        loop {
            let hash = match self.compact_key_at() {
                Some((start, end)) => {
                    self.at = end + 2;
                    bytes_hash(self.text.get(start..end).unwrap_or_default())
                }
                None => {
                    let (key, escaped) = self.key()?;
                    clean &= !escaped && !self.ws();
                    if self.text.get(self.at) != Some(&b':') {
                        return Err(Bail);
                    }
                    self.at += 1;
                    bytes_hash(key.as_bytes())
                }
            };
            let listed = self.keys.get(base..).unwrap_or_default();
            match admit::<SCAN_LIMIT>(hash, listed, &mut seen, &mut many) {
                Admit::Repeated => return Err(Bail),
                Admit::List => self.keys.push(hash),
                Admit::Spilled => {}
            }
            clean &= !self.ws();
            clean &= self.value()?.clean;
            clean &= !self.ws();
            match self.text.get(self.at) {
                Some(b',') => {
                    self.at += 1;
                    clean &= !self.ws();
                }
                Some(b'}') => {
                    self.at += 1;
                    break;
                }
                _ => return Err(Bail),
            }
        }
        self.depth -= 1;
        self.keys.truncate(base);
        Ok(clean)
    }

    fn close(&mut self, o: &ObjectRead) {
        self.at += 1;
        self.depth -= 1;
        self.keys.truncate(o.base);
    }

    /// The reader's state as it was before the key [`Scanner::next_key`] just gave (at the end
    /// of the member before it), for an object whose `{` is at `start`. None before the second
    /// member, and for objects with more than [`SCAN_LIMIT`] keys.
    pub fn resumable(&self, o: &ObjectRead, start: usize) -> Option<Resumable> {
        let mark = o.last?;
        if o.many.is_some() {
            return None;
        }
        let hashes = self.keys.get(o.base..o.base + mark.keys)?.to_vec();
        Some(Resumable {
            hashes,
            seen: mark.seen,
            tidy: mark.tidy,
            depth: self.depth,
            len: mark.at.checked_sub(start)?,
        })
    }

    /// Takes up the object at the cursor (on its `{`) where `state` was left, when the text
    /// from the cursor is `prefix` (the text `state` was made from) and the depth is the same;
    /// `None` (nothing consumed) otherwise.
    pub fn resume(&mut self, state: &Resumable, prefix: &[u8]) -> Option<ObjectRead> {
        let here = self.text.get(self.at..)?;
        if prefix.len() != state.len
            || self.depth + 1 != state.depth
            || !super::starts_with(here, prefix)
        {
            return None;
        }
        self.depth += 1;
        self.at += state.len;
        let base = self.keys.len();
        self.keys.extend_from_slice(&state.hashes);
        Some(ObjectRead {
            base,
            seen: state.seen,
            many: None,
            tidy: state.tidy,
            first: false,
            last: None,
        })
    }
}

/// A 64-bit hash of a key: eight bytes at a time, each word mixed by a multiply and a rotation
/// (keys are short).
pub(crate) fn key_hash(key: &str) -> u64 {
    bytes_hash(key.as_bytes())
}

/// [`key_hash`] of any bytes.
///
/// Keys are short: up to 16 bytes are hashed as two words read from each end (they overlap when
/// there are fewer than 16; the length is in the hash), three or fewer as one, with no loop:
/// inside wasm each turn of a loop also checks the host's epoch, and a page has tens of
/// thousands of keys.
#[inline]
pub fn bytes_hash(bytes: &[u8]) -> u64 {
    let hash = (bytes.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        (Some(first), Some(last)) if bytes.len() <= 16 => mix(
            mix(hash, u64::from_le_bytes(*first)),
            u64::from_le_bytes(*last),
        ),
        (Some(_), Some(last)) => {
            let mut chunks = bytes.chunks_exact(8);
            let hash = chunks
                .by_ref()
                .fold(hash, |hash, chunk| mix(hash, word_of(chunk)));
            if chunks.remainder().is_empty() {
                hash
            } else {
                // The last bytes as the last whole word, read over the end of the one before.
                mix(hash, u64::from_le_bytes(*last))
            }
        }
        _ => match (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
            (Some(head), Some(end)) => mix(
                hash,
                u64::from(u32::from_le_bytes(*head)) | u64::from(u32::from_le_bytes(*end)) << 32,
            ),
            _ => {
                let byte = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0)) << (8 * i);
                mix(hash, byte(0) | byte(1) | byte(2))
            }
        },
    }
}

/// One word mixed into a hash: a multiply and a rotation.
#[inline(always)]
fn mix(hash: u64, word: u64) -> u64 {
    (hash ^ word)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .rotate_left(29)
}

/// The eight bytes of a chunk as a word.
#[inline(always)]
fn word_of(chunk: &[u8]) -> u64 {
    chunk
        .first_chunk::<8>()
        .map_or(0, |word| u64::from_le_bytes(*word))
}
