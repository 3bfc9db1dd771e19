//! A JSON scanner that finds where each value of a page starts and ends, and whether its text
//! can be copied into a record byte for byte.
//!
//! Why hand-written: the libraries were measured first (BENCHMARKS.md, section 2). serde_json's
//! own deserializer driving a visitor that writes as it reads ([`crate::passthrough`]) was 2.9×
//! the tree path natively but only 1.2× inside wasm (wasm/native 3.0×): every string, number and
//! member still goes through the visitor calls and serde_json's writer. `serde-transcode` only
//! copies (it cannot rewrite or catch repeated keys) and was no faster than that visitor;
//! `simd-json` builds a tape or a tree of the whole page first (the component is built with
//! `+simd128`, which its wasm backend needs, but the tape is a second pass over the page). What
//! a page needs is much less: most of a task (custom fields' type configs, sharing, locations)
//! is copied through unchanged, so finding a value's end and copying its bytes is enough for it.
//!
//! The rule that keeps this exact: a value is *clean* when its text is exactly what serde_json
//! would write for it after parsing it — no whitespace, no escape in any string, no number but
//! plain integers of at most 18 digits (not `-0`), no repeated key. A clean value is copied as
//! its bytes; any other value is handed to serde_json (the visitors of [`crate::passthrough`])
//! for just that value. The scanner accepts nothing serde_json refuses: every byte must be
//! UTF-8 (checked by [`str_of`] and [`string_of`]: the whole text once by [`Scanner::new`]; over
//! a page, [`Scanner::pieces`] checks each key and text it gives, and the one pass each record
//! it writes and each value it leaves out), a string may hold no control character, clean
//! numbers and literals are checked exactly, and every value that is not clean is parsed by
//! serde_json itself. Nesting deeper than [`MAX_DEPTH`] (serde_json stops at 128) and a key
//! repeated in a clean object are [`Bail`]: the page goes to the tree path, which decides.

use std::borrow::Cow;
pub(crate) use words::{special_at, starts_with};

pub mod canonical;
mod object;
mod utf8;
mod words;

pub(crate) use object::{admit, key_hash, Admit};
pub use object::{bytes_hash, ObjectRead, Resumable};
pub use utf8::{str_of, string_of};

/// An object's key as its bytes: borrowed from the text when it had no escapes there,
/// unescaped into bytes of its own otherwise (see [`Scanner::members`] on checking them).
pub type Key<'a> = Cow<'a, [u8]>;

/// Why the scanner gave up on a page: the tree path reads it instead (and reports its error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bail;

/// Deepest nesting the scanner follows (serde_json's limit is 128).
pub const MAX_DEPTH: usize = 120;

/// Where a value is in the page, and whether its bytes can be copied as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Its first byte.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// Its text is what serde_json would write for it (see the module doc).
    pub clean: bool,
}

/// A cursor over a page's bytes.
pub struct Scanner<'a> {
    text: &'a [u8],
    /// The same text as `str` when it was checked as a whole ([`Scanner::new`]), to take strings
    /// from without checking again; none when each piece is checked as it is taken
    /// ([`Scanner::pieces`]).
    utf8: Option<&'a str>,
    at: usize,
    depth: usize,
    /// The key hashes of the objects being read (see [`ObjectRead`]).
    keys: Vec<u64>,
}

impl<'a> Scanner<'a> {
    /// A scanner over `text`, which must be UTF-8 as a whole.
    pub fn new(text: &'a [u8]) -> Result<Self, Bail> {
        let utf8 = str_of(text).ok_or(Bail)?;
        Ok(Scanner {
            text,
            utf8: Some(utf8),
            at: 0,
            depth: 0,
            keys: Vec::new(),
        })
    }

    /// A scanner over `text`, UTF-8 already (a `str`): [`Scanner::new`] without its check.
    pub fn of_str(text: &'a str) -> Self {
        Scanner {
            text: text.as_bytes(),
            utf8: Some(text),
            at: 0,
            depth: 0,
            keys: Vec::new(),
        }
    }

    /// A scanner over `text` not checked as UTF-8 as a whole: each piece it gives as text (a
    /// key, [`Scanner::text`], [`Scanner::inner_str`]) is checked as it is given, and a text that
    /// is not UTF-8 there is [`Bail`]. What the caller copies as bytes is for it to check: the
    /// one pass checks each record it writes (it must make a `String` of it anyway) and each
    /// value it leaves out, so that every byte of a page is checked once, not twice.
    pub fn pieces(text: &'a [u8]) -> Self {
        Scanner {
            text,
            utf8: None,
            at: 0,
            depth: 0,
            keys: Vec::new(),
        }
    }

    /// A scanner over the value at `span` alone (a span starts and ends on ASCII bytes, so its
    /// text is UTF-8 as well when the whole was).
    pub fn within(&self, span: Span) -> Scanner<'a> {
        Scanner {
            text: self.text.get(span.start..span.end).unwrap_or_default(),
            utf8: self.utf8.and_then(|u| u.get(span.start..span.end)),
            at: 0,
            depth: 0,
            keys: Vec::new(),
        }
    }

    /// Where the cursor is, in bytes from the start of the text.
    pub fn position(&self) -> usize {
        self.at
    }

    /// The text from the cursor on.
    pub fn rest(&self) -> &'a [u8] {
        self.text.get(self.at..).unwrap_or_default()
    }

    /// The bytes at `range` of the text.
    pub fn slice(&self, range: std::ops::Range<usize>) -> &'a [u8] {
        self.text.get(range).unwrap_or_default()
    }

    /// The bytes of a span.
    pub fn bytes(&self, span: Span) -> &'a [u8] {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    /// The text at `range`: taken from the text checked as a whole, or checked now; [`Bail`]
    /// when it is not UTF-8 (or not on a character's boundaries).
    #[inline]
    fn str_at(&self, range: std::ops::Range<usize>) -> Result<&'a str, Bail> {
        match self.utf8 {
            Some(utf8) => utf8.get(range),
            None => self.text.get(range).and_then(str_of),
        }
        .ok_or(Bail)
    }

    /// The text of a span (a span starts and ends on ASCII bytes).
    pub fn text(&self, span: Span) -> Result<&'a str, Bail> {
        self.str_at(span.start..span.end)
    }

    /// The text between a string span's quotes.
    pub fn inner_str(&self, span: Span) -> Result<&'a str, Bail> {
        self.str_at(span.start + 1..span.end.saturating_sub(1))
    }

    /// The integer a clean number span holds.
    pub fn inner_number(&self, span: Span) -> Option<i64> {
        self.text(span).ok()?.parse().ok()
    }

    /// Skips whitespace; says whether there was any.
    pub fn ws(&mut self) -> bool {
        let from = self.at;
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.text.get(self.at) {
            self.at += 1;
        }
        self.at > from
    }

    /// The next byte after whitespace, not consumed.
    pub fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.text.get(self.at).copied()
    }

    /// Consumes `byte` after whitespace.
    pub fn consume(&mut self, byte: u8) -> Result<(), Bail> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// Only whitespace is left.
    pub fn finish(&mut self) -> Result<(), Bail> {
        self.ws();
        if self.at == self.text.len() {
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// One value, after whitespace.
    pub fn value(&mut self) -> Result<Span, Bail> {
        self.ws();
        let start = self.at;
        let clean = match self.text.get(self.at) {
            Some(b'"') => !self.string()?,
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b't') => self.literal(b"true")?,
            Some(b'f') => self.literal(b"false")?,
            Some(b'n') => self.literal(b"null")?,
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => return Err(Bail),
        };
        Ok(Span {
            start,
            end: self.at,
            clean,
        })
    }

    /// The value at the cursor, after whitespace, when its text starts with the text of
    /// `earlier`: a clean object, array or string this scanner read before, at the depth the
    /// cursor is at now. It is consumed without being read again, and its span is given; none
    /// (only whitespace consumed) when the text differs or `earlier` is not such a value.
    ///
    /// Why that is exact: an object, array or string ends where its own text says (its closing
    /// bracket or quote), so a text that starts with the bytes of one such value *is* that
    /// value, and the same bytes at the same depth make the same decisions (its extent, that it
    /// is clean, no key repeated, no nesting too deep). A number or literal could go on past
    /// the earlier one's end (`12` and `123`), so none is taken up. Its bytes are not checked
    /// as UTF-8 here: over a page read in pieces ([`Scanner::pieces`]) the caller checks what
    /// it copies, as it does for a value read.
    pub fn again(&mut self, earlier: Span) -> Option<Span> {
        self.ws();
        let text = self.bytes(earlier);
        let repeatable = matches!(text.first(), Some(b'{' | b'[' | b'"'));
        if !earlier.clean || !repeatable || !starts_with(self.rest(), text) {
            return None;
        }
        let start = self.at;
        self.at += text.len();
        Some(Span {
            start,
            end: self.at,
            clean: true,
        })
    }

    /// A string at the cursor (which is on its `"`); says whether it has an escape.
    // Inlined into `value` and `key`, its two callers: out of line, each of a page's 25,000
    // strings paid a call, a prologue and an epoch check inside wasm (1.5% of a page's
    // instructions when a change elsewhere made the compiler stop inlining it).
    #[inline(always)]
    fn string(&mut self) -> Result<bool, Bail> {
        let mut i = self.at + 1;
        let mut escaped = false;
        loop {
            i += special_at(self.text.get(i..).unwrap_or_default());
            match self.text.get(i) {
                Some(b'"') => {
                    self.at = i + 1;
                    return Ok(escaped);
                }
                Some(b'\\') => {
                    // serde_json checks the escape when it parses this (unclean) value; here it
                    // is enough not to take an escaped quote for the end.
                    escaped = true;
                    i += 2;
                }
                // A control character (serde_json refuses it) or the end of the text.
                _ => return Err(Bail),
            }
        }
    }

    /// A key after whitespace: its text (unescaped by serde_json when it has escapes), and
    /// whether it had any.
    pub fn key(&mut self) -> Result<(Cow<'a, str>, bool), Bail> {
        if self.peek() != Some(b'"') {
            return Err(Bail);
        }
        let start = self.at;
        let escaped = self.string()?;
        let span = Span {
            start,
            end: self.at,
            clean: !escaped,
        };
        if escaped {
            let key: String = serde_json::from_slice(self.bytes(span)).map_err(|_| Bail)?;
            Ok((Cow::Owned(key), true))
        } else {
            Ok((Cow::Borrowed(self.inner_str(span)?), false))
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<bool, Bail> {
        if self.text.get(self.at..self.at + word.len()) == Some(word) {
            self.at += word.len();
            Ok(true)
        } else {
            Err(Bail)
        }
    }

    /// A number: its extent, loosely (serde_json checks what is not a plain integer).
    fn number(&mut self) -> bool {
        let start = self.at;
        let minus = self.text.get(start) == Some(&b'-');
        let first = start + usize::from(minus);
        self.at = first;
        // Digits first (a plain integer is only those), then the rest of a number's characters.
        while let Some(b'0'..=b'9') = self.text.get(self.at) {
            self.at += 1;
        }
        let digits = self.at - first;
        let mut plain = true;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.text.get(self.at) {
            self.at += 1;
            plain = false;
        }
        let leading_zero = self.text.get(first) == Some(&b'0');
        // A leading zero only as `0` itself (not `-0`, which a `Value` writes as `0`).
        plain && (1..=18).contains(&digits) && (!leading_zero || (digits == 1 && !minus))
    }

    /// Enters an array or object.
    fn deeper(&mut self) -> Result<(), Bail> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(Bail)
        } else {
            Ok(())
        }
    }

    fn array(&mut self) -> Result<bool, Bail> {
        let mut clean = true;
        self.elements(|s| {
            let item = s.value()?;
            clean &= item.clean;
            Ok(())
        })
        .map(|tidy| tidy && clean)
    }

    fn object(&mut self) -> Result<bool, Bail> {
        self.skim_object()
    }

    /// An array at the cursor, after whitespace: `item` reads each element (the cursor before
    /// it). Says whether the array had no whitespace outside its elements.
    // Inlined by attribute: when the list rows became a caller, the compiler took it out of
    // line for the one pass's `custom_fields` too (+0.6% of a task page's instructions).
    #[inline(always)]
    pub fn elements(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<(), Bail>,
    ) -> Result<bool, Bail> {
        self.consume(b'[')?;
        self.deeper()?;
        let mut tidy = !self.ws();
        if self.text.get(self.at) == Some(&b']') {
            self.at += 1;
            self.depth -= 1;
            return Ok(tidy);
        }
        loop {
            tidy &= !self.ws();
            item(self)?;
            tidy &= !self.ws();
            match self.text.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    self.depth -= 1;
                    return Ok(tidy);
                }
                _ => return Err(Bail),
            }
        }
    }

    /// An object at the cursor, after whitespace: `member` reads each member's value (the
    /// cursor after its colon), given its key and whether the key had escapes. A repeated key
    /// is [`Bail`]. Says whether the object had no whitespace outside its values.
    ///
    /// A key is given as its bytes ([`Key`]): over a text not checked as a whole
    /// ([`Scanner::pieces`]) they are not checked as UTF-8 here, and a caller that neither
    /// matches a key against a name of its own nor writes it into what it checks later must
    /// check it.
    pub fn members(
        &mut self,
        mut member: impl FnMut(&mut Self, &[u8], bool) -> Result<(), Bail>,
    ) -> Result<bool, Bail> {
        self.keyed_members(|s, key, escaped| member(s, &key, escaped))
    }

    /// [`Scanner::members`], given each key to keep (borrowed from the page unless it had
    /// escapes).
    pub fn keyed_members(
        &mut self,
        mut member: impl FnMut(&mut Self, Key<'a>, bool) -> Result<(), Bail>,
    ) -> Result<bool, Bail> {
        let mut object = self.open_object()?;
        while let Some((key, escaped)) = self.next_key(&mut object)? {
            member(self, key, escaped)?;
        }
        Ok(object.tidy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_bytes_are_found_in_every_position() {
        for len in 0..20 {
            for at in 0..=len {
                for special in [b'"', b'\\', 0x00, 0x1f] {
                    let mut bytes = vec![b'a'; len];
                    if at < len {
                        bytes[at] = special;
                    }
                    assert_eq!(special_at(&bytes), at, "{len} {at} {special}");
                }
                let mut bytes = vec![0xe9u8; len];
                if at < len {
                    bytes[at] = b'"';
                }
                assert_eq!(special_at(&bytes), at);
            }
        }
        assert_eq!(special_at(b" !#[]\x7f~\x20"), 8);
    }

    #[test]
    fn clean_values_are_what_serde_json_writes() {
        for (text, clean) in [
            (r#"{"a":[1,-2,true,null,"x"],"b":{}}"#, true),
            (r#"{"a": 1}"#, false),
            (r#"["\u00e9"]"#, false),
            ("[1.5]", false),
            ("[-0]", false),
            ("[007]", false),
            ("[1234567890123456789]", false),
            ("123456789012345678", true),
        ] {
            let mut s = Scanner::new(text.as_bytes()).unwrap();
            let span = s.value().unwrap();
            s.finish().unwrap();
            assert_eq!(span.clean, clean, "{text}");
            if clean {
                let v: serde_json::Value = serde_json::from_str(text).unwrap();
                assert_eq!(v.to_string(), text);
            }
        }
    }

    #[test]
    fn a_repeated_key_is_caught_in_small_and_large_objects_but_not_across_objects() {
        let object = |keys: &[String]| {
            let members: Vec<String> = keys
                .iter()
                .map(|k| format!("\"{k}\":{{\"{k}\":1}}"))
                .collect();
            format!("{{{}}}", members.join(","))
        };
        let read = |text: &str| Scanner::new(text.as_bytes()).and_then(|mut s| s.value().map(drop));
        for n in [3, object::SCAN_LIMIT, object::SCAN_LIMIT + 1, 200] {
            let mut keys: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
            // Each value repeats its own key inside (another object): not a repeat.
            assert_eq!(read(&object(&keys)), Ok(()), "{n} keys");
            keys.push("k1".into());
            assert_eq!(read(&object(&keys)), Err(Bail), "{n} keys and k1 again");
        }
        assert_eq!(read(r#"[{"a":1},{"a":2}]"#), Ok(()));
        assert_eq!(read(r#"{"a":{"b":1},"b":2,"a":3}"#), Err(Bail));
    }

    #[test]
    fn broken_text_bails() {
        for text in [
            "[1,]",
            "{\"a\"}",
            "[\"a\u{1}\"]",
            "tru",
            "{\"a\":1,\"a\":2}",
            "[1 2]",
            "\"abc",
        ] {
            let mut s = Scanner::new(text.as_bytes()).unwrap();
            assert!(s.value().and_then(|_| s.finish()).is_err(), "{text}");
        }
        assert!(Scanner::new(b"[\"\xff\"]").is_err());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(Scanner::new(deep.as_bytes()).unwrap().value().is_err());
    }
}
