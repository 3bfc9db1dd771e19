//! The `run-many` tenants file: a JSON array of tenants, each with its ClickUp config, output
//! folder and caps. Building a tenant's egress from its config is ClickUp knowledge, so it
//! happens here ([`crate::profile::tenant_egress`]), not in the host library: a tenant's
//! `base_url` is the tenant's wish, and the operator's allow-list decides.

use crate::profile;
use host_harness::{HostAllowList, Limits, Tenant, TenantReport, TokenLimiters};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// Reads a tenants file: `[{"name": …, "config": {…}, "output": "dir", "limits": {"memory_mib":
/// 64, "cpu_ms_per_call": 10000, "wall_seconds_per_call": 600, "max_requests": 1000}}]`.
/// Relative output folders are relative to `base`. Tenants with the same token get the same
/// limiter from `limiters`. A tenant whose base URL the operator does not allow comes back as
/// the report of a tenant refused before it ran.
pub(crate) fn load_tenants(
    text: &str,
    base: &Path,
    limiters: &TokenLimiters,
    allowed: &HostAllowList,
) -> anyhow::Result<Vec<Result<Tenant, TenantReport>>> {
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
                .ok_or_else(|| anyhow::anyhow!("tenant {name} has no config"))?;
            let output = base.join(t.get("output").and_then(Value::as_str).unwrap_or(&name));
            let egress = match profile::tenant_egress(config, allowed, limiters) {
                Ok(e) => e,
                Err(why) => {
                    return Ok(Err(TenantReport {
                        outcome: Err(format!("refused by the host before it ran: {why:#}")),
                        ..TenantReport::empty(&name)
                    }))
                }
            };
            Ok(Ok(Tenant {
                egress,
                config: config.to_string(),
                name,
                output,
                streams: vec![],
                limits: limits_of(t.get("limits")),
                secrets: profile::token_of(config).into_iter().collect(),
                component: None,
            }))
        })
        .collect()
}

fn limits_of(l: Option<&Value>) -> Limits {
    let mut limits = Limits::default();
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
    limits
}
