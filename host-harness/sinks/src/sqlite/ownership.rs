//! Which tables of the database are this sink's: it writes only those.
//!
//! A database given with `--sqlite` may be the user's own, with tables of their own. The sink
//! records every stream table it creates in `<prefix>tables` (`name`, `created_at`), and refuses
//! to touch a table of a stream's name that is not listed there: [`ForeignTable`], before it
//! changes anything in the database. A table made by an earlier version of the sink, before the
//! list existed, is recognised by the two columns only the sink adds (`<prefix>extra` and
//! `<prefix>sync`) and listed from then on.

use super::OwnNames;
use rusqlite::{Connection, OptionalExtension};

/// A table of a stream's name exists in the database, and the sink did not create it.
#[derive(Debug)]
pub struct ForeignTable {
    /// The table's name.
    pub table: String,
    /// The database file.
    pub database: String,
}

impl std::fmt::Display for ForeignTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the SQLite database {} already has a table `{}` that this tool did not create; it \
             is left untouched. Use another database file, rename that table, or leave the \
             stream out with a catalog.",
            self.database, self.table
        )
    }
}

impl std::error::Error for ForeignTable {}

/// Fails with [`ForeignTable`] for the first of `tables` that exists and is not the sink's.
pub(super) fn check_all(
    conn: &Connection,
    names: &OwnNames,
    tables: &[&str],
    database: &str,
) -> anyhow::Result<()> {
    let listed = registry_exists(conn, names)?;
    for &table in tables {
        if !table_exists(conn, table)? {
            continue;
        }
        let owned =
            (listed && is_listed(conn, names, table)?) || has_own_columns(conn, names, table)?;
        if !owned {
            return Err(ForeignTable {
                table: table.to_owned(),
                database: database.to_owned(),
            }
            .into());
        }
    }
    Ok(())
}

/// Creates the list of the sink's tables if needed.
pub(super) fn create_registry(conn: &Connection, names: &OwnNames) -> rusqlite::Result<()> {
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {} (
            name TEXT PRIMARY KEY NOT NULL,
            created_at TEXT NOT NULL)",
        names.tables_table()
    ))
}

/// Lists `table` as the sink's (created now, or adopted from an earlier version).
pub(super) fn register(conn: &Connection, names: &OwnNames, table: &str) -> rusqlite::Result<()> {
    conn.execute(
        &format!(
            "INSERT OR IGNORE INTO {} (name, created_at) VALUES (?1, {})",
            names.tables_table(),
            super::NOW
        ),
        [table],
    )?;
    Ok(())
}

fn registry_exists(conn: &Connection, names: &OwnNames) -> rusqlite::Result<bool> {
    table_exists(conn, &names.tables_table())
}

fn table_exists(conn: &Connection, table: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1 COLLATE NOCASE",
        [table],
        |_| Ok(()),
    )
    .optional()
    .map(|r| r.is_some())
}

fn is_listed(conn: &Connection, names: &OwnNames, table: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        &format!(
            "SELECT 1 FROM {} WHERE name = ?1 COLLATE NOCASE",
            names.tables_table()
        ),
        [table],
        |_| Ok(()),
    )
    .optional()
    .map(|r| r.is_some())
}

fn has_own_columns(conn: &Connection, names: &OwnNames, table: &str) -> rusqlite::Result<bool> {
    let own = [names.extra_column(), names.sync_column()];
    let found: i64 = conn.query_row(
        "SELECT count(*) FROM pragma_table_info(?1) WHERE name IN (?2, ?3)",
        [table, own[0].as_str(), own[1].as_str()],
        |r| r.get(0),
    )?;
    Ok(found == 2)
}
