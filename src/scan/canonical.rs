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
//! it.
//!
//! A key repeated in an object is [`Bail`] (the scanner refuses it), as everywhere in the one
//! pass: the tree path decides those pages.

use super::{special_at, Bail, Scanner, Span};
use serde_json::Value;
use std::borrow::Cow;

/// Writes the value at the cursor as `Value::to_string` would write it.
pub fn write(s: &mut Scanner<'_>, out: &mut Vec<u8>) -> Result<(), Bail> {
    match s.peek() {
        Some(b'{') => object(s, out),
        Some(b'[') => write_elements(s, out, write),
        _ => {
            let span = s.value()?;
            scalar(s, span, out)
        }
    }
}

/// Writes the value at `span` as [`write`] does; what is clean and holds no object (whose keys a
/// `Value` would sort) is copied as it is.
pub fn write_span(s: &Scanner<'_>, span: Span, out: &mut Vec<u8>) -> Result<(), Bail> {
    let bytes = s.bytes(span);
    if span.clean && !bytes.contains(&b'{') {
        out.extend_from_slice(bytes);
        Ok(())
    } else {
        write(&mut s.within(span), out)
    }
}

/// Writes the array at the cursor, each element by `element`, comma-separated.
pub fn write_elements(
    s: &mut Scanner<'_>,
    out: &mut Vec<u8>,
    mut element: impl FnMut(&mut Scanner<'_>, &mut Vec<u8>) -> Result<(), Bail>,
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

/// An object: its members sorted by key (as `BTreeMap<String, _>` orders them: by bytes).
fn object(s: &mut Scanner<'_>, out: &mut Vec<u8>) -> Result<(), Bail> {
    let mut members: Vec<(Cow<'_, str>, bool, Span)> = Vec::new();
    s.keyed_members(|s, key, escaped| {
        let span = s.value()?;
        members.push((key, escaped, span));
        Ok(())
    })?;
    members.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    out.push(b'{');
    for (i, (key, escaped, span)) in members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if *escaped {
            serde_json::to_writer(&mut *out, key).map_err(|_| Bail)?;
        } else {
            // Not escaped in the page, and the scanner refuses control characters: nothing to
            // escape.
            out.push(b'"');
            out.extend_from_slice(key.as_bytes());
            out.push(b'"');
        }
        out.push(b':');
        write_span(s, *span, out)?;
    }
    out.push(b'}');
    Ok(())
}

/// A string, number or literal: its bytes when clean, serde_json's text otherwise.
fn scalar(s: &Scanner<'_>, span: Span, out: &mut Vec<u8>) -> Result<(), Bail> {
    let bytes = s.bytes(span);
    if span.clean {
        out.extend_from_slice(bytes);
        return Ok(());
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|_| Bail)?;
    serde_json::to_writer(out, &value).map_err(|_| Bail)
}

/// Writes `text` as a JSON string, escaped exactly as serde_json escapes it: `"` and `\` with a
/// backslash, control characters as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00xx`, nothing else.
pub fn write_as_string(text: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    let mut rest = text;
    loop {
        let plain = special_at(rest);
        let (run, tail) = rest.split_at(plain.min(rest.len()));
        out.extend_from_slice(run);
        let Some((&byte, tail)) = tail.split_first() else {
            break;
        };
        match byte {
            b'"' | b'\\' => out.extend_from_slice(&[b'\\', byte]),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let hex = |nibble: u8| HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
                out.extend_from_slice(b"\\u00");
                out.extend_from_slice(&[hex(byte >> 4), hex(byte & 0xf)]);
            }
        }
        rest = tail;
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str) -> Result<String, Bail> {
        let mut s = Scanner::new(text.as_bytes())?;
        let mut out = Vec::new();
        write(&mut s, &mut out)?;
        s.finish()?;
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
