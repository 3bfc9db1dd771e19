//! The `run-many` tenants file: a JSON array of tenants, each with its ClickUp config, output
//! folder and caps. Building a tenant's egress from its config is ClickUp knowledge, so it
//! happens here ([`crate::profile::tenant_egress`]), not in the host library: a tenant's
//! `base_url` is the tenant's wish, and the operator's allow-list decides.

use crate::profile;
use host_harness::{HostAllowList, Limits, Tenant, TenantFailure, TenantReport, TokenLimiters};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// The fields of one tenant.
const TENANT_FIELDS: [&str; 4] = ["name", "config", "output", "limits"];
/// The fields of a tenant's `limits`.
const LIMIT_FIELDS: [&str; 4] = [
    "memory_mib",
    "cpu_ms_per_call",
    "wall_seconds_per_call",
    "max_requests",
];

/// A tenants file that cannot be used: the CLI exits with the configuration code.
#[derive(Debug)]
pub(crate) struct TenantsFileError(pub(crate) String);

impl std::fmt::Display for TenantsFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the tenants file: {}", self.0)
    }
}

impl std::error::Error for TenantsFileError {}

/// Fails on the first key of `object` that is not in `known`, naming the nearest known one.
fn only_known(object: &Value, known: &[&str], what: &str) -> Result<(), TenantsFileError> {
    let Some(map) = object.as_object() else {
        return Err(TenantsFileError(format!("{what} must be a JSON object")));
    };
    let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) else {
        return Ok(());
    };
    let nearest = known
        .iter()
        .map(|f| (strsim::levenshtein(unknown, f), *f))
        .min()
        .filter(|(d, f)| *d <= f.len().div_ceil(3));
    Err(TenantsFileError(match nearest {
        Some((_, f)) => format!("{what}: unknown field `{unknown}`: did you mean `{f}`?"),
        None => format!(
            "{what}: unknown field `{unknown}`; the known fields are {}",
            known.join(", ")
        ),
    }))
}

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
    let value: Value =
        serde_json::from_str(text).map_err(|e| TenantsFileError(format!("not JSON: {e}")))?;
    let items = value
        .as_array()
        .ok_or_else(|| TenantsFileError("must be a JSON array".to_owned()))?;
    no_shared_names_or_folders(items, base)?;
    items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            only_known(t, &TENANT_FIELDS, &format!("tenant {}", i + 1))?;
            if let Some(limits) = t.get("limits") {
                only_known(limits, &LIMIT_FIELDS, &format!("tenant {} limits", i + 1))?;
            }
            let text_field = |field: &str| -> Result<Option<String>, TenantsFileError> {
                match t.get(field) {
                    None => Ok(None),
                    Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
                    Some(other) => Err(TenantsFileError(format!(
                        "tenant {}: {field} must be a non-empty string, not {other}",
                        i + 1
                    ))),
                }
            };
            let name = text_field("name")?.unwrap_or_else(|| format!("tenant-{i}"));
            let output_dir = text_field("output")?;
            let config = t
                .get("config")
                .ok_or_else(|| TenantsFileError(format!("tenant {name} has no config")))?;
            let output = base.join(output_dir.as_deref().unwrap_or(&name));
            let limits = limits_of(t.get("limits"), i + 1)?;
            let egress = match profile::tenant_egress(config, allowed, limiters) {
                Ok(e) => e,
                Err(why) => {
                    return Ok(Err(TenantReport {
                        outcome: Err(format!("refused by the host before it ran: {why:#}")),
                        failure: Some(TenantFailure::Refused),
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
                limits,
                secrets: profile::token_of(config).into_iter().collect(),
                component: None,
            }))
        })
        .collect()
}

/// Two tenants with one name would be told apart by nobody, and two writing one folder would
/// mix their records and states: both are refused before anything runs.
fn no_shared_names_or_folders(items: &[Value], base: &Path) -> Result<(), TenantsFileError> {
    let mut names = std::collections::BTreeMap::new();
    let mut folders = std::collections::BTreeMap::new();
    for (i, t) in items.iter().enumerate() {
        let name = t
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("tenant-{i}"), str::to_owned);
        let output = t.get("output").and_then(Value::as_str).unwrap_or(&name);
        let folder: std::path::PathBuf = base.join(output).components().collect();
        if let Some(first) = names.insert(name.clone(), i + 1) {
            return Err(TenantsFileError(format!(
                "tenants {first} and {} are both named {name:?}; names must differ",
                i + 1
            )));
        }
        if let Some(first) = folders.insert(folder.clone(), i + 1) {
            return Err(TenantsFileError(format!(
                "tenants {first} and {} would both write to {}; give each its own output",
                i + 1,
                folder.display()
            )));
        }
    }
    Ok(())
}

/// The largest value each limit may have: 1 TiB of memory, a day of CPU or wall time per call,
/// a billion requests.
const LIMIT_MAX: [u64; 4] = [1 << 20, 86_400_000, 86_400, 1_000_000_000];

fn limits_of(l: Option<&Value>, tenant: usize) -> Result<Limits, TenantsFileError> {
    let mut limits = Limits::default();
    let num = |k: &str| -> Result<Option<u64>, TenantsFileError> {
        let Some(v) = l.and_then(|l| l.get(k)) else {
            return Ok(None);
        };
        let max = LIMIT_FIELDS
            .iter()
            .position(|f| *f == k)
            .map_or(u64::MAX, |i| LIMIT_MAX[i]);
        match v.as_u64() {
            Some(n) if (1..=max).contains(&n) => Ok(Some(n)),
            _ => Err(TenantsFileError(format!(
                "tenant {tenant} limits: {k} must be a whole number from 1 to {max}, not {v}"
            ))),
        }
    };
    if let Some(m) = num("memory_mib")? {
        limits.memory_bytes = usize::try_from(m << 20).unwrap_or(usize::MAX);
    }
    if let Some(c) = num("cpu_ms_per_call")? {
        limits.cpu_ms_per_call = c;
    }
    if let Some(w) = num("wall_seconds_per_call")? {
        limits.wall_per_call = Duration::from_secs(w);
    }
    limits.max_requests = num("max_requests")?;
    Ok(limits)
}
