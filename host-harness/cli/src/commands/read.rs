//! `read`: a sync into Airbyte messages on stdout (the default), a folder of JSON-lines files
//! (`--output`), or a SQLite database (`--sqlite`), with the progress display on stderr.

use super::{lane_runs, print_summary, sync_into};
use crate::args::ReadArgs;
use crate::component_path::start_keeping_host;
use crate::exit;
use crate::profile::{Prepared, SQLITE_PREFIX};
use crate::progress::Progress;
use crate::stdout::outln;
use connector_sinks::airbyte::{self, AirbyteLines};
use connector_sinks::files::OutputDir;
use connector_sinks::sqlite::{self, SqliteDestination};
use host_harness::{
    CallError, Observer, Run, StreamChoice, StreamDescriptor, SyncEnd, SyncState, WitError,
};
use std::io::{BufWriter, StdoutLock};
use std::path::{Path, PathBuf};

/// Where `read` writes, from its flags.
enum Destination {
    Stdout(AirbyteLines<BufWriter<StdoutLock<'static>>>),
    Folder(OutputDir),
    Sqlite(SqliteDestination, PathBuf),
}

/// Runs `read`; returns the exit code.
pub(crate) async fn run(component: Option<&Path>, args: ReadArgs) -> anyhow::Result<u8> {
    let prepared = match Prepared::load(&args.config) {
        Ok(p) => p,
        Err(e) => {
            outln!(
                "{}",
                airbyte::error(&format!("{e:#}"), "config_error", None)
            );
            eprintln!("error: {e:#}");
            return Ok(exit::CONFIG);
        }
    };
    let (host, mut run) = start_keeping_host(component, prepared.run_options()).await?;
    let descriptors = match run.discover(&prepared.guest_config).await {
        Ok(d) => d,
        Err(e) => {
            outln!(
                "{}",
                airbyte::error(&e.to_string(), exit::failure_type(&e), None)
            );
            eprintln!("read failed: {e}");
            return Ok(exit::code(&e));
        }
    };
    let streams = match &args.catalog {
        Some(path) => match airbyte::load_catalog(path, &descriptors) {
            Ok(streams) => streams,
            Err(e) => {
                outln!(
                    "{}",
                    airbyte::error(&format!("{e:#}"), "config_error", None)
                );
                eprintln!("error: {e:#}");
                return Ok(exit::CONFIG);
            }
        },
        None => StreamChoice::every(&descriptors),
    };
    let mut state = match load_state(&args) {
        Ok(s) => s,
        Err(e) => {
            outln!(
                "{}",
                airbyte::error(&format!("{e:#}"), "config_error", None)
            );
            eprintln!("error: {e:#}");
            return Ok(exit::CONFIG);
        }
    };
    if let Err(e) = reset_streams(&mut state, &args.reset, &descriptors) {
        eprintln!("error: {e}");
        return Ok(exit::CONFIG);
    }
    let mut destination = match open(&args, &descriptors, &streams, &state) {
        Ok(d) => d,
        Err(e) if e.downcast_ref::<sqlite::ForeignTable>().is_some() => {
            eprintln!("error: {e:#}");
            return Ok(exit::CONFIG);
        }
        Err(e) => return Err(e),
    };
    let mut runs = lane_runs(
        &host,
        &prepared.run_options(),
        run,
        &streams,
        args.lanes.one_instance,
    )
    .await?;
    let mut progress = Progress::new(&streams, &state, runs[0].requests().clone());
    let end = sync_into(
        &mut runs,
        &prepared.guest_config,
        &streams,
        &mut state,
        vec![destination.observer(), &mut progress],
    )
    .await?;
    progress.finish();
    destination.finish(&end, &progress, &streams, &runs)?;
    Ok(match end {
        SyncEnd::Complete | SyncEnd::Interrupted => 0,
        SyncEnd::Failed { stream, error } => {
            if let CallError::Connector(WitError::InvalidState(why)) = &error {
                eprintln!(
                    "error: the saved state of stream {stream} in {} cannot be used ({why}). The \
                     other streams synced; run again with --reset {stream} to start it over.",
                    state_source(&args)
                );
            } else {
                eprintln!("read failed in stream {stream}: {error}");
            }
            exit::code(&error)
        }
    })
}

/// Forgets the saved state of the `--reset` streams; an unknown name is an error.
pub(super) fn reset_streams(
    state: &mut SyncState,
    reset: &[String],
    descriptors: &[StreamDescriptor],
) -> Result<(), String> {
    for name in reset {
        if !descriptors.iter().any(|d| &d.name == name) {
            let known: Vec<&str> = descriptors.iter().map(|d| d.name.as_str()).collect();
            return Err(format!(
                "--reset {name}: there is no such stream (the streams: {})",
                known.join(", ")
            ));
        }
        state.remove(name);
    }
    Ok(())
}

/// Where the state came from, for messages.
fn state_source(args: &ReadArgs) -> String {
    match (&args.state, &args.output, &args.sqlite) {
        (Some(p), _, _) => p.display().to_string(),
        (None, Some(dir), _) => dir.join(OutputDir::STATE_FILE).display().to_string(),
        (None, None, Some(db)) => {
            format!("the database {} (table {SQLITE_PREFIX}state)", db.display())
        }
        (None, None, None) => "the state given".to_owned(),
    }
}

/// The state to start from: `--state`, else the folder's `state.json`, else the database's.
fn load_state(args: &ReadArgs) -> anyhow::Result<SyncState> {
    let state_path = args
        .state
        .clone()
        .or_else(|| args.output.as_ref().map(|d| d.join(OutputDir::STATE_FILE)));
    match (&state_path, &args.sqlite) {
        (Some(p), _) => airbyte::load_state_file(p),
        (None, Some(db)) => SqliteDestination::load_state(db, SQLITE_PREFIX),
        (None, None) => Ok(SyncState::new()),
    }
}

fn open(
    args: &ReadArgs,
    descriptors: &[StreamDescriptor],
    streams: &[StreamChoice],
    state: &SyncState,
) -> anyhow::Result<Destination> {
    Ok(match (&args.output, &args.sqlite) {
        (Some(dir), _) => Destination::Folder(OutputDir::open(dir, descriptors, streams, state)?),
        (None, Some(db)) => Destination::Sqlite(
            SqliteDestination::open(db, SQLITE_PREFIX, descriptors, streams, state)?,
            db.clone(),
        ),
        (None, None) => {
            Destination::Stdout(AirbyteLines::new(BufWriter::new(std::io::stdout().lock())))
        }
    })
}

impl Destination {
    fn observer(&mut self) -> &mut dyn Observer {
        match self {
            Destination::Stdout(lines) => lines,
            Destination::Folder(files) => files,
            Destination::Sqlite(db, _) => db,
        }
    }

    /// What follows a sync: the error message on stdout, or the summary for a person.
    fn finish(
        &mut self,
        end: &SyncEnd,
        progress: &Progress,
        streams: &[StreamChoice],
        runs: &[Run],
    ) -> anyhow::Result<()> {
        match self {
            Destination::Stdout(lines) => {
                if let SyncEnd::Failed { stream, error } = end {
                    lines.message(&airbyte::error(
                        &error.to_string(),
                        exit::failure_type(error),
                        Some(stream),
                    ))?;
                }
                lines.flush()
            }
            Destination::Folder(files) => {
                print_summary(progress, &files.written)?;
                let replaced: u64 = files.deduped.values().sum();
                if replaced > 0 {
                    outln!(
                        "{replaced} older copies of records updated since the last run were replaced: each file holds every record once, as last synced."
                    );
                }
                let connector = runs.iter().map(Run::peak_memory_bytes).max().unwrap_or(0);
                let instances = match runs.len() {
                    1 => String::new(),
                    n => format!(", the largest of {n} instances side by side"),
                };
                outln!(
                    "peak memory: host process {:.1} MiB (RSS), connector {:.1} MiB (linear memory{instances})",
                    host_harness::process_memory::peak_rss_bytes() as f64 / (1 << 20) as f64,
                    connector as f64 / (1 << 20) as f64
                );
                Ok(())
            }
            Destination::Sqlite(db_out, db) => {
                print_summary(progress, &db_out.written)?;
                let rejected: u64 = db_out.rejected.values().sum();
                if rejected > 0 {
                    outln!(
                        "{rejected} records without a primary key are in the table {}.",
                        db_out.names().rejected_table()
                    );
                }
                let table = streams
                    .iter()
                    .find(|s| s.name == "tasks")
                    .or(streams.first())
                    .map_or("tasks", |s| s.name.as_str());
                outln!(
                    "The data is in the SQLite database {} (a table per stream). Try:\n  sqlite3 {} \"SELECT count(*) FROM {}\"",
                    db.display(),
                    sqlite::shell_quote(&db.display().to_string()),
                    table
                );
                Ok(())
            }
        }
    }
}
