//! A SQLite database as the destination of a sync (`read --sqlite FILE`, and the demo).
//!
//! # Layout
//!
//! One table per stream, named after the stream. One column per top-level property of the
//! stream's JSON schema: `integer` → `INTEGER`, `number` → `REAL`, `boolean` → `INTEGER` (0/1),
//! `string` (dates as RFC 3339 text) → `TEXT`; objects and arrays → `TEXT` holding JSON, to query
//! with `json_extract(status, '$.status')`. The stream's primary key is the table's `PRIMARY KEY`
//! (`members`: `(workspace_id, id)`; the others: `id`). Two more columns:
//!
//! - `_clickup_extra`: a JSON object with the record's properties that have no column (ClickUp
//!   fields newer than the schema), `NULL` when there are none: no data is ever dropped.
//! - `_clickup_sync`: the number of the stream's sync that last wrote the row (counts up from 1;
//!   the current one is `_clickup_state.sync`).
//!
//! A value that its column cannot hold exactly (a string where the schema says integer, an
//! integer beyond 64 bits) is stored as well as the column allows and also, exact, under its
//! name in `_clickup_extra`.
//!
//! A property that the schema gains later becomes a new column (`ALTER TABLE ADD COLUMN`) on the
//! next sync; a column the schema no longer has is kept, and filled from the records that still
//! have the property.
//!
//! # Writing
//!
//! Rows are upserted on the primary key (`INSERT … ON CONFLICT DO UPDATE`), so an incremental
//! sync that re-emits a changed task updates its row instead of adding a second one. A
//! full-refresh stream is a complete snapshot each time: its rows are upserted as they come and,
//! when the stream completes, the rows that this sync did not see (an older `_clickup_sync`) are
//! deleted, in the same transaction as its last page. The table is queryable at every moment and
//! always holds whole rows; it matches the source's snapshot once the stream completes.
//!
//! # Exactly once
//!
//! The sync state lives in the same database (table `_clickup_state`: `stream`, `state`,
//! `cursor`, `sync`, `updated_at`). Each page's rows and the checkpoint that covers them are
//! committed in one SQLite transaction. A sync killed at any point (crash, power loss, Ctrl-C)
//! leaves the database at the end of a page, with the state of exactly that page; the next run
//! reads its state from the database and continues with the next page. Every record is therefore
//! applied exactly once, even mid-stream, and a full-refresh stream resumed mid-way keeps the rows
//! of its first pages (they carry the same `_clickup_sync`).
//!
//! # Records that cannot be stored
//!
//! A record that is not a JSON object, or lacks a value for a primary-key field, cannot be keyed.
//! It is not dropped and does not stop the sync: it goes to the table `_clickup_rejected`
//! (`stream`, `reason`, `record`, `rejected_at`), counted in [`SqliteDestination::rejected`].

use crate::bindings::StreamDescriptor;
use crate::sync::{Checkpoint, Observer, StreamChoice, SyncState};
use anyhow::Context;
use rusqlite::types::{Value as Sql, ValueRef};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The table holding each stream's checkpoint.
pub const STATE_TABLE: &str = "_clickup_state";
/// The table holding records that could not be keyed.
pub const REJECTED_TABLE: &str = "_clickup_rejected";
/// The column with the properties that have no column of their own.
pub const EXTRA_COLUMN: &str = "_clickup_extra";
/// The column with the number of the stream's sync that last wrote the row.
pub const SYNC_COLUMN: &str = "_clickup_sync";
/// The current time as RFC 3339 UTC text, in SQL.
const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// How a value is stored in a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
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

    /// Whether a JSON value is stored exactly in a column of this kind (else it is also kept,
    /// exactly, in `_clickup_extra`).
    fn fits(self, value: &Value) -> bool {
        const EXACT: i64 = 1 << 53;
        match (self, value) {
            (_, Value::Null) | (Kind::Json | Kind::Any, _) => true,
            (Kind::Text, v) => !v.is_object() && !v.is_array(),
            (Kind::Integer, v) => v.is_boolean() || v.is_i64(),
            (Kind::Boolean, v) => v.is_boolean(),
            (Kind::Real, Value::Number(n)) => n
                .as_i64()
                .map_or(n.is_f64(), |i| (-EXACT..=EXACT).contains(&i)),
            (Kind::Real, _) => false,
        }
    }

    /// The SQL value of a JSON value in a column of this kind. Never fails: a value of another
    /// type than the schema says is stored as what it is (objects and arrays as JSON text).
    fn to_sql(self, value: &Value) -> Sql {
        match (self, value) {
            (_, Value::Null) => Sql::Null,
            (Kind::Json | Kind::Any, v) => Sql::Text(v.to_string()),
            (_, Value::Bool(b)) => Sql::Integer(i64::from(*b)),
            (_, Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Sql::Integer(i),
                // Beyond i64 (a u64): as text, which keeps every digit.
                (None, _) if n.is_u64() => Sql::Text(n.to_string()),
                (None, Some(f)) => Sql::Real(f),
                (None, None) => Sql::Text(n.to_string()),
            },
            (_, Value::String(s)) => Sql::Text(s.clone()),
            (_, v) => Sql::Text(v.to_string()),
        }
    }
}

/// One column of a stream's table.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    kind: Kind,
    /// Where the value is in the record: one key for a property, more for a nested key field.
    path: Vec<String>,
}

/// A stream's table and how records become rows.
#[derive(Debug)]
struct Table {
    name: String,
    incremental: bool,
    /// The primary-key columns, then the others (without the two `_clickup_` columns).
    columns: Vec<Column>,
    key_len: usize,
    /// Top-level properties that have a column (the rest goes to `_clickup_extra`).
    properties: HashSet<String>,
    insert: String,
    /// The number of this sync of the stream.
    sync: i64,
}

/// A SQLite database as a sync's destination (see the module docs).
pub struct SqliteDestination {
    path: PathBuf,
    conn: Connection,
    tables: BTreeMap<String, Table>,
    /// Rows written in the open transaction, per stream.
    pending: BTreeMap<String, u64>,
    pending_rejected: BTreeMap<String, u64>,
    /// Rows committed in this sync, per stream.
    pub written: BTreeMap<String, u64>,
    /// Records committed to `_clickup_rejected` in this sync, per stream.
    pub rejected: BTreeMap<String, u64>,
}

/// Double-quotes an SQL identifier.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
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

fn reserved(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("_clickup_") || lower.starts_with("sqlite_")
}

impl SqliteDestination {
    /// Opens (creating) the database at `path` for a sync of `streams`, whose tables are made or
    /// extended from the discovered `descriptors`. `state` is the state the sync starts from: a
    /// stream with a cursor in it resumes, and keeps its rows from before the interruption.
    pub fn open(
        path: &Path,
        descriptors: &[StreamDescriptor],
        streams: &[StreamChoice],
        state: &SyncState,
    ) -> anyhow::Result<SqliteDestination> {
        let conn = connect(path)?;
        let context = || format!("cannot prepare the SQLite database {}", path.display());
        conn.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {STATE_TABLE} (
                stream TEXT PRIMARY KEY NOT NULL,
                state TEXT,
                cursor TEXT,
                sync INTEGER NOT NULL,
                updated_at TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS {REJECTED_TABLE} (
                stream TEXT NOT NULL,
                reason TEXT NOT NULL,
                record TEXT NOT NULL,
                rejected_at TEXT NOT NULL);"
        ))
        .with_context(context)?;
        let mut tables = BTreeMap::new();
        for choice in streams {
            let Some(descriptor) = descriptors.iter().find(|d| d.name == choice.name) else {
                // The connector will refuse the stream with its own message.
                continue;
            };
            let resuming = state.get(&choice.name).is_some_and(|c| c.cursor.is_some());
            let table = prepare_table(&conn, descriptor, choice.incremental, resuming)
                .with_context(context)?;
            tables.insert(choice.name.clone(), table);
        }
        Ok(SqliteDestination {
            path: path.to_owned(),
            conn,
            tables,
            pending: BTreeMap::new(),
            pending_rejected: BTreeMap::new(),
            written: BTreeMap::new(),
            rejected: BTreeMap::new(),
        })
    }

    /// The state saved in the database at `path` (empty when the file or the table is absent).
    pub fn load_state(path: &Path) -> anyhow::Result<SyncState> {
        if !path.exists() {
            return Ok(SyncState::new());
        }
        let conn = open_existing(path)?;
        let read = || -> anyhow::Result<SyncState> {
            let exists: Option<i64> = conn
                .query_row(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [STATE_TABLE],
                    |r| r.get(0),
                )
                .optional()?;
            let mut state = SyncState::new();
            if exists.is_none() {
                return Ok(state);
            }
            let mut stmt =
                conn.prepare(&format!("SELECT stream, state, cursor FROM {STATE_TABLE}"))?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?;
            for row in rows {
                let (stream, s, c) = row?;
                let parse = |text: Option<String>, what: &str| -> anyhow::Result<Option<Value>> {
                    text.map(|t| serde_json::from_str::<Value>(&t))
                        .transpose()
                        .map_err(|e| {
                            anyhow::anyhow!(
                                "the saved {what} of stream {stream} is not JSON ({e}); delete \
                                 its row of {STATE_TABLE} to start the stream over"
                            )
                        })
                        .map(|v| v.filter(|v| !v.is_null()))
                };
                let checkpoint = Checkpoint {
                    state: parse(s, "state")?,
                    cursor: parse(c, "cursor")?,
                };
                state.insert(stream, checkpoint);
            }
            Ok(state)
        };
        read().with_context(|| {
            format!(
                "cannot read the sync state from the SQLite database {}",
                path.display()
            )
        })
    }

    /// The database's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn begin(&mut self) -> rusqlite::Result<()> {
        if self.conn.is_autocommit() {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
        }
        Ok(())
    }

    fn rollback(&mut self) {
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        self.pending.clear();
        self.pending_rejected.clear();
    }

    fn write_records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        self.begin()?;
        let table = self.tables.get(stream).ok_or_else(|| {
            anyhow::anyhow!("stream {stream} has no table (it was not in the discovered catalog)")
        })?;
        let mut insert = self.conn.prepare_cached(&table.insert)?;
        let mut reject = self.conn.prepare_cached(&format!(
            "INSERT INTO {REJECTED_TABLE} (stream, reason, record, rejected_at) VALUES (?1, ?2, ?3, {NOW})"
        ))?;
        let (mut written, mut rejected) = (0u64, 0u64);
        for text in records {
            match row_of(table, text) {
                Ok(row) => {
                    insert.execute(rusqlite::params_from_iter(row))?;
                    written += 1;
                }
                Err(reason) => {
                    reject.execute(params![stream, reason, text])?;
                    rejected += 1;
                }
            }
        }
        *self.pending.entry(stream.to_owned()).or_default() += written;
        *self.pending_rejected.entry(stream.to_owned()).or_default() += rejected;
        Ok(())
    }

    fn write_checkpoint(&mut self, stream: &str, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        self.begin()?;
        let json = |v: &Option<Value>| v.as_ref().map(Value::to_string);
        let sync = self.tables.get(stream).map_or(1, |t| t.sync);
        self.conn.execute(
            &format!(
                "INSERT INTO {STATE_TABLE} (stream, state, cursor, sync, updated_at)
                 VALUES (?1, ?2, ?3, ?4, {NOW})
                 ON CONFLICT (stream) DO UPDATE SET state = excluded.state,
                   cursor = excluded.cursor, sync = excluded.sync, updated_at = excluded.updated_at"
            ),
            params![
                stream,
                json(&checkpoint.state),
                json(&checkpoint.cursor),
                sync
            ],
        )?;
        if let Some(table) = self.tables.get(stream) {
            if checkpoint.cursor.is_none() && !table.incremental {
                self.conn.execute(
                    &format!(
                        "DELETE FROM {} WHERE {SYNC_COLUMN} IS NOT ?1",
                        quote(&table.name)
                    ),
                    [table.sync],
                )?;
            }
        }
        self.conn.execute_batch("COMMIT")?;
        for (s, n) in std::mem::take(&mut self.pending) {
            *self.written.entry(s).or_default() += n;
        }
        for (s, n) in std::mem::take(&mut self.pending_rejected) {
            if n > 0 {
                *self.rejected.entry(s).or_default() += n;
            }
        }
        Ok(())
    }
}

impl Observer for SqliteDestination {
    /// Stores the rows in the open transaction; they are committed with the checkpoint that
    /// covers them (and rolled back with it if the sync ends before it).
    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        self.write_records(stream, records).map_err(|e| {
            self.rollback();
            e.context(format!(
                "cannot write to the SQLite database {}",
                self.path.display()
            ))
        })
    }

    fn checkpoint(&mut self, stream: &str, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        self.write_checkpoint(stream, checkpoint).map_err(|e| {
            self.rollback();
            e.context(format!(
                "cannot write to the SQLite database {}",
                self.path.display()
            ))
        })
    }
}

/// Opens an existing database for reading. Not with `SQLITE_OPEN_READ_ONLY`: a read-only
/// connection that is the last to close leaves the `-wal` and `-shm` files behind.
fn open_existing(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
    conn.execute_batch("PRAGMA query_only = ON")
        .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
    Ok(conn)
}

fn connect(path: &Path) -> anyhow::Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let conn = Connection::open(path)
        .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
    let setup = || -> rusqlite::Result<()> {
        conn.busy_timeout(Duration::from_secs(10))?;
        // WAL: readers (a user's queries) neither block nor see half a page.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        // A commit is on disk when it returns: the checkpoint is durable with its records.
        conn.execute_batch("PRAGMA synchronous = FULL")?;
        Ok(())
    };
    setup().with_context(|| {
        format!(
            "cannot use {} as a SQLite database (is it one?)",
            path.display()
        )
    })?;
    Ok(conn)
}

/// Creates or extends the stream's table; returns how to write it.
fn prepare_table(
    conn: &Connection,
    descriptor: &StreamDescriptor,
    incremental: bool,
    resuming: bool,
) -> anyhow::Result<Table> {
    let name = descriptor.name.as_str();
    if reserved(name) {
        anyhow::bail!("the stream name {name:?} is reserved for this tool's own tables");
    }
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
        if reserved(&column) || !taken.insert(column.to_lowercase()) {
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
        if reserved(property) || !taken.insert(property.to_lowercase()) {
            // Lands in `_clickup_extra`.
            continue;
        }
        columns.push(Column {
            name: property.clone(),
            kind: Kind::from_schema(schema),
            path: vec![property.clone()],
        });
    }

    let quoted = quote(name);
    let existing = existing_columns(conn, name)?;
    if existing.is_empty() {
        let mut defs: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let not_null = if i < key_len { " NOT NULL" } else { "" };
                format!("{} {}{not_null}", quote(&c.name), c.kind.declared()).replace("  ", " ")
            })
            .collect();
        defs.push(format!("{EXTRA_COLUMN} TEXT"));
        defs.push(format!("{SYNC_COLUMN} INTEGER NOT NULL"));
        if key_len > 0 {
            let key: Vec<String> = columns[..key_len].iter().map(|c| quote(&c.name)).collect();
            defs.push(format!("PRIMARY KEY ({})", key.join(", ")));
        }
        conn.execute_batch(&format!(
            "CREATE TABLE {quoted} (\n  {}\n)",
            defs.join(",\n  ")
        ))?;
    } else {
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
                 table (and its row in {STATE_TABLE}) or use a new database",
                old_key.join(", "),
                new_key.join(", ")
            );
        }
        let have: HashSet<String> = existing.iter().map(|c| c.name.to_lowercase()).collect();
        for c in &columns {
            if !have.contains(&c.name.to_lowercase()) {
                conn.execute_batch(&format!(
                    "ALTER TABLE {quoted} ADD COLUMN {} {}",
                    quote(&c.name),
                    c.kind.declared()
                ))?;
            }
        }
        for (column, decl) in [
            (EXTRA_COLUMN, "TEXT"),
            (SYNC_COLUMN, "INTEGER NOT NULL DEFAULT 0"),
        ] {
            if !have.contains(column) {
                conn.execute_batch(&format!("ALTER TABLE {quoted} ADD COLUMN {column} {decl}"))?;
            }
        }
        // Columns the schema dropped: keep them, filled from the record when it still has them.
        let ours: HashSet<String> = columns
            .iter()
            .map(|c| c.name.to_lowercase())
            .chain([EXTRA_COLUMN.to_owned(), SYNC_COLUMN.to_owned()])
            .collect();
        for c in existing {
            if !ours.contains(&c.name.to_lowercase()) && !reserved(&c.name) {
                taken.insert(c.name.to_lowercase());
                columns.push(Column {
                    kind: Kind::from_declared(&c.declared),
                    path: vec![c.name.clone()],
                    name: c.name,
                });
            }
        }
    }

    let sync: Option<i64> = conn
        .query_row(
            &format!("SELECT sync FROM {STATE_TABLE} WHERE stream = ?1"),
            [name],
            |r| r.get(0),
        )
        .optional()?;
    let sync = match (sync, resuming) {
        (Some(s), true) => s,
        (Some(s), false) => s + 1,
        (None, _) => 1,
    };

    let mut names: Vec<String> = columns.iter().map(|c| quote(&c.name)).collect();
    names.push(EXTRA_COLUMN.to_owned());
    names.push(SYNC_COLUMN.to_owned());
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
    Ok(Table {
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

/// The row values of a record (in the order of the table's insert), or why it cannot be keyed.
fn row_of(table: &Table, text: &str) -> Result<Vec<Sql>, String> {
    let record: Value =
        serde_json::from_str(text).map_err(|e| format!("the record is not JSON: {e}"))?;
    let Value::Object(object) = &record else {
        return Err("the record is not a JSON object".to_owned());
    };
    let mut row = Vec::with_capacity(table.columns.len() + 2);
    let mut extra: Map<String, Value> = object
        .iter()
        .filter(|(k, _)| !table.properties.contains(k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (i, column) in table.columns.iter().enumerate() {
        let mut value = Some(&record);
        for key in &column.path {
            value = value.and_then(|v| v.get(key));
        }
        let value = value.unwrap_or(&Value::Null);
        if i < table.key_len && (value.is_null() || value.as_str() == Some("")) {
            return Err(format!(
                "the record has no value for its primary-key field {}",
                column.name
            ));
        }
        if column.path.len() == 1 && !column.kind.fits(value) {
            extra.insert(column.name.clone(), value.clone());
        }
        row.push(column.kind.to_sql(value));
    }
    row.push(if extra.is_empty() {
        Sql::Null
    } else {
        Sql::Text(Value::Object(extra).to_string())
    });
    row.push(Sql::Integer(table.sync));
    Ok(row)
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::SyncMode;
    use serde_json::json;

    fn descriptor(name: &str, key: &[&[&str]], properties: Value) -> StreamDescriptor {
        StreamDescriptor {
            name: name.to_owned(),
            json_schema: json!({"type": "object", "properties": properties}).to_string(),
            primary_key: key
                .iter()
                .map(|p| p.iter().map(|s| (*s).to_owned()).collect())
                .collect(),
            cursor_field: vec![],
            sync_modes: vec![SyncMode::FullRefresh],
        }
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sqlite-unit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("db.sqlite")
    }

    fn choice(name: &str, incremental: bool) -> StreamChoice {
        StreamChoice {
            name: name.to_owned(),
            incremental,
        }
    }

    fn done(state: Value) -> Checkpoint {
        Checkpoint {
            state: Some(state),
            cursor: None,
        }
    }

    #[test]
    fn upserts_keeps_extras_rejects_keyless_and_saves_state_with_the_rows() {
        let path = scratch("upsert");
        let d = [descriptor(
            "m",
            &[&["workspace_id"], &["id"]],
            json!({"workspace_id": {"type": "string"}, "id": {"type": "string"},
                   "n": {"type": ["integer", "null"]}, "ok": {"type": "boolean"},
                   "o": {"type": ["object", "null"]}, "weird \"name\"": {"type": "number"}}),
        )];
        let streams = [choice("m", true)];
        let mut db = SqliteDestination::open(&path, &d, &streams, &SyncState::new()).unwrap();
        db.records(
            "m",
            &[
                r#"{"workspace_id":"1","id":"a","n":1,"ok":true,"o":{"x":[1]},"new":"kept"}"#
                    .into(),
                r#"{"workspace_id":"2","id":"a","n":18446744073709551615,"weird \"name\"":1.5}"#
                    .into(),
                r#"{"id":"b"}"#.into(),
                "[1]".into(),
            ],
        )
        .unwrap();
        db.checkpoint("m", &done(json!({"t": 1}))).unwrap();
        db.records("m", &[r#"{"workspace_id":"1","id":"a","n":2}"#.into()])
            .unwrap();
        db.checkpoint("m", &done(json!({"t": 2}))).unwrap();
        assert_eq!(db.written["m"], 3);
        assert_eq!(db.rejected["m"], 2);
        drop(db);

        let conn = Connection::open(&path).unwrap();
        type Row = (String, String, Option<String>, Option<String>, Option<i64>);
        let rows: Vec<Row> = conn
            .prepare("SELECT workspace_id, id, CAST(n AS TEXT), _clickup_extra, json_extract(o, '$.x[0]') FROM m ORDER BY workspace_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            [
                ("1".into(), "a".into(), Some("2".into()), None, None),
                (
                    "2".into(),
                    "a".into(),
                    Some("1.8446744073709552e+19".into()),
                    Some(r#"{"n":18446744073709551615}"#.into()),
                    None
                ),
            ]
        );
        let weird: f64 = conn
            .query_row(
                r#"SELECT "weird ""name""" FROM m WHERE workspace_id = '2'"#,
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(weird, 1.5);
        let rejected: i64 = conn
            .query_row(
                "SELECT count(*) FROM _clickup_rejected WHERE stream = 'm'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rejected, 2);
        drop(conn);
        let state = SqliteDestination::load_state(&path).unwrap();
        assert_eq!(state["m"], done(json!({"t": 2})));
        assert!(
            SqliteDestination::load_state(&path.with_extension("absent"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn extras_are_kept_and_a_rolled_back_page_leaves_no_trace() {
        let path = scratch("extra");
        let d = [descriptor(
            "t",
            &[&["id"]],
            json!({"id": {"type": "string"}}),
        )];
        let streams = [choice("t", true)];
        let mut db = SqliteDestination::open(&path, &d, &streams, &SyncState::new()).unwrap();
        db.records("t", &[r#"{"id":"a","new":{"k":1}}"#.into()])
            .unwrap();
        db.checkpoint("t", &done(json!(1))).unwrap();
        // A page whose checkpoint never comes (the sync died): not committed.
        db.records("t", &[r#"{"id":"b"}"#.into()]).unwrap();
        drop(db);
        let conn = Connection::open(&path).unwrap();
        let ids: Vec<(String, String)> = conn
            .prepare("SELECT id, json_extract(_clickup_extra, '$.new.k') FROM t")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?.to_string())))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(ids, [("a".to_owned(), "1".to_owned())]);
    }

    #[test]
    fn full_refresh_replaces_the_snapshot_and_survives_resumption() {
        let path = scratch("refresh");
        let d = [descriptor(
            "s",
            &[&["id"]],
            json!({"id": {"type": "string"}, "v": {"type": "integer"}}),
        )];
        let streams = [choice("s", false)];
        let page = |ids: &[&str], v: i64| -> Vec<String> {
            ids.iter()
                .map(|i| json!({"id": i, "v": v}).to_string())
                .collect()
        };
        let mid = Checkpoint {
            state: None,
            cursor: Some(json!({"page": 1})),
        };
        let ids = |path: &Path| -> Vec<String> {
            let conn = Connection::open(path).unwrap();
            let mut stmt = conn.prepare("SELECT id FROM s ORDER BY id").unwrap();
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        // Sync 1: a, b, c in two pages.
        let mut db = SqliteDestination::open(&path, &d, &streams, &SyncState::new()).unwrap();
        db.records("s", &page(&["a", "b"], 1)).unwrap();
        db.checkpoint("s", &mid).unwrap();
        db.records("s", &page(&["c"], 1)).unwrap();
        db.checkpoint("s", &Checkpoint::default()).unwrap();
        drop(db);
        assert_eq!(ids(&path), ["a", "b", "c"]);
        // Sync 2 (c deleted upstream, d new) stops after its first page...
        let mut db = SqliteDestination::open(&path, &d, &streams, &SyncState::new()).unwrap();
        db.records("s", &page(&["a", "d"], 2)).unwrap();
        db.checkpoint("s", &mid).unwrap();
        drop(db);
        assert_eq!(ids(&path), ["a", "b", "c", "d"], "queryable mid-way");
        // ... and resumes from the database's state: a keeps its sync number, c goes.
        let state = SqliteDestination::load_state(&path).unwrap();
        assert_eq!(state["s"].cursor, mid.cursor);
        let mut db = SqliteDestination::open(&path, &d, &streams, &state).unwrap();
        db.records("s", &page(&["b"], 2)).unwrap();
        db.checkpoint("s", &Checkpoint::default()).unwrap();
        drop(db);
        assert_eq!(ids(&path), ["a", "b", "d"]);
        let table = query_table(&path, "SELECT id, v, _clickup_sync FROM s ORDER BY id").unwrap();
        assert_eq!(
            table,
            "id  v  _clickup_sync\n--  -  -------------\na   2  2\nb   2  2\nd   2  2"
        );
    }

    #[test]
    fn a_changed_key_is_a_clear_error_and_new_properties_become_columns() {
        let path = scratch("evolve");
        let streams = [choice("t", true)];
        let d1 = [descriptor(
            "t",
            &[&["id"]],
            json!({"id": {"type": "string"}}),
        )];
        drop(SqliteDestination::open(&path, &d1, &streams, &SyncState::new()).unwrap());
        let d2 = [descriptor(
            "t",
            &[&["id"]],
            json!({"id": {"type": "string"}, "x": {"type": "integer"}}),
        )];
        let mut db = SqliteDestination::open(&path, &d2, &streams, &SyncState::new()).unwrap();
        db.records("t", &[r#"{"id":"a","x":5}"#.into()]).unwrap();
        db.checkpoint("t", &done(json!(1))).unwrap();
        drop(db);
        let d3 = [descriptor(
            "t",
            &[&["x"]],
            json!({"id": {"type": "string"}, "x": {"type": "integer"}}),
        )];
        let e = SqliteDestination::open(&path, &d3, &streams, &SyncState::new())
            .err()
            .unwrap();
        assert!(format!("{e:#}").contains("primary key"), "{e:#}");
        std::fs::write(path.with_extension("txt"), "not a database at all, no").unwrap();
        let e = SqliteDestination::open(
            &path.with_extension("txt"),
            &d1,
            &streams,
            &SyncState::new(),
        )
        .err()
        .unwrap();
        assert!(format!("{e:#}").contains("SQLite"), "{e:#}");
    }
}
