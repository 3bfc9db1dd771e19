//! A SQLite database as the destination of a sync (`read --sqlite FILE`, and the demo).
//!
//! Map: this module opens the database, keeps the state in it and commits each page with its
//! checkpoint; [`schema`] makes a stream's table from its JSON schema; [`rows`] turns records into
//! rows; [`query`] reads a database back for the demo.
//!
//! # Layout
//!
//! The sink's own tables and columns all begin with a prefix the caller chooses ([`OwnNames`];
//! the ClickUp tool uses `_clickup_`), and no stream table or column may begin with it.
//!
//! One table per stream, named after the stream. One column per top-level property of the
//! stream's JSON schema: `integer` → `INTEGER`, `number` → `REAL`, `boolean` → `INTEGER` (0/1),
//! `string` (dates as RFC 3339 text) → `TEXT`; objects and arrays → `TEXT` holding JSON, to query
//! with `json_extract(status, '$.status')`. The stream's primary key is the table's `PRIMARY KEY`
//! (`members`: `(workspace_id, id)`; the others: `id`). Two more columns:
//!
//! - `<prefix>extra`: a JSON object with the record's properties that have no column (fields
//!   newer than the schema), `NULL` when there are none: no data is ever dropped.
//! - `<prefix>sync`: the number of the stream's sync that last wrote the row (counts up from 1;
//!   the current one is `<prefix>state.sync`).
//!
//! A value that its column cannot hold exactly (a string where the schema says integer, an
//! integer beyond 64 bits) is stored as well as the column allows and also, exact, under its
//! name in `<prefix>extra`.
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
//! when the stream completes, the rows that this sync did not see (an older `<prefix>sync`) are
//! deleted, in the same transaction as its last page. The table is queryable at every moment and
//! always holds whole rows; it matches the source's snapshot once the stream completes.
//!
//! A record whose `_ab_cdc_deleted_at` is set (a tombstone, Airbyte's CDC convention: a task's
//! custom field value that was cleared, say) deletes the row with its key instead. A tombstone
//! of a parent record (a deleted task) also deletes its rows in every derived table (those whose
//! first key column holds its key).
//! A derived stream (a task's child table, `parent` in its descriptor) has no checkpoint of its
//! own: its rows are committed with its parent's checkpoint, it counts its parent's syncs, and a
//! completed full refresh of the parent also deletes the child rows that sync did not see.
//!
//! # Exactly once
//!
//! The sync state lives in the same database (table `<prefix>state`: `stream`, `state`,
//! `cursor`, `sync`, `updated_at`). Each page's rows and the checkpoint that covers them are
//! committed in one SQLite transaction. A sync killed at any point (crash, power loss, Ctrl-C)
//! leaves the database at the end of a page, with the state of exactly that page; the next run
//! reads its state from the database and continues with the next page. Every record is therefore
//! applied exactly once, even mid-stream, and a full-refresh stream resumed mid-way keeps the rows
//! of its first pages (they carry the same `<prefix>sync`).
//!
//! # Tables it did not create
//!
//! The sink writes only tables it created, listed in `<prefix>tables`; a table of a stream's
//! name that the user made is refused with [`ForeignTable`] before anything changes (see
//! [`ownership`]).
//!
//! # Records that cannot be stored
//!
//! A record that is not a JSON object, or lacks a value for a primary-key field, cannot be keyed.
//! It is not dropped and does not stop the sync: it goes to the table `<prefix>rejected`
//! (`stream`, `reason`, `record`, `rejected_at`), counted in [`SqliteDestination::rejected`].

mod ownership;
mod query;
mod rows;
mod schema;
#[cfg(test)]
mod tests;

pub use ownership::ForeignTable;
pub use query::{query_table, shell_quote};

use anyhow::Context;
use host_harness::{Checkpoint, Observer, StreamChoice, StreamDescriptor, SyncState};
use rows::row_of;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use schema::{prepare_table, quote, Table};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The names of the sink's own tables and columns, all from one prefix: with `_clickup_`,
/// `_clickup_state` (each stream's checkpoint), `_clickup_rejected` (records that could not be
/// keyed), and in every stream table `_clickup_extra` (properties without a column) and
/// `_clickup_sync` (the sync that last wrote the row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnNames {
    prefix: String,
}

impl OwnNames {
    /// Names from `prefix`: ASCII letters, digits and `_`, starting with `_` or a letter.
    pub fn new(prefix: &str) -> anyhow::Result<OwnNames> {
        let valid = prefix
            .chars()
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
            && prefix
                .chars()
                .all(|c| c == '_' || c.is_ascii_alphanumeric());
        anyhow::ensure!(valid, "the table prefix {prefix:?} is not a plain SQL name");
        Ok(OwnNames {
            prefix: prefix.to_owned(),
        })
    }
    /// The table holding each stream's checkpoint.
    pub fn state_table(&self) -> String {
        format!("{}state", self.prefix)
    }
    /// The table listing the stream tables the sink created (see [`ownership`]).
    pub fn tables_table(&self) -> String {
        format!("{}tables", self.prefix)
    }
    /// The table holding records that could not be keyed.
    pub fn rejected_table(&self) -> String {
        format!("{}rejected", self.prefix)
    }
    /// The column with the properties that have no column of their own.
    pub fn extra_column(&self) -> String {
        format!("{}extra", self.prefix)
    }
    /// The column with the number of the stream's sync that last wrote the row.
    pub fn sync_column(&self) -> String {
        format!("{}sync", self.prefix)
    }
    /// Whether a stream or property name would clash with the sink's own (or SQLite's) names.
    pub(crate) fn reserves(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        lower.starts_with(&self.prefix.to_ascii_lowercase()) || lower.starts_with("sqlite_")
    }
}

/// The current time as RFC 3339 UTC text, in SQL.
const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// A SQLite database as a sync's destination (see the module docs).
pub struct SqliteDestination {
    path: PathBuf,
    conn: Connection,
    names: OwnNames,
    tables: BTreeMap<String, Table>,
    /// Rows written in the open transaction, per stream.
    pending: BTreeMap<String, u64>,
    pending_rejected: BTreeMap<String, u64>,
    /// Rows committed in this sync, per stream.
    pub written: BTreeMap<String, u64>,
    /// Records committed to the rejected table in this sync, per stream.
    pub rejected: BTreeMap<String, u64>,
}

impl SqliteDestination {
    /// Opens (creating) the database at `path` for a sync of `streams`, whose tables are made or
    /// extended from the discovered `descriptors`. `state` is the state the sync starts from: a
    /// stream with a cursor in it resumes, and keeps its rows from before the interruption.
    pub fn open(
        path: &Path,
        prefix: &str,
        descriptors: &[StreamDescriptor],
        streams: &[StreamChoice],
        state: &SyncState,
    ) -> anyhow::Result<SqliteDestination> {
        let names = OwnNames::new(prefix)?;
        let conn = connect(path)?;
        let context = || format!("cannot prepare the SQLite database {}", path.display());
        let chosen: Vec<&str> = streams.iter().map(|s| s.name.as_str()).collect();
        ownership::check_all(&conn, &names, &chosen, &path.display().to_string())?;
        ownership::create_registry(&conn, &names).with_context(context)?;
        let (state_table, rejected_table) = (names.state_table(), names.rejected_table());
        conn.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {state_table} (
                stream TEXT PRIMARY KEY NOT NULL,
                state TEXT,
                cursor TEXT,
                sync INTEGER NOT NULL,
                updated_at TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS {rejected_table} (
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
            // A derived stream resumes with its parent, whose checkpoint covers it.
            let counted = choice.parent.as_ref().unwrap_or(&choice.name);
            let resuming = state.get(counted).is_some_and(|c| c.cursor.is_some());
            let table = prepare_table(&conn, &names, descriptor, choice.incremental, resuming)
                .with_context(context)?;
            ownership::register(&conn, &names, &choice.name).with_context(context)?;
            tables.insert(choice.name.clone(), table);
        }
        Ok(SqliteDestination {
            path: path.to_owned(),
            conn,
            names,
            tables,
            pending: BTreeMap::new(),
            pending_rejected: BTreeMap::new(),
            written: BTreeMap::new(),
            rejected: BTreeMap::new(),
        })
    }

    /// The state saved in the database at `path` (empty when the file or the table is absent).
    pub fn load_state(path: &Path, prefix: &str) -> anyhow::Result<SyncState> {
        let state_table = OwnNames::new(prefix)?.state_table();
        if !path.exists() {
            return Ok(SyncState::new());
        }
        let conn = open_existing(path)?;
        let read = || -> anyhow::Result<SyncState> {
            let exists: Option<i64> = conn
                .query_row(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [&state_table],
                    |r| r.get(0),
                )
                .optional()?;
            let mut state = SyncState::new();
            if exists.is_none() {
                return Ok(state);
            }
            let mut stmt =
                conn.prepare(&format!("SELECT stream, state, cursor FROM {state_table}"))?;
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
                                 its row of {state_table} to start the stream over"
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

    /// The names of the sink's own tables and columns.
    pub fn names(&self) -> &OwnNames {
        &self.names
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
            "INSERT INTO {} (stream, reason, record, rejected_at) VALUES (?1, ?2, ?3, {NOW})",
            self.names.rejected_table()
        ))?;
        let (mut written, mut rejected) = (0u64, 0u64);
        let mut delete = match &table.delete {
            Some(sql) => Some(self.conn.prepare_cached(sql)?),
            None => None,
        };
        // A deleted parent record takes its derived rows with it (a deleted task's custom field
        // values, say), whether or not the source sent their tombstones too.
        let mut cascades = Vec::new();
        if table.key_len == 1 {
            let children = self
                .tables
                .values()
                .filter(|t| t.parent.as_deref() == Some(stream));
            for sql in children.filter_map(|t| t.cascade.as_deref()) {
                cascades.push(self.conn.prepare_cached(sql)?);
            }
        }
        for text in records {
            match row_of(table, text) {
                Ok(row) if is_tombstone(text) => {
                    if let Some(delete) = &mut delete {
                        delete.execute(rusqlite::params_from_iter(&row[..table.key_len]))?;
                    }
                    for cascade in &mut cascades {
                        cascade.execute(rusqlite::params_from_iter(&row[..1]))?;
                    }
                    written += 1;
                }
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
                "INSERT INTO {} (stream, state, cursor, sync, updated_at)
                 VALUES (?1, ?2, ?3, ?4, {NOW})
                 ON CONFLICT (stream) DO UPDATE SET state = excluded.state,
                   cursor = excluded.cursor, sync = excluded.sync, updated_at = excluded.updated_at",
                self.names.state_table()
            ),
            params![
                stream,
                json(&checkpoint.state),
                json(&checkpoint.cursor),
                sync
            ],
        )?;
        // A completed full refresh: the rows this sync did not see are gone, in the stream's
        // table and in those of the streams derived from it.
        let covered = self
            .tables
            .values()
            .filter(|t| t.name == stream || t.parent.as_deref() == Some(stream));
        for table in covered {
            if checkpoint.cursor.is_none() && !table.incremental {
                self.conn.execute(
                    &format!(
                        "DELETE FROM {} WHERE {} IS NOT ?1",
                        quote(&table.name),
                        self.names.sync_column()
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

/// Whether a record is a tombstone: a row the source deleted (`_ab_cdc_deleted_at` set, the
/// Airbyte CDC convention). Its row is deleted instead of written.
fn is_tombstone(text: &str) -> bool {
    // Cheap test first: most records carry no such field.
    text.contains("\"_ab_cdc_deleted_at\"")
        && serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|r| r.get("_ab_cdc_deleted_at").map(|v| !v.is_null()))
            .unwrap_or(false)
}

/// Opens an existing database for reading. Not with `SQLITE_OPEN_READ_ONLY`: a read-only
/// connection that is the last to close leaves the `-wal` and `-shm` files behind.
pub(crate) fn open_existing(path: &Path) -> anyhow::Result<Connection> {
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
