//! The endpoints the simulator serves, matched from the path after `/api/v2`.
//!
//! Each route also names its endpoint pattern (`/team/{id}/task`), the key under
//! which requests are counted. Only GET is served: the simulator models a
//! read-only source; any other method answers 404 "Route not found".

use super::api_error::ApiError;
use super::auth::Caller;
use super::index::WorldState;
use super::query::Query;
use super::{
    field_endpoints, goal_endpoints, hierarchy_endpoints, task_endpoints, time_entry_endpoints,
    time_in_status_endpoints,
};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Route {
    Teams,
    User,
    TeamSpaces(String),
    TeamTasks(String),
    TeamGoals(String),
    TeamTimeEntries(String),
    TeamTimeEntryCurrent(String),
    TeamTimeEntry(String, String),
    TeamFields(String),
    Space(String),
    SpaceFields(String),
    SpaceFolders(String),
    SpaceLists(String),
    Folder(String),
    FolderLists(String),
    FolderFields(String),
    List(String),
    ListTasks(String),
    ListFields(String),
    Task(String),
    TaskTimeInStatus(String),
    BulkTimeInStatus,
    Goal(String),
}

impl Route {
    /// `path` is what follows `/api/v2`, without the query string.
    pub(crate) fn parse(path: &str) -> Option<Route> {
        let trimmed = path.strip_suffix('/').unwrap_or(path);
        let segs: Vec<&str> = trimmed.split('/').skip(1).collect();
        if segs.iter().any(|s| s.is_empty()) {
            return None;
        }
        let id = |s: &str| s.to_string();
        Some(match segs.as_slice() {
            ["team"] => Route::Teams,
            ["user"] => Route::User,
            ["team", t, "space"] => Route::TeamSpaces(id(t)),
            ["team", t, "task"] => Route::TeamTasks(id(t)),
            ["team", t, "goal"] => Route::TeamGoals(id(t)),
            ["team", t, "time_entries"] => Route::TeamTimeEntries(id(t)),
            ["team", t, "time_entries", "current"] => Route::TeamTimeEntryCurrent(id(t)),
            ["team", t, "time_entries", e] => Route::TeamTimeEntry(id(t), id(e)),
            ["team", t, "field"] => Route::TeamFields(id(t)),
            ["space", s, "field"] => Route::SpaceFields(id(s)),
            ["folder", f, "field"] => Route::FolderFields(id(f)),
            ["list", l, "field"] => Route::ListFields(id(l)),
            ["task", "bulk_time_in_status", "task_ids"] => Route::BulkTimeInStatus,
            ["task", t, "time_in_status"] => Route::TaskTimeInStatus(id(t)),
            ["space", s] => Route::Space(id(s)),
            ["space", s, "folder"] => Route::SpaceFolders(id(s)),
            ["space", s, "list"] => Route::SpaceLists(id(s)),
            ["folder", f] => Route::Folder(id(f)),
            ["folder", f, "list"] => Route::FolderLists(id(f)),
            ["list", l] => Route::List(id(l)),
            ["list", l, "task"] => Route::ListTasks(id(l)),
            ["task", t] => Route::Task(id(t)),
            ["goal", g] => Route::Goal(id(g)),
            _ => return None,
        })
    }

    pub(crate) fn pattern(&self) -> &'static str {
        match self {
            Route::Teams => "/team",
            Route::User => "/user",
            Route::TeamSpaces(_) => "/team/{id}/space",
            Route::TeamTasks(_) => "/team/{id}/task",
            Route::TeamGoals(_) => "/team/{id}/goal",
            Route::TeamTimeEntries(_) => "/team/{id}/time_entries",
            Route::TeamTimeEntryCurrent(_) => "/team/{id}/time_entries/current",
            Route::TeamTimeEntry(_, _) => "/team/{id}/time_entries/{id}",
            Route::TeamFields(_) => "/team/{id}/field",
            Route::SpaceFields(_) => "/space/{id}/field",
            Route::FolderFields(_) => "/folder/{id}/field",
            Route::ListFields(_) => "/list/{id}/field",
            Route::BulkTimeInStatus => "/task/bulk_time_in_status/task_ids",
            Route::TaskTimeInStatus(_) => "/task/{id}/time_in_status",
            Route::Space(_) => "/space/{id}",
            Route::SpaceFolders(_) => "/space/{id}/folder",
            Route::SpaceLists(_) => "/space/{id}/list",
            Route::Folder(_) => "/folder/{id}",
            Route::FolderLists(_) => "/folder/{id}/list",
            Route::List(_) => "/list/{id}",
            Route::ListTasks(_) => "/list/{id}/task",
            Route::Task(_) => "/task/{id}",
            Route::Goal(_) => "/goal/{id}",
        }
    }

    /// A page of tasks (`/team/{id}/task`, `/list/{id}/task`): what
    /// `SimConfig::keep_task_pages` keeps.
    pub(crate) fn is_task_page(&self) -> bool {
        matches!(self, Route::TeamTasks(_) | Route::ListTasks(_))
    }

    /// Answers an authenticated request.
    pub(crate) fn respond(
        &self,
        st: &WorldState,
        caller: &Caller,
        q: &Query,
        real_now_ms: i64,
    ) -> Result<Value, ApiError> {
        match self {
            Route::Teams => Ok(hierarchy_endpoints::teams(st, caller)),
            Route::User => hierarchy_endpoints::user(st, caller),
            Route::TeamSpaces(t) => hierarchy_endpoints::team_spaces(st, caller, t, q),
            Route::TeamTasks(t) => task_endpoints::team_tasks(st, caller, t, q),
            Route::TeamGoals(t) => goal_endpoints::team_goals(st, caller, t, q),
            Route::TeamTimeEntries(t) => {
                time_entry_endpoints::team_time_entries(st, caller, t, q, real_now_ms)
            }
            Route::TeamTimeEntryCurrent(t) => time_entry_endpoints::current(st, caller, t),
            Route::TeamTimeEntry(t, e) => time_entry_endpoints::single(st, caller, t, e, q),
            Route::TeamFields(t) => field_endpoints::team_fields(st, caller, t),
            Route::SpaceFields(s) => field_endpoints::space_fields(st, caller, s),
            Route::FolderFields(f) => field_endpoints::folder_fields(st, caller, f),
            Route::ListFields(l) => field_endpoints::list_fields(st, caller, l),
            Route::BulkTimeInStatus => time_in_status_endpoints::bulk(st, caller, q),
            Route::TaskTimeInStatus(t) => time_in_status_endpoints::single(st, caller, t, q),
            Route::Space(s) => hierarchy_endpoints::space(st, caller, s),
            Route::SpaceFolders(s) => hierarchy_endpoints::space_folders(st, caller, s, q),
            Route::SpaceLists(s) => hierarchy_endpoints::space_lists(st, caller, s, q),
            Route::Folder(f) => hierarchy_endpoints::folder(st, caller, f),
            Route::FolderLists(f) => hierarchy_endpoints::folder_lists(st, caller, f, q),
            Route::List(l) => hierarchy_endpoints::list(st, caller, l),
            Route::ListTasks(l) => task_endpoints::list_tasks(st, caller, l, q),
            Route::Task(t) => task_endpoints::task(st, caller, t, q),
            Route::Goal(g) => goal_endpoints::goal(st, caller, g),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_paths() {
        assert_eq!(Route::parse("/team"), Some(Route::Teams));
        assert_eq!(Route::parse("/team/"), Some(Route::Teams));
        assert_eq!(
            Route::parse("/team/9/task"),
            Some(Route::TeamTasks("9".into()))
        );
        assert_eq!(
            Route::parse("/list/5/task"),
            Some(Route::ListTasks("5".into()))
        );
        assert_eq!(
            Route::parse("/list/5/field"),
            Some(Route::ListFields("5".into()))
        );
        assert_eq!(
            Route::parse("/team/9/field"),
            Some(Route::TeamFields("9".into()))
        );
        assert_eq!(
            Route::parse("/task/bulk_time_in_status/task_ids/"),
            Some(Route::BulkTimeInStatus)
        );
        assert_eq!(
            Route::parse("/task/abc/time_in_status"),
            Some(Route::TaskTimeInStatus("abc".into()))
        );
        assert_eq!(
            Route::parse("/task/bulk_time_in_status"),
            Some(Route::Task("bulk_time_in_status".into()))
        );
        assert_eq!(Route::parse("/list//task"), None);
        assert_eq!(Route::parse("/nope"), None);
        assert_eq!(Route::parse(""), None);
    }
}
