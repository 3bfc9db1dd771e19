//! 200 answers whose body arrives corrupt (issue 17, item 3): a body cut short by a proxy that
//! still framed it cleanly (`Fault::ShortBody`) is retried, and a sync that meets one gives the
//! records of a clean run; one corrupt on every attempt ends as `transient`, naming the endpoint.
//! (The same non-JSON on every attempt, the server's own answer, is `protocol`: `errors.rs`.)

use crate::harness::{by_key, choices, config, micro, quick, run_for, Collected, ALL};
use clickup_connector::retry::MAX_ATTEMPTS;
use clickup_sim::{Fault, RateLimitConfig, SimConfig, Simulator};
use host_harness::sync::{self, SyncEnd, SyncOptions, SyncState};
use host_harness::{CallError, WitError};

const NOW: i64 = 1_790_000_000_000;

fn start(seed: u64) -> Simulator {
    Simulator::start(SimConfig {
        seed,
        size: micro(),
        now_ms: Some(NOW),
        rate_limit: RateLimitConfig::unlimited(),
        ..SimConfig::default()
    })
    .unwrap()
}

async fn run(sim: &Simulator, streams: &[&str], options: &SyncOptions) -> (Collected, SyncEnd) {
    let mut run = run_for(sim).await;
    let mut out = Collected::default();
    let end = sync::sync(
        &mut run,
        &config(sim),
        &choices(streams),
        &mut SyncState::new(),
        options,
        &mut out,
    )
    .await
    .unwrap();
    (out, end)
}

/// How many requests of the simulator's log start with `prefix`.
fn asked(sim: &Simulator, prefix: &str) -> usize {
    sim.request_log()
        .iter()
        .filter(|t| t.starts_with(prefix))
        .count()
}

#[tokio::test]
async fn a_first_answer_cut_short_on_every_kind_of_page_gives_the_records_of_a_clean_run() {
    let clean_sim = start(171);
    let (clean, end) = run(&clean_sim, &ALL, &quick()).await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");

    let sim = start(171);
    let world = sim.world();
    let ws = &world.workspaces[0];
    let space = &ws.spaces[0].id;
    let goal = &ws.goals[0].id;
    // The first answer of each: a task page, a hierarchy answer, a goal, a time-entry window.
    let cut = [
        format!("/team/{}/task?page=0&", ws.id),
        format!("/space/{space}/folder?archived=false"),
        format!("/goal/{goal}"),
        format!("/team/{}/time_entries?", ws.id),
    ];
    for prefix in &cut {
        sim.inject(prefix, Fault::ShortBody, 1);
    }
    let (faulty, end) = run(&sim, &ALL, &quick()).await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    assert_eq!(
        sim.request_counts().faults,
        cut.len() as u64,
        "every fault hit"
    );
    for prefix in &cut {
        // The cut answer, then its retry (the hierarchy answer is cached for the later streams).
        assert!(asked(&sim, prefix) >= 2, "{prefix} was not retried");
    }
    let mut compared = 0;
    for stream in ALL {
        let want = clean.records.get(stream).cloned().unwrap_or_default();
        let got = faulty.records.get(stream).cloned().unwrap_or_default();
        assert_eq!(got.len(), want.len(), "{stream}: records differ in number");
        assert_eq!(by_key(&got), by_key(&want), "{stream}: records differ");
        compared += got.len();
    }
    assert_eq!(faulty.warnings, clean.warnings);
    eprintln!(
        "reliability: 4 answers cut short (task page, folders, goal, time entries): retried, \
         {compared} records identical to a clean run"
    );
}

#[tokio::test]
async fn a_body_cut_short_on_every_attempt_is_a_transient_error_naming_the_endpoint() {
    let sim = start(172);
    let ws = sim.world().workspaces[0].id.clone();
    let goals = format!("/team/{ws}/goal");
    sim.inject(&goals, Fault::ShortBody, 1_000);
    let once = SyncOptions {
        transient_retries: 0,
        ..quick()
    };
    let (out, end) = run(&sim, &["workspaces", "goals"], &once).await;
    match end {
        SyncEnd::Failed {
            stream,
            error: CallError::Connector(WitError::Transient(m)),
        } => {
            assert_eq!(stream, "goals");
            assert!(m.contains(&goals) && m.contains("truncated"), "{m}");
        }
        other => panic!("expected a transient error, got {other:?}"),
    }
    assert_eq!(asked(&sim, &goals), MAX_ATTEMPTS as usize);
    assert_eq!(out.records["workspaces"].len(), 1, "the stream before it");
}
