//! The command line: every command and flag, as clap parses them. The work is in
//! [`crate::commands`]; nothing here does any.

use clap::{Parser, Subcommand, ValueEnum};
use clickup_sim::Size;
use std::path::PathBuf;

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
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// The connector component (.wasm) to run. Default: $CLICKUP_CONNECTOR_WASM, else the
    /// component built into this binary.
    #[arg(long, global = true, value_name = "PATH")]
    pub(crate) component: Option<PathBuf>,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
pub(crate) struct SingerArgs {
    #[command(flatten)]
    pub(crate) config: ConfigArgs,
    /// Print the Singer catalog (streams, schemas, key properties, replication) and exit.
    #[arg(long)]
    pub(crate) discover: bool,
    /// Singer catalog choosing the streams: those with "selected": true in their top-level
    /// metadata. Default: every stream, incremental where supported.
    #[arg(long, alias = "properties", value_name = "FILE")]
    pub(crate) catalog: Option<PathBuf>,
    /// Singer state: the last STATE value the target emitted ({"bookmarks": {...}}).
    #[arg(long, value_name = "FILE")]
    pub(crate) state: Option<PathBuf>,
    /// Start STREAM over (repeatable): its bookmark is ignored; the others continue from theirs.
    #[arg(long = "reset", value_name = "STREAM")]
    pub(crate) reset: Vec<String>,
    #[command(flatten)]
    pub(crate) lanes: LaneArgs,
}

#[derive(clap::Args)]
pub(crate) struct RunManyArgs {
    /// JSON array of tenants: [{"name": "acme", "config": {"api_token": "pk_...", ...},
    /// "output": "acme-data", "limits": {"memory_mib": 256, "cpu_ms_per_call": 60000,
    /// "wall_seconds_per_call": 900, "max_requests": 100000}}]. Outputs are relative to the file.
    #[arg(long, value_name = "FILE")]
    pub(crate) tenants: PathBuf,
    /// A host tenants may reach (HOST, any port, or HOST:PORT); repeatable. A tenant whose
    /// base_url names another host is refused before it sends anything. Default:
    /// api.clickup.com only. Hosts named here may resolve to private or loopback addresses;
    /// any other host that does is refused.
    #[arg(long = "allow-host", value_name = "HOST[:PORT]")]
    pub(crate) allow_hosts: Vec<String>,
    /// Use wasmtime's pooling allocator (faster instantiation; falls back to on-demand where the
    /// machine cannot reserve the address space).
    #[arg(long)]
    pub(crate) pooling: bool,
}

/// How a sync uses the connector's lanes (`read` and `singer`).
#[derive(clap::Args)]
pub(crate) struct LaneArgs {
    /// Read every stream on one connector instance, one after another. Default: the streams
    /// the connector marks independent of the others (its lanes: for ClickUp, goals and time
    /// entries) are read side by side with them, each lane on an instance of its own, all
    /// under the token's one rate limit, for one more request each (`GET /team`).
    #[arg(long)]
    pub(crate) one_instance: bool,
}

#[derive(clap::Args)]
pub(crate) struct ConfigArgs {
    /// JSON config: {"api_token": "pk_...", "base_url"?, "start_date"?, "workspace_ids"?, ...}
    /// (see `spec`).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: PathBuf,
    /// Keep the token in the host: it is removed from the config the connector sees, and the
    /// host adds the Authorization header to allowed requests itself.
    #[arg(long)]
    pub(crate) host_credentials: bool,
}

#[derive(clap::Args)]
pub(crate) struct ReadArgs {
    #[command(flatten)]
    pub(crate) config: ConfigArgs,
    /// Airbyte configured catalog: which streams, and which incrementally. Default: every
    /// stream, incremental where supported.
    #[arg(long, value_name = "FILE")]
    pub(crate) catalog: Option<PathBuf>,
    /// Airbyte per-stream state (a JSON array) from an earlier read. With --output, default:
    /// DIR/state.json.
    #[arg(long, value_name = "FILE")]
    pub(crate) state: Option<PathBuf>,
    /// Write DIR/<stream>.jsonl and DIR/state.json instead of messages on stdout. The state file
    /// is replaced only after the records it covers are on disk; run again to continue. Each
    /// file holds every record once, as last synced: incremental runs append what changed, and
    /// at the end of each stream older copies (same primary key) are removed.
    #[arg(long, value_name = "DIR")]
    pub(crate) output: Option<PathBuf>,
    /// Write into a SQLite database (created if needed): one table per stream, keyed by its
    /// primary key, updated in place by incremental runs. The state is kept in the database
    /// (table _clickup_state, committed with the records it covers) unless --state is given;
    /// run again to continue.
    #[arg(long, value_name = "FILE", conflicts_with = "output")]
    pub(crate) sqlite: Option<PathBuf>,
    /// Start STREAM over (repeatable): its saved state is ignored, and replaced by this sync's
    /// when the stream completes. For a stream whose saved state cannot be used; the other
    /// streams continue from theirs.
    #[arg(long = "reset", value_name = "STREAM")]
    pub(crate) reset: Vec<String>,
    #[command(flatten)]
    pub(crate) lanes: LaneArgs,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SizeArg {
    Tiny,
    Small,
    Medium,
    Reference,
}

impl SizeArg {
    pub(crate) fn size(self) -> Size {
        match self {
            SizeArg::Tiny => Size::tiny(),
            SizeArg::Small => Size::small(),
            SizeArg::Medium => Size::medium(),
            SizeArg::Reference => Size::reference(),
        }
    }
}

#[derive(clap::Args)]
pub(crate) struct SimulateArgs {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8080)]
    pub(crate) port: u16,
    /// Seed of the generated data: the same seed gives the same Workspaces.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// How much data.
    #[arg(long, value_enum, default_value = "small")]
    pub(crate) size: SizeArg,
    /// Requests per minute per token (ClickUp's Free plan: 100).
    #[arg(long, default_value_t = 100)]
    pub(crate) rate_limit: u32,
    /// Generate about this many tasks instead of the size's (spread over the size's lists).
    #[arg(long)]
    pub(crate) tasks: Option<usize>,
    /// Every answer takes this many milliseconds, like the real API across the internet
    /// (ClickUp answers a task page in roughly 300–2,000 ms). Default: 0.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub(crate) latency_ms: u64,
    /// Up to this many milliseconds more per answer, drawn at random. Default: 0.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub(crate) jitter_ms: u64,
}

#[derive(clap::Args)]
pub(crate) struct DemoArgs {
    /// Where the synced data goes (emptied first): <stream>.jsonl files, state.json, and the
    /// SQLite database clickup.sqlite.
    #[arg(long, default_value = "clickup-demo")]
    pub(crate) output: PathBuf,
    /// Seed of the simulated Workspaces.
    #[arg(long, default_value_t = 42)]
    pub(crate) seed: u64,
}
