//! Resolving ids from the path to entities the caller may see.
//!
//! Order of checks, as ClickUp answers: an unknown space/folder/list/task/goal id
//! is 404; a known one in a workspace the token was not granted, or under a space
//! the token is denied, is 401 "Team not authorized" (OAUTH_027). An unknown
//! *workspace* id is also 401 OAUTH_027 (GUESS: ClickUp does not distinguish "no
//! such team" from "not your team").

use super::api_error::ApiError;
use super::auth::Caller;
use super::goals::Goal;
use super::hierarchy::{Folder, List, Space};
use super::index::WorldState;
use super::tasks::Task;
use super::world::Workspace;

pub(crate) fn workspace<'a>(
    st: &'a WorldState,
    caller: &Caller,
    id: &str,
) -> Result<(usize, &'a Workspace), ApiError> {
    let w = *st
        .index
        .workspaces
        .get(id)
        .ok_or_else(ApiError::team_not_authorized)?;
    let ws = st
        .world
        .workspaces
        .get(w)
        .ok_or_else(ApiError::team_not_authorized)?;
    caller.check(&ws.id, None)?;
    Ok((w, ws))
}

pub(crate) fn space<'a>(
    st: &'a WorldState,
    caller: &Caller,
    id: &str,
) -> Result<(&'a Workspace, &'a Space), ApiError> {
    let (w, s) = *st
        .index
        .spaces
        .get(id)
        .ok_or_else(ApiError::space_not_found)?;
    let ws = st
        .world
        .workspaces
        .get(w)
        .ok_or_else(ApiError::space_not_found)?;
    let space = ws.spaces.get(s).ok_or_else(ApiError::space_not_found)?;
    caller.check(&ws.id, Some(&space.id))?;
    Ok((ws, space))
}

pub(crate) fn folder<'a>(
    st: &'a WorldState,
    caller: &Caller,
    id: &str,
) -> Result<(&'a Workspace, &'a Folder), ApiError> {
    let (w, f) = *st
        .index
        .folders
        .get(id)
        .ok_or_else(ApiError::folder_not_found)?;
    let ws = st
        .world
        .workspaces
        .get(w)
        .ok_or_else(ApiError::folder_not_found)?;
    let folder = ws.folders.get(f).ok_or_else(ApiError::folder_not_found)?;
    caller.check(&ws.id, Some(&folder.space.id))?;
    Ok((ws, folder))
}

pub(crate) fn list<'a>(
    st: &'a WorldState,
    caller: &Caller,
    id: &str,
) -> Result<(usize, &'a Workspace, &'a List), ApiError> {
    let (w, l) = *st
        .index
        .lists
        .get(id)
        .ok_or_else(ApiError::list_not_found)?;
    let ws = st
        .world
        .workspaces
        .get(w)
        .ok_or_else(ApiError::list_not_found)?;
    let list = ws.lists.get(l).ok_or_else(ApiError::list_not_found)?;
    caller.check(&ws.id, Some(&list.space.id))?;
    Ok((w, ws, list))
}

pub(crate) fn task<'a>(
    st: &'a WorldState,
    caller: &Caller,
    id: &str,
) -> Result<&'a Task, ApiError> {
    let (w, t) = *st
        .index
        .tasks
        .get(id)
        .ok_or_else(ApiError::task_not_found)?;
    let ws = st
        .world
        .workspaces
        .get(w)
        .ok_or_else(ApiError::task_not_found)?;
    let task = ws.tasks.get(t).ok_or_else(ApiError::task_not_found)?;
    caller.check(&ws.id, Some(&task.space_id))?;
    Ok(task)
}

pub(crate) fn goal<'a>(
    st: &'a WorldState,
    caller: &Caller,
    id: &str,
) -> Result<&'a Goal, ApiError> {
    let (w, g) = *st
        .index
        .goals
        .get(id)
        .ok_or_else(ApiError::goal_not_found)?;
    let ws = st
        .world
        .workspaces
        .get(w)
        .ok_or_else(ApiError::goal_not_found)?;
    let goal = ws.goals.get(g).ok_or_else(ApiError::goal_not_found)?;
    caller.check(&ws.id, None)?;
    Ok(goal)
}
