//! The simulator's ground truth, as the records a correct connector emits.
//!
//! Each expected record is the simulator's own API JSON of the entity passed through the
//! connector's record function (natively); the tests then compare the component's output with it,
//! so a record missing, duplicated, or changed on the way through wasm fails. The conversion
//! itself is checked independently in `streams.rs` (timestamps, parent ids).

use clickup_connector::streams;
use clickup_sim::World;
use serde_json::Value;

/// Asserts that each of `streams` in `out` holds exactly ClickUp's records, by key.
pub(crate) fn assert_ground_truth(
    out: &crate::harness::Collected,
    world: &World,
    streams: &[&str],
) {
    use crate::harness::by_key;
    for stream in streams {
        assert_eq!(
            by_key(&out.records[*stream])
                .into_keys()
                .collect::<Vec<_>>(),
            by_key(&expected(world, stream))
                .into_keys()
                .collect::<Vec<_>>(),
            "{stream}: not the ground truth"
        );
    }
}

pub(crate) fn expected(world: &World, stream: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for ws in &world.workspaces {
        let id = ws.id.as_str();
        match stream {
            "workspaces" => out.push(streams::workspaces::record(&ws.to_api_json()).unwrap()),
            "members" => out.extend(streams::members::records(&ws.to_api_json(), id)),
            "spaces" => out.extend(
                ws.spaces
                    .iter()
                    .map(|s| streams::spaces::record(&s.to_api_json(), id).unwrap()),
            ),
            "folders" => out.extend(
                ws.folders
                    .iter()
                    .map(|f| streams::folders::record(&f.to_api_json(), id, &f.space.id).unwrap()),
            ),
            "lists" => out.extend(ws.lists.iter().map(|l| {
                let folder = (!l.folderless).then_some(l.folder.id.as_str());
                streams::lists::record(&l.to_api_json(), id, &l.space.id, folder).unwrap()
            })),
            "tasks" => out.extend(
                ws.tasks
                    .iter()
                    .map(|t| streams::tasks::record(t.to_api_json(), id).unwrap()),
            ),
            "goals" => out.extend(
                ws.goals
                    .iter()
                    .map(|g| streams::goals::record(&g.to_detail_json(), id).unwrap()),
            ),
            "time_entries" => out.extend(
                ws.time_entries
                    .iter()
                    .map(|e| streams::time_entries::record(&e.to_api_json(), id).unwrap()),
            ),
            "custom_fields" => out.extend(ws.field_definitions().iter().map(|f| {
                use clickup_sim::FieldScope;
                use streams::custom_fields::FieldLevel;
                let (level, at) = match &f.scope {
                    FieldScope::Workspace => (FieldLevel::Workspace, id),
                    FieldScope::Space(s) => (FieldLevel::Space, s.as_str()),
                    FieldScope::Folder(d) => (FieldLevel::Folder, d.as_str()),
                    FieldScope::List(l) => (FieldLevel::List, l.as_str()),
                };
                streams::custom_fields::record(&f.to_api_json(), id, level, at).unwrap()
            })),
            other => panic!("no stream {other}"),
        }
    }
    out
}
