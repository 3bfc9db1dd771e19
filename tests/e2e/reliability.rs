//! Nothing lost under faults: each run is compared record for record with a clean run of the same
//! seed and clock. Each test prints a `reliability:` line with its figures (`--nocapture`), which
//! the README's reliability section quotes.

use crate::harness::{by_key, choices, config, micro, quick, run_for, Collected, ALL};
use clickup_connector::retry::MAX_ATTEMPTS;
use clickup_sim::{Fault, FaultConfig, RateLimitConfig, SimConfig, Simulator, Size};
use host_harness::sync::{self, SyncEnd, SyncOptions, SyncState};
use host_harness::CallError;
use host_harness::WitError;
use serde_json::Value;
use std::collections::BTreeMap;

const NOW: i64 = 1_790_000_000_000;

fn start(seed: u64, size: Size, faults: FaultConfig) -> Simulator {
    Simulator::start(SimConfig {
        seed,
        size,
        now_ms: Some(NOW),
        rate_limit: RateLimitConfig::unlimited(),
        faults,
        ..SimConfig::default()
    })
    .unwrap()
}

async fn run_sync(
    sim: &Simulator,
    state: &mut SyncState,
    options: &SyncOptions,
) -> (Collected, SyncEnd) {
    run_sync_with(sim, &config(sim), state, options).await
}

async fn run_sync_with(
    sim: &Simulator,
    config: &str,
    state: &mut SyncState,
    options: &SyncOptions,
) -> (Collected, SyncEnd) {
    let mut run = run_for(sim).await;
    let mut out = Collected::default();
    let end = sync::sync(&mut run, config, &choices(&ALL), state, options, &mut out)
        .await
        .unwrap();
    (out, end)
}

/// Compares a faulty run's records with a clean run's: same ids, same values; returns (records
/// compared, duplicates seen).
fn compare(
    clean: &BTreeMap<String, Vec<Value>>,
    got: &BTreeMap<String, Vec<Value>>,
    what: &str,
) -> (usize, usize) {
    let (mut compared, mut duplicates) = (0, 0);
    for stream in ALL {
        let want = by_key(clean.get(stream).map_or(&[][..], Vec::as_slice));
        let all = got.get(stream).cloned().unwrap_or_default();
        let have = by_key(&all);
        duplicates += all.len() - have.len();
        assert_eq!(
            have.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{what}: {stream} records differ"
        );
        for (k, v) in &want {
            assert_eq!(&have[k], v, "{what}: {stream} record {k} differs");
            compared += 1;
        }
    }
    (compared, duplicates)
}

fn merge(a: &Collected, b: &Collected) -> BTreeMap<String, Vec<Value>> {
    let mut all = a.records.clone();
    for (s, r) in &b.records {
        all.entry(s.clone()).or_default().extend(r.iter().cloned());
    }
    all
}

#[tokio::test]
async fn ten_percent_server_errors_and_dropped_connections_give_identical_records() {
    let clean_sim = start(81, Size::tiny(), FaultConfig::default());
    let (clean, end) = run_sync(&clean_sim, &mut SyncState::new(), &quick()).await;
    assert!(matches!(end, SyncEnd::Complete));
    let sim = start(
        81,
        Size::tiny(),
        FaultConfig {
            seed: 9,
            rate_5xx: 0.05,
            rate_drop: 0.05,
            ..FaultConfig::default()
        },
    );
    let (faulty, end) = run_sync(&sim, &mut SyncState::new(), &quick()).await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let faults = sim.request_counts().faults;
    assert!(faults >= 5, "only {faults} faults were injected");
    let (compared, duplicates) = compare(&clean.records, &faulty.records, "10% faults");
    assert_eq!(duplicates, 0);
    eprintln!("reliability: 10% 5xx/drops: {} requests, {faults} faults, {compared} records compared, {duplicates} duplicates, 0 panics", sim.request_counts().total);
}

#[tokio::test]
async fn a_sync_killed_after_every_page_k_resumes_with_identical_records() {
    let sim = start(82, micro(), FaultConfig::default());
    let (clean, _) = run_sync(&sim, &mut SyncState::new(), &quick()).await;
    let pages = clean.events.iter().filter(|e| e.0 == "checkpoint").count() as u64;
    // One page per read-page call: a batch of requests side by side.
    assert!(pages > 10, "{pages} pages");
    let (mut compared, mut max_dup) = (0, 0);
    for k in 1..pages {
        let mut state = SyncState::new();
        let (first, end) = run_sync(
            &sim,
            &mut state,
            &SyncOptions {
                stop_after_pages: Some(k),
                ..quick()
            },
        )
        .await;
        // How many calls a sync takes depends on which answers of a batch came in time: a run
        // can end before page k of the clean one. Its records must then be the clean ones.
        if matches!(end, SyncEnd::Complete) {
            let (c, d) = compare(&clean.records, &first.records, &format!("done by page {k}"));
            assert_eq!(d, 0, "k={k}: a complete sync repeated records");
            compared += c;
            break;
        }
        assert!(matches!(end, SyncEnd::Interrupted), "k={k}: {end:?}");
        let (rest, end) = run_sync(&sim, &mut state, &quick()).await;
        assert!(matches!(end, SyncEnd::Complete), "k={k}: {end:?}");
        let (c, d) = compare(
            &clean.records,
            &merge(&first, &rest),
            &format!("killed after page {k}"),
        );
        assert!(
            d <= 32 * 100,
            "k={k}: {d} records read twice, more than one call's batch of task pages"
        );
        compared += c;
        max_dup = max_dup.max(d);
    }
    eprintln!("reliability: kill after page k, k = 1..{pages}: {} resumed syncs, {compared} records compared, at most {max_dup} duplicates per resume, 0 panics", pages - 1);
}

#[tokio::test]
async fn a_page_malformed_on_every_attempt_stops_with_a_typed_error_and_the_state_points_before_it()
{
    let sim = start(83, micro(), FaultConfig::default());
    let (clean, _) = run_sync(&sim, &mut SyncState::new(), &quick()).await;
    let ws = sim.world().workspaces[0].id.clone();
    let page1 = format!("/team/{ws}/task?page=1&");
    // Once would be retried (`corrupt_bodies.rs`); the same bytes on every attempt are not.
    sim.inject(&page1, Fault::Malformed, MAX_ATTEMPTS);
    let mut state = SyncState::new();
    // Serially, one page per checkpoint: the state can point at the bad page itself. (Side by
    // side, the bad page's batch is the unit, and `concurrency.rs` resumes after each.)
    let serial = serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url(), "max_concurrency": 1}).to_string();
    let (first, end) = run_sync_with(&sim, &serial, &mut state, &quick()).await;
    match end {
        SyncEnd::Failed {
            stream,
            error: CallError::Connector(WitError::Protocol(m)),
        } => {
            assert_eq!(stream, "tasks");
            assert!(
                m.contains(&format!("/team/{ws}/task")) && m.contains("page=1"),
                "{m}"
            );
        }
        other => panic!("{other:?}"),
    }
    let cursor = state["tasks"]
        .cursor
        .as_ref()
        .expect("the checkpoint is mid-stream");
    assert!(
        cursor.to_string().contains("\"page\":1"),
        "the state does not point at the bad page: {cursor}"
    );
    let (rest, end) = run_sync(&sim, &mut state, &quick()).await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let (compared, duplicates) = compare(&clean.records, &merge(&first, &rest), "malformed page");
    eprintln!("reliability: malformed page: typed protocol error naming the endpoint; resumed: {compared} records compared, {duplicates} duplicates, 0 panics");
}
