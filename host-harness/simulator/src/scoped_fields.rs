//! Custom fields defined below the Workspace: at a space, a folder or a list.
//!
//! ClickUp lets a field be created at any level of the hierarchy; it then applies to
//! every list under that level, and only tasks whose home list is there carry it. Each
//! workspace gets, besides its Workspace-level fields:
//!
//! - in its first space: **Team** (`drop_down`) and **Effort** (`number`);
//! - in the first folder of that space: **Client code** (`short_text`);
//! - in the first list of that folder: **Review date** (`date`) and **Areas**
//!   (`labels`).
//!
//! In the first workspace that list is the big list (so its tasks 6, 8 and 9 set all,
//! none and `null` of them too). Ids, options and creation dates come from a stream
//! of their own (derived from the seed), so the rest of the world is as it was.

use super::clock::MS_PER_DAY;
use super::ids::uuid_from;
use super::names::COLORS;
use super::prng::SplitMix64;
use super::tasks::{CustomField, FieldScope};
use super::world::Workspace;
use serde_json::{json, Value};
use std::sync::Arc;

/// The fields defined at the first space, folder and list of `ws` (which already has
/// its hierarchy), created on or after `created` (ms since the Unix epoch).
pub(crate) fn scoped_fields(
    seed: u64,
    w: usize,
    ws: &Workspace,
    created: i64,
) -> Vec<Arc<CustomField>> {
    let mut x = SplitMix64::derive(seed, &format!("scoped-fields:{w}"));
    let Some(space) = ws.spaces.iter().find(|s| !s.archived) else {
        return Vec::new();
    };
    let folder = ws
        .folders
        .iter()
        .find(|f| f.space.id == space.id && !f.archived);
    let list = folder.and_then(|f| {
        ws.lists
            .iter()
            .find(|l| !l.folderless && l.folder.id == f.id && !l.archived)
    });
    let mut defs: Vec<(FieldScope, &str, &str, Value)> = Vec::new();
    let team_options = options(&mut x, &["Platform", "Growth", "Support"], false);
    defs.push((
        FieldScope::Space(space.id.clone()),
        "Team",
        "drop_down",
        json!({ "default": 0, "placeholder": null, "new_drop_down": true, "sorting": "manual", "options": team_options }),
    ));
    defs.push((
        FieldScope::Space(space.id.clone()),
        "Effort",
        "number",
        json!({}),
    ));
    if let Some(folder) = folder {
        defs.push((
            FieldScope::Folder(folder.id.clone()),
            "Client code",
            "short_text",
            json!({}),
        ));
    }
    if let Some(list) = list {
        defs.push((
            FieldScope::List(list.id.clone()),
            "Review date",
            "date",
            json!({}),
        ));
        let areas = options(&mut x, &["Backend", "Frontend", "Docs"], true);
        defs.push((
            FieldScope::List(list.id.clone()),
            "Areas",
            "labels",
            json!({ "sorting": "manual", "options": areas }),
        ));
    }
    defs.into_iter()
        .map(|(scope, name, kind, type_config)| {
            Arc::new(CustomField {
                id: uuid_from(&mut x),
                scope,
                name: name.to_string(),
                kind: kind.to_string(),
                type_config,
                retired_options: Vec::new(),
                date_created: created + x.range_i64(0, 30) * MS_PER_DAY,
                hide_from_guests: false,
                required: false,
            })
        })
        .collect()
}

/// Drop-down options `{id, name, color, orderindex}` or labels `{id, label, color}`.
fn options(x: &mut SplitMix64, names: &[&str], labels: bool) -> Vec<Value> {
    names
        .iter()
        .enumerate()
        .map(|(n, name)| {
            let id = uuid_from(x);
            let color = x.pick(COLORS).copied().unwrap_or("#7b68ee");
            if labels {
                json!({ "id": id, "label": name, "color": color })
            } else {
                json!({ "id": id, "name": name, "color": color, "orderindex": n })
            }
        })
        .collect()
}
