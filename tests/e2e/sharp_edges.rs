//! The sharp edges of issue 17, item 4: a time entry that two windows return is emitted once (and
//! a resumed sync neither loses nor repeats it), a listed goal whose detail fails is kept, and a
//! space the token may not read is asked for once per sync and warned about once.

use crate::harness::{choices, config, micro, quick, run_for, Collected, ALL};
use clickup_connector::retry::MAX_ATTEMPTS;
use clickup_connector::timestamp::format_ms;
use clickup_sim::{Fault, RateLimitConfig, SimConfig, Simulator, Size, TimeEntryRange, TokenSpec};
use host_harness::sync::{self, SyncEnd, SyncOptions, SyncState};
use serde_json::Value;
use std::collections::BTreeSet;

const NOW: i64 = 1_790_000_000_000;
const DAY: i64 = 86_400_000;

fn start(seed: u64, size: Size) -> Simulator {
    Simulator::start(SimConfig {
        seed,
        size,
        now_ms: Some(NOW),
        rate_limit: RateLimitConfig::unlimited(),
        ..SimConfig::default()
    })
    .unwrap()
}

async fn run(
    sim: &Simulator,
    config: &str,
    streams: &[&str],
    state: &mut SyncState,
    options: &SyncOptions,
) -> (Collected, SyncEnd) {
    let mut run = run_for(sim).await;
    let mut out = Collected::default();
    let end = sync::sync(
        &mut run,
        config,
        &choices(streams),
        state,
        options,
        &mut out,
    )
    .await
    .unwrap();
    (out, end)
}

fn ids_of(records: Option<&Vec<Value>>) -> Vec<String> {
    records
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect()
}

/// `ids` has no id twice; returns them as a set.
fn once_each(ids: &[String], what: &str) -> BTreeSet<String> {
    let set: BTreeSet<String> = ids.iter().cloned().collect();
    let twice: Vec<&String> = set
        .iter()
        .filter(|id| ids.iter().filter(|i| i == id).count() > 1)
        .collect();
    assert!(
        twice.is_empty(),
        "{what}: emitted more than once: {twice:?}"
    );
    set
}

#[tokio::test]
async fn a_time_entry_two_windows_return_is_emitted_once_and_resumes_neither_lose_nor_repeat_it() {
    let sim = start(173, micro());
    // ClickUp's docs leave open whether the range filters on the start or on the whole span; with
    // the span, an entry that runs across a window boundary comes back for both windows.
    sim.set_time_entry_range(TimeEntryRange::Overlap);
    let from = NOW - 130 * DAY;
    let window_days = 30;
    let boundary = from + window_days * DAY;
    let long = sim.mutate(|w| {
        let entry = w.workspaces[0]
            .time_entries
            .iter_mut()
            .find(|e| e.end.is_some())
            .expect("a finished entry");
        entry.start = boundary - 3_600_000;
        entry.end = Some(boundary + 3_600_000);
        entry.duration = 7_200_000;
        entry.id.clone()
    });
    let cfg = serde_json::json!({
        "api_token": sim.token(),
        "base_url": sim.base_url(),
        "start_date": format_ms(from).unwrap(),
        "time_entries_window_days": window_days,
    })
    .to_string();
    let truth: BTreeSet<String> = sim.with_world(|w| {
        w.workspaces[0]
            .time_entries
            .iter()
            .filter(|e| e.start >= from)
            .map(|e| e.id.clone())
            .collect()
    });
    assert!(truth.contains(&long));

    let streams = ["time_entries"];
    let (clean, end) = run(&sim, &cfg, &streams, &mut SyncState::new(), &quick()).await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let got = once_each(&ids_of(clean.records.get("time_entries")), "full sync");
    assert_eq!(got, truth);

    // Killed after every page k and resumed from its checkpoint: the union is the truth, once.
    let pages = clean.events.iter().filter(|e| e.0 == "checkpoint").count() as u64;
    assert!(
        pages > 3,
        "{pages} pages: too few windows to cross a boundary"
    );
    for k in 1..pages {
        let mut state = SyncState::new();
        let stop = SyncOptions {
            stop_after_pages: Some(k),
            ..quick()
        };
        let (first, end) = run(&sim, &cfg, &streams, &mut state, &stop).await;
        assert!(matches!(end, SyncEnd::Interrupted), "k={k}: {end:?}");
        let (rest, end) = run(&sim, &cfg, &streams, &mut state, &quick()).await;
        assert!(matches!(end, SyncEnd::Complete), "k={k}: {end:?}");
        let mut ids = ids_of(first.records.get("time_entries"));
        ids.extend(ids_of(rest.records.get("time_entries")));
        assert_eq!(once_each(&ids, &format!("killed after page {k}")), truth);
    }
    eprintln!(
        "sharp edges: an entry across a window boundary, served by both windows: emitted once in \
         the full sync and in {} resumed syncs ({} entries each)",
        pages - 1,
        truth.len()
    );
}

#[tokio::test]
async fn a_goal_whose_detail_fails_is_kept_from_the_list_and_named_in_a_warning() {
    let sim = start(174, micro());
    let goals = sim.world().workspaces[0].goals.clone();
    assert!(goals.len() >= 2);
    let (denied, garbled) = (&goals[0], &goals[1]);
    sim.inject(&format!("/goal/{}", denied.id), Fault::Status(403), 1);
    // The same non-JSON on every attempt: a protocol error, after the retries.
    sim.inject(
        &format!("/goal/{}", garbled.id),
        Fault::Malformed,
        MAX_ATTEMPTS,
    );
    let (out, end) = run(
        &sim,
        &config(&sim),
        &["goals"],
        &mut SyncState::new(),
        &quick(),
    )
    .await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");
    let records = out.records.get("goals").cloned().unwrap_or_default();
    let ids = once_each(&ids_of(Some(&records)), "goals");
    let truth: BTreeSet<String> = goals.iter().map(|g| g.id.clone()).collect();
    assert_eq!(ids, truth, "a listed goal was dropped");
    for goal in [denied, garbled] {
        let record = records
            .iter()
            .find(|r| r["id"] == goal.id.as_str())
            .unwrap();
        assert_eq!(record["name"], goal.name.as_str());
        assert_eq!(record["workspace_id"], goal.team_id.as_str());
        assert!(record.get("key_results").is_none(), "{record}");
        let named: Vec<&String> = out
            .warnings
            .iter()
            .filter(|w| w.contains(&goal.id))
            .collect();
        assert_eq!(named.len(), 1, "{:?}", out.warnings);
        assert!(named[0].contains("kept"), "{}", named[0]);
    }
    assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
    let full = records
        .iter()
        .filter(|r| r.get("key_results").is_some())
        .count();
    assert_eq!(full, goals.len() - 2, "the other goals have their targets");
}

#[tokio::test]
async fn a_space_the_token_may_not_read_is_asked_for_once_in_a_sync_and_warned_about_once() {
    let sim = start(175, Size::tiny());
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
    let (out, end) = run(&sim, &cfg, &ALL, &mut SyncState::new(), &quick()).await;
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");

    let log = sim.request_log();
    let to_space: Vec<&String> = log
        .iter()
        .filter(|t| t.starts_with(&format!("/space/{denied}/")))
        .collect();
    // Folders, lists and tasks each walk the space, archived and not: one request is needed.
    assert_eq!(to_space.len(), 1, "{to_space:?}");
    let beneath: Vec<&String> = log
        .iter()
        .filter(|t| {
            ws.folders
                .iter()
                .filter(|f| f.space.id == denied)
                .any(|f| t.starts_with(&format!("/folder/{}/", f.id)))
                || ws
                    .lists
                    .iter()
                    .filter(|l| l.space.id == denied)
                    .any(|l| t.starts_with(&format!("/list/{}/", l.id)))
        })
        .collect();
    assert!(beneath.is_empty(), "{beneath:?}");
    let warned: Vec<&String> = out
        .warnings
        .iter()
        .filter(|w| w.contains(&denied))
        .collect();
    assert_eq!(warned.len(), 1, "{:?}", out.warnings);
    assert!(warned[0].contains("OAUTH_027"), "{}", warned[0]);
    for stream in ["folders", "lists", "tasks"] {
        let records = out.records.get(stream).cloned().unwrap_or_default();
        assert!(!records.is_empty(), "{stream}: nothing synced");
        assert!(
            records.iter().all(|r| r["space_id"] != denied.as_str()),
            "{stream}: a record of the denied space"
        );
    }
    eprintln!(
        "sharp edges: a denied space in a sync of all streams: {} request to it, {} warning",
        to_space.len(),
        warned.len()
    );
}
