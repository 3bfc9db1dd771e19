//! Many customers' syncs in one process, each walled off.
//!
//! Every tenant gets its own `Store` (from the one shared `InstancePre`), its own [`Limits`]
//! (memory, CPU per call, wall time per call, request cap), its own [`EgressPolicy`] (set by the
//! operator: the hosts it may reach, and the [`TokenLimiter`](crate::TokenLimiter) of its token),
//! and its own output and state, opened by the caller's [`OpenOutput`] (the sinks crate has a
//! folder of JSON-lines files). Tenants whose policies share a token's limiter stay inside that
//! token's budget together; tenants with different tokens never wait for each other. This module
//! knows no connector: it never reads a tenant's config.
//!
//! All tenants run on the calling thread's async executor: wasmtime yields at every epoch tick
//! (10 ms of guest computation), so a tenant that spins cannot starve the others, and one that
//! exceeds a cap is stopped with its own error while the rest go on.

use crate::bindings::{PageStats, StreamDescriptor};
use crate::egress::EgressPolicy;
use crate::runtime::{CallError, ConnectorHost, Limits, Run, RunOptions, Stop};
use crate::sync::{self, Checkpoint, Observer, StreamChoice, SyncEnd, SyncOptions, SyncState};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One tenant's sync.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// A name for reports.
    pub name: String,
    /// The connector config (JSON text). Passed to the connector as it is.
    pub config: String,
    /// Where its records and state go, as the [`OpenOutput`] reads it (the folder sink: a folder).
    pub output: PathBuf,
    /// Its network policy: the hosts it may reach, credential injection, its token's limiter.
    /// The operator's to set; the request cap of [`Tenant::limits`] is applied on top.
    pub egress: EgressPolicy,
    /// Streams to read. Empty: every stream the connector offers, incremental where it can.
    pub streams: Vec<StreamChoice>,
    /// Its caps.
    pub limits: Limits,
    /// What no message of its connector may show (its token): see [`RunOptions::secrets`].
    pub secrets: Vec<String>,
    /// A different component for this tenant. `None` (default): the one passed to [`run_many`].
    pub component: Option<Arc<ConnectorHost>>,
}

/// How a tenant's sync ended, with its numbers.
#[derive(Debug, Clone)]
pub struct TenantReport {
    /// The tenant's name.
    pub name: String,
    /// `ok`, or the error that stopped it.
    pub outcome: Result<(), String>,
    /// Whose failure it was, when it failed: what an exit code or an alert is chosen from.
    pub failure: Option<TenantFailure>,
    /// Whether the host had to stop the connector (memory, CPU, time, trap).
    pub stopped: Option<Stop>,
    /// Records written.
    pub records: u64,
    /// Requests sent.
    pub requests: u64,
    /// Requests refused by the egress policy.
    pub denied_requests: u64,
    /// Time spent waiting for the rate limit, in ms (as the connector reported it).
    pub rate_limit_wait_ms: u64,
    /// Largest linear memory the connector had, in bytes.
    pub peak_memory_bytes: usize,
    /// CPU time of the connector's code, in ms (sampled every 10 ms tick).
    pub cpu_ms: u64,
    /// Wall-clock time of the whole sync.
    pub wall: Duration,
}

/// Whose failure stopped a tenant.
#[derive(Debug, Clone)]
pub enum TenantFailure {
    /// The connector's error (config, auth, transient…), or the host stopped it (a cap, a trap).
    Connector(CallError),
    /// The host's side failed: its output could not be opened or written, or the run could not
    /// start.
    Host,
    /// The tenant was refused before it ran (by whoever built the list: a host not allowed, a
    /// bad entry).
    Refused,
}

impl TenantReport {
    /// A report with nothing done yet.
    pub fn empty(name: &str) -> TenantReport {
        TenantReport {
            name: name.to_owned(),
            outcome: Ok(()),
            failure: None,
            stopped: None,
            records: 0,
            requests: 0,
            denied_requests: 0,
            rate_limit_wait_ms: 0,
            peak_memory_bytes: 0,
            cpu_ms: 0,
            wall: Duration::ZERO,
        }
    }
}

/// A tenant's output, once its streams are known: the state to start from, and the observer that
/// stores its records and checkpoints.
pub struct TenantOutput {
    /// The saved state of the tenant's streams (empty on a first sync).
    pub state: SyncState,
    /// Where records and checkpoints go.
    pub observer: Box<dyn Observer>,
}

/// Opens a tenant's output for a sync of the given streams (`descriptors`: every stream the
/// connector offers, with its schema and key). An error is the host's (a folder that cannot be
/// created, a corrupt state file), reported as such in the tenant's report.
pub type OpenOutput =
    dyn Fn(&Tenant, &[StreamDescriptor], &[StreamChoice]) -> anyhow::Result<TenantOutput>;

/// Counts records and rate-limit waits while writing to the tenant's output.
struct Counting<'a> {
    files: &'a mut dyn Observer,
    records: u64,
    waited_ms: u64,
}

impl Observer for Counting<'_> {
    fn stream_started(&mut self, stream: &str) {
        self.files.stream_started(stream);
    }
    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        self.records += records.len() as u64;
        self.files.records(stream, records)
    }
    fn checkpoint(&mut self, stream: &str, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        self.files.checkpoint(stream, checkpoint)
    }
    fn warning(&mut self, stream: &str, message: &str) {
        self.files.warning(stream, message);
    }
    fn page(&mut self, stream: &str, records: usize, stats: &PageStats) {
        self.waited_ms += stats.rate_limit_wait_ms;
        self.files.page(stream, records, stats);
    }
    fn stream_complete(&mut self, stream: &str) {
        self.files.stream_complete(stream);
    }
    fn stream_failed(&mut self, stream: &str, error: &CallError) {
        self.files.stream_failed(stream, error);
    }
    fn sync_ended(&mut self) -> anyhow::Result<()> {
        self.files.sync_ended()
    }
}

/// Runs every tenant concurrently and reports on each, in the order given. Must be called inside
/// a tokio runtime; runs the tenants on the current thread.
pub async fn run_many(
    host: &Arc<ConnectorHost>,
    tenants: Vec<Tenant>,
    options: SyncOptions,
    open_output: Arc<OpenOutput>,
) -> Vec<TenantReport> {
    let local = tokio::task::LocalSet::new();
    let handles: Vec<_> = tenants
        .into_iter()
        .map(|tenant| {
            let (host, options, open) = (host.clone(), options.clone(), open_output.clone());
            local.spawn_local(async move { run_one(&host, tenant, &options, &*open).await })
        })
        .collect();
    local
        .run_until(async move {
            let mut reports = Vec::new();
            for h in handles {
                match h.await {
                    Ok(r) => reports.push(r),
                    Err(e) => reports.push(TenantReport {
                        outcome: Err(format!("host error: the tenant's task failed: {e}")),
                        failure: Some(TenantFailure::Host),
                        ..TenantReport::empty("?")
                    }),
                }
            }
            reports
        })
        .await
}

/// One tenant, start to end.
pub async fn run_one(
    host: &Arc<ConnectorHost>,
    tenant: Tenant,
    options: &SyncOptions,
    open_output: &OpenOutput,
) -> TenantReport {
    let started = Instant::now();
    let mut report = TenantReport::empty(&tenant.name);
    let mut egress = tenant.egress.clone();
    egress.max_requests = tenant.limits.max_requests;
    let host = tenant.component.as_ref().unwrap_or(host);
    let mut run = match Run::new(
        host,
        RunOptions {
            limits: tenant.limits.clone(),
            egress,
            secrets: tenant.secrets.clone(),
            // One instance per tenant, its streams one after another: a tenant's caps are those
            // of one instance.
            requests: None,
        },
    )
    .await
    {
        Ok(r) => r,
        Err(e) => {
            report.outcome = Err(format!("host error: cannot start: {e:#}"));
            report.failure = Some(TenantFailure::Host);
            return report;
        }
    };
    let outcome = sync_tenant(&mut run, &tenant, options, open_output, &mut report).await;
    report.requests = run.requests().sent();
    report.denied_requests = run.requests().denied_host()
        + run
            .requests()
            .denied_cap
            .load(std::sync::atomic::Ordering::Relaxed);
    report.peak_memory_bytes = run.peak_memory_bytes();
    report.cpu_ms = run.cpu_ms();
    report.wall = started.elapsed();
    match outcome {
        Ok(()) => {}
        Err(Failure::Connector(e)) => {
            if let CallError::Stopped(stop) = &e {
                report.stopped = Some(stop.clone());
            }
            report.outcome = Err(e.to_string());
            report.failure = Some(TenantFailure::Connector(e));
        }
        Err(Failure::Host(e)) => {
            report.outcome = Err(format!("host error: {e:#}"));
            report.failure = Some(TenantFailure::Host);
        }
    }
    report
}

/// Why a tenant's sync did not finish: the connector's doing, or the host's (its output).
enum Failure {
    Connector(CallError),
    Host(anyhow::Error),
}

async fn sync_tenant(
    run: &mut Run,
    tenant: &Tenant,
    options: &SyncOptions,
    open_output: &OpenOutput,
    report: &mut TenantReport,
) -> Result<(), Failure> {
    let descriptors = run
        .discover(&tenant.config)
        .await
        .map_err(Failure::Connector)?;
    let streams = if tenant.streams.is_empty() {
        StreamChoice::every(&descriptors)
    } else {
        tenant.streams.clone()
    };
    let TenantOutput {
        mut state,
        mut observer,
    } = open_output(tenant, &descriptors, &streams).map_err(Failure::Host)?;
    let mut counting = Counting {
        files: &mut *observer,
        records: 0,
        waited_ms: 0,
    };
    let end = sync::sync(
        run,
        &tenant.config,
        &streams,
        &mut state,
        options,
        &mut counting,
    )
    .await
    .map_err(Failure::Host)?;
    report.records = counting.records;
    report.rate_limit_wait_ms = counting.waited_ms;
    match end {
        SyncEnd::Complete | SyncEnd::Interrupted => Ok(()),
        SyncEnd::Failed { error, .. } => Err(Failure::Connector(error)),
    }
}
