//! `demo`: the whole tour with no account: the simulator, a full sync into files and SQLite,
//! changes in "ClickUp", an incremental sync, and what came out.

use super::{lane_runs, sync_into};
use crate::args::DemoArgs;
use crate::component_path::load;
use crate::exit;
use crate::profile::{Prepared, SQLITE_PREFIX};
use crate::progress::Progress;
use crate::stdout::outln;
use clickup_sim::{RateLimitConfig, SimConfig, Simulator, Size};
use connector_sinks::airbyte;
use connector_sinks::files::OutputDir;
use connector_sinks::sqlite::{self, SqliteDestination};
use host_harness::{Run, StreamChoice, SyncEnd};
use std::path::Path;

/// The demo's database, in its output folder.
const DEMO_DATABASE: &str = "clickup.sqlite";
/// A typed custom field beside its task: the "Story Points" number and the "Stage" drop-down's
/// label, from the `task_custom_field_values` child table.
const CUSTOM_FIELD_QUERY: &str = "SELECT t.name, p.value_number AS story_points, json_extract(s.value_option_labels, '$[0]') AS stage FROM tasks t JOIN task_custom_field_values p ON p.task_id = t.id AND p.field_name = 'Story Points' LEFT JOIN task_custom_field_values s ON s.task_id = t.id AND s.field_name = 'Stage' ORDER BY p.value_number DESC, t.name LIMIT 5";

/// The query the demo runs and shows.
const DEMO_QUERY: &str = "SELECT name, json_extract(status, '$.status') AS status, json_extract(priority, '$.priority') AS priority, date_updated FROM tasks ORDER BY date_updated DESC LIMIT 8";

/// Runs the demo; returns the exit code.
pub(crate) async fn run(component: Option<&Path>, args: DemoArgs) -> anyhow::Result<u8> {
    eprintln!(
        "Starting the ClickUp simulator (seed {}) on loopback...",
        args.seed
    );
    let sim = Simulator::start(SimConfig {
        seed: args.seed,
        size: Size::small(),
        // A Business Plus plan's limit, so the demo takes seconds; the connector follows whatever
        // limit the server's X-RateLimit headers announce.
        rate_limit: RateLimitConfig {
            limit: 1000,
            window: std::time::Duration::from_secs(60),
        },
        ..SimConfig::default()
    })?;
    let config =
        serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url()}).to_string();
    let prepared = Prepared::from_text(&config, false)?;
    let host = load(component)?;
    let db = args.output.join(DEMO_DATABASE);
    let _ = std::fs::remove_file(args.output.join(OutputDir::STATE_FILE));
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    if let Ok(entries) = std::fs::read_dir(&args.output) {
        for e in entries.flatten() {
            if e.path()
                .extension()
                .is_some_and(|x| x == "jsonl" || x == "partial")
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let mut tables = Vec::new();
    let mut order: Vec<String> = Vec::new();
    for pass in ["full sync", "incremental sync"] {
        if pass == "incremental sync" {
            let (stripped, updated, created, entries) = sim.mutate(|w| {
                // First, so that the most recently updated tasks are the edited and new ones.
                let stripped = strip_one(w);
                (
                    stripped,
                    w.update_tasks(5),
                    w.create_tasks(3),
                    w.add_time_entries(4),
                )
            });
            eprintln!(
                "\nIn ClickUp meanwhile: {} tasks updated, {} created, {} time entries added{}.",
                updated.len(),
                created.len(),
                entries.len(),
                if stripped {
                    "; one task lost an assignee and a tag (their rows in task_assignees and \
                     task_tags come as tombstones, and leave the database)"
                } else {
                    ""
                }
            );
        }
        eprintln!("\n== {pass} into {} ==", args.output.display());
        let mut run = Run::new(&host, prepared.run_options()).await?;
        let descriptors = match run.discover(&prepared.guest_config).await {
            Ok(d) => d,
            Err(e) => anyhow::bail!("{e}"),
        };
        let streams = StreamChoice::every(&descriptors);
        let mut state = airbyte::load_state_file(&args.output.join(OutputDir::STATE_FILE))?;
        let mut runs = lane_runs(&host, &prepared.run_options(), run, &streams, false).await?;
        let mut progress = Progress::new(&streams, &state, runs[0].requests().clone());
        let mut files = OutputDir::open(&args.output, &descriptors, &streams, &state)?;
        let mut db_out =
            SqliteDestination::open(&db, SQLITE_PREFIX, &descriptors, &streams, &state)?;
        let end = sync_into(
            &mut runs,
            &prepared.guest_config,
            &streams,
            &mut state,
            vec![&mut files, &mut db_out, &mut progress],
        )
        .await?;
        progress.finish();
        drop(db_out);
        if let SyncEnd::Failed { stream, error } = end {
            eprintln!("{pass} failed in {stream}: {error}");
            return Ok(exit::code(&error));
        }
        order = streams.iter().map(|s| s.name.clone()).collect();
        tables.push((pass, progress.totals.clone()));
    }
    outln!(
        "\n{:<26} {:>18} {:>18}",
        "stream",
        "full sync",
        "incremental sync"
    );
    outln!(
        "{:<26} {:>18} {:>18}",
        "",
        "records/requests",
        "records/requests"
    );

    for stream in &order {
        let (records, requests, _) = tables[0].1.get(stream).copied().unwrap_or_default();
        let (r2, q2, _) = tables[1].1.get(stream).copied().unwrap_or_default();
        outln!(
            "{stream:<26} {:>18} {:>18}",
            format!("{records}/{requests}"),
            format!("{r2}/{q2}")
        );
    }
    outln!(
        "\nThe records are in {}/<stream>.jsonl (the state in {}/state.json), and in the SQLite \
         database {}: a table per stream, keyed by its primary key, so the incremental sync \
         updated the changed rows in place. Objects and arrays are JSON columns (json_extract).",
        args.output.display(),
        args.output.display(),
        db.display()
    );
    outln!(
        "\nThe most recently updated tasks:\n  sqlite3 -header -column {} \"{DEMO_QUERY}\"\n",
        sqlite::shell_quote(&db.display().to_string())
    );
    outln!("{}", sqlite::query_table(&db, DEMO_QUERY)?);
    outln!(
        "\nTasks with a typed custom field (task_custom_field_values: one row per task and field, \
         its value in a column of its type):\n  sqlite3 -header -column {} \"{CUSTOM_FIELD_QUERY}\"\n",
        sqlite::shell_quote(&db.display().to_string())
    );
    outln!("{}", sqlite::query_table(&db, CUSTOM_FIELD_QUERY)?);
    outln!("\nOr: head -c 600 {}/tasks.jsonl", args.output.display());
    Ok(0)
}

/// Takes an assignee and a tag (and the rest [`clickup_sim::World::strip_task`] takes) off the
/// first task that has both; false if none has.
fn strip_one(w: &mut clickup_sim::World) -> bool {
    let id = w
        .workspaces
        .iter()
        .flat_map(|ws| &ws.tasks)
        .find(|t| !t.assignees.is_empty() && !t.tags.is_empty())
        .map(|t| t.id.clone());
    id.and_then(|id| w.strip_task(&id)).is_some()
}
