//! `task_time_in_status`: `GET /task/bulk_time_in_status/task_ids` for the tasks of a page, 100
//! ids of one Workspace a request (see [`crate::streams::task_children::time_in_status`]). The
//! bulk endpoint takes "two or more" tasks, so a lone task is asked for with
//! `GET /task/{id}/time_in_status`, whose answer is the bulk answer's entry.
//!
//! A Workspace whose plan lacks the feature answers 403 `TIS_027`: the fetcher skips it with one
//! warning that names the answer, and asks for that Workspace's no more in this instance. Each
//! request names its Workspace (`team_id`, which ClickUp reads only with `custom_task_ids`), so
//! the denial covers that Workspace alone: a token whose Workspaces differ in plan gets the rows
//! of every Workspace that has the feature.

use crate::endpoint::segment;
use crate::error::ConnectorError;
use crate::fetch::{Fetched, Fetcher};
use crate::streams::task_children::time_in_status::{rows, IDS_PER_REQUEST};
use crate::streams::task_children::Context;
use crate::transport::Transport;
use serde_json::Value;

/// The endpoint.
const PATH: &str = "/task/bulk_time_in_status/task_ids";

/// The rows of the tasks `tasks` (id, Workspace id), as JSON text.
pub(super) fn read<T: Transport>(
    tasks: &[(String, String)],
    f: &mut Fetcher<'_, T>,
) -> Result<Vec<String>, ConnectorError> {
    // A call's page may hold several Workspaces' tasks (their pages go side by side): one
    // Workspace per request, as ClickUp answers a request for one Workspace.
    let mut by_workspace: std::collections::BTreeMap<&str, Vec<(String, String)>> =
        std::collections::BTreeMap::new();
    for task in tasks {
        by_workspace
            .entry(task.1.as_str())
            .or_default()
            .push(task.clone());
    }
    let mut out = Vec::new();
    for (ws, chunk) in by_workspace
        .iter()
        .flat_map(|(ws, t)| t.chunks(IDS_PER_REQUEST).map(move |c| (*ws, c)))
    {
        let (path, mut query) = match chunk {
            [(id, _)] => (format!("/task/{}/time_in_status", segment(id)), Vec::new()),
            _ => (
                PATH.to_owned(),
                chunk
                    .iter()
                    .map(|(id, _)| ("task_ids", id.clone()))
                    .collect(),
            ),
        };
        query.push(("team_id", ws.to_owned()));
        let Fetched::Body(body) = f.get(&path, &query)? else {
            continue;
        };
        let mut found = Vec::new();
        for (id, ws) in chunk {
            let answer = if chunk.len() == 1 {
                Some(&body)
            } else {
                body.get(id)
            };
            let Some(answer) = answer else { continue };
            let ctx = Context {
                workspace_id: ws,
                tombstone_at: None,
            };
            rows(id, answer, &ctx, &mut found);
        }
        out.extend(found.iter().map(Value::to_string));
    }
    Ok(out)
}
