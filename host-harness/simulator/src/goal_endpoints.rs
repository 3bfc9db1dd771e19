//! `GET /team/{id}/goal` and `GET /goal/{id}`.
//!
//! Folderless goals are listed under `goals`; goals in a goal folder only under
//! `folders[].goals`. Completed goals are left out of both unless
//! `include_completed=true`; a folder's `goal_count` counts all its goals
//! (GUESS). `GET /goal/{id}` serves any goal, completed or not, with its key
//! results.

use super::access;
use super::api_error::ApiError;
use super::auth::Caller;
use super::goals::Goal;
use super::index::WorldState;
use super::query::Query;
use serde_json::{json, Value};

pub(crate) fn team_goals(
    st: &WorldState,
    caller: &Caller,
    team_id: &str,
    q: &Query,
) -> Result<Value, ApiError> {
    let (_, ws) = access::workspace(st, caller, team_id)?;
    let include_completed = q.flag("include_completed")?;
    let shown = |g: &&Goal| include_completed || !g.completed;
    let goals: Vec<Value> = ws
        .goals
        .iter()
        .filter(|g| g.folder_id.is_none())
        .filter(shown)
        .map(Goal::to_api_json)
        .collect();
    let folders: Vec<Value> = ws
        .goal_folders
        .iter()
        .map(|f| {
            let in_folder = || {
                ws.goals
                    .iter()
                    .filter(move |g| g.folder_id.as_deref() == Some(f.id.as_str()))
            };
            let goals = in_folder().filter(shown).map(Goal::to_api_json).collect();
            f.to_api_json_with_goals(in_folder().count(), goals)
        })
        .collect();
    Ok(json!({ "goals": goals, "folders": folders }))
}

pub(crate) fn goal(st: &WorldState, caller: &Caller, id: &str) -> Result<Value, ApiError> {
    let goal = access::goal(st, caller, id)?;
    Ok(json!({ "goal": goal.to_detail_json() }))
}
