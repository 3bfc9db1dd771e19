//! `GET /team/{id}/task`, `GET /list/{id}/task` and `GET /task/{id}` (404
//! `{"err":"Task not found, deleted","ECODE":"ITEM_013"}` for an unknown or deleted task).
//!
//! The two listing endpoints differ in *which* tasks they start from:
//! - the list endpoint starts from tasks whose HOME list is the list (plus, with
//!   `include_timl=true`, tasks that have it in `locations`), and works for
//!   archived lists too;
//! - the team endpoint starts from every task of the workspace, minus tasks whose
//!   home list, folder or space is archived (even with `archived=true`), minus
//!   tasks in spaces the token is denied.
//!
//! Filtering, ordering and paging are shared (see `task_search`); the ordered
//! result set is cached across the pages of one query (see `order_cache`).

use super::access;
use super::api_error::ApiError;
use super::auth::Caller;
use super::index::{Pos, WorldState};
use super::query::Query;
use super::task_search::TaskFilter;
use super::tasks::Task;
use serde_json::Value;
use std::collections::HashSet;

pub(crate) fn team_tasks(
    st: &WorldState,
    caller: &Caller,
    team_id: &str,
    q: &Query,
) -> Result<Value, ApiError> {
    let (w, ws) = access::workspace(st, caller, team_id)?;
    let filter = TaskFilter::parse(q, true)?;
    let mut denied: Vec<&String> = caller.denied_spaces.iter().collect();
    denied.sort();
    let key = format!("team:{}:{denied:?}:{}", ws.id, filter.order_key());
    let candidates = || {
        ws.tasks
            .iter()
            .enumerate()
            .filter(|(i, t)| st.index.is_task_live((w, *i)) && !caller.denied_space(&t.space_id))
            .map(|(i, _)| (w, i))
            .collect()
    };
    Ok(serve(st, &filter, key, candidates))
}

pub(crate) fn list_tasks(
    st: &WorldState,
    caller: &Caller,
    list_id: &str,
    q: &Query,
) -> Result<Value, ApiError> {
    let (_, _, list) = access::list(st, caller, list_id)?;
    let filter = TaskFilter::parse(q, false)?;
    let key = format!("list:{}:{}", list.id, filter.order_key());
    let candidates = || {
        let mut positions: Vec<Pos> = st
            .index
            .tasks_by_home_list
            .get(&list.id)
            .cloned()
            .unwrap_or_default();
        if filter.include_timl {
            let mut seen: HashSet<Pos> = positions.iter().copied().collect();
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
        positions
    };
    Ok(serve(st, &filter, key, candidates))
}

/// Filters and sorts the candidates (or reuses the cached order) and renders the
/// requested page.
fn serve(
    st: &WorldState,
    filter: &TaskFilter,
    key: String,
    candidates: impl FnOnce() -> Vec<Pos>,
) -> Value {
    let order = st.orders.get_or_compute(key, || {
        let mut matches: Vec<(Pos, &Task)> = candidates()
            .into_iter()
            .filter_map(|pos| st.task_at(pos).map(|t| (pos, t)))
            .filter(|(_, t)| filter.matches(t))
            .collect();
        matches.sort_by(|a, b| filter.compare(a.1, b.1));
        matches.into_iter().map(|(pos, _)| pos).collect()
    });
    let range = filter.page_range(order.len());
    let last_page = range.end >= order.len();
    let page = order
        .get(range)
        .unwrap_or(&[])
        .iter()
        .filter_map(|&pos| st.task_at(pos));
    filter.render_page(page, last_page)
}

/// A single task, by id or (with `custom_task_ids=true&team_id=`) by custom id.
pub(crate) fn task(
    st: &WorldState,
    caller: &Caller,
    id: &str,
    q: &Query,
) -> Result<Value, ApiError> {
    let task = find_task(st, caller, id, q)?;
    Ok(if q.flag("include_markdown_description")? {
        task.to_api_json_with_markdown()
    } else {
        task.to_api_json()
    })
}

/// The task a `/task/{id}...` path names: by id, or (with
/// `custom_task_ids=true&team_id=`) by custom id. 404 `ITEM_013` if there is none
/// (never created or deleted).
pub(crate) fn find_task<'a>(
    st: &'a WorldState,
    caller: &Caller,
    id: &str,
    q: &Query,
) -> Result<&'a Task, ApiError> {
    if q.flag("custom_task_ids")? {
        let team_id = q
            .first("team_id")
            .ok_or_else(|| ApiError::bad_param("team_id"))?;
        let (_, ws) = access::workspace(st, caller, team_id)?;
        let found = ws
            .tasks
            .iter()
            .find(|t| t.custom_id.as_deref() == Some(id))
            .ok_or_else(ApiError::task_not_found)?;
        access::task(st, caller, &found.id)
    } else {
        access::task(st, caller, id)
    }
}
