//! Embedding the host: load a component, run a sync into an observer of your own, print the
//! records. No ClickUp knowledge here: the embedder decides what the run may reach.
//!
//! ```sh
//! cargo run -p host-harness --example embed -- COMPONENT.wasm CONFIG.json ALLOWED_URL [STREAM...]
//! # for example, against the simulator (`clickup-connector simulate` prints its config):
//! cargo run -p host-harness --example embed -- \
//!     target/wasm32-wasip2/release/clickup_connector.wasm config.json http://127.0.0.1:8080 spaces
//! ```
//!
//! It prints one line per record (`<stream> <record JSON>`), then one summary line per stream on
//! stderr. A failed stream prints the error and the program exits with status 1.

use host_harness::{
    sync, Checkpoint, ConnectorHost, EgressPolicy, LoadOptions, Observer, Run, RunOptions,
    StreamChoice, SyncEnd, SyncOptions, SyncState,
};
use std::collections::BTreeMap;
use std::process::ExitCode;

/// The embedder's own observer: prints records, remembers checkpoints in memory.
#[derive(Default)]
struct PrintRecords {
    records: BTreeMap<String, usize>,
    checkpoints: SyncState,
}

impl Observer for PrintRecords {
    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        for record in records {
            println!("{stream} {record}");
        }
        *self.records.entry(stream.to_owned()).or_default() += records.len();
        Ok(())
    }

    fn checkpoint(&mut self, stream: &str, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        // A real embedder persists this here, after the records it covers.
        self.checkpoints
            .insert(stream.to_owned(), checkpoint.clone());
        Ok(())
    }

    fn warning(&mut self, stream: &str, message: &str) {
        eprintln!("warning: {stream}: {message}");
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match embed().await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn embed() -> anyhow::Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [component, config, allowed, streams @ ..] = args.as_slice() else {
        anyhow::bail!("usage: embed COMPONENT.wasm CONFIG.json ALLOWED_URL [STREAM...]");
    };
    let config = std::fs::read_to_string(config)?;

    // 1. Compile once (cached on disk), link WASI and wasi:http.
    let host = ConnectorHost::load(component.as_ref(), &LoadOptions::default())?;
    // 2. One run: its own store, default caps, and the network the embedder allows.
    let egress = EgressPolicy::for_base_url(allowed)?;
    let mut run = Run::new(
        &host,
        RunOptions {
            egress,
            ..RunOptions::default()
        },
    )
    .await?;
    // 3. The streams: those named, else every stream the component offers.
    let offered = StreamChoice::every(&run.discover(&config).await?);
    let chosen: Vec<StreamChoice> = if streams.is_empty() {
        offered
    } else {
        offered
            .into_iter()
            .filter(|s| streams.contains(&s.name))
            .collect()
    };
    // 4. The sync: records, then the checkpoint that covers them, page by page.
    let mut observer = PrintRecords::default();
    let mut state = SyncState::new();
    let end = sync(
        &mut run,
        &config,
        &chosen,
        &mut state,
        &SyncOptions::default(),
        &mut observer,
    )
    .await?;
    for (stream, n) in &observer.records {
        eprintln!("{stream}: {n} records");
    }
    Ok(match end {
        SyncEnd::Complete | SyncEnd::Interrupted => ExitCode::SUCCESS,
        // The error path: the connector's typed error (config, auth, rate-limited, transient, …)
        // or the host's stop (memory, CPU, wall time, trap), with a message for a person.
        SyncEnd::Failed { stream, error } => {
            eprintln!("{stream} failed: {error}");
            ExitCode::FAILURE
        }
    })
}
