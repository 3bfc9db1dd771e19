//! A value's JSON text exactly as `serde_json::Value` writes it, straight from the page.
//!
//! Why: a custom field's `value_json` is `Value::to_string` of its `value`, and building that
//! `Value` only to write it again was a quarter of the one pass (natively, on simulator pages:
//! users, attachments, linked tasks and locations are arrays of objects). `Value`'s text differs
//! from the page's in two ways only: an object's members come sorted by key (its map is a
//! `BTreeMap`), and what is not clean (see [`super`]) is written as serde_json writes it. So
//! [`write`] copies what is clean and has no object inside, sorts the members of the objects,
//! and hands every string or number that is not clean to serde_json, that value alone.
//!
//! [`write_as_string`] then writes a JSON text as a JSON string, escaped as serde_json escapes
//! it. [`write_escaped_with`] writes a value's text already escaped so (what `write_as_string`
//! of [`write`]'s text gives, without its quotes), in the same pass: a custom field's
//! `value_json` is made that way, with no second pass over its text.
//!
//! A key repeated in an object is [`Bail`], as everywhere in the one pass: the tree path decides
//! those pages. The objects written here find it by their sort (see `object`); the scanner
//! refuses it in the values they hold.

use super::{special_at, Bail, Key, Scanner, Span};
use serde_json::Value;

/// Writes the value at the cursor as `Value::to_string` would write it. Says whether the value's
/// text in the page is clean (what [`Scanner::value`] says of it), so that a caller that copies
/// the value as well need not read it again.
pub fn write(s: &mut Scanner<'_>, out: &mut Vec<u8>) -> Result<bool, Bail> {
    write_with(s, out, &mut Vec::new())
}

/// An object's member on its way to being sorted: its key, whether the key had escapes, and
/// where its value is.
pub type Member<'a> = (Key<'a>, bool, Span);

/// [`write`], with one list for the members of every object being sorted (nested objects use
/// the list past their parent's members: nothing to allocate per object).
pub fn write_with<'a>(
    s: &mut Scanner<'a>,
    out: &mut Vec<u8>,
    members: &mut Vec<Member<'a>>,
) -> Result<bool, Bail> {
    any(s, &mut Plain(out), members)
}

/// [`write_with`]'s text escaped as a JSON string's contents, as [`write_as_string`] escapes it
/// (without the quotes around it), written in the same pass. Says what [`write`] says.
pub fn write_escaped_with<'a>(
    s: &mut Scanner<'a>,
    out: &mut Vec<u8>,
    members: &mut Vec<Member<'a>>,
) -> Result<bool, Bail> {
    any(s, &mut Escaped(out), members)
}

/// Where the canonical text goes: as it is ([`Plain`]), or escaped as a string's contents
/// ([`Escaped`]).
trait Out {
    /// The buffer written to.
    fn buffer(&mut self) -> &mut Vec<u8>;
    /// Bytes that no escape can change (punctuation, numbers, literals).
    fn raw(&mut self, bytes: &[u8]) {
        self.buffer().extend_from_slice(bytes);
    }
    /// A string with nothing to escape inside (a clean key or string), given without its quotes.
    fn quoted(&mut self, inner: &[u8]);
    /// Any JSON text.
    fn text(&mut self, text: &[u8]);
}

/// The canonical text as it is.
struct Plain<'o>(&'o mut Vec<u8>);

impl Out for Plain<'_> {
    fn buffer(&mut self) -> &mut Vec<u8> {
        self.0
    }

    fn quoted(&mut self, inner: &[u8]) {
        self.0.push(b'"');
        self.0.extend_from_slice(inner);
        self.0.push(b'"');
    }

    fn text(&mut self, text: &[u8]) {
        self.0.extend_from_slice(text);
    }
}

/// The canonical text escaped as a JSON string's contents.
struct Escaped<'o>(&'o mut Vec<u8>);

impl Out for Escaped<'_> {
    fn buffer(&mut self) -> &mut Vec<u8> {
        self.0
    }

    fn quoted(&mut self, inner: &[u8]) {
        self.0.extend_from_slice(b"\\\"");
        self.0.extend_from_slice(inner);
        self.0.extend_from_slice(b"\\\"");
    }

    fn text(&mut self, text: &[u8]) {
        escape_into(text, self.0);
    }
}

/// The value at the cursor, canonical, into `out`.
fn any<'a>(
    s: &mut Scanner<'a>,
    out: &mut impl Out,
    members: &mut Vec<Member<'a>>,
) -> Result<bool, Bail> {
    match s.peek() {
        Some(b'{') => object(s, out, members),
        Some(b'[') => {
            out.raw(b"[");
            let (mut first, mut clean) = (true, true);
            let tidy = s.elements(|s| {
                if !first {
                    out.raw(b",");
                }
                first = false;
                clean &= any(s, out, members)?;
                Ok(())
            })?;
            out.raw(b"]");
            Ok(tidy && clean)
        }
        _ => {
            let span = s.value()?;
            scalar(s, span, out)?;
            Ok(span.clean)
        }
    }
}

/// Writes the value at `span` as [`write`] does; what is clean and holds no object (whose keys a
/// `Value` would sort) is copied as it is.
fn write_span<'a>(
    s: &Scanner<'a>,
    span: Span,
    out: &mut impl Out,
    members: &mut Vec<Member<'a>>,
) -> Result<(), Bail> {
    let bytes = s.bytes(span);
    // A clean scalar, or a clean array without an object in it, is its own text.
    match bytes.first() {
        Some(b'[') if span.clean && !bytes.contains(&b'{') => {
            out.text(bytes);
            Ok(())
        }
        Some(b'{' | b'[') => any(&mut s.within(span), out, members).map(drop),
        _ => scalar(s, span, out),
    }
}

/// Writes the array at the cursor, each element by `element`, comma-separated.
pub fn write_elements<'a>(
    s: &mut Scanner<'a>,
    out: &mut Vec<u8>,
    mut element: impl FnMut(&mut Scanner<'a>, &mut Vec<u8>) -> Result<(), Bail>,
) -> Result<(), Bail> {
    out.push(b'[');
    let mut first = true;
    s.elements(|s| {
        if !first {
            out.push(b',');
        }
        first = false;
        element(s, out)
    })?;
    out.push(b']');
    Ok(())
}

/// An object: its members sorted by key (as `BTreeMap<String, _>` orders them: by bytes). A
/// repeated key is found by the sort, not by hashing each key: any comparison sort compares two
/// equal keys with each other (two that it never compared could be swapped without changing any
/// answer it had, so it could not have ordered them had they differed).
fn object<'a>(
    s: &mut Scanner<'a>,
    out: &mut impl Out,
    members: &mut Vec<Member<'a>>,
) -> Result<bool, Bail> {
    let base = members.len();
    let mut clean = true;
    let mut object = s.open_object()?;
    while let Some((key, escaped)) = s.next_key_unchecked(&mut object)? {
        let span = s.value()?;
        clean &= !escaped && span.clean;
        members.push((key, escaped, span));
    }
    let tidy = object.tidy();
    let end = members.len();
    let mut repeated = false;
    members
        .get_mut(base..)
        .unwrap_or_default()
        .sort_unstable_by(|a, b| {
            let order = key_order(&a.0, &b.0);
            repeated |= order.is_eq();
            order
        });
    if repeated {
        return Err(Bail);
    }
    out.raw(b"{");
    for i in base..end {
        // Taken, not cloned: this member is not read again (a value written below adds its
        // own members after `end`, and takes them off again).
        let Some((key, escaped, span)) = members
            .get_mut(i)
            .map(|member| (std::mem::take(&mut member.0), member.1, member.2))
        else {
            break;
        };
        if i > base {
            out.raw(b",");
        }
        if escaped {
            // Unescaped by serde_json, so UTF-8.
            let key = crate::scan::str_of(&key).ok_or(Bail)?;
            out.text(&serde_json::to_vec(key).map_err(|_| Bail)?);
        } else {
            // Not escaped in the page, and the scanner refuses control characters: nothing to
            // escape. (Its bytes go into the text, which is checked as UTF-8 with the record.)
            out.quoted(&key);
        }
        out.raw(b":");
        write_span(s, span, out, members)?;
    }
    out.raw(b"}");
    members.truncate(base);
    Ok(tidy && clean)
}

/// Two keys in the order of their bytes (as `str` and a `BTreeMap` order them), decided by their
/// first eight bytes as one big-endian word when those differ (a shorter key padded with zeros:
/// a prefix still comes first). Inside wasm, comparing two slices is `memcmp`, a byte loop.
fn key_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let head = |key: &[u8]| match key.first_chunk::<8>() {
        Some(word) => u64::from_be_bytes(*word),
        None => (0..8).fold(0, |w, i| {
            w << 8 | u64::from(key.get(i).copied().unwrap_or(0))
        }),
    };
    head(a).cmp(&head(b)).then_with(|| a.cmp(b))
}

/// A string, number or literal: its bytes when clean (or a string [`string_as_written`]),
/// serde_json's text otherwise.
fn scalar(s: &Scanner<'_>, span: Span, out: &mut impl Out) -> Result<(), Bail> {
    let bytes = s.bytes(span);
    if span.clean {
        match bytes {
            // A clean string has no escape inside.
            [b'"', inner @ .., b'"'] => out.quoted(inner),
            _ => out.raw(bytes),
        }
        return Ok(());
    }
    if string_as_written(bytes) {
        out.text(bytes);
        return Ok(());
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|_| Bail)?;
    out.text(&serde_json::to_vec(&value).map_err(|_| Bail)?);
    Ok(())
}

/// Whether `text`, a string the scanner read (not clean: it has escapes), is exactly what
/// serde_json writes for it: every escape is serde_json's own (`\"`, `\\`, `\b`, `\t`, `\n`, `\f`,
/// `\r`, and `\u00xx` in small hex for the other control characters; serde_json writes any other
/// character as itself). Such a string's bytes are its text, as a clean value's are: a text with
/// line breaks in it (a task's `description`) is copied, not parsed and written again.
pub fn string_as_written(text: &[u8]) -> bool {
    let Some(mut rest) = text.strip_prefix(b"\"").and_then(|t| t.strip_suffix(b"\"")) else {
        return false;
    };
    loop {
        let at = special_at(rest);
        let Some((&byte, tail)) = rest.get(at..).and_then(<[u8]>::split_first) else {
            return true;
        };
        if byte != b'\\' {
            return false;
        }
        rest = match tail {
            [b'"' | b'\\' | b'b' | b't' | b'n' | b'f' | b'r', more @ ..] => more,
            [b'u', b'0', b'0', high @ (b'0' | b'1'), low, more @ ..] => {
                let low = match low {
                    b'0'..=b'9' => low - b'0',
                    b'a'..=b'f' => low - b'a' + 10,
                    _ => return false,
                };
                let code = (high - b'0') << 4 | low;
                // serde_json writes these five with their short escapes.
                if matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                    return false;
                }
                more
            }
            _ => return false,
        };
    }
}

/// Writes `text` as a JSON string, escaped exactly as serde_json escapes it: `"` and `\` with a
/// backslash, control characters as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00xx`, nothing else.
pub fn write_as_string(text: &[u8], out: &mut Vec<u8>) {
    out.reserve(text.len() + text.len() / 4 + 2);
    out.push(b'"');
    escape_into(text, out);
    out.push(b'"');
}

/// [`write_as_string`] without the quotes: `text` escaped as a string's contents.
fn escape_into(text: &[u8], out: &mut Vec<u8>) {
    escape_pieces(text, |piece| match piece {
        Piece::Run(run) => out.extend_from_slice(text.get(run).unwrap_or_default()),
        Piece::Escape(escape) => out.extend_from_slice(escape),
    });
}

/// A piece of a text escaped as a JSON string's contents ([`escape_pieces`]).
pub(crate) enum Piece<'e> {
    /// A run of the text's bytes that need no escape, by its place in the text. It ends at an
    /// ASCII byte or the text's end, so a run of a `str` is a `str`.
    Run(std::ops::Range<usize>),
    /// The escape of one byte.
    Escape(&'e [u8]),
}

/// Gives `text`'s pieces, in order, escaped exactly as serde_json escapes a string: `"` and `\`
/// with a backslash, control characters as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00xx`, nothing
/// else. The runs between them are found eight bytes a step ([`special_at`]).
#[inline]
pub(crate) fn escape_pieces(text: &[u8], mut piece: impl FnMut(Piece<'_>)) {
    let mut at = 0;
    loop {
        let plain = special_at(text.get(at..).unwrap_or_default());
        if plain > 0 {
            piece(Piece::Run(at..at + plain));
        }
        at += plain;
        let Some(&byte) = text.get(at) else {
            break;
        };
        match byte {
            b'"' | b'\\' => piece(Piece::Escape(&[b'\\', byte])),
            0x08 => piece(Piece::Escape(b"\\b")),
            b'\t' => piece(Piece::Escape(b"\\t")),
            b'\n' => piece(Piece::Escape(b"\\n")),
            0x0c => piece(Piece::Escape(b"\\f")),
            b'\r' => piece(Piece::Escape(b"\\r")),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let hex = |nibble: u8| HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
                piece(Piece::Escape(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    hex(byte >> 4),
                    hex(byte & 0xf),
                ]));
            }
        }
        at += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str) -> Result<String, Bail> {
        let mut s = Scanner::new(text.as_bytes())?;
        let mut out = Vec::new();
        let clean = write(&mut s, &mut out)?;
        s.finish()?;
        let mut again = Scanner::new(text.as_bytes())?;
        assert_eq!(again.value().map(|span| span.clean), Ok(clean), "{text}");
        String::from_utf8(out).map_err(|_| Bail)
    }

    #[test]
    fn values_are_written_as_serde_json_writes_them() {
        for text in [
            r#"{"b":1,"a":{"d":[{"z":1,"y":2}],"c":null}}"#,
            r#" [ {"b" : 1.50, "a":"x\u00e9\n"} , -0, 1e3, 12345678901234567890 ] "#,
            r#"{"a\u0062":true,"aa":false,"\"":"\\"}"#,
            r#"{"é":1,"e":2,"z":3,"Z":4}"#,
            r#"{"formatted_address":"Alexanderplatz 1","location":{"lng":14.04,"lat":53.3}}"#,
            r#""plain""#,
            "[]",
            "{}",
            "7",
            "2.0",
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(canonical(text), Ok(value.to_string()), "{text}");
            let mut escaped = Vec::new();
            write_escaped_with(
                &mut Scanner::new(text.as_bytes()).unwrap(),
                &mut escaped,
                &mut Vec::new(),
            )
            .unwrap();
            let quoted = serde_json::to_string(&value.to_string()).unwrap();
            assert_eq!(
                String::from_utf8(escaped).unwrap(),
                quoted[1..quoted.len() - 1],
                "{text}"
            );
        }
    }

    proptest::proptest! {
        /// On any text: the text a `Value` writes, and the scanner's word on whether it is clean.
        #[test]
        fn any_text_is_written_as_a_value_writes_it_and_called_clean_as_the_scanner_does(
            value in crate::streams::task_pages::tests::any_json(),
            style in crate::streams::task_pages::tests::style(),
        ) {
            let text = crate::streams::task_pages::tests::text(&value, style);
            let Ok(parsed) = serde_json::from_slice::<Value>(&text) else { return Ok(()) };
            let mut s = Scanner::new(&text).map_err(|_| proptest::test_runner::TestCaseError::fail("not UTF-8"))?;
            let mut out = Vec::new();
            let Ok(clean) = write(&mut s, &mut out) else { return Ok(()) };
            proptest::prop_assert_eq!(String::from_utf8(out).ok(), Some(parsed.to_string()));
            let span = Scanner::new(&text).and_then(|mut again| again.value());
            proptest::prop_assert_eq!(span.map(|span| span.clean), Ok(clean));
        }

        /// A key repeated in any object, however deep, is [`Bail`] (serde_json would keep the
        /// last, and the tree path decides such pages).
        #[test]
        fn a_repeated_key_anywhere_bails(
            value in crate::streams::task_pages::tests::any_json(),
            style in crate::streams::task_pages::tests::repeating_style(),
        ) {
            fn has_member(value: &Value) -> bool {
                match value {
                    Value::Object(map) => !map.is_empty() || map.values().any(has_member),
                    Value::Array(items) => items.iter().any(has_member),
                    _ => false,
                }
            }
            let text = crate::streams::task_pages::tests::text(&value, style);
            let Ok(mut s) = Scanner::new(&text) else { return Ok(()) };
            let written = write(&mut s, &mut Vec::new());
            if has_member(&value) {
                proptest::prop_assert_eq!(written, Err(Bail));
            }
        }

        /// On any text: the escaped writer gives what escaping the plain writer's text gives,
        /// and says the same of cleanliness.
        #[test]
        fn the_escaped_text_is_the_plain_text_escaped(
            value in crate::streams::task_pages::tests::any_json(),
            style in crate::streams::task_pages::tests::style(),
        ) {
            let text = crate::streams::task_pages::tests::text(&value, style);
            let read = |escaped: bool| -> Result<(Vec<u8>, bool), Bail> {
                let mut s = Scanner::new(&text)?;
                let mut out = Vec::new();
                let clean = if escaped {
                    write_escaped_with(&mut s, &mut out, &mut Vec::new())?
                } else {
                    write(&mut s, &mut out)?
                };
                Ok((out, clean))
            };
            let (Ok(plain), escaped) = (read(false), read(true)) else { return Ok(()) };
            let mut expected = Vec::new();
            write_as_string(&plain.0, &mut expected);
            let inner = expected.get(1..expected.len() - 1).map(<[u8]>::to_vec);
            proptest::prop_assert_eq!(escaped.map(|(text, clean)| (Some(text), clean)), Ok((inner, plain.1)));
        }
    }

    /// One character of a string's text written one of the ways JSON allows (`way` from 0 to
    /// 9): mostly as serde_json writes it, else with its short escape (`\/` among them) or as
    /// `\uXXXX` in capital or small hex.
    fn written(c: char, way: u8) -> String {
        let short = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '/' => Some("\\/"),
            '\u{8}' => Some("\\b"),
            '\t' => Some("\\t"),
            '\n' => Some("\\n"),
            '\u{c}' => Some("\\f"),
            '\r' => Some("\\r"),
            _ => None,
        };
        let hex = |upper: bool| {
            c.encode_utf16(&mut [0u16; 2])
                .iter()
                .map(|u| {
                    if upper {
                        format!("\\u{u:04X}")
                    } else {
                        format!("\\u{u:04x}")
                    }
                })
                .collect::<String>()
        };
        match (way, short) {
            (0..=6, _) if c >= ' ' && c != '"' && c != '\\' => c.to_string(),
            (0..=6, Some(short)) if c != '/' => short.to_owned(),
            (7, Some(short)) => short.to_owned(),
            (8, _) => hex(true),
            _ => hex(false),
        }
    }

    /// Holds [`string_as_written`] to serde_json on `text`: as written exactly when serde_json
    /// writes it back as it is.
    fn check_as_written(text: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        let parsed: String = serde_json::from_str(text).unwrap();
        let written = serde_json::to_string(&parsed).unwrap();
        proptest::prop_assert_eq!(
            string_as_written(text.as_bytes()),
            written == text,
            "{}",
            text
        );
        proptest::prop_assert!(string_as_written(written.as_bytes()), "{}", written);
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn a_string_is_as_written_when_serde_json_writes_it_so(
            chars in proptest::collection::vec((proptest::char::any(), 0..10u8), 0..16)
        ) {
            let inner: String = chars.into_iter().map(|(c, way)| written(c, way)).collect();
            check_as_written(&format!("\"{inner}\""))?;
        }
    }

    #[test]
    fn every_ascii_character_every_way_is_as_written_when_serde_json_writes_it_so() {
        for c in (0u8..0x80).map(char::from).chain(['é', '\u{2028}', '😀']) {
            for way in 0..10 {
                let one = written(c, way);
                check_as_written(&format!("\"{one}\"")).unwrap();
                check_as_written(&format!("\"a{one}b{one}\"")).unwrap();
            }
        }
    }

    #[test]
    fn keys_are_ordered_as_strings_are() {
        let keys = [
            "",
            "\u{0}",
            "a",
            "a\u{0}",
            "ab",
            "abcdefgh",
            "abcdefgh\u{0}",
            "abcdefghi",
            "abcdefgi",
            "b",
            "é",
            "Z",
            "zzzzzzzzzz",
            "id",
            "ids",
            "i",
        ];
        for a in keys {
            for b in keys {
                assert_eq!(
                    key_order(a.as_bytes(), b.as_bytes()),
                    a.cmp(b),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn a_repeated_key_bails() {
        assert_eq!(canonical(r#"{"a":1,"b":{"c":1,"c":2}}"#), Err(Bail));
        assert_eq!(canonical(r#"{"ab":1,"a\u0062":2}"#), Err(Bail));
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        for text in [
            every_ascii.as_str(),
            r#"{"a":"b\"c","d":"\\"}"#,
            "é \u{2028} 😀",
            "",
        ] {
            let mut out = Vec::new();
            write_as_string(text.as_bytes(), &mut out);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(text).unwrap()
            );
        }
    }
}
