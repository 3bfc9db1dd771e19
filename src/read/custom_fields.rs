//! `custom_fields`: `GET /{team|space|folder|list}/{id}/field` at every node of the hierarchy.
//!
//! The walk is the lists stream's (spaces, folders, lists, every partition), with one more step
//! per node: its fields. A list's answer also holds the fields it inherits, so its step records
//! only the fields that none of its ancestors' answers lists (those answers are cached in the
//! session: asking for them again costs no request, whatever order a batch runs the steps in).

use super::Walk;
use crate::cursor::Step;
use crate::endpoint::segment;
use crate::error::ConnectorError;
use crate::fetch::{expect_array, Fetched, Fetcher, Request};
use crate::streams::custom_fields::{self, FieldLevel};
use crate::streams::{id_of, Stream};
use crate::transport::Transport;
use serde_json::Value;
use std::collections::BTreeSet;

/// The fields step of a hierarchy node, when the walk reads `custom_fields`.
pub(super) fn step(
    walk: &Walk<'_>,
    ws: &str,
    level: FieldLevel,
    id: &str,
    ancestors: (Option<&str>, Option<&str>),
) -> Option<Step> {
    (walk.stream == Stream::CustomFields).then(|| Step::Fields {
        ws: ws.to_owned(),
        level,
        id: id.to_owned(),
        space: ancestors.0.map(str::to_owned),
        folder: ancestors.1.map(str::to_owned),
    })
}

fn path(level: FieldLevel, id: &str) -> String {
    format!("/{}/{}/field", level.segment(), segment(id))
}

/// The GET of a fields step; `None` for other steps.
pub(super) fn request(step: &Step) -> Option<Request> {
    match step {
        Step::Fields { level, id, .. } => Some(Request {
            path: path(*level, id),
            query: Vec::new(),
        }),
        _ => None,
    }
}

/// A fields step: the records of the fields defined at its node.
pub(super) fn fields<T: Transport>(
    step: &Step,
    f: &mut Fetcher<'_, T>,
    out: &mut Vec<Value>,
) -> Result<(), ConnectorError> {
    let Step::Fields {
        ws,
        level,
        id,
        space,
        folder,
    } = step
    else {
        return Ok(());
    };
    let own = path(*level, id);
    let Fetched::Body(body) = f.get_cached(&own, &[])? else {
        return Ok(());
    };
    let inherited = match level {
        FieldLevel::List => ancestors_fields(ws, space.as_deref(), folder.as_deref(), f)?,
        _ => BTreeSet::new(),
    };
    for field in expect_array(&body, "fields", &own)? {
        if id_of(field).is_some_and(|fid| !inherited.contains(&fid)) {
            out.push(custom_fields::record(field, ws, *level, id)?);
        }
    }
    Ok(())
}

/// The GETs of the nodes above a list's fields step, whose answers the step reads too (none
/// for the other steps). A batch sends them with the step's own: a Workspace's fields step
/// lies under the whole Workspace's walk on the cursor, far past one batch, and asked for by
/// the first list step that needs it, it would cost a round trip of its own.
pub(super) fn ancestor_requests(step: &Step) -> Vec<Request> {
    let Step::Fields {
        ws,
        level: FieldLevel::List,
        space,
        folder,
        ..
    } = step
    else {
        return Vec::new();
    };
    ancestors(ws, space.as_deref(), folder.as_deref())
        .map(|(level, id)| Request {
            path: path(level, id),
            query: Vec::new(),
        })
        .collect()
}

/// A list's ancestors: its Workspace, its space and its folder (when it has one).
fn ancestors<'s>(
    ws: &'s str,
    space: Option<&'s str>,
    folder: Option<&'s str>,
) -> impl Iterator<Item = (FieldLevel, &'s str)> {
    [
        Some((FieldLevel::Workspace, ws)),
        space.map(|s| (FieldLevel::Space, s)),
        folder.map(|d| (FieldLevel::Folder, d)),
    ]
    .into_iter()
    .flatten()
}

/// The ids of the fields a list's ancestors define (their answers, cached).
fn ancestors_fields<T: Transport>(
    ws: &str,
    space: Option<&str>,
    folder: Option<&str>,
    f: &mut Fetcher<'_, T>,
) -> Result<BTreeSet<String>, ConnectorError> {
    let mut ids = BTreeSet::new();
    for (level, id) in ancestors(ws, space, folder) {
        let at = path(level, id);
        if let Fetched::Body(body) = f.get_cached(&at, &[])? {
            ids.extend(expect_array(&body, "fields", &at)?.iter().filter_map(id_of));
        }
    }
    Ok(ids)
}
