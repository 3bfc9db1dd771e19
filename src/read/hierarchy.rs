//! The hierarchy: `GET /team`, then spaces, folders and lists.
//!
//! Where the streams make their requests here:
//! - workspaces, members: `GET /team` ([`teams`]), whose answer is their records. Every other
//!   stream starts there too: [`teams`] asks each stream's module for its first steps.
//! - spaces: `GET /team/{id}/space` ([`spaces()`]).
//! - folders: … then `GET /space/{id}/folder` ([`children`]).
//! - lists: … then `GET /folder/{id}/list` and `GET /space/{id}/list` ([`children`]).
//! - tasks: the same walk as lists, to find the lists whose tasks `/team/{id}/task` leaves out;
//!   their task pages are requested in `tasks.rs`.
//! - custom_fields: the same walk as lists, with a fields step at every node
//!   (`custom_fields.rs`).
//!
//! All of these answers are cached in the session ([`Fetcher::get_cached`]).

use super::{custom_fields, goals, tasks, time_entries, Walk};
use crate::cursor::{Cursor, Step};
use crate::endpoint::segment;
use crate::error::ConnectorError;
use crate::fetch::{expect_array, Fetched, Fetcher, Request};
use crate::streams::custom_fields::FieldLevel;
use crate::streams::{count, folders, id_of, lists, members, spaces, workspaces, Stream};
use crate::transport::Transport;
use serde_json::Value;

/// The GET a hierarchy step makes: `/team`, a Workspace's spaces, a space's folders or
/// folderless lists, a folder's lists. `None` for other steps.
pub(super) fn request(step: &Step) -> Option<Request> {
    match step {
        Step::Teams => Some(Request {
            path: "/team".to_owned(),
            query: Vec::new(),
        }),
        Step::Spaces { ws, archived } => Some(spaces_request(ws, *archived)),
        _ => Children::of(step).map(|at| Request {
            path: at.path,
            query: archived_query(at.archived),
        }),
    }
}

fn spaces_request(ws: &str, archived: bool) -> Request {
    Request {
        path: format!("/team/{}/space", segment(ws)),
        query: archived_query(archived),
    }
}

fn archived_query(archived: bool) -> Vec<(&'static str, String)> {
    vec![("archived", archived.to_string())]
}

/// `GET /team`: Workspace and member records, and the first steps of every other stream.
pub(super) fn teams<T: Transport>(
    walk: &Walk<'_>,
    cursor: &mut Cursor,
    f: &mut Fetcher<'_, T>,
    out: &mut Vec<Value>,
) -> Result<(), ConnectorError> {
    let Fetched::Body(body) = f.get_cached("/team", &[])? else {
        return Ok(());
    };
    expect_array(&body, "teams", "/team")?;
    let teams = workspaces::teams(&body);
    if let Some(wanted) = &walk.config.workspace_ids {
        for id in wanted {
            if !teams.iter().any(|t| id_of(t).as_ref() == Some(id)) {
                f.warnings.push(format!(
                    "Workspace {id} (from workspace_ids) is not among the Workspaces this token \
                     sees; it was skipped."
                ));
            }
        }
    }
    let mut next = Vec::new();
    for team in teams {
        let Some(ws) = id_of(team) else { continue };
        if !walk.config.wants_workspace(&ws) {
            continue;
        }
        match walk.stream {
            Stream::Workspaces => out.push(workspaces::record(team)?),
            Stream::Members => out.extend(members::records(team, &ws)),
            Stream::Spaces | Stream::Folders | Stream::Lists => next.extend(first_steps(walk, &ws)),
            Stream::CustomFields => {
                next.extend(custom_fields::step(
                    walk,
                    &ws,
                    FieldLevel::Workspace,
                    &ws,
                    (None, None),
                ));
                next.extend(first_steps(walk, &ws));
            }
            Stream::Tasks => next.extend(tasks::first_steps(walk, &ws)),
            Stream::Goals => next.extend(goals::first_steps(&ws)),
            Stream::TimeEntries => next.extend(time_entries::first_steps(walk, &ws, team, cursor)),
        }
    }
    cursor.push_in_order(next);
    Ok(())
}

/// The first steps of a walk down a Workspace's hierarchy: its spaces, in every partition.
pub(super) fn first_steps(walk: &Walk<'_>, ws: &str) -> Vec<Step> {
    walk.partitions()
        .iter()
        .map(|&a| Step::Spaces {
            ws: ws.to_owned(),
            archived: a,
        })
        .collect()
}

/// `GET /team/{ws}/space`: space records, or the folder and folderless-list steps of each space.
pub(super) fn spaces<T: Transport>(
    walk: &Walk<'_>,
    ws: &str,
    archived: bool,
    cursor: &mut Cursor,
    f: &mut Fetcher<'_, T>,
    out: &mut Vec<Value>,
) -> Result<(), ConnectorError> {
    let Request { path, query } = spaces_request(ws, archived);
    let Fetched::Body(body) = f.get_cached(&path, &query)? else {
        return Ok(());
    };
    let partitions = walk.partitions();
    let mut next = Vec::new();
    for space in expect_array(&body, "spaces", &path)? {
        let Some(sid) = id_of(space) else { continue };
        let in_archived = archived || flag(space, "archived");
        match walk.stream {
            Stream::Spaces => out.push(spaces::record(space, ws)?),
            Stream::Folders | Stream::Lists | Stream::Tasks | Stream::CustomFields => {
                next.extend(custom_fields::step(
                    walk,
                    ws,
                    FieldLevel::Space,
                    &sid,
                    (None, None),
                ));
                for &a in partitions {
                    next.push(Step::Folders {
                        ws: ws.to_owned(),
                        space: sid.clone(),
                        archived: a,
                        in_archived,
                    });
                }
                if walk.stream != Stream::Folders {
                    for &a in partitions {
                        next.push(Step::FolderlessLists {
                            ws: ws.to_owned(),
                            space: sid.clone(),
                            archived: a,
                            in_archived,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    cursor.push_in_order(next);
    Ok(())
}

/// What a request for a parent's children lists.
enum Kind {
    Folders,
    Lists,
}

/// One request for a parent's children: the folders of a space, or the lists of a folder or of a
/// space, with what is known of the parent.
struct Children<'s> {
    kind: Kind,
    /// The request's path.
    path: String,
    ws: &'s str,
    space: &'s str,
    /// The folder the children are in; `None` when they are directly in the space.
    folder: Option<&'s str>,
    /// The partition asked for (`archived=`).
    archived: bool,
    /// The parent, or the space it is in, is archived.
    in_archived: bool,
}

impl<'s> Children<'s> {
    /// The request a folders or lists step asks for; `None` for other steps.
    fn of(step: &'s Step) -> Option<Self> {
        Some(match step {
            Step::Folders {
                ws,
                space,
                archived,
                in_archived,
            } => Children {
                kind: Kind::Folders,
                path: format!("/space/{}/folder", segment(space)),
                ws,
                space,
                folder: None,
                archived: *archived,
                in_archived: *in_archived,
            },
            Step::FolderLists {
                ws,
                space,
                folder,
                archived,
                in_archived,
            } => Children {
                kind: Kind::Lists,
                path: format!("/folder/{}/list", segment(folder)),
                ws,
                space,
                folder: Some(folder),
                archived: *archived,
                in_archived: *in_archived,
            },
            Step::FolderlessLists {
                ws,
                space,
                archived,
                in_archived,
            } => Children {
                kind: Kind::Lists,
                path: format!("/space/{}/list", segment(space)),
                ws,
                space,
                folder: None,
                archived: *archived,
                in_archived: *in_archived,
            },
            _ => return None,
        })
    }
}

/// A folders or lists step: `GET /space/{id}/folder`, `GET /folder/{id}/list` or
/// `GET /space/{id}/list`, then the answer's records or the steps it leads to.
pub(super) fn children<T: Transport>(
    walk: &Walk<'_>,
    step: &Step,
    cursor: &mut Cursor,
    f: &mut Fetcher<'_, T>,
    out: &mut Vec<Value>,
) -> Result<(), ConnectorError> {
    let Some(at) = Children::of(step) else {
        return Ok(());
    };
    let Fetched::Body(body) = f.get_cached(&at.path, &archived_query(at.archived))? else {
        return Ok(());
    };
    let next = match at.kind {
        Kind::Folders => folders(walk, &at, &body, out)?,
        Kind::Lists => lists(walk, &at, &body, f, out)?,
    };
    cursor.push_in_order(next);
    Ok(())
}

/// A folder answer: folder records, or the list steps of each folder.
fn folders(
    walk: &Walk<'_>,
    at: &Children<'_>,
    body: &Value,
    out: &mut Vec<Value>,
) -> Result<Vec<Step>, ConnectorError> {
    let mut next = Vec::new();
    for folder in expect_array(body, "folders", &at.path)? {
        let Some(fid) = id_of(folder) else { continue };
        if walk.stream == Stream::Folders {
            out.push(folders::record(folder, at.ws, at.space)?);
            continue;
        }
        let in_archived = at.in_archived || at.archived || flag(folder, "archived");
        let ancestors = (Some(at.space), None);
        next.extend(custom_fields::step(
            walk,
            at.ws,
            FieldLevel::Folder,
            &fid,
            ancestors,
        ));
        for &a in walk.partitions() {
            next.push(Step::FolderLists {
                ws: at.ws.to_owned(),
                space: at.space.to_owned(),
                folder: fid.clone(),
                archived: a,
                in_archived,
            });
        }
    }
    Ok(next)
}

/// A list answer: list records, or the task steps of lists the team endpoint leaves out.
fn lists<T: Transport>(
    walk: &Walk<'_>,
    at: &Children<'_>,
    body: &Value,
    f: &mut Fetcher<'_, T>,
    out: &mut Vec<Value>,
) -> Result<Vec<Step>, ConnectorError> {
    let mut next = Vec::new();
    for list in expect_array(body, "lists", &at.path)? {
        let Some(lid) = id_of(list) else { continue };
        let live = !(at.in_archived || at.archived || lists::is_archived(list));
        if let Some(tasks) = count(list.get("task_count")).as_u64() {
            f.note_list(at.ws, &lid, live, tasks);
        }
        match walk.stream {
            Stream::Lists => out.push(lists::record(list, at.ws, at.space, at.folder)?),
            Stream::Tasks if at.in_archived || at.archived || lists::is_archived(list) => {
                next.extend(tasks::list_steps(walk, at.ws, &lid));
            }
            Stream::CustomFields => {
                let ancestors = (Some(at.space), at.folder);
                next.extend(custom_fields::step(
                    walk,
                    at.ws,
                    FieldLevel::List,
                    &lid,
                    ancestors,
                ));
            }
            _ => {}
        }
    }
    Ok(next)
}

fn flag(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use crate::fetch::tests::{ok, status, Script};
    use crate::read::tests::read_all;

    #[test]
    fn a_skipped_space_is_named_once_and_not_asked_again_and_the_rest_is_read() {
        let mut script = Script {
            answers: [
                ok(r#"{"teams":[{"id":"1"}]}"#),
                ok(r#"{"spaces":[{"id":"s1"},{"id":"s2"}]}"#),
                status(401, r#"{"err":"Team not authorized","ECODE":"OAUTH_027"}"#),
                ok(r#"{"folders":[{"id":"f3"}]}"#), // s2
                ok(r#"{"folders":[{"id":"f4"}]}"#), // s2, archived
                ok(r#"{"spaces":[]}"#),             // archived spaces
            ]
            .into(),
            ..Default::default()
        };
        let (records, _, warnings) = read_all(&mut script, "folders", None);
        let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["f3", "f4"]);
        let s1: Vec<&String> = script
            .urls
            .iter()
            .filter(|u| u.contains("/space/s1/"))
            .collect();
        assert_eq!(s1.len(), 1, "the denied space was asked again: {s1:?}");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("/space/s1/folder") && warnings[0].contains("OAUTH_027"),
            "{warnings:?}"
        );
    }
}
