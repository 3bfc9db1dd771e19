//! The host's walls around the connector: the egress allow-list and credential injection.

use crate::harness::{host, sim, Collected};
use clickup_sim::Size;
use host_harness::egress::EgressPolicy;
use host_harness::sync::{self, SyncEnd, SyncState};
use host_harness::WitError;
use host_harness::{CallError, Run, RunOptions};

#[tokio::test]
async fn a_request_outside_the_allow_list_is_refused_and_reported() {
    let allowed = sim(61, Size::tiny());
    let other = sim(62, Size::tiny());
    // The run may reach `allowed` only; the config points the connector at `other`.
    let policy = EgressPolicy::for_base_url(&allowed.base_url()).unwrap();
    let mut run = Run::new(
        &host(),
        RunOptions {
            egress: policy,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let cfg =
        serde_json::json!({"api_token": other.token(), "base_url": other.base_url()}).to_string();
    match run.check(&cfg).await {
        Err(CallError::Connector(WitError::Config(m))) => assert!(m.contains("allow-list"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(run.requests().denied_host(), 1);
    assert_eq!(
        other.request_counts().total,
        0,
        "the request reached a host outside the allow-list"
    );
}

#[tokio::test]
async fn with_injected_credentials_the_guest_never_sees_the_token_and_cannot_set_authorization() {
    let sim = sim(63, Size::tiny());
    let mut policy = EgressPolicy::for_base_url(&sim.base_url()).unwrap();
    policy.injected_authorization = Some(sim.token());
    // The connector's config holds no token at all: the host adds it.
    let cfg = serde_json::json!({"base_url": sim.base_url()}).to_string();
    let mut run = Run::new(
        &host(),
        RunOptions {
            egress: policy.clone(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut out = Collected::default();
    let end = sync::sync(
        &mut run,
        &cfg,
        &crate::harness::choices(&["workspaces"]),
        &mut SyncState::new(),
        &crate::harness::quick(),
        &mut out,
    )
    .await
    .unwrap();
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    assert_eq!(
        out.records["workspaces"].len(),
        sim.world().workspaces.len()
    );

    // A guest that tries to send its own Authorization header is stopped before the network.
    let before = sim.request_counts().total;
    let cfg = serde_json::json!({"api_token": "pk_9_GUESTCHOSEN", "base_url": sim.base_url()})
        .to_string();
    let mut run = Run::new(
        &host(),
        RunOptions {
            egress: policy,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(run.check(&cfg).await.is_err());
    assert_eq!(
        sim.request_counts().total,
        before,
        "a request with a guest-chosen Authorization went out"
    );
}

#[tokio::test]
async fn the_component_exports_the_contract_and_imports_only_http_and_basic_wasi() {
    let (imports, exports) = host().interface_names();
    assert_eq!(
        exports,
        ["connector:source/source@0.2.0"],
        "exports: {exports:?}"
    );
    let allowed = [
        "wasi:http/",
        "wasi:io/",
        "wasi:clocks/",
        "wasi:random/",
        "wasi:cli/",
    ];
    for i in &imports {
        assert!(
            allowed.iter().any(|a| i.starts_with(a)),
            "unexpected import {i} (all: {imports:?})"
        );
    }
    assert!(
        imports
            .iter()
            .any(|i| i.starts_with("wasi:http/outgoing-handler")),
        "{imports:?}"
    );
}

#[tokio::test]
async fn a_name_that_resolves_to_a_loopback_address_is_refused_unless_allowed_explicitly() {
    let sim = sim(64, Size::tiny());
    let port = sim
        .base_url()
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let authority = format!("localhost:{port}");
    let base_url = format!("http://{authority}/api/v2");
    let cfg = serde_json::json!({"api_token": sim.token(), "base_url": base_url}).to_string();
    let run_with = |policy: EgressPolicy| async move {
        Run::new(
            &host(),
            RunOptions {
                egress: policy,
                ..Default::default()
            },
        )
        .await
        .unwrap()
    };

    // On the allow-list, but `localhost` resolves to 127.0.0.1 and nobody allowed that.
    let mut run = run_with(EgressPolicy {
        allowed_authorities: vec![authority.clone()],
        ..EgressPolicy::default()
    })
    .await;
    match run.check(&cfg).await {
        Err(CallError::Connector(WitError::Config(m))) => assert!(m.contains("allow-list"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(run.requests().denied_host(), 1);
    assert_eq!(
        sim.request_counts().total,
        0,
        "a loopback address was reached"
    );

    // The operator allows it explicitly: the same check passes.
    let mut run = run_with(EgressPolicy {
        allowed_authorities: vec![authority.clone()],
        private_allowed: vec![authority],
        ..EgressPolicy::default()
    })
    .await;
    run.check(&cfg).await.expect("allowed explicitly");
    assert!(sim.request_counts().total > 0);
}
