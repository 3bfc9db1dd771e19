//! Many customers' syncs in one process, each walled off.
//!
//! Every tenant gets its own `Store` (from the one shared `InstancePre`), its own [`Limits`]
//! (memory, CPU per call, wall time per call, request cap), its own egress allow-list (its base
//! URL's host only), and its own output folder and state. Tenants that share a ClickUp token share
//! that token's [`TokenLimiter`], so together they stay inside ClickUp's limit; tenants with
//! different tokens never wait for each other.
//!
//! All tenants run on the calling thread's async executor: wasmtime yields at every epoch tick
//! (10 ms of guest computation), so a tenant that spins cannot starve the others, and one that
//! exceeds a cap is stopped with its own error while the rest go on.

use crate::egress::EgressPolicy;
use crate::instance::{CallError, Run, RunOptions, Stop};
use crate::limits::Limits;
use crate::loader::ConnectorHost;
use crate::output::{self, OutputDir};
use crate::sync::{self, Observer, StreamChoice, SyncEnd, SyncOptions};
use crate::token_limiter::TokenLimiters;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One tenant's sync.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// A name for reports.
    pub name: String,
    /// The connector config (JSON text), with the tenant's token and base URL.
    pub config: String,
    /// Where its records and state go (`<stream>.jsonl`, `state.json`).
    pub output: PathBuf,
    /// Streams to read. Empty: every stream the connector offers, incremental where it can.
    pub streams: Vec<StreamChoice>,
    /// Its caps.
    pub limits: Limits,
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

impl TenantReport {
    /// A report with nothing done yet.
    pub fn empty(name: &str) -> TenantReport {
        TenantReport {
            name: name.to_owned(),
            outcome: Ok(()),
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

/// Counts records and rate-limit waits while writing to the tenant's folder.
struct Counting<'a> {
    files: &'a mut OutputDir,
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
    fn checkpoint(&mut self, stream: &str, checkpoint: &sync::Checkpoint) -> anyhow::Result<()> {
        self.files.checkpoint(stream, checkpoint)
    }
    fn page(&mut self, _stream: &str, _records: usize, stats: &crate::bindings::PageStats) {
        self.waited_ms += stats.rate_limit_wait_ms;
    }
}

/// Runs every tenant concurrently and reports on each, in the order given. Must be called inside
/// a tokio runtime; runs the tenants on the current thread.
pub async fn run_many(
    host: &Arc<ConnectorHost>,
    tenants: Vec<Tenant>,
    limiters: &Arc<TokenLimiters>,
    options: SyncOptions,
) -> Vec<TenantReport> {
    let local = tokio::task::LocalSet::new();
    let handles: Vec<_> = tenants
        .into_iter()
        .map(|tenant| {
            let (host, limiters, options) = (host.clone(), limiters.clone(), options.clone());
            local.spawn_local(async move { run_one(&host, tenant, &limiters, &options).await })
        })
        .collect();
    local
        .run_until(async move {
            let mut reports = Vec::new();
            for h in handles {
                match h.await {
                    Ok(r) => reports.push(r),
                    Err(e) => reports.push(TenantReport {
                        outcome: Err(format!("the tenant's task failed: {e}")),
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
    limiters: &TokenLimiters,
    options: &SyncOptions,
) -> TenantReport {
    let started = Instant::now();
    let mut report = TenantReport::empty(&tenant.name);
    let parsed: Value = serde_json::from_str(&tenant.config).unwrap_or(Value::Null);
    let base_url = parsed
        .get("base_url")
        .and_then(Value::as_str)
        .unwrap_or("https://api.clickup.com/api/v2");
    let mut egress = EgressPolicy::for_base_url(base_url).unwrap_or_default();
    if let Some(token) = parsed.get("api_token").and_then(Value::as_str) {
        egress.limiter = Some(limiters.for_token(token.trim()));
    }
    egress.max_requests = tenant.limits.max_requests;
    let host = tenant.component.as_ref().unwrap_or(host);
    let mut run = match Run::new(
        host,
        RunOptions {
            limits: tenant.limits.clone(),
            egress,
        },
    )
    .await
    {
        Ok(r) => r,
        Err(e) => {
            report.outcome = Err(format!("cannot start: {e:#}"));
            return report;
        }
    };
    let outcome = sync_tenant(&mut run, &tenant, options, &mut report).await;
    report.requests = run.requests().sent();
    report.denied_requests = run.requests().denied_host()
        + run
            .requests()
            .denied_cap
            .load(std::sync::atomic::Ordering::Relaxed);
    report.peak_memory_bytes = run.peak_memory_bytes();
    report.cpu_ms = run.cpu_ms();
    report.wall = started.elapsed();
    if let Err(e) = outcome {
        if let CallError::Stopped(stop) = &e {
            report.stopped = Some(stop.clone());
        }
        report.outcome = Err(e.to_string());
    }
    report
}

async fn sync_tenant(
    run: &mut Run,
    tenant: &Tenant,
    options: &SyncOptions,
    report: &mut TenantReport,
) -> Result<(), CallError> {
    let streams = if tenant.streams.is_empty() {
        StreamChoice::every(&run.discover(&tenant.config).await?)
    } else {
        tenant.streams.clone()
    };
    let host_error =
        |e: anyhow::Error| CallError::Stopped(Stop::Trap(format!("host error: {e:#}")));
    let mut state =
        output::load_state_file(&tenant.output.join(OutputDir::STATE_FILE)).map_err(host_error)?;
    let mut files = OutputDir::open(&tenant.output, &streams, &state).map_err(host_error)?;
    let mut counting = Counting {
        files: &mut files,
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
    .map_err(host_error)?;
    report.records = counting.records;
    report.rate_limit_wait_ms = counting.waited_ms;
    match end {
        SyncEnd::Complete | SyncEnd::Interrupted => Ok(()),
        SyncEnd::Failed { error, .. } => Err(error),
    }
}

/// Reads a tenants file: `[{"name": …, "config": {…}, "output": "dir", "limits": {"memory_mib":
/// 64, "cpu_ms_per_call": 10000, "wall_seconds_per_call": 600, "max_requests": 1000}}]`.
/// Relative output folders are relative to `base`.
pub fn load_tenants(text: &str, base: &std::path::Path) -> anyhow::Result<Vec<Tenant>> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| anyhow::anyhow!("the tenants file is not JSON: {e}"))?;
    let items = value
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("the tenants file must be a JSON array"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let name = t
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("tenant-{i}"), str::to_owned);
            let config = t
                .get("config")
                .ok_or_else(|| anyhow::anyhow!("tenant {name} has no config"))?
                .to_string();
            let output = base.join(t.get("output").and_then(Value::as_str).unwrap_or(&name));
            let mut limits = Limits::default();
            let l = t.get("limits");
            let num = |k: &str| l.and_then(|l| l.get(k)).and_then(Value::as_u64);
            if let Some(m) = num("memory_mib") {
                limits.memory_bytes = (m as usize) << 20;
            }
            if let Some(c) = num("cpu_ms_per_call") {
                limits.cpu_ms_per_call = c;
            }
            if let Some(w) = num("wall_seconds_per_call") {
                limits.wall_per_call = Duration::from_secs(w);
            }
            limits.max_requests = num("max_requests");
            Ok(Tenant {
                name,
                config,
                output,
                streams: vec![],
                limits,
                component: None,
            })
        })
        .collect()
}
