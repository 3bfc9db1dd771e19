//! Lanes side by side (`stream-descriptor.lane`, `host_harness::sync_side_by_side`): goals and
//! time entries read on instances of their own beside the hierarchy and tasks, under one token
//! limiter. The records are the serial sync's and ClickUp's, the lanes do overlap, no 429 is
//! earned, a sync killed after any call resumes with nothing lost, and a lane that fails stops
//! the others with its error.

use crate::harness::{by_key, choices, host, keyed, quick, Collected, ALL};
use crate::truth::{assert_ground_truth, expected};
use clickup_sim::{Fault, LatencyConfig, RateLimitConfig, SimConfig, Simulator, Size};
use host_harness::sync::StreamChoice;
use host_harness::sync::{lane_count, sync_side_by_side, SyncEnd, SyncOptions, SyncState};
use host_harness::{CallError, EgressPolicy, Run, RunOptions, TokenLimiters, WitError};
use std::time::Duration;

/// `limit` requests per 2 s, and answers that take 30–50 ms.
fn plan(seed: u64, size: Size, limit: u32) -> Simulator {
    Simulator::start(SimConfig {
        seed,
        size,
        rate_limit: RateLimitConfig {
            limit,
            window: WINDOW,
        },
        latency: LatencyConfig::ms(30, 20),
        ..SimConfig::default()
    })
    .expect("start the simulator")
}

/// The simulator's window, and the limit that makes three instances wait for it.
const WINDOW: Duration = Duration::from_secs(2);
const TIGHT: u32 = 40;

/// `n` runs of the component for `sim`, as the command line makes them: one policy, so one
/// token limiter, and one request counter.
async fn instances(sim: &Simulator, limiters: &TokenLimiters, n: usize) -> Vec<Run> {
    if n == 0 {
        return Vec::new();
    }
    let mut egress = EgressPolicy::for_base_url(&sim.base_url()).unwrap();
    egress.limiter = Some(limiters.for_token(&sim.token()));
    let first = Run::new(
        &host(),
        RunOptions {
            egress: egress.clone(),
            ..RunOptions::default()
        },
    )
    .await
    .expect("instantiate");
    let shared = RunOptions {
        egress,
        requests: Some(first.requests().clone()),
        ..RunOptions::default()
    };
    let mut runs = vec![first];
    while runs.len() < n {
        runs.push(
            Run::new(&host(), shared.clone())
                .await
                .expect("instantiate"),
        );
    }
    runs
}

/// Syncs `streams` from `state` with one run per lane, the lanes as `discover` names them.
async fn side_by_side(
    sim: &Simulator,
    limit: u32,
    streams: &[&str],
    state: &mut SyncState,
    options: &SyncOptions,
) -> (Collected, SyncEnd, usize) {
    let config = crate::harness::config(sim);
    let limiters = TokenLimiters::new(limit, WINDOW);
    let mut runs = instances(sim, &limiters, 1).await;
    let choices: Vec<StreamChoice> = StreamChoice::every(&runs[0].discover(&config).await.unwrap())
        .into_iter()
        .filter(|c| streams.contains(&c.name.as_str()))
        .collect();
    let more = instances(sim, &limiters, lane_count(&choices) - 1).await;
    runs.extend(more);
    let mut out = Collected::default();
    let end = sync_side_by_side(&mut runs, &config, &choices, state, options, &mut out)
        .await
        .expect("the sync driver itself must not fail");
    (out, end, runs.len())
}

/// The position of each checkpoint of `stream` among all the sync's checkpoints.
fn checkpoints_of(out: &Collected, stream: &str) -> Vec<usize> {
    out.events
        .iter()
        .filter(|e| e.0 == "checkpoint")
        .enumerate()
        .filter(|(_, e)| e.1 == stream)
        .map(|(i, _)| i)
        .collect()
}

#[tokio::test]
async fn lanes_side_by_side_give_clickups_records_and_the_serial_syncs_and_overlap() {
    let sim = plan(151, Size::tiny(), TIGHT);
    let (wide, end, lanes) = side_by_side(&sim, TIGHT, &ALL, &mut SyncState::new(), &quick()).await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    assert_eq!(
        lanes, 3,
        "goals and time entries each have a lane of their own"
    );
    let wide_counts = sim.request_counts();
    sim.reset_counts();
    let mut one = instances(&sim, &TokenLimiters::new(TIGHT, WINDOW), 1).await;
    let mut serial = Collected::default();
    let end = sync_side_by_side(
        &mut one,
        &crate::harness::config(&sim),
        &choices(&ALL),
        &mut SyncState::new(),
        &quick(),
        &mut serial,
    )
    .await
    .unwrap();
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let serial_counts = sim.request_counts();
    let world = sim.world();
    assert_ground_truth(&wide, &world, &ALL);
    assert_eq!(keyed(&wide), keyed(&serial), "lanes gave other records");
    // Serially, every goals checkpoint comes after the last of tasks (its stream order); side
    // by side, goals and time entries finish while tasks is still being read.
    let tasks = checkpoints_of(&wide, "tasks");
    for lane in ["goals", "time_entries"] {
        let first = checkpoints_of(&serial, lane)[0];
        assert!(first > *checkpoints_of(&serial, "tasks").last().unwrap());
        let done = *checkpoints_of(&wide, lane).last().unwrap();
        assert!(
            done < *tasks.last().unwrap(),
            "{lane} did not run beside tasks: its last checkpoint is #{done}, tasks' #{tasks:?}"
        );
    }
    assert_eq!(
        wide_counts.status_429 + serial_counts.status_429,
        0,
        "three instances on one token earned 429s"
    );
    // An instance of its own asks for the Workspaces once: one request per further lane.
    assert_eq!(wide_counts.total, serial_counts.total + 2);
}

#[tokio::test]
async fn killed_after_any_call_of_any_lane_a_sync_resumes_with_nothing_lost() {
    // No waits for the window: the same batches in every run, and a quick loop over k.
    let limit = 1_000;
    let sim = plan(152, crate::harness::micro(), limit);
    let streams = ["lists", "tasks", "goals", "time_entries"];
    let (clean, end, _) =
        side_by_side(&sim, limit, &streams, &mut SyncState::new(), &quick()).await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let pages = clean.events.iter().filter(|e| e.0 == "checkpoint").count() as u64;
    assert!(pages > 4, "{pages} pages are too few to stop in between");
    for k in 1..pages {
        let mut state = SyncState::new();
        let stop = SyncOptions {
            stop_after_pages: Some(k),
            ..quick()
        };
        let (first, end, _) = side_by_side(&sim, limit, &streams, &mut state, &stop).await;
        let calls = first.events.iter().filter(|e| e.0 == "checkpoint").count() as u64;
        assert!(calls <= k, "k={k}: {calls} calls, past the stop");
        let finished = matches!(end, SyncEnd::Complete);
        assert!(
            finished || matches!(end, SyncEnd::Interrupted),
            "k={k}: {end:?}"
        );
        let (rest, end, _) = side_by_side(&sim, limit, &streams, &mut state, &quick()).await;
        assert!(matches!(end, SyncEnd::Complete), "k={k}: {end:?}");
        for stream in streams {
            let mut got = by_key(first.records.get(stream).map_or(&[][..], |r| r));
            got.extend(by_key(rest.records.get(stream).map_or(&[][..], |r| r)));
            assert_eq!(
                got,
                by_key(&clean.records[stream]),
                "k={k}: {stream} lost, gained or changed records"
            );
        }
    }
}

#[tokio::test]
async fn a_lane_that_fails_stops_the_others_and_the_sync_names_it() {
    let sim = plan(153, Size::tiny(), TIGHT);
    let ws = sim.world().workspaces[0].id.clone();
    let goals = format!("/team/{ws}/goal");
    // A 400 is never retried: the goals lane fails on its first call, a round trip in, while
    // the default lane has some 300 requests ahead of it at 40 per 2 s. (A fault that is retried
    // would make this a race between its back-off and the default lane's speed.)
    sim.inject(&goals, Fault::Status(400), 1);
    let mut state = SyncState::new();
    let (out, end, _) = side_by_side(&sim, TIGHT, &ALL, &mut state, &quick()).await;
    match end {
        SyncEnd::Failed {
            stream,
            error: CallError::Connector(WitError::Protocol(m)),
        } => {
            assert_eq!(stream, "goals");
            assert!(m.contains(&goals), "{m}");
        }
        other => panic!("expected the goals lane's protocol error, got {other:?}"),
    }
    // The default lane stopped too: its last stream was never reached.
    assert!(
        !out.events.iter().any(|e| e.1 == "custom_fields"),
        "the other lanes went on after goals failed"
    );
    // What the other lanes delivered before they stopped is checkpointed: a second sync
    // completes from there, and together they hold every record.
    let (rest, end, _) = side_by_side(&sim, TIGHT, &ALL, &mut state, &quick()).await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let world = sim.world();
    for stream in ALL {
        let mut got = by_key(out.records.get(stream).map_or(&[][..], |r| r));
        got.extend(by_key(rest.records.get(stream).map_or(&[][..], |r| r)));
        assert_eq!(
            got.into_keys().collect::<Vec<_>>(),
            by_key(&expected(&world, stream))
                .into_keys()
                .collect::<Vec<_>>(),
            "{stream}: lost records across the failure"
        );
    }
}
