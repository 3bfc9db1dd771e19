//! Reading a database back: the demo's query, printed as `sqlite3 -header -column` would, and the
//! command line that a user can paste to run it themselves.

use super::open_existing;
use anyhow::Context;
use rusqlite::types::ValueRef;
use std::path::Path;

/// Runs a query on the database at `path` and formats the result as an aligned text table
/// (header, rule, rows; `NULL` as empty), as `sqlite3 -header -column` would.
pub fn query_table(path: &Path, sql: &str) -> anyhow::Result<String> {
    let conn = open_existing(path)?;
    let mut stmt = conn
        .prepare(sql)
        .with_context(|| format!("cannot run the query {sql}"))?;
    let header: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut result = stmt.query([])?;
    while let Some(row) = result.next()? {
        let mut cells = Vec::with_capacity(header.len());
        for i in 0..header.len() {
            cells.push(match row.get_ref(i)? {
                ValueRef::Null => String::new(),
                ValueRef::Integer(n) => n.to_string(),
                ValueRef::Real(f) => f.to_string(),
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                ValueRef::Blob(b) => format!("<{} bytes>", b.len()),
            });
        }
        rows.push(cells);
    }
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = line(&header);
    out.push('\n');
    out.push_str(&line(
        &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(),
    ));
    for r in &rows {
        out.push('\n');
        out.push_str(&line(r));
    }
    Ok(out)
}

/// A word for a POSIX shell command line: as is when it is plain, else single-quoted.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
