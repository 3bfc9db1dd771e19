//! `run-many`: many tenants' syncs side by side in this process, each in its own sandbox with its
//! own caps, allow-list, output folder and state; then a report per tenant.

use crate::args::RunManyArgs;
use crate::component_path;
use crate::exit;
use crate::profile::DEFAULT_TENANT_HOSTS;
use crate::progress::TenantLines;
use crate::stdout::outln;
use crate::tenants_file::load_tenants;
use connector_sinks::files::open_tenant_folder;
use host_harness::{
    Allocation, HostAllowList, LoadOptions, StreamChoice, StreamDescriptor, SyncOptions, Tenant,
    TenantFailure, TenantOutput, TenantReport, TokenLimiters,
};
use std::path::Path;
use std::sync::Arc;

/// Runs the tenants file's tenants; returns the exit code.
pub(crate) async fn run(component: Option<&Path>, args: RunManyArgs) -> anyhow::Result<u8> {
    let text = crate::input::read_text(&args.tenants, "tenants file")?;
    let base = args.tenants.parent().unwrap_or(Path::new("."));
    let limiters = TokenLimiters::default();
    let allowed = if args.allow_hosts.is_empty() {
        HostAllowList::public_only(DEFAULT_TENANT_HOSTS)
    } else {
        HostAllowList::new(&args.allow_hosts)
    };
    let entries = match load_tenants(&text, base, &limiters, &allowed) {
        Ok(entries) => entries,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(exit::CONFIG);
        }
    };
    let list: Vec<Tenant> = entries
        .iter()
        .filter_map(|e| e.as_ref().ok().cloned())
        .collect();
    let allocation = if args.pooling {
        Allocation::Pooling {
            max_instances: (list.len() as u32).saturating_add(8),
        }
    } else {
        Allocation::OnDemand
    };
    let host = component_path::load_with(
        component,
        &LoadOptions {
            allocation,
            ..component_path::load_options()
        },
    )?;
    if args.pooling && host.allocation == Allocation::OnDemand {
        eprintln!("note: the pooling allocator could not reserve its memory here; using on-demand allocation");
    }
    let lines = Arc::new(TenantLines::new());
    let open = {
        let lines = lines.clone();
        move |tenant: &Tenant, descriptors: &[StreamDescriptor], streams: &[StreamChoice]| {
            let output = open_tenant_folder(tenant, descriptors, streams)?;
            let line = lines.line(&tenant.name, streams.len(), output.observer);
            Ok(TenantOutput {
                state: output.state,
                observer: Box::new(line),
            })
        }
    };
    let mut ran = host_harness::run_many(&host, list, SyncOptions::default(), Arc::new(open))
        .await
        .into_iter();
    // In the file's order: the refused tenants' reports where they stood.
    let reports: Vec<TenantReport> = entries
        .into_iter()
        .filter_map(|e| match e {
            Ok(_) => ran.next(),
            Err(refused) => Some(refused),
        })
        .collect();
    outln!(
        "{:<20} {:>8} {:>8} {:>9} {:>8} {:>8} {:>7}  outcome",
        "tenant",
        "records",
        "requests",
        "rl-wait s",
        "peak MiB",
        "cpu ms",
        "wall s"
    );
    for r in &reports {
        let outcome = match &r.outcome {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.clone(),
        };
        outln!(
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
    let failed = reports.iter().filter(|r| r.outcome.is_err()).count();
    outln!("{} ok, {failed} failed", reports.len() - failed);
    Ok(exit_code(&reports))
}

/// The exit code of a run of many tenants: 0 when all succeeded; else 1 if any failure was the
/// host's or a crash, else 3 if any was a configuration or token problem, else 4 (transient).
fn exit_code(reports: &[TenantReport]) -> u8 {
    let codes: Vec<u8> = reports
        .iter()
        .filter_map(|r| r.failure.as_ref())
        .map(|f| match f {
            TenantFailure::Connector(e) => exit::code(e),
            TenantFailure::Host => exit::SYSTEM,
            TenantFailure::Refused => exit::CONFIG,
        })
        .collect();
    [exit::SYSTEM, exit::CONFIG, exit::TRANSIENT]
        .into_iter()
        .find(|c| codes.contains(c))
        .unwrap_or(0)
}
