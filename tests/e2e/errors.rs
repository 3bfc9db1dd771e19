//! Errors a user meets, each typed and actionable, and never a trap.

use crate::harness::{by_key, config, failed, quick, run_for, sim, sync_ok, sync_with};
use clickup_connector::retry::MAX_ATTEMPTS;
use clickup_sim::{Fault, Size, TokenSpec};
use host_harness::sync::{SyncEnd, SyncState};
use host_harness::CallError;
use host_harness::WitError;

#[tokio::test]
async fn a_token_without_pk_is_a_config_error_before_any_request() {
    let sim = sim(51, Size::tiny());
    let cfg =
        serde_json::json!({"api_token": "1234_NOPREFIX", "base_url": sim.base_url()}).to_string();
    let mut run = run_for(&sim).await;
    match run.check(&cfg).await {
        Err(CallError::Connector(WitError::Config(m))) => {
            assert!(m.contains("including the pk_ prefix"), "{m}");
            assert!(!m.contains("NOPREFIX"), "the message leaks the token: {m}");
        }
        other => panic!("{other:?}"),
    }
    let (_, end) = sync_with(&sim, &cfg, &["tasks"], &mut SyncState::new(), &quick()).await;
    assert!(matches!(
        failed(end),
        CallError::Connector(WitError::Config(_))
    ));
    assert_eq!(
        sim.request_counts().total,
        0,
        "a malformed token was sent to ClickUp"
    );
}

#[tokio::test]
async fn a_revoked_token_is_an_auth_error_with_the_fix() {
    let sim = sim(52, Size::tiny());
    let mut run = run_for(&sim).await;
    assert!(
        run.check(&config(&sim)).await.is_ok(),
        "a good token must pass check"
    );
    sim.revoke_token(&sim.token());
    let mut run = run_for(&sim).await;
    match run.check(&config(&sim)).await {
        Err(CallError::Connector(WitError::Auth(m))) => {
            assert!(m.contains("Settings > Apps"), "{m}");
            assert!(
                !m.contains(&sim.token()),
                "the message leaks the token: {m}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_space_the_token_cannot_see_is_skipped_by_name_and_the_rest_syncs() {
    let sim = sim(53, Size::tiny());
    let world = sim.world();
    let ws = &world.workspaces[0];
    let denied = ws.spaces.iter().find(|s| !s.archived).unwrap().id.clone();
    let token = "pk_2_LIMITEDTOKEN".to_owned();
    sim.add_token(TokenSpec {
        token: token.clone(),
        user_id: world.owner_id(),
        workspaces: vec![],
        denied_spaces: vec![denied.clone()],
    });
    let cfg = serde_json::json!({"api_token": token, "base_url": sim.base_url()}).to_string();
    let (out, end) = sync_with(
        &sim,
        &cfg,
        &["folders", "lists", "tasks"],
        &mut SyncState::new(),
        &quick(),
    )
    .await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    assert!(
        out.warnings.iter().any(|w| w.contains(&denied)),
        "the skipped space is not named: {:?}",
        out.warnings
    );
    let tasks = by_key(&out.records["tasks"]);
    let visible: Vec<_> = world
        .workspaces
        .iter()
        .flat_map(|w| &w.tasks)
        .filter(|t| t.space_id != denied)
        .collect();
    assert!(tasks.values().all(|t| t["space_id"] != denied.as_str()));
    for t in visible {
        assert!(
            tasks.contains_key(&t.id),
            "task {} of a visible space is missing",
            t.id
        );
    }
}

#[tokio::test]
async fn server_errors_then_success_complete_the_sync() {
    let sim = sim(54, Size::tiny());
    sim.inject("/team", Fault::Status(503), 2);
    sim.inject("/space/", Fault::Drop, 2);
    let out = sync_ok(&sim, &["workspaces", "folders"], &mut SyncState::new()).await;
    assert_eq!(
        out.records["workspaces"].len(),
        sim.world().workspaces.len()
    );
    assert!(sim.request_counts().faults >= 4);
}

#[tokio::test]
async fn the_same_malformed_body_on_every_attempt_is_a_protocol_error_naming_the_endpoint() {
    let sim = sim(55, Size::tiny());
    let ws = sim.world().workspaces[0].id.clone();
    // Retried like a 5xx; the same non-JSON every time is the server's answer, not the network's.
    sim.inject(&format!("/team/{ws}/goal"), Fault::Malformed, MAX_ATTEMPTS);
    let mut state = SyncState::new();
    let (out, end) = sync_with(
        &sim,
        &config(&sim),
        &["workspaces", "goals"],
        &mut state,
        &quick(),
    )
    .await;
    match failed(end) {
        CallError::Connector(WitError::Protocol(m)) => {
            assert!(m.contains(&format!("/team/{ws}/goal")), "{m}")
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
    // What came before is delivered and checkpointed; the failed stream has no checkpoint past it.
    assert_eq!(
        out.records["workspaces"].len(),
        sim.world().workspaces.len()
    );
    assert!(state
        .get("goals")
        .is_none_or(|c| c.cursor.is_none() && c.state.is_none()));
    // And the same run of the host goes on working (no trap poisoned it).
    let again = sync_ok(&sim, &["goals"], &mut SyncState::new()).await;
    assert!(!again.records["goals"].is_empty());
}

#[tokio::test]
async fn a_truncated_body_is_retried_and_nothing_is_lost() {
    let sim = sim(56, Size::tiny());
    sim.inject("/team", Fault::Truncated, 1);
    let out = sync_ok(&sim, &["workspaces"], &mut SyncState::new()).await;
    assert_eq!(
        out.records["workspaces"].len(),
        sim.world().workspaces.len()
    );
}
