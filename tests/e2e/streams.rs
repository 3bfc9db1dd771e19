//! Each of the eight streams equals the simulator's ground truth exactly: the same set of records,
//! field for field, after a full sync through the component.

use crate::harness::{by_key, sim, sync_ok, ALL};
use crate::truth::expected;
use chrono::{DateTime, SecondsFormat};
use clickup_sim::Size;
use host_harness::sync::SyncState;
use serde_json::Value;

fn rfc3339(ms: i64) -> Value {
    Value::String(
        DateTime::from_timestamp_millis(ms)
            .unwrap()
            .to_rfc3339_opts(SecondsFormat::Millis, true),
    )
}

#[tokio::test]
async fn every_stream_equals_the_ground_truth() {
    let sim = sim(7, Size::tiny());
    let out = sync_ok(&sim, &ALL, &mut SyncState::new()).await;
    let world = sim.world();
    for stream in ALL {
        let got = out.records.get(stream).cloned().unwrap_or_default();
        let want = expected(&world, stream);
        assert!(
            !want.is_empty(),
            "the simulator has no {stream}: the test proves nothing"
        );
        let (got_keys, want_keys) = (by_key(&got), by_key(&want));
        assert_eq!(
            got.len(),
            got_keys.len(),
            "{stream}: a record was emitted twice"
        );
        let missing: Vec<_> = want_keys
            .keys()
            .filter(|k| !got_keys.contains_key(*k))
            .collect();
        let extra: Vec<_> = got_keys
            .keys()
            .filter(|k| !want_keys.contains_key(*k))
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{stream}: missing {missing:?}, unexpected {extra:?}"
        );
        for (k, w) in &want_keys {
            assert_eq!(&got_keys[k], w, "{stream} record {k} differs");
        }
    }
}

#[tokio::test]
async fn timestamps_become_rfc3339_utc_and_records_carry_their_parents() {
    let sim = sim(8, Size::tiny());
    let out = sync_ok(
        &sim,
        &["tasks", "lists", "time_entries"],
        &mut SyncState::new(),
    )
    .await;
    let world = sim.world();
    let tasks = by_key(&out.records["tasks"]);
    for ws in &world.workspaces {
        for t in &ws.tasks {
            let r = &tasks[&t.id];
            assert_eq!(r["date_updated"], rfc3339(t.date_updated), "task {}", t.id);
            assert_eq!(r["date_created"], rfc3339(t.date_created));
            assert_eq!(r["date_closed"], t.date_closed.map_or(Value::Null, rfc3339));
            assert_eq!(r["due_date"], t.due_date.map_or(Value::Null, rfc3339));
            assert_eq!(r["workspace_id"], ws.id.as_str());
            assert_eq!(r["list_id"], t.list.id.as_str());
            assert_eq!(r["space_id"], t.space_id.as_str());
            let folder = if t.folder.hidden {
                Value::Null
            } else {
                Value::String(t.folder.id.clone())
            };
            assert_eq!(r["folder_id"], folder);
            assert!(r["date_updated"].as_str().unwrap().ends_with('Z'));
        }
    }
    let lists = by_key(&out.records["lists"]);
    for ws in &world.workspaces {
        for l in &ws.lists {
            let r = &lists[&l.id];
            assert_eq!(r["space_id"], l.space.id.as_str());
            assert_eq!(r["folderless"], l.folderless);
            assert_eq!(r["due_date"], l.due_date.map_or(Value::Null, rfc3339));
        }
    }
    let entries = by_key(&out.records["time_entries"]);
    for ws in &world.workspaces {
        for e in &ws.time_entries {
            let r = &entries[&e.id];
            assert_eq!(r["workspace_id"], ws.id.as_str());
            assert!(
                r["duration"].is_i64(),
                "duration stays a number: {}",
                r["duration"]
            );
            assert!(
                r["start"]
                    .as_str()
                    .is_some_and(|s| s.len() == 24 && s.ends_with('Z')),
                "{}",
                r["start"]
            );
        }
    }
}
