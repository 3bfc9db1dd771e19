//! Requests side by side at real-world latency: the records are those of a serial sync, a sync
//! killed after any batch resumes with nothing lost, tenants sharing a token stay inside its
//! budget, and a limit that drops in the middle of a sync costs waits, not the sync.

use crate::harness::{
    by_key, keyed, micro, quick, run_for, run_with, sync_on, sync_with, Collected, ALL,
};
use crate::truth::{assert_ground_truth, expected};
use clickup_sim::{LatencyConfig, RateLimitConfig, SimConfig, Simulator, Size};
use host_harness::sync::{Checkpoint, Observer, SyncEnd, SyncOptions, SyncState};
use host_harness::{EgressPolicy, TokenLimiters};
use serde_json::{json, Value};
use std::time::Duration;

/// ClickUp's Business Plus limit, and answers that take 60–100 ms.
fn business_plus(seed: u64, size: Size) -> Simulator {
    plan(seed, size, 1_000)
}

/// `limit` requests a minute, and answers that take 60–100 ms.
fn plan(seed: u64, size: Size, limit: u32) -> Simulator {
    Simulator::start(SimConfig {
        seed,
        size,
        rate_limit: RateLimitConfig {
            limit,
            window: Duration::from_secs(60),
        },
        latency: LatencyConfig::ms(60, 40),
        ..SimConfig::default()
    })
    .expect("start the simulator")
}

fn config_with(sim: &Simulator, extra: Value) -> String {
    let mut config = json!({"api_token": sim.token(), "base_url": sim.base_url()});
    if let (Some(c), Some(e)) = (config.as_object_mut(), extra.as_object()) {
        c.extend(e.clone());
    }
    config.to_string()
}

#[tokio::test]
async fn side_by_side_at_latency_every_stream_is_the_ground_truth_and_the_serial_syncs_records() {
    // Enterprise's limit: at this latency Business Plus's would allow only 2–3 in flight.
    let sim = plan(141, Size::tiny(), 10_000);
    let (wide, end) = sync_with(
        &sim,
        &config_with(&sim, json!({})),
        &ALL,
        &mut SyncState::new(),
        &quick(),
    )
    .await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let wide_counts = sim.request_counts();
    sim.reset_counts();
    let (serial, end) = sync_with(
        &sim,
        &config_with(&sim, json!({"max_concurrency": 1})),
        &ALL,
        &mut SyncState::new(),
        &quick(),
    )
    .await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let serial_counts = sim.request_counts();
    let world = sim.world();
    assert_ground_truth(&wide, &world, &ALL);
    assert_eq!(
        keyed(&wide),
        keyed(&serial),
        "side by side gave other records"
    );
    assert!(
        wide_counts.peak_in_flight > 2,
        "never more than {} request(s) in flight",
        wide_counts.peak_in_flight
    );
    assert_eq!(
        serial_counts.peak_in_flight, 1,
        "max_concurrency 1 is serial"
    );
    assert_eq!(wide_counts.status_429 + serial_counts.status_429, 0);
    // Pages sent ahead past a partition's end are the only extra requests.
    assert!(
        wide_counts.total as f64 <= serial_counts.total as f64 * 1.2,
        "{} requests side by side against {} serially",
        wide_counts.total,
        serial_counts.total
    );
}

#[tokio::test]
async fn killed_after_any_batch_with_several_in_flight_a_sync_resumes_with_nothing_lost() {
    // The width capped well below what the plan allows: the same batches in every run (a
    // width that follows the measured latency would give each run its own number of pages, and
    // a stop after page k would sometimes come after the end).
    let sim = plan(142, micro(), 10_000);
    let config = config_with(&sim, json!({"max_concurrency": 4}));
    let streams = ["tasks", "time_entries", "goals", "lists"];
    let (clean, end) = sync_with(&sim, &config, &streams, &mut SyncState::new(), &quick()).await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let pages = clean.events.iter().filter(|e| e.0 == "checkpoint").count() as u64;
    assert!(pages > 4, "{pages} pages are too few to stop in between");
    for k in 1..pages {
        let mut state = SyncState::new();
        let stop = SyncOptions {
            stop_after_pages: Some(k),
            ..quick()
        };
        let (first, end) = sync_with(&sim, &config, &streams, &mut state, &stop).await;
        assert!(matches!(end, SyncEnd::Interrupted), "k={k}: {end:?}");
        let (rest, end) = sync_with(&sim, &config, &streams, &mut state, &quick()).await;
        assert!(matches!(end, SyncEnd::Complete), "k={k}: {end:?}");
        for stream in streams {
            let mut got = by_key(first.records.get(stream).map_or(&[][..], |r| r));
            got.extend(by_key(rest.records.get(stream).map_or(&[][..], |r| r)));
            assert_eq!(
                got.keys().collect::<Vec<_>>(),
                by_key(&clean.records[stream]).keys().collect::<Vec<_>>(),
                "k={k}: {stream} lost or gained records"
            );
        }
    }
    assert!(sim.request_counts().peak_in_flight > 1);
}

#[tokio::test]
async fn two_tenants_sharing_a_token_side_by_side_earn_no_429() {
    let sim = Simulator::start(SimConfig {
        seed: 143,
        size: micro(),
        rate_limit: RateLimitConfig {
            limit: 30,
            window: Duration::from_secs(2),
        },
        latency: LatencyConfig::ms(30, 20),
        ..SimConfig::default()
    })
    .unwrap();
    let limiters = TokenLimiters::new(30, Duration::from_secs(2));
    let config = config_with(&sim, json!({}));
    let tenant = || {
        let mut egress = EgressPolicy::for_base_url(&sim.base_url()).unwrap();
        egress.limiter = Some(limiters.for_token(&sim.token()));
        let config = config.clone();
        async move {
            let mut run = run_with(egress).await;
            let mut out = Collected::default();
            let streams = ["tasks", "time_entries", "lists"];
            let end = sync_on(&mut run, &config, &streams, &mut out).await;
            (out, end)
        }
    };
    let ((a, end_a), (b, end_b)) = tokio::join!(tenant(), tenant());
    assert!(matches!(end_a, SyncEnd::Complete), "{end_a:?}");
    assert!(matches!(end_b, SyncEnd::Complete), "{end_b:?}");
    assert_eq!(keyed(&a), keyed(&b));
    let counts = sim.request_counts();
    assert!(
        counts.total > 60,
        "{} requests cross no window",
        counts.total
    );
    assert!(counts.peak_in_flight > 1);
    assert_eq!(counts.status_429, 0, "tenants sharing a token earned 429s");
}

/// Lowers the simulator's limit once the sync has read a few pages.
struct LowersTheLimit<'s> {
    sim: &'s Simulator,
    pages: u32,
    out: Collected,
}

impl Observer for LowersTheLimit<'_> {
    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        self.out.records(stream, records)
    }
    fn checkpoint(&mut self, stream: &str, c: &Checkpoint) -> anyhow::Result<()> {
        self.pages += 1;
        if self.pages == 3 {
            self.sim.set_rate_limit(RateLimitConfig {
                limit: 15,
                window: Duration::from_secs(2),
            });
        }
        self.out.checkpoint(stream, c)
    }
    fn rate_limited(&mut self, stream: &str, reset: u64) {
        self.out.rate_limited(stream, reset);
    }
}

#[tokio::test]
async fn a_limit_that_drops_in_the_middle_of_a_sync_costs_waits_not_the_sync() {
    let sim = business_plus(144, micro());
    let mut run = run_for(&sim).await;
    let mut observer = LowersTheLimit {
        sim: &sim,
        pages: 0,
        out: Collected::default(),
    };
    let streams = ["tasks", "time_entries", "lists"];
    let config = config_with(&sim, json!({}));
    let end = sync_on(&mut run, &config, &streams, &mut observer).await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let world = sim.world();
    for stream in streams {
        assert_eq!(
            by_key(&observer.out.records[stream])
                .into_keys()
                .collect::<Vec<_>>(),
            by_key(&expected(&world, stream))
                .into_keys()
                .collect::<Vec<_>>(),
            "{stream}"
        );
    }
    assert!(observer.pages >= 3, "the limit never dropped");
}
