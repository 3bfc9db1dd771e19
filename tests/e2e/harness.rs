//! Shared set-up: the compiled component (built once per test process), simulators, and syncs
//! that collect what the connector emitted.

use clickup_sim::{RateLimitConfig, SimConfig, Simulator, Size};
use host_harness::egress::EgressPolicy;
use host_harness::sync::{
    self, Checkpoint, Observer, StreamChoice, SyncEnd, SyncOptions, SyncState,
};
use host_harness::{CallError, Run, RunOptions};
use host_harness::{ConnectorHost, LoadOptions};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The project's component, built (release, wasm32-wasip2) and compiled once per test process.
pub(crate) fn host() -> Arc<ConnectorHost> {
    static HOST: OnceLock<Arc<ConnectorHost>> = OnceLock::new();
    HOST.get_or_init(|| {
        let path = clickup_tests::build_component().expect("build the connector component");
        ConnectorHost::load(&path, &LoadOptions::default()).expect("load the connector component")
    })
    .clone()
}

/// A simulator with no rate limit to speak of (tests of the rate limit set their own).
pub(crate) fn sim(seed: u64, size: Size) -> Simulator {
    Simulator::start(SimConfig {
        seed,
        size,
        rate_limit: RateLimitConfig::unlimited(),
        ..SimConfig::default()
    })
    .expect("start the simulator")
}

/// The config that points the connector at a simulator.
pub(crate) fn config(sim: &Simulator) -> String {
    serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url()}).to_string()
}

/// A run allowed to reach the simulator only.
pub(crate) async fn run_for(sim: &Simulator) -> Run {
    run_with(EgressPolicy::for_base_url(&sim.base_url()).unwrap()).await
}

/// A run of the project's component under `egress`.
pub(crate) async fn run_with(egress: EgressPolicy) -> Run {
    Run::new(
        &host(),
        RunOptions {
            egress,
            ..Default::default()
        },
    )
    .await
    .expect("instantiate")
}

/// Each stream's records by key (what two syncs are compared by).
pub(crate) fn keyed(out: &Collected) -> BTreeMap<String, BTreeMap<String, Value>> {
    out.records
        .iter()
        .map(|(stream, records)| (stream.clone(), by_key(records)))
        .collect()
}

/// Syncs `streams` from scratch on `run`: what came out and how it ended.
pub(crate) async fn sync_on(
    run: &mut Run,
    config: &str,
    streams: &[&str],
    observer: &mut dyn Observer,
) -> SyncEnd {
    sync::sync(
        run,
        config,
        &choices(streams),
        &mut SyncState::new(),
        &quick(),
        observer,
    )
    .await
    .expect("the sync driver itself must not fail")
}

/// What a sync delivered, in the order the observer saw it.
#[derive(Default, Debug)]
pub(crate) struct Collected {
    pub(crate) records: BTreeMap<String, Vec<Value>>,
    pub(crate) warnings: Vec<String>,
    pub(crate) rate_limited: u32,
    pub(crate) requests: u64,
    /// Every event, for order checks: ("records", stream, n) or ("checkpoint", stream, 0).
    pub(crate) events: Vec<(&'static str, String, usize)>,
}

impl Observer for Collected {
    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        let list = self.records.entry(stream.to_owned()).or_default();
        for r in records {
            list.push(serde_json::from_str(r)?);
        }
        self.events
            .push(("records", stream.to_owned(), records.len()));
        Ok(())
    }
    fn checkpoint(&mut self, stream: &str, _c: &Checkpoint) -> anyhow::Result<()> {
        self.events.push(("checkpoint", stream.to_owned(), 0));
        Ok(())
    }
    fn warning(&mut self, _stream: &str, message: &str) {
        self.warnings.push(message.to_owned());
    }
    fn rate_limited(&mut self, _stream: &str, _reset: u64) {
        self.rate_limited += 1;
    }
    fn page(&mut self, _stream: &str, _n: usize, stats: &host_harness::PageStats) {
        self.requests += u64::from(stats.requests);
    }
}

/// Streams by name, incremental where the connector supports it (the task's child streams with
/// `tasks`, their parent).
pub(crate) fn choices(names: &[&str]) -> Vec<StreamChoice> {
    names
        .iter()
        .map(|n| {
            let child = clickup_connector::streams::task_children::Child::from_name(n);
            StreamChoice {
                name: (*n).to_owned(),
                incremental: matches!(*n, "tasks" | "time_entries") || child.is_some(),
                parent: child.map(|_| "tasks".to_owned()),
                lane: clickup_connector::streams::Stream::from_name(n)
                    .ok()
                    .and_then(|s| s.lane())
                    .map(str::to_owned),
            }
        })
        .collect()
}

/// Every stream.
pub(crate) const ALL: [&str; 9] = clickup_connector::streams::Stream::NAMES;

/// Test sync options: quick retries.
pub(crate) fn quick() -> SyncOptions {
    SyncOptions {
        transient_pause: Duration::from_millis(50),
        ..SyncOptions::default()
    }
}

/// Syncs `streams` from `state` with a fresh run and config; returns what came out and how it ended.
pub(crate) async fn sync_with(
    sim: &Simulator,
    config: &str,
    streams: &[&str],
    state: &mut SyncState,
    options: &SyncOptions,
) -> (Collected, SyncEnd) {
    let mut run = run_for(sim).await;
    let mut out = Collected::default();
    let end = sync::sync(
        &mut run,
        config,
        &choices(streams),
        state,
        options,
        &mut out,
    )
    .await
    .expect("the sync driver itself must not fail");
    (out, end)
}

/// Syncs and insists on completion.
pub(crate) async fn sync_ok(sim: &Simulator, streams: &[&str], state: &mut SyncState) -> Collected {
    let (out, end) = sync_with(sim, &config(sim), streams, state, &quick()).await;
    match end {
        SyncEnd::Complete => out,
        other => panic!("the sync did not complete: {other:?}"),
    }
}

/// The error a sync ended with.
pub(crate) fn failed(end: SyncEnd) -> CallError {
    match end {
        SyncEnd::Failed { error, .. } => error,
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// Records keyed by their primary key (`id`, or `workspace_id/id` for members).
pub(crate) fn by_key(records: &[Value]) -> BTreeMap<String, Value> {
    records
        .iter()
        .map(|r| {
            let id = match &r["id"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let key = if r.get("user").is_none() && r.get("role").is_some() {
                format!("{}/{id}", r["workspace_id"].as_str().unwrap_or(""))
            } else {
                id
            };
            (key, r.clone())
        })
        .collect()
}

/// Ids of records.
pub(crate) fn ids(records: &[Value]) -> std::collections::BTreeSet<String> {
    by_key(records).into_keys().collect()
}

/// The hostile test component (`tests/fixtures/hostile`), built and compiled once per process.
pub(crate) fn hostile_host() -> Arc<ConnectorHost> {
    static HOST: OnceLock<Arc<ConnectorHost>> = OnceLock::new();
    HOST.get_or_init(|| {
        let path = clickup_tests::build_fixture("hostile", "hostile_connector")
            .expect("build the hostile fixture");
        ConnectorHost::load(&path, &LoadOptions::default()).expect("load the hostile component")
    })
    .clone()
}

/// The smallest world that still has every layout (the 250- and 100-task lists, archived ones).
pub(crate) fn micro() -> Size {
    Size {
        workspaces: 1,
        spaces_per_workspace: 1,
        folders_per_space: 1,
        lists_per_folder: 1,
        folderless_lists_per_space: 1,
        tasks_per_list: 4,
        members_per_workspace: 4,
        goals_per_workspace: 2,
        time_entries_per_workspace: 30,
        history_days: 120,
    }
}

/// One sync of `streams` (by name, as [`choices`] makes them) into the SQLite database at `db`,
/// from `state`; what it delivered, also collected. It must complete.
pub(crate) async fn sync_into_db(
    sim: &Simulator,
    config: &str,
    streams: &[&str],
    db: &std::path::Path,
    state: &mut SyncState,
) -> Collected {
    let mut run = run_for(sim).await;
    let descriptors = run.discover(config).await.unwrap();
    let streams = choices(streams);
    let mut dest = connector_sinks::sqlite::SqliteDestination::open(
        db,
        "_clickup_",
        &descriptors,
        &streams,
        state,
    )
    .unwrap();
    let mut seen = Collected::default();
    let mut both = connector_sinks::tee::Tee(vec![&mut dest, &mut seen]);
    let end = sync::sync(&mut run, config, &streams, state, &quick(), &mut both)
        .await
        .unwrap();
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    seen
}
