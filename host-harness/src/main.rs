//! `clickup-connector`: run the ClickUp connector component from the command line.
//!
//! A thin layer over the `host_harness` library: parse arguments, load the component, run it, and
//! speak the Airbyte protocol on stdout. See `--help` of each command.

use clap::{Parser, Subcommand, ValueEnum};
use host_harness::airbyte;
use host_harness::bindings::WitError;
use host_harness::component_path;
use host_harness::egress::EgressPolicy;
use host_harness::instance::{CallError, Run, RunOptions};
use host_harness::loader::{ConnectorHost, LoadOptions};
use host_harness::output::{self, AirbyteLines, OutputDir, Progress, Tee};
use host_harness::simulator::{RateLimitConfig, SimConfig, Simulator, Size};
use host_harness::sqlite::{self, SqliteDestination};
use host_harness::sync::{self, StreamChoice, SyncEnd, SyncOptions, SyncState};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Exit code: a configuration or credential problem the user must fix.
const EXIT_CONFIG: u8 = 3;
/// Exit code: a transient failure (ClickUp unavailable, rate limit): run again later, it resumes.
const EXIT_TRANSIENT: u8 = 4;
/// Exit code: anything else (a bug, a crashed connector, an unwritable output folder).
const EXIT_SYSTEM: u8 = 1;

#[derive(Parser)]
#[command(
    name = "clickup-connector",
    version,
    about = "Sync ClickUp (Workspaces, spaces, folders, lists, tasks, members, goals, time entries) with a sandboxed WebAssembly connector.",
    long_about = "Sync ClickUp into files or any Airbyte destination, with the connector running as a sandboxed \
WebAssembly component: it can reach only the ClickUp API host, and nothing on your disk.\n\n\
First time? Run `clickup-connector demo`: it starts a built-in ClickUp simulator, syncs it, changes \
some tasks, syncs again incrementally, and shows what came out. No ClickUp account needed.\n\n\
With your own account: put {\"api_token\": \"pk_...\"} (ClickUp > Settings > Apps) in config.json, then\n  \
clickup-connector check --config config.json\n  clickup-connector read --config config.json --output clickup-data\n\
Run the same `read` again later: it continues incrementally from clickup-data/state.json.\n\n\
Exit codes: 0 success; 3 configuration or token problem (fix it); 4 transient failure (run again later: \
it resumes where it stopped); 1 other errors; 2 bad arguments."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The connector component (.wasm) to run. Default: $CLICKUP_CONNECTOR_WASM, else this
    /// project's own component, built on demand.
    #[arg(long, global = true, value_name = "PATH")]
    component: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Print the configuration's JSON Schema (Airbyte SPEC message).
    Spec,
    /// Check that the config works: valid token, at least one Workspace (CONNECTION_STATUS).
    Check(ConfigArgs),
    /// List the streams with their schemas and keys (Airbyte CATALOG).
    Discover(ConfigArgs),
    /// Read records: Airbyte RECORD and STATE messages on stdout, or files with --output.
    Read(ReadArgs),
    /// Serve the built-in ClickUp API simulator on loopback until interrupted.
    Simulate(SimulateArgs),
    /// See it work: simulator, full sync, changes, incremental sync, summary. No account needed.
    Demo(DemoArgs),
    /// Run many tenants' syncs side by side in this process, each in its own sandbox with its own
    /// caps, allow-list, output folder and state; tenants sharing a token share its rate limit.
    RunMany(RunManyArgs),
    /// Act as a Singer tap: `--discover` prints a Singer catalog; otherwise SCHEMA, RECORD and
    /// STATE messages on stdout, to pipe into any Singer target (target-jsonl, target-postgres…).
    Singer(SingerArgs),
}

#[derive(clap::Args)]
struct SingerArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// Print the Singer catalog (streams, schemas, key properties, replication) and exit.
    #[arg(long)]
    discover: bool,
    /// Singer catalog choosing the streams: those with "selected": true in their top-level
    /// metadata. Default: every stream, incremental where supported.
    #[arg(long, alias = "properties", value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// Singer state: the last STATE value the target emitted ({"bookmarks": {...}}).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
}

#[derive(clap::Args)]
struct RunManyArgs {
    /// JSON array of tenants: [{"name": "acme", "config": {"api_token": "pk_...", ...},
    /// "output": "acme-data", "limits": {"memory_mib": 256, "cpu_ms_per_call": 60000,
    /// "wall_seconds_per_call": 900, "max_requests": 100000}}]. Outputs are relative to the file.
    #[arg(long, value_name = "FILE")]
    tenants: PathBuf,
    /// Use wasmtime's pooling allocator (faster instantiation; falls back to on-demand where the
    /// machine cannot reserve the address space).
    #[arg(long)]
    pooling: bool,
}

#[derive(clap::Args)]
struct ConfigArgs {
    /// JSON config: {"api_token": "pk_...", "base_url"?, "start_date"?, "workspace_ids"?, ...}
    /// (see `spec`).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Keep the token in the host: it is removed from the config the connector sees, and the
    /// host adds the Authorization header to allowed requests itself.
    #[arg(long)]
    host_credentials: bool,
}

#[derive(clap::Args)]
struct ReadArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// Airbyte configured catalog: which streams, and which incrementally. Default: every
    /// stream, incremental where supported.
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// Airbyte per-stream state (a JSON array) from an earlier read. With --output, default:
    /// DIR/state.json.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Write DIR/<stream>.jsonl and DIR/state.json instead of messages on stdout. The state file
    /// is replaced only after the records it covers are on disk; run again to continue.
    #[arg(long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Write into a SQLite database (created if needed): one table per stream, keyed by its
    /// primary key, updated in place by incremental runs. The state is kept in the database
    /// (table _clickup_state, committed with the records it covers) unless --state is given;
    /// run again to continue.
    #[arg(long, value_name = "FILE", conflicts_with = "output")]
    sqlite: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum SizeArg {
    Tiny,
    Small,
    Medium,
    Reference,
}

impl SizeArg {
    fn size(self) -> Size {
        match self {
            SizeArg::Tiny => Size::tiny(),
            SizeArg::Small => Size::small(),
            SizeArg::Medium => Size::medium(),
            SizeArg::Reference => Size::reference(),
        }
    }
}

#[derive(clap::Args)]
struct SimulateArgs {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Seed of the generated data: the same seed gives the same Workspaces.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How much data.
    #[arg(long, value_enum, default_value = "small")]
    size: SizeArg,
    /// Requests per minute per token (ClickUp's Free plan: 100).
    #[arg(long, default_value_t = 100)]
    rate_limit: u32,
    /// Generate about this many tasks instead of the size's (spread over the size's lists).
    #[arg(long)]
    tasks: Option<usize>,
}

#[derive(clap::Args)]
struct DemoArgs {
    /// Where the synced data goes (emptied first): <stream>.jsonl files, state.json, and the
    /// SQLite database clickup.sqlite.
    #[arg(long, default_value = "clickup-demo")]
    output: PathBuf,
    /// Seed of the simulated Workspaces.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_SYSTEM);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_SYSTEM)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Spec => {
            let mut run = start(cli.component.as_deref(), EgressPolicy::default()).await?;
            let schema = run.spec().await?;
            println!("{}", airbyte::spec(&schema));
            Ok(0)
        }
        Command::Check(args) => {
            let prepared = Prepared::load(&args)?;
            let mut run = start(cli.component.as_deref(), prepared.egress.clone()).await?;
            match run.check(&prepared.guest_config).await {
                Ok(()) => {
                    println!("{}", airbyte::connection_status(None));
                    Ok(0)
                }
                Err(e) => {
                    println!("{}", airbyte::connection_status(Some(&e.to_string())));
                    eprintln!("check failed: {e}");
                    Ok(exit_code(&e))
                }
            }
        }
        Command::Discover(args) => {
            let prepared = Prepared::load(&args)?;
            let mut run = start(cli.component.as_deref(), prepared.egress.clone()).await?;
            match run.discover(&prepared.guest_config).await {
                Ok(streams) => {
                    println!("{}", airbyte::catalog(&streams));
                    Ok(0)
                }
                Err(e) => {
                    println!("{}", airbyte::error(&e.to_string(), failure(&e), None));
                    eprintln!("discover failed: {e}");
                    Ok(exit_code(&e))
                }
            }
        }
        Command::Read(args) => read(cli.component.as_deref(), args).await,
        Command::Simulate(args) => simulate(args).await,
        Command::Demo(args) => demo(cli.component.as_deref(), args).await,
        Command::RunMany(args) => run_many(cli.component.as_deref(), args).await,
        Command::Singer(args) => singer(cli.component.as_deref(), args).await,
    }
}

/// A config file, split into what the connector sees and the host's network policy.
struct Prepared {
    guest_config: String,
    egress: EgressPolicy,
}

impl Prepared {
    fn load(args: &ConfigArgs) -> anyhow::Result<Prepared> {
        let text = std::fs::read_to_string(&args.config).map_err(|e| {
            anyhow::anyhow!("cannot read the config file {}: {e}", args.config.display())
        })?;
        Prepared::from_text(&text, args.host_credentials)
    }

    fn from_text(text: &str, host_credentials: bool) -> anyhow::Result<Prepared> {
        let mut value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            // Let the connector report the malformed config with its own message.
            Err(_) => {
                return Ok(Prepared {
                    guest_config: text.to_owned(),
                    egress: EgressPolicy::default(),
                })
            }
        };
        let base_url = value
            .get("base_url")
            .and_then(Value::as_str)
            .unwrap_or("https://api.clickup.com/api/v2")
            .to_owned();
        let mut egress = EgressPolicy::for_base_url(&base_url).unwrap_or_default();
        let token = value
            .get("api_token")
            .and_then(Value::as_str)
            .map(|t| t.trim().to_owned());
        if let Some(token) = &token {
            egress.limiter = Some(limiters().for_token(token));
            if host_credentials {
                if !token.starts_with("pk_") {
                    anyhow::bail!("configuration error: api_token is not a ClickUp personal API token: those start with pk_. Copy the full token including the pk_ prefix from ClickUp > Settings > Apps.");
                }
                egress.injected_authorization = Some(token.clone());
                if let Some(obj) = value.as_object_mut() {
                    obj.remove("api_token");
                }
            }
        }
        Ok(Prepared {
            guest_config: value.to_string(),
            egress,
        })
    }
}

fn limiters() -> &'static host_harness::token_limiter::TokenLimiters {
    static L: std::sync::OnceLock<host_harness::token_limiter::TokenLimiters> =
        std::sync::OnceLock::new();
    L.get_or_init(Default::default)
}

async fn load(component: Option<&Path>) -> anyhow::Result<Arc<ConnectorHost>> {
    let path = component_path::find_or_build(component)?;
    ConnectorHost::load(&path, &LoadOptions::default())
}

async fn start(component: Option<&Path>, egress: EgressPolicy) -> anyhow::Result<Run> {
    let host = load(component).await?;
    Run::new(
        &host,
        RunOptions {
            egress,
            ..Default::default()
        },
    )
    .await
}

fn failure(e: &CallError) -> &'static str {
    match e {
        CallError::Connector(w) => airbyte::failure_type(w),
        CallError::Stopped(_) => "system_error",
    }
}

fn exit_code(e: &CallError) -> u8 {
    match e {
        CallError::Connector(WitError::RateLimited(_) | WitError::Transient(_)) => EXIT_TRANSIENT,
        CallError::Connector(WitError::Protocol(_)) | CallError::Stopped(_) => EXIT_SYSTEM,
        CallError::Connector(_) => EXIT_CONFIG,
    }
}

async fn read(component: Option<&Path>, args: ReadArgs) -> anyhow::Result<u8> {
    let prepared = Prepared::load(&args.config)?;
    let mut run = start(component, prepared.egress.clone()).await?;
    let descriptors = match run.discover(&prepared.guest_config).await {
        Ok(d) => d,
        Err(e) => {
            println!("{}", airbyte::error(&e.to_string(), failure(&e), None));
            eprintln!("read failed: {e}");
            return Ok(exit_code(&e));
        }
    };
    let streams = match &args.catalog {
        Some(path) => output::load_catalog(path)?,
        None => StreamChoice::every(&descriptors),
    };
    let state_path = args
        .state
        .clone()
        .or_else(|| args.output.as_ref().map(|d| d.join(OutputDir::STATE_FILE)));
    let loaded = match (&state_path, &args.sqlite) {
        (Some(p), _) => output::load_state_file(p),
        (None, Some(db)) => SqliteDestination::load_state(db),
        (None, None) => Ok(SyncState::new()),
    };
    let mut state = match loaded {
        Ok(s) => s,
        Err(e) => {
            println!(
                "{}",
                airbyte::error(&format!("{e:#}"), "config_error", None)
            );
            eprintln!("error: {e:#}");
            return Ok(EXIT_CONFIG);
        }
    };
    let mut progress = Progress::new();
    let end = match (&args.output, &args.sqlite) {
        (None, Some(db)) => {
            let mut db_out = SqliteDestination::open(db, &descriptors, &streams, &state)?;
            let end = sync_into(
                &mut run,
                &prepared.guest_config,
                &streams,
                &mut state,
                vec![&mut db_out, &mut progress],
            )
            .await?;
            print_summary(&progress, &db_out.written);
            let rejected: u64 = db_out.rejected.values().sum();
            if rejected > 0 {
                println!(
                    "{rejected} records without a primary key are in the table _clickup_rejected."
                );
            }
            let table = streams
                .iter()
                .find(|s| s.name == "tasks")
                .or(streams.first())
                .map_or("tasks", |s| s.name.as_str());
            println!(
                "The data is in the SQLite database {} (a table per stream). Try:\n  sqlite3 {} \"SELECT count(*) FROM {}\"",
                db.display(),
                sqlite::shell_quote(&db.display().to_string()),
                table
            );
            end
        }
        (Some(dir), _) => {
            let (end, written) = sync_into_folder(
                &mut run,
                &prepared.guest_config,
                &streams,
                &mut state,
                dir,
                &mut progress,
            )
            .await?;
            print_summary(&progress, &written);
            println!(
                "peak memory: host process {:.1} MiB (RSS), connector {:.1} MiB (linear memory)",
                host_harness::process_memory::peak_rss_bytes() as f64 / (1 << 20) as f64,
                run.peak_memory_bytes() as f64 / (1 << 20) as f64
            );
            end
        }
        (None, None) => {
            let stdout = std::io::stdout();
            let mut lines = AirbyteLines::new(std::io::BufWriter::new(stdout.lock()));
            let end = sync_into(
                &mut run,
                &prepared.guest_config,
                &streams,
                &mut state,
                vec![&mut lines, &mut progress],
            )
            .await?;
            if let SyncEnd::Failed { stream, error } = &end {
                lines.message(&airbyte::error(
                    &error.to_string(),
                    failure(error),
                    Some(stream),
                ))?;
            }
            lines.flush()?;
            end
        }
    };
    Ok(match end {
        SyncEnd::Complete | SyncEnd::Interrupted => 0,
        SyncEnd::Failed { stream, error } => {
            eprintln!("read failed in stream {stream}: {error}");
            exit_code(&error)
        }
    })
}

/// A sync with the default options, its messages to each of `outputs` in turn.
async fn sync_into(
    run: &mut Run,
    config: &str,
    streams: &[StreamChoice],
    state: &mut SyncState,
    outputs: Vec<&mut dyn sync::Observer>,
) -> anyhow::Result<SyncEnd> {
    let mut tee = Tee(outputs);
    sync::sync(
        run,
        config,
        streams,
        state,
        &SyncOptions::default(),
        &mut tee,
    )
    .await
}

/// Syncs into an `--output` folder with the progress display; returns how it ended and the
/// records written per stream.
async fn sync_into_folder(
    run: &mut Run,
    config: &str,
    streams: &[StreamChoice],
    state: &mut SyncState,
    dir: &Path,
    progress: &mut Progress,
) -> anyhow::Result<(SyncEnd, std::collections::BTreeMap<String, u64>)> {
    let mut files = OutputDir::open(dir, streams, state)?;
    let end = sync_into(run, config, streams, state, vec![&mut files, progress]).await?;
    Ok((end, files.written))
}

fn print_summary(progress: &Progress, written: &std::collections::BTreeMap<String, u64>) {
    println!(
        "{:<14} {:>9} {:>9} {:>16}",
        "stream", "records", "requests", "rate-limit wait"
    );
    for (stream, (records, requests, waited)) in &progress.totals {
        let _ = records;
        let n = written.get(stream).copied().unwrap_or(0);
        println!(
            "{stream:<14} {n:>9} {requests:>9} {:>14.1} s",
            *waited as f64 / 1000.0
        );
    }
}

async fn simulate(args: SimulateArgs) -> anyhow::Result<u8> {
    let size = match args.tasks {
        Some(n) => Size::with_tasks(n),
        None => args.size.size(),
    };
    let sim = Simulator::start(SimConfig {
        seed: args.seed,
        size,
        port: args.port,
        rate_limit: RateLimitConfig {
            limit: args.rate_limit,
            window: std::time::Duration::from_secs(60),
        },
        ..SimConfig::default()
    })?;
    let world = sim.world();
    println!("ClickUp simulator listening on {}", sim.base_url());
    println!(
        "token: {}  ({} workspaces, {} tasks, {} time entries)",
        sim.token(),
        world.workspaces.len(),
        world.task_count(),
        world.time_entry_count()
    );
    println!(
        "config: {}",
        serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url()})
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    Ok(0)
}

/// The demo's database, in its output folder.
const DEMO_DATABASE: &str = "clickup.sqlite";
/// The query the demo runs and shows.
const DEMO_QUERY: &str = "SELECT name, json_extract(status, '$.status') AS status, json_extract(priority, '$.priority') AS priority, date_updated FROM tasks ORDER BY date_updated DESC LIMIT 8";

async fn demo(component: Option<&Path>, args: DemoArgs) -> anyhow::Result<u8> {
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
    let host = load(component).await?;
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
            let (updated, created, entries) =
                sim.mutate(|w| (w.update_tasks(5), w.create_tasks(3), w.add_time_entries(4)));
            eprintln!(
                "\nIn ClickUp meanwhile: {} tasks updated, {} created, {} time entries added.",
                updated.len(),
                created.len(),
                entries.len()
            );
        }
        eprintln!("\n== {pass} into {} ==", args.output.display());
        let mut run = Run::new(
            &host,
            RunOptions {
                egress: prepared.egress.clone(),
                ..Default::default()
            },
        )
        .await?;
        let descriptors = match run.discover(&prepared.guest_config).await {
            Ok(d) => d,
            Err(e) => anyhow::bail!("{e}"),
        };
        let streams = StreamChoice::every(&descriptors);
        let mut state = output::load_state_file(&args.output.join(OutputDir::STATE_FILE))?;
        let mut progress = Progress::new();
        let mut files = OutputDir::open(&args.output, &streams, &state)?;
        let mut db_out = SqliteDestination::open(&db, &descriptors, &streams, &state)?;
        let end = sync_into(
            &mut run,
            &prepared.guest_config,
            &streams,
            &mut state,
            vec![&mut files, &mut db_out, &mut progress],
        )
        .await?;
        drop(db_out);
        if let SyncEnd::Failed { stream, error } = end {
            eprintln!("{pass} failed in {stream}: {error}");
            return Ok(exit_code(&error));
        }
        order = streams.iter().map(|s| s.name.clone()).collect();
        tables.push((pass, progress.totals.clone()));
    }
    println!(
        "\n{:<14} {:>18} {:>18}",
        "stream", "full sync", "incremental sync"
    );
    println!(
        "{:<14} {:>18} {:>18}",
        "", "records/requests", "records/requests"
    );

    for stream in &order {
        let (records, requests, _) = tables[0].1.get(stream).copied().unwrap_or_default();
        let (r2, q2, _) = tables[1].1.get(stream).copied().unwrap_or_default();
        println!(
            "{stream:<14} {:>18} {:>18}",
            format!("{records}/{requests}"),
            format!("{r2}/{q2}")
        );
    }
    println!(
        "\nThe records are in {}/<stream>.jsonl (the state in {}/state.json), and in the SQLite \
         database {}: a table per stream, keyed by its primary key, so the incremental sync \
         updated the changed rows in place. Objects and arrays are JSON columns (json_extract).",
        args.output.display(),
        args.output.display(),
        db.display()
    );
    println!(
        "\nThe most recently updated tasks:\n  sqlite3 -header -column {} \"{DEMO_QUERY}\"\n",
        sqlite::shell_quote(&db.display().to_string())
    );
    println!("{}", sqlite::query_table(&db, DEMO_QUERY)?);
    println!("\nOr: head -c 600 {}/tasks.jsonl", args.output.display());
    Ok(0)
}

async fn run_many(component: Option<&Path>, args: RunManyArgs) -> anyhow::Result<u8> {
    use host_harness::loader::Allocation;
    use host_harness::tenants;
    let text = std::fs::read_to_string(&args.tenants)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.tenants.display()))?;
    let base = args.tenants.parent().unwrap_or(Path::new("."));
    let list = tenants::load_tenants(&text, base)?;
    let path = component_path::find_or_build(component)?;
    let allocation = if args.pooling {
        Allocation::Pooling {
            max_instances: (list.len() as u32).saturating_add(8),
        }
    } else {
        Allocation::OnDemand
    };
    let host = ConnectorHost::load(
        &path,
        &LoadOptions {
            allocation,
            ..Default::default()
        },
    )?;
    if args.pooling && host.allocation == Allocation::OnDemand {
        eprintln!("note: the pooling allocator could not reserve its memory here; using on-demand allocation");
    }
    let limiters = Arc::new(host_harness::token_limiter::TokenLimiters::default());
    let reports = tenants::run_many(&host, list, &limiters, SyncOptions::default()).await;
    println!(
        "{:<20} {:>8} {:>8} {:>9} {:>8} {:>8} {:>7}  outcome",
        "tenant", "records", "requests", "rl-wait s", "peak MiB", "cpu ms", "wall s"
    );
    let mut failed = 0;
    for r in &reports {
        let outcome = match &r.outcome {
            Ok(()) => "ok".to_owned(),
            Err(e) => {
                failed += 1;
                e.clone()
            }
        };
        println!(
            "{:<20} {:>8} {:>8} {:>9.1} {:>8.1} {:>8} {:>7.1}  {}",
            r.name,
            r.records,
            r.requests,
            r.rate_limit_wait_ms as f64 / 1000.0,
            r.peak_memory_bytes as f64 / (1 << 20) as f64,
            r.cpu_ms,
            r.wall.as_secs_f64(),
            outcome
        );
    }
    Ok(if failed == 0 { 0 } else { EXIT_SYSTEM })
}

/// `singer`: the same sync as `read`, in the Singer protocol (see `host_harness::singer`).
async fn singer(component: Option<&Path>, args: SingerArgs) -> anyhow::Result<u8> {
    use host_harness::singer;
    let prepared = Prepared::load(&args.config)?;
    let mut run = start(component, prepared.egress.clone()).await?;
    let descriptors = match run.discover(&prepared.guest_config).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("CRITICAL {e}");
            return Ok(exit_code(&e));
        }
    };
    if args.discover {
        println!("{:#}", singer::catalog(&descriptors));
        return Ok(0);
    }
    let read_json = |path: &Path, what: &str| -> anyhow::Result<String> {
        std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the {what} {}: {e}", path.display()))
    };
    let streams = match &args.catalog {
        Some(path) => {
            let text = read_json(path, "catalog")?;
            let parsed = serde_json::from_str::<Value>(&text)
                .map_err(|e| format!("not JSON: {e}"))
                .and_then(|c| singer::selected_streams(&c, &descriptors));
            match parsed {
                Ok(s) => s,
                Err(why) => {
                    eprintln!(
                        "CRITICAL the catalog {} cannot be used: {why}",
                        path.display()
                    );
                    return Ok(EXIT_CONFIG);
                }
            }
        }
        None => StreamChoice::every(&descriptors),
    };
    let mut state = match &args.state {
        Some(path) => match singer::parse_state(&read_json(path, "state file")?) {
            Ok(s) => s,
            Err(why) => {
                eprintln!(
                    "CRITICAL the state file {} is not a Singer state this tap wrote ({why}). \
                     Delete it (or the stream's bookmark) to start over with a full sync.",
                    path.display()
                );
                return Ok(EXIT_CONFIG);
            }
        },
        None => SyncState::new(),
    };
    let stdout = std::io::stdout();
    let mut lines =
        singer::SingerLines::new(std::io::BufWriter::new(stdout.lock()), &descriptors, &state);
    let mut progress = Progress::new();
    let end = sync_into(
        &mut run,
        &prepared.guest_config,
        &streams,
        &mut state,
        vec![&mut lines, &mut progress],
    )
    .await?;
    lines.flush()?;
    Ok(match end {
        SyncEnd::Complete | SyncEnd::Interrupted => 0,
        SyncEnd::Failed { stream, error } => {
            eprintln!("CRITICAL stream {stream}: {error}");
            exit_code(&error)
        }
    })
}
