//! The rate limit (prior-art bug 8): at a small limit the sync completes with every record, waiting
//! for the window's reset instead of hammering; 429s that still come are waited out.

use crate::harness::{config, ids, quick, run_for, sync_with, Collected};
use crate::truth::expected;
use clickup_sim::{FaultConfig, RateLimitConfig, SimConfig, Simulator, Size};
use host_harness::sync::{self, SyncEnd, SyncState};
use std::time::Duration;

const STREAMS: [&str; 4] = ["workspaces", "spaces", "lists", "goals"];
/// Fewer requests: each 429 costs up to a second of waiting.
const FAULTY: [&str; 2] = ["spaces", "folders"];

#[tokio::test]
async fn a_small_limit_is_waited_for_not_hammered_and_nothing_is_lost() {
    let sim = Simulator::start(SimConfig {
        seed: 41,
        size: Size::tiny(),
        rate_limit: RateLimitConfig {
            limit: 20,
            window: Duration::from_secs(2),
        },
        ..SimConfig::default()
    })
    .unwrap();
    let (out, end) = sync_with(
        &sim,
        &config(&sim),
        &STREAMS,
        &mut SyncState::new(),
        &quick(),
    )
    .await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let world = sim.world();
    for s in STREAMS {
        assert_eq!(ids(&out.records[s]), ids(&expected(&world, s)), "{s}");
    }
    let counts = sim.request_counts();
    assert!(
        counts.total > 40,
        "too few requests ({}) to cross a window",
        counts.total
    );
    assert_eq!(
        counts.status_429, 0,
        "the connector ran into the limit instead of pacing by X-RateLimit-Remaining"
    );
}

#[tokio::test]
async fn thirty_percent_429s_give_identical_records() {
    // Two simulators of one seed and one clock generate the same Workspaces.
    let now_ms = Some(1_790_000_000_000);
    let clean_sim = Simulator::start(SimConfig {
        seed: 42,
        size: Size::tiny(),
        now_ms,
        rate_limit: RateLimitConfig::unlimited(),
        ..SimConfig::default()
    })
    .unwrap();
    let clean = crate::harness::sync_ok(&clean_sim, &FAULTY, &mut SyncState::new()).await;
    let sim = Simulator::start(SimConfig {
        seed: 42,
        now_ms,
        size: Size::tiny(),
        // A one-second window, so each 429 is waited out in under a second and a half.
        rate_limit: RateLimitConfig {
            limit: 1_000_000,
            window: Duration::from_secs(1),
        },
        faults: FaultConfig {
            seed: 5,
            rate_429: 0.3,
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .unwrap();
    let mut run = run_for(&sim).await;
    let mut out = Collected::default();
    let end = sync::sync(
        &mut run,
        &config(&sim),
        &crate::harness::choices(&FAULTY),
        &mut SyncState::new(),
        &quick(),
        &mut out,
    )
    .await
    .unwrap();
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    assert!(sim.request_counts().status_429 > 0, "no 429 was injected");
    for s in FAULTY {
        let (got, want) = (
            crate::harness::by_key(&out.records[s]),
            crate::harness::by_key(&clean.records[s]),
        );
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{s}: different records"
        );
        for (k, w) in &want {
            assert_eq!(&got[k], w, "{s} record {k} differs");
        }
    }
}
