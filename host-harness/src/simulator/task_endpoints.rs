//! `GET /team/{id}/task`, `GET /list/{id}/task` and `GET /task/{id}`.
//!
//! The two listing endpoints differ in *which* tasks they start from:
//! - the list endpoint starts from tasks whose HOME list is the list (plus, with
//!   `include_timl=true`, tasks that have it in `locations`), and works for
//!   archived lists too;
//! - the team endpoint starts from every task of the workspace, minus tasks whose
//!   home list, folder or space is archived (even with `archived=true`), minus
//!   tasks in spaces the token is denied.
//!
//! Filtering, ordering and paging are shared (see `task_search`).

use super::access;
use super::api_error::ApiError;
use super::auth::Caller;
use super::index::WorldState;
use super::query::Query;
use super::task_search::TaskFilter;
use super::tasks::Task;
use serde_json::Value;
use std::collections::HashSet;

pub fn team_tasks(
    st: &WorldState,
    caller: &Caller,
    team_id: &str,
    q: &Query,
) -> Result<Value, ApiError> {
    let (w, ws) = access::workspace(st, caller, team_id)?;
    let filter = TaskFilter::parse(q, true)?;
    let matches: Vec<&Task> = ws
        .tasks
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            st.index.is_task_live((w, *i)) && !caller.denied_space(&t.space_id) && filter.matches(t)
        })
        .map(|(_, t)| t)
        .collect();
    Ok(filter.page(matches))
}

pub fn list_tasks(
    st: &WorldState,
    caller: &Caller,
    list_id: &str,
    q: &Query,
) -> Result<Value, ApiError> {
    let (_, _, list) = access::list(st, caller, list_id)?;
    let filter = TaskFilter::parse(q, false)?;
    let mut positions: Vec<(usize, usize)> = st
        .index
        .tasks_by_home_list
        .get(&list.id)
        .cloned()
        .unwrap_or_default();
    if filter.include_timl {
        let mut seen: HashSet<(usize, usize)> = positions.iter().copied().collect();
        for pos in st
            .index
            .tasks_by_location
            .get(&list.id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            if seen.insert(*pos) {
                positions.push(*pos);
            }
        }
    }
    let matches: Vec<&Task> = positions
        .iter()
        .filter_map(|&(w, t)| st.world.workspaces.get(w).and_then(|ws| ws.tasks.get(t)))
        .filter(|t| filter.matches(t))
        .collect();
    Ok(filter.page(matches))
}

/// A single task, by id or (with `custom_task_ids=true&team_id=`) by custom id.
pub fn task(st: &WorldState, caller: &Caller, id: &str, q: &Query) -> Result<Value, ApiError> {
    let task = if q.flag("custom_task_ids")? {
        let team_id = q.first("team_id").ok_or_else(|| ApiError::bad_param("team_id"))?;
        let (_, ws) = access::workspace(st, caller, team_id)?;
        let found = ws
            .tasks
            .iter()
            .find(|t| t.custom_id.as_deref() == Some(id))
            .ok_or_else(ApiError::task_not_found)?;
        access::task(st, caller, &found.id)?
    } else {
        access::task(st, caller, id)?
    };
    Ok(if q.flag("include_markdown_description")? {
        task.to_api_json_with_markdown()
    } else {
        task.to_api_json()
    })
}
