//! `GET /task/bulk_time_in_status/task_ids?task_ids=a&task_ids=b` and
//! `GET /task/{id}/time_in_status` (see `time_in_status` for how the history is made).
//!
//! The bulk answer is an object keyed by the ids asked for (custom ids with
//! `custom_task_ids=true&team_id=`), each `{current_status, status_history}` or `{}`
//! for a task without a record yet. Rules (GUESSES marked):
//! - `task_ids` is repeated (`task_ids[]` reads the same); none → 400 `INPUT_005`;
//!   more than [`MAX_TASK_IDS`] values (repeats counted) → 400 `TIS_003` (GUESS: the
//!   limit is documented, the error is not). One id → 400 `TIS_002`, as the docs say "two
//!   or more" (the error is a GUESS: a client reports ClickUp refusing one id);
//! - unknown and deleted ids are left out; a request in which no id is known answers
//!   `{}` (GUESS);
//! - a request is answered for the workspace of its first known task: 401 OAUTH_027 if
//!   the token may not see it, 403 `{"err":"Time In Status is not available on your
//!   plan.","ECODE":"TIS_027"}` if its plan lacks the feature; tasks of other
//!   workspaces and of spaces the token is denied are left out (GUESS).
//!
//! The single-task endpoint answers `{current_status, status_history}` (or `{}`),
//! 404 `ITEM_013` for an unknown or deleted task, and the same 401/403.

use super::access;
use super::api_error::ApiError;
use super::auth::Caller;
use super::index::{Pos, WorldState};
use super::query::Query;
use super::task_endpoints;
use super::tasks::Task;
use super::time_in_status::TimeInStatus;
use super::world::Workspace;
use serde_json::{Map, Value};

/// The most `task_ids` one bulk request may carry.
pub(crate) const MAX_TASK_IDS: usize = 100;

fn render(st: &WorldState, ws: &Workspace, task: &Task) -> Value {
    let statuses = ws
        .list(&task.list.id)
        .map(|l| l.statuses.as_slice())
        .unwrap_or(&[]);
    TimeInStatus::of(task, statuses, st.world.seed, st.world.status_clock_ms()).to_api_json()
}

pub(crate) fn bulk(st: &WorldState, caller: &Caller, q: &Query) -> Result<Value, ApiError> {
    let ids = q.all("task_ids");
    if ids.is_empty() {
        return Err(ApiError::bad_param("task_ids"));
    }
    if ids.len() > MAX_TASK_IDS {
        return Err(ApiError::too_many_task_ids());
    }
    if ids.len() < 2 {
        return Err(ApiError::too_few_task_ids());
    }
    let found: Vec<(&str, Pos)> = if q.flag("custom_task_ids")? {
        let team_id = q
            .first("team_id")
            .ok_or_else(|| ApiError::bad_param("team_id"))?;
        let (w, ws) = access::workspace(st, caller, team_id)?;
        ids.iter()
            .filter_map(|id| {
                ws.tasks
                    .iter()
                    .position(|t| t.custom_id.as_deref() == Some(*id))
                    .map(|i| (*id, (w, i)))
            })
            .collect()
    } else {
        ids.iter()
            .filter_map(|id| st.index.tasks.get(*id).map(|pos| (*id, *pos)))
            .collect()
    };
    let Some(&(_, (w, _))) = found.first() else {
        return Ok(Value::Object(Map::new()));
    };
    let ws = st
        .world
        .workspaces
        .get(w)
        .ok_or_else(ApiError::team_not_authorized)?;
    caller.check(&ws.id, None)?;
    if !ws.time_in_status {
        return Err(ApiError::time_in_status_unavailable());
    }
    let mut out = Map::new();
    for (id, (tw, t)) in found {
        if tw != w || out.contains_key(id) {
            continue;
        }
        let Some(task) = ws.tasks.get(t) else {
            continue;
        };
        if caller.denied_space(&task.space_id) {
            continue;
        }
        out.insert(id.to_string(), render(st, ws, task));
    }
    Ok(Value::Object(out))
}

pub(crate) fn single(
    st: &WorldState,
    caller: &Caller,
    id: &str,
    q: &Query,
) -> Result<Value, ApiError> {
    let task = task_endpoints::find_task(st, caller, id, q)?;
    let ws = st
        .index
        .tasks
        .get(&task.id)
        .and_then(|&(w, _)| st.world.workspaces.get(w))
        .ok_or_else(ApiError::task_not_found)?;
    if !ws.time_in_status {
        return Err(ApiError::time_in_status_unavailable());
    }
    Ok(render(st, ws, task))
}
