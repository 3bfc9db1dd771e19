//! A row's JSON text, written member by member.
//!
//! Why by hand: serde_json's writer escapes a string byte by byte, and a row is mostly strings
//! (ids, the field's name and type, `value_json`, which is JSON text quoted again). In wasm,
//! writing the rows with `serde_json::to_string` was 40% of their time (a profile of the
//! `read-page-and-children` call, BENCHMARKS.md section 2). Here each string is copied in runs
//! between the bytes that need an escape ([`canonical::write_as_string`], eight bytes at a
//! time), the rest as serde_json writes it. `value_json` is copied whole when the task record
//! already holds it as serde_json writes it (the one pass wrote it there: quoting JSON text
//! escapes every quote in it, and that escaping was a tenth of a page's instructions with the
//! child streams). The text is what `serde_json::to_string` writes of the [`Row`]: the module's
//! tests hold every row to the text of its `Value`.

use super::{Row, ValueJson};
use crate::scan::canonical::write_as_string;
use serde_json::Number;

impl Row<'_> {
    /// The row as JSON text, its members in the order of [`Row`]'s declaration.
    pub(super) fn text(&self) -> String {
        let extra = match &self.value_json {
            Some(ValueJson::Text(text)) => text.len() + text.len() / 4,
            Some(ValueJson::Written(written)) => written.len(),
            None => 0,
        };
        let mut out = Vec::with_capacity(384 + extra);
        out.extend_from_slice(b"{\"_ab_cdc_deleted_at\":");
        optional(&mut out, self.deleted_at);
        out.extend_from_slice(b",\"field_id\":");
        copied(&mut out, self.written.id, Some(self.field_id));
        out.extend_from_slice(b",\"field_name\":");
        copied(&mut out, self.written.name, self.field_name);
        out.extend_from_slice(b",\"field_type\":");
        copied(&mut out, self.written.kind, self.field_type);
        out.extend_from_slice(b",\"task_id\":");
        string(&mut out, self.task_id);
        out.extend_from_slice(b",\"value_bool\":");
        out.extend_from_slice(match self.value_bool {
            Some(true) => b"true",
            Some(false) => b"false",
            None => b"null",
        });
        out.extend_from_slice(b",\"value_date\":");
        optional(&mut out, self.value_date.as_deref());
        out.extend_from_slice(b",\"value_json\":");
        match &self.value_json {
            Some(ValueJson::Text(text)) => string(&mut out, text),
            // Already a JSON string written as serde_json writes one.
            Some(ValueJson::Written(written)) => out.extend_from_slice(written.as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"value_number\":");
        number(&mut out, self.value_number.as_ref());
        out.extend_from_slice(b",\"value_option_ids\":");
        strings(&mut out, self.value_option_ids.as_deref());
        out.extend_from_slice(b",\"value_option_labels\":");
        strings(&mut out, self.value_option_labels.as_deref());
        out.extend_from_slice(b",\"value_task_ids\":");
        strings(&mut out, self.value_task_ids.as_deref());
        out.extend_from_slice(b",\"value_text\":");
        optional(&mut out, self.value_text.as_deref());
        out.extend_from_slice(b",\"value_user_ids\":");
        strings(&mut out, self.value_user_ids.as_deref());
        out.extend_from_slice(b",\"workspace_id\":");
        string(&mut out, self.workspace_id);
        out.push(b'}');
        // Only `str`s and ASCII were written: always UTF-8 (serde_json's text otherwise).
        // Checked by `string_of` (a vector step of 64 bytes inside wasm; `String::from_utf8`
        // takes four bytes a step there, and was a fifth of this function).
        crate::scan::string_of(out)
            .unwrap_or_else(|| serde_json::to_string(self).unwrap_or_default())
    }
}

fn string(out: &mut Vec<u8>, text: &str) {
    write_as_string(text.as_bytes(), out);
}

/// A string as the record wrote it when it did (already escaped as serde_json escapes: see
/// [`super::scanned::Written`]), else `text` written as a string, or null.
fn copied(out: &mut Vec<u8>, written: Option<&str>, text: Option<&str>) {
    match written {
        Some(written) => out.extend_from_slice(written.as_bytes()),
        None => optional(out, text),
    }
}

fn optional(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => string(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

fn strings(out: &mut Vec<u8>, items: Option<&[String]>) {
    let Some(items) = items else {
        out.extend_from_slice(b"null");
        return;
    };
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, item);
    }
    out.push(b']');
}

/// A number as serde_json writes it (a `Number` always serialises: it is finite).
fn number(out: &mut Vec<u8>, n: Option<&Number>) {
    match n {
        Some(n) => {
            if serde_json::to_writer(&mut *out, n).is_err() {
                out.extend_from_slice(b"null");
            }
        }
        None => out.extend_from_slice(b"null"),
    }
}
