//! Many tenants in one process: hostile ones are stopped with their own error while the honest
//! ones beside them finish with exactly the records of a solo run; tenants sharing a token share
//! its rate limit.

use crate::harness::{choices, host, hostile_host, micro};
use clickup_sim::{RateLimitConfig, SimConfig, Simulator, TokenSpec};
use connector_sinks::files::open_tenant_folder;
use host_harness::sync::SyncOptions;
use host_harness::tenants::{run_many, Tenant};
use host_harness::Limits;
use host_harness::Stop;
use host_harness::{EgressPolicy, TokenLimiters};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("tenants-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Every output file's lines, sorted (record order across pages is not part of the contract).
fn contents(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".jsonl") {
            let mut lines: Vec<String> = std::fs::read_to_string(e.path())
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect();
            lines.sort();
            out.insert(name, lines);
        }
    }
    out
}

/// What an operator sets for a tenant of this config: its base URL's host, its token's limiter.
fn egress(config: &str, limiters: &TokenLimiters) -> EgressPolicy {
    let config: serde_json::Value = serde_json::from_str(config).unwrap();
    let mut egress = EgressPolicy::for_base_url(config["base_url"].as_str().unwrap()).unwrap();
    egress.limiter = Some(limiters.for_token(config["api_token"].as_str().unwrap()));
    egress
}

fn honest(name: &str, config: String, dir: &Path, limiters: &TokenLimiters) -> Tenant {
    Tenant {
        name: name.into(),
        egress: egress(&config, limiters),
        config,
        output: dir.join(name),
        streams: vec![],
        limits: Limits::default(),
        secrets: vec![],
        component: None,
    }
}

fn hostile(mode: &str, dir: &Path, limits: Limits) -> Tenant {
    Tenant {
        name: format!("hostile-{mode}"),
        config: mode.into(),
        output: dir.join(mode),
        egress: EgressPolicy::for_base_url("https://api.clickup.com/api/v2").unwrap(),
        streams: choices(&["anything"]),
        limits,
        secrets: vec![],
        component: Some(hostile_host()),
    }
}

#[tokio::test]
async fn fifty_tenants_hostile_ones_are_stopped_and_the_honest_ones_get_a_solo_runs_records() {
    let sim = Simulator::start(SimConfig {
        seed: 91,
        size: micro(),
        rate_limit: RateLimitConfig::unlimited(),
        ..SimConfig::default()
    })
    .unwrap();
    let owner = sim.world().owner_id();
    let dir = scratch("fifty");
    let limiters = Arc::new(TokenLimiters::default());
    let config = |token: &str| {
        serde_json::json!({"api_token": token, "base_url": sim.base_url()}).to_string()
    };

    let solo = run_many(
        &host(),
        vec![honest("solo", config(&sim.token()), &dir, &limiters)],
        SyncOptions::default(),
        Arc::new(open_tenant_folder),
    )
    .await;
    assert!(solo[0].outcome.is_ok(), "{:?}", solo[0].outcome);
    let reference = contents(&dir.join("solo"));
    // The nine streams and the task's six child streams, a file each.
    assert_eq!(reference.len(), 15);

    let mut tenants = Vec::new();
    for i in 0..46 {
        let token = format!("pk_{}_TENANT", 100 + i);
        sim.add_token(TokenSpec {
            token: token.clone(),
            user_id: owner,
            workspaces: vec![],
            denied_spaces: vec![],
        });
        tenants.push(honest(
            &format!("honest-{i}"),
            config(&token),
            &dir,
            &limiters,
        ));
    }
    let tight = Limits {
        memory_bytes: 64 << 20,
        cpu_ms_per_call: 500,
        wall_per_call: Duration::from_secs(60),
        max_requests: Some(10),
    };
    for mode in ["alloc", "spin", "egress", "trap", "snoop"] {
        tenants.insert(tenants.len() / 2, hostile(mode, &dir, tight.clone()));
    }
    let reports = run_many(
        &host(),
        tenants,
        SyncOptions::default(),
        Arc::new(open_tenant_folder),
    )
    .await;
    assert_eq!(reports.len(), 51);

    let by_name: BTreeMap<_, _> = reports.iter().map(|r| (r.name.as_str(), r)).collect();
    assert!(
        matches!(
            by_name["hostile-alloc"].stopped,
            Some(Stop::MemoryLimit { .. })
        ),
        "{:?}",
        by_name["hostile-alloc"]
    );
    assert!(by_name["hostile-alloc"].peak_memory_bytes <= 64 << 20);
    assert!(
        matches!(by_name["hostile-spin"].stopped, Some(Stop::CpuLimit { .. })),
        "{:?}",
        by_name["hostile-spin"]
    );
    assert!(
        matches!(by_name["hostile-trap"].stopped, Some(Stop::Trap(_))),
        "{:?}",
        by_name["hostile-trap"]
    );
    let egress = by_name["hostile-egress"];
    assert!(
        egress
            .outcome
            .as_ref()
            .is_err_and(|e| e.contains("egress refused")),
        "{egress:?}"
    );
    // Every attempt (the sync retries a transient error) was refused; none reached the network.
    assert!(
        egress.denied_requests >= 1 && egress.requests == 0,
        "{egress:?}"
    );
    // The snooping tenant sees no environment variables and no files.
    let snoop = std::fs::read_to_string(dir.join("snoop/anything.jsonl")).unwrap();
    let seen: serde_json::Value = serde_json::from_str(snoop.trim()).unwrap();
    assert_eq!(
        (seen["env"].as_u64(), seen["files"].as_u64()),
        (Some(0), Some(0)),
        "{seen}"
    );

    for r in reports.iter().filter(|r| r.name.starts_with("honest")) {
        assert!(r.outcome.is_ok() && r.stopped.is_none(), "{r:?}");
        assert_eq!(
            contents(&dir.join(&r.name)),
            reference,
            "{} differs from the solo run",
            r.name
        );
        assert!(r.records > 0 && r.requests > 0 && r.peak_memory_bytes > 0);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn tenants_sharing_a_token_share_its_limit_and_earn_no_429() {
    let sim = Simulator::start(SimConfig {
        seed: 92,
        size: micro(),
        rate_limit: RateLimitConfig {
            limit: 20,
            window: Duration::from_secs(2),
        },
        ..SimConfig::default()
    })
    .unwrap();
    let dir = scratch("shared");
    // The host's budget per token, a little under the server's, as an operator would set it.
    let limiters = Arc::new(TokenLimiters::new(18, Duration::from_secs(2)));
    let config =
        serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url()}).to_string();
    let streams = choices(&["spaces", "folders", "lists"]);
    let tenants: Vec<Tenant> = (0..3)
        .map(|i| Tenant {
            streams: streams.clone(),
            ..honest(&format!("shared-{i}"), config.clone(), &dir, &limiters)
        })
        .collect();
    let reports = run_many(
        &host(),
        tenants,
        SyncOptions::default(),
        Arc::new(open_tenant_folder),
    )
    .await;
    for r in &reports {
        assert!(r.outcome.is_ok(), "{r:?}");
    }
    let total: u64 = reports.iter().map(|r| r.requests).sum();
    assert!(total > 40, "{total} requests do not cross a window");
    assert_eq!(
        sim.request_counts().status_429,
        0,
        "tenants sharing a token earned 429s"
    );
    assert_eq!(
        contents(&dir.join("shared-0")),
        contents(&dir.join("shared-2"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
