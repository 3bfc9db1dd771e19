//! `GET /team/{id}/field`, `/space/{id}/field`, `/folder/{id}/field` and
//! `/list/{id}/field`: custom-field definitions, `{"fields": [...]}`.
//!
//! The team, space and folder endpoints serve only the fields created at that level;
//! the list endpoint ("Get Accessible Custom Fields") serves every field the list can
//! use: the Workspace's, its space's, its folder's (none for a folderless list) and its
//! own, in that order (GUESS for the order), the same definitions, in the same order,
//! as its tasks' `custom_fields` (without `value`). Errors follow the other endpoints:
//! unknown ids are 404 (401 for a workspace), ids the token may not see are 401
//! OAUTH_027. Archived containers still answer (GUESS).

use super::access;
use super::api_error::ApiError;
use super::auth::Caller;
use super::index::WorldState;
use super::tasks::{CustomField, FieldScope};
use serde_json::{json, Value};
use std::sync::Arc;

fn render(fields: &[Arc<CustomField>]) -> Value {
    let fields: Vec<Value> = fields.iter().map(|f| f.to_api_json()).collect();
    json!({ "fields": fields })
}

pub(crate) fn team_fields(st: &WorldState, caller: &Caller, id: &str) -> Result<Value, ApiError> {
    let (_, ws) = access::workspace(st, caller, id)?;
    Ok(render(&ws.fields_at(&FieldScope::Workspace)))
}

pub(crate) fn space_fields(st: &WorldState, caller: &Caller, id: &str) -> Result<Value, ApiError> {
    let (ws, space) = access::space(st, caller, id)?;
    Ok(render(&ws.fields_at(&FieldScope::Space(space.id.clone()))))
}

pub(crate) fn folder_fields(st: &WorldState, caller: &Caller, id: &str) -> Result<Value, ApiError> {
    let (ws, folder) = access::folder(st, caller, id)?;
    Ok(render(
        &ws.fields_at(&FieldScope::Folder(folder.id.clone())),
    ))
}

pub(crate) fn list_fields(st: &WorldState, caller: &Caller, id: &str) -> Result<Value, ApiError> {
    let (_, ws, list) = access::list(st, caller, id)?;
    Ok(render(&ws.fields_for_list(&list.id)))
}
