//! A stream's table: its columns from the stream's JSON schema, created or extended (never
//! narrowed), and the upsert that writes a row.

use super::OwnNames;
use host_harness::StreamDescriptor;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// How a value is stored in a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Integer,
    Real,
    Boolean,
    Text,
    /// Objects and arrays: JSON text.
    Json,
    /// No single type in the schema: JSON text of any value.
    Any,
}

impl Kind {
    fn from_schema(schema: &Value) -> Kind {
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let types: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
        match types.as_slice() {
            ["integer"] => Kind::Integer,
            ["number"] | ["integer", "number"] | ["number", "integer"] => Kind::Real,
            ["boolean"] => Kind::Boolean,
            ["string"] => Kind::Text,
            ["object"] | ["array"] => Kind::Json,
            _ => Kind::Any,
        }
    }

    fn from_declared(decl: &str) -> Kind {
        match decl.to_ascii_uppercase().as_str() {
            "INTEGER" => Kind::Integer,
            "REAL" => Kind::Real,
            "TEXT" => Kind::Text,
            _ => Kind::Any,
        }
    }

    fn declared(self) -> &'static str {
        match self {
            Kind::Integer | Kind::Boolean => "INTEGER",
            Kind::Real => "REAL",
            Kind::Text | Kind::Json => "TEXT",
            Kind::Any => "",
        }
    }
}

/// One column of a stream's table.
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub(super) name: String,
    pub(super) kind: Kind,
    /// Where the value is in the record: one key for a property, more for a nested key field.
    pub(super) path: Vec<String>,
}

/// A stream's table and how records become rows.
#[derive(Debug)]
pub(super) struct Table {
    pub(super) name: String,
    pub(super) incremental: bool,
    /// The primary-key columns, then the others (without the extra and sync columns).
    pub(super) columns: Vec<Column>,
    pub(super) key_len: usize,
    /// Top-level properties that have a column (the rest goes to the extra column).
    pub(super) properties: HashSet<String>,
    pub(super) insert: String,
    /// `DELETE` of the row with a record's key (for a tombstone), when the table has a key.
    pub(super) delete: Option<String>,
    /// For a derived stream: its parent, whose checkpoint covers it.
    pub(super) parent: Option<String>,
    /// For a derived stream: `DELETE` of every row of one parent record (its first key column
    /// is the parent's key), run when the parent's record is a tombstone.
    pub(super) cascade: Option<String>,
    /// The number of this sync of the stream (a derived stream's is its parent's).
    pub(super) sync: i64,
}

/// Double-quotes an SQL identifier.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates or extends the stream's table; returns how to write it.
pub(super) fn prepare_table(
    conn: &Connection,
    names: &OwnNames,
    descriptor: &StreamDescriptor,
    incremental: bool,
    resuming: bool,
) -> anyhow::Result<Table> {
    let name = descriptor.name.as_str();
    if names.reserves(name) {
        anyhow::bail!("the stream name {name:?} is reserved for this tool's own tables");
    }
    let (mut columns, key_len) = columns_of(names, descriptor)?;
    let existing = existing_columns(conn, name)?;
    if existing.is_empty() {
        create_table(conn, names, name, &columns, key_len)?;
    } else {
        extend_table(conn, names, name, &mut columns, key_len, existing)?;
    }
    // A derived stream has no checkpoint of its own: it counts its parent's syncs.
    let counted = descriptor.parent.as_deref().unwrap_or(name);
    let sync = sync_number(conn, names, counted, resuming)?;
    let insert = upsert_sql(names, name, &columns, key_len);
    let delete = (key_len > 0).then(|| delete_sql(name, &columns[..key_len]));
    let cascade = descriptor
        .parent
        .as_ref()
        .filter(|_| key_len > 0)
        .map(|_| delete_sql(name, &columns[..1]));
    Ok(Table {
        delete,
        cascade,
        parent: descriptor.parent.clone(),
        name: name.to_owned(),
        incremental,
        properties: columns
            .iter()
            .filter(|c| c.path.len() == 1)
            .map(|c| c.name.clone())
            .collect(),
        columns,
        key_len,
        insert,
        sync,
    })
}

/// The columns of a stream's table, primary-key columns first, and how many those are.
fn columns_of(
    names: &OwnNames,
    descriptor: &StreamDescriptor,
) -> anyhow::Result<(Vec<Column>, usize)> {
    let name = descriptor.name.as_str();
    let schema: Value = serde_json::from_str(&descriptor.json_schema).unwrap_or(Value::Null);
    let properties: Map<String, Value> = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();

    // Primary-key columns first.
    let mut columns: Vec<Column> = Vec::new();
    let mut taken: HashSet<String> = HashSet::new();
    for path in &descriptor.primary_key {
        if path.is_empty() {
            anyhow::bail!("stream {name} declares an empty primary-key field path");
        }
        let column = path.join(".");
        if names.reserves(&column) || !taken.insert(column.to_lowercase()) {
            anyhow::bail!(
                "stream {name} has a primary-key field {column:?} this tool cannot use as a column"
            );
        }
        let kind = match (path.len(), properties.get(&path[0])) {
            (1, Some(p)) => match Kind::from_schema(p) {
                Kind::Json | Kind::Any => Kind::Text,
                k => k,
            },
            _ => Kind::Text,
        };
        columns.push(Column {
            name: column,
            kind,
            path: path.clone(),
        });
    }
    let key_len = columns.len();
    for (property, schema) in &properties {
        if names.reserves(property) || !taken.insert(property.to_lowercase()) {
            // Lands in the extra column.
            continue;
        }
        columns.push(Column {
            name: property.clone(),
            kind: Kind::from_schema(schema),
            path: vec![property.clone()],
        });
    }

    Ok((columns, key_len))
}

/// A new table: the columns, the extra and sync columns, the primary key.
fn create_table(
    conn: &Connection,
    names: &OwnNames,
    name: &str,
    columns: &[Column],
    key_len: usize,
) -> anyhow::Result<()> {
    let quoted = quote(name);
    let mut defs: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let not_null = if i < key_len { " NOT NULL" } else { "" };
            format!("{} {}{not_null}", quote(&c.name), c.kind.declared()).replace("  ", " ")
        })
        .collect();
    defs.push(format!("{} TEXT", names.extra_column()));
    defs.push(format!("{} INTEGER NOT NULL", names.sync_column()));
    if key_len > 0 {
        let key: Vec<String> = columns[..key_len].iter().map(|c| quote(&c.name)).collect();
        defs.push(format!("PRIMARY KEY ({})", key.join(", ")));
    }
    conn.execute_batch(&format!(
        "CREATE TABLE {quoted} (\n  {}\n)",
        defs.join(",\n  ")
    ))?;
    Ok(())
}

/// An existing table: the same key (else an error), new columns for new properties, and the
/// columns the schema dropped kept (filled from the records that still have them).
fn extend_table(
    conn: &Connection,
    names: &OwnNames,
    name: &str,
    columns: &mut Vec<Column>,
    key_len: usize,
    existing: Vec<ExistingColumn>,
) -> anyhow::Result<()> {
    let quoted = quote(name);
    // The key must not have changed: rows could not be matched any more.
    let mut old_key: Vec<(i64, String)> = existing
        .iter()
        .filter(|c| c.pk > 0)
        .map(|c| (c.pk, c.name.to_lowercase()))
        .collect();
    old_key.sort();
    let old_key: Vec<String> = old_key.into_iter().map(|(_, n)| n).collect();
    let new_key: Vec<String> = columns[..key_len]
        .iter()
        .map(|c| c.name.to_lowercase())
        .collect();
    if old_key != new_key {
        anyhow::bail!(
            "the table {name} has the primary key ({}) but the stream's is now ({}): drop the \
             table (and its row in {}) or use a new database",
            old_key.join(", "),
            new_key.join(", "),
            names.state_table()
        );
    }
    let have: HashSet<String> = existing.iter().map(|c| c.name.to_lowercase()).collect();
    for c in columns.iter() {
        if !have.contains(&c.name.to_lowercase()) {
            conn.execute_batch(&format!(
                "ALTER TABLE {quoted} ADD COLUMN {} {}",
                quote(&c.name),
                c.kind.declared()
            ))?;
        }
    }
    let (extra, sync) = (names.extra_column(), names.sync_column());
    for (column, decl) in [(&extra, "TEXT"), (&sync, "INTEGER NOT NULL DEFAULT 0")] {
        if !have.contains(&column.to_lowercase()) {
            conn.execute_batch(&format!("ALTER TABLE {quoted} ADD COLUMN {column} {decl}"))?;
        }
    }
    // Columns the schema dropped: keep them, filled from the record when it still has them.
    let ours: HashSet<String> = columns
        .iter()
        .map(|c| c.name.to_lowercase())
        .chain([extra.to_lowercase(), sync.to_lowercase()])
        .collect();
    for c in existing {
        if !ours.contains(&c.name.to_lowercase()) && !names.reserves(&c.name) {
            columns.push(Column {
                kind: Kind::from_declared(&c.declared),
                path: vec![c.name.clone()],
                name: c.name,
            });
        }
    }
    Ok(())
}

/// The number of this sync of the stream: the saved one when resuming, else one more.
fn sync_number(
    conn: &Connection,
    names: &OwnNames,
    name: &str,
    resuming: bool,
) -> rusqlite::Result<i64> {
    let sync: Option<i64> = conn
        .query_row(
            &format!("SELECT sync FROM {} WHERE stream = ?1", names.state_table()),
            [name],
            |r| r.get(0),
        )
        .optional()?;
    let sync = match (sync, resuming) {
        (Some(s), true) => s,
        (Some(s), false) => s + 1,
        (None, _) => 1,
    };
    Ok(sync)
}

/// `DELETE … WHERE` each key column is its placeholder, in key order.
fn delete_sql(name: &str, key: &[Column]) -> String {
    let conditions: Vec<String> = key
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} = ?{}", quote(&c.name), i + 1))
        .collect();
    format!(
        "DELETE FROM {} WHERE {}",
        quote(name),
        conditions.join(" AND ")
    )
}

/// `INSERT … ON CONFLICT (key) DO UPDATE` over every column, the extra and sync columns last.
fn upsert_sql(own: &OwnNames, name: &str, columns: &[Column], key_len: usize) -> String {
    let quoted = quote(name);
    let mut names: Vec<String> = columns.iter().map(|c| quote(&c.name)).collect();
    names.push(own.extra_column());
    names.push(own.sync_column());
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let mut insert = format!(
        "INSERT INTO {quoted} ({}) VALUES ({})",
        names.join(", "),
        placeholders.join(", ")
    );
    if key_len > 0 {
        let updates: Vec<String> = names[key_len..]
            .iter()
            .map(|n| format!("{n} = excluded.{n}"))
            .collect();
        insert.push_str(&format!(
            " ON CONFLICT ({}) DO UPDATE SET {}",
            names[..key_len].join(", "),
            updates.join(", ")
        ));
    }
    insert
}

struct ExistingColumn {
    name: String,
    declared: String,
    pk: i64,
}

fn existing_columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<ExistingColumn>> {
    let mut stmt = conn.prepare("SELECT name, type, pk FROM pragma_table_info(?1)")?;
    let rows = stmt.query_map([table], |r| {
        Ok(ExistingColumn {
            name: r.get(0)?,
            declared: r.get(1)?,
            pk: r.get(2)?,
        })
    })?;
    rows.collect()
}
