//! Workspaces, the current user, spaces, folders and lists.
//!
//! `archived=true` returns ONLY archived items and `archived=false` (the default)
//! only non-archived ones (GUESS, following the Singer tap, which syncs the two as
//! separate partitions). Spaces a token is denied are still listed by
//! `/team/{id}/space` (GUESS: the token knows they exist), but everything under
//! them answers 401. A folder embeds its non-archived lists in full.

use super::access;
use super::api_error::ApiError;
use super::auth::Caller;
use super::hierarchy::{Folder, List, Space};
use super::index::WorldState;
use super::query::Query;
use super::world::Workspace;
use serde_json::{json, Value};

pub(crate) fn teams(st: &WorldState, caller: &Caller) -> Value {
    let teams: Vec<Value> = st
        .world
        .workspaces
        .iter()
        .filter(|ws| caller.sees_workspace(&ws.id))
        .map(Workspace::to_api_json)
        .collect();
    json!({ "teams": teams })
}

/// `GET /user`: the token's user.
pub(crate) fn user(st: &WorldState, caller: &Caller) -> Result<Value, ApiError> {
    let user = st
        .world
        .workspaces
        .iter()
        .flat_map(|ws| ws.members.iter())
        .find(|m| m.user.id == caller.user_id)
        .map(|m| &m.user)
        .ok_or_else(ApiError::token_invalid)?;
    Ok(json!({
        "user": {
            "id": user.id,
            "username": user.username,
            "email": user.email,
            "color": user.color,
            "profilePicture": user.profile_picture,
            "initials": user.initials,
            "week_start_day": 1,
            "global_font_support": true,
            "timezone": "Europe/Berlin",
        }
    }))
}

fn archived_param(q: &Query) -> Result<bool, ApiError> {
    q.flag("archived")
}

pub(crate) fn team_spaces(
    st: &WorldState,
    caller: &Caller,
    team_id: &str,
    q: &Query,
) -> Result<Value, ApiError> {
    let (_, ws) = access::workspace(st, caller, team_id)?;
    let archived = archived_param(q)?;
    let spaces: Vec<Value> = ws
        .spaces
        .iter()
        .filter(|s| s.archived == archived)
        .map(Space::to_api_json)
        .collect();
    Ok(json!({ "spaces": spaces }))
}

pub(crate) fn space(st: &WorldState, caller: &Caller, id: &str) -> Result<Value, ApiError> {
    let (_, space) = access::space(st, caller, id)?;
    Ok(space.to_api_json())
}

fn folder_json(ws: &Workspace, folder: &Folder) -> Value {
    let lists = ws
        .lists
        .iter()
        .filter(|l| !l.folderless && l.folder.id == folder.id && !l.archived)
        .map(List::to_api_json)
        .collect();
    folder.to_api_json_with_lists(lists)
}

pub(crate) fn space_folders(
    st: &WorldState,
    caller: &Caller,
    id: &str,
    q: &Query,
) -> Result<Value, ApiError> {
    let (ws, space) = access::space(st, caller, id)?;
    let archived = archived_param(q)?;
    let folders: Vec<Value> = ws
        .folders
        .iter()
        .filter(|f| f.space.id == space.id && f.archived == archived)
        .map(|f| folder_json(ws, f))
        .collect();
    Ok(json!({ "folders": folders }))
}

/// Folderless lists of a space.
pub(crate) fn space_lists(
    st: &WorldState,
    caller: &Caller,
    id: &str,
    q: &Query,
) -> Result<Value, ApiError> {
    let (ws, space) = access::space(st, caller, id)?;
    let archived = archived_param(q)?;
    let lists: Vec<Value> = ws
        .lists
        .iter()
        .filter(|l| l.folderless && l.space.id == space.id && l.archived == archived)
        .map(List::to_api_json)
        .collect();
    Ok(json!({ "lists": lists }))
}

pub(crate) fn folder(st: &WorldState, caller: &Caller, id: &str) -> Result<Value, ApiError> {
    let (ws, folder) = access::folder(st, caller, id)?;
    Ok(folder_json(ws, folder))
}

pub(crate) fn folder_lists(
    st: &WorldState,
    caller: &Caller,
    id: &str,
    q: &Query,
) -> Result<Value, ApiError> {
    let (ws, folder) = access::folder(st, caller, id)?;
    let archived = archived_param(q)?;
    let lists: Vec<Value> = ws
        .lists
        .iter()
        .filter(|l| !l.folderless && l.folder.id == folder.id && l.archived == archived)
        .map(List::to_api_json)
        .collect();
    Ok(json!({ "lists": lists }))
}

pub(crate) fn list(st: &WorldState, caller: &Caller, id: &str) -> Result<Value, ApiError> {
    let (_, _, list) = access::list(st, caller, id)?;
    Ok(list.to_detail_json())
}
