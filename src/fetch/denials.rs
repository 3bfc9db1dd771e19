//! What the token may not read, remembered for the rest of the sync.
//!
//! A space the token was not granted answers 401 `OAUTH_027` (or 403) to every endpoint beneath
//! it, and the walks of the folders, lists and tasks streams each ask several of them (folders
//! and folderless lists, archived and not). The first denial is warned about and remembered here;
//! later requests under the same resource, in any stream, are skipped without a request and
//! without another warning.
//!
//! Where it lives: in the instance's [`super::Session`]. A host drives one sync through one
//! instance (`host_harness::sync` calls `read-page` for every stream on the same `Run`), so the
//! memory spans the streams of a sync. It is keyed by token and base URL, and forgets a denial
//! after [`DENIAL_TTL_MS`] (the hierarchy cache's lifetime), so an instance kept for later syncs
//! notices access granted since. A host that makes a fresh instance per page (the `wasmtime` CLI)
//! simply asks again: the memory saves requests, it never changes records.

use std::collections::HashMap;

/// How long a denial is remembered, in ms: as long as a cached hierarchy answer.
pub(super) const DENIAL_TTL_MS: i64 = super::CACHE_TTL_MS;

/// Most denials kept; past it the memory starts over (it is an optimisation only).
const MAX_DENIALS: usize = 10_000;

/// Denied resources, by (token, base URL, resource).
#[derive(Debug, Default)]
pub(super) struct Denials {
    seen: HashMap<(String, String, String), i64>,
}

impl Denials {
    /// Remembers that `GET {path}` was denied at `now`. Not `GET /team` itself: its denial is
    /// the whole token's (`check` reports it as an error), and a later call must meet it again
    /// rather than read nothing without a word.
    pub(super) fn remember(&mut self, token: &str, base_url: &str, at: &Asked<'_>, now: i64) {
        if at.path == "/team" {
            return;
        }
        if self.seen.len() >= MAX_DENIALS {
            self.seen.clear();
        }
        self.seen.insert(key(token, base_url, at), now);
    }

    /// Whether `GET {path}` is under a resource denied in the last [`DENIAL_TTL_MS`].
    pub(super) fn covers(&self, token: &str, base_url: &str, at: &Asked<'_>, now: i64) -> bool {
        self.seen
            .get(&key(token, base_url, at))
            .is_some_and(|t| now - t < DENIAL_TTL_MS)
    }
}

/// What a request asks for, as far as a denial goes: its path, and the Workspace its query names
/// (`team_id`), if any. A Workspace-wide endpoint that takes the Workspace in its query (the bulk
/// time in status) is gated per Workspace, so its denial covers that Workspace only.
#[derive(Debug, Clone, Copy)]
pub(super) struct Asked<'a> {
    pub(super) path: &'a str,
    pub(super) team: Option<&'a str>,
}

impl<'a> Asked<'a> {
    /// The request `GET {path}?{query}`. Time in status, bulk or of one task, is one feature
    /// per Workspace: both endpoints stand for the bulk one.
    pub(super) fn new(path: &'a str, query: &'a [(&str, String)]) -> Asked<'a> {
        let team = query
            .iter()
            .find(|(k, _)| *k == "team_id")
            .map(|(_, v)| v.as_str());
        let path = match team {
            Some(_) if path.ends_with("/time_in_status") => TIME_IN_STATUS,
            _ => path,
        };
        Asked { path, team }
    }

    /// The resource a denial is about, with the Workspace when the query names one.
    pub(super) fn resource(&self) -> String {
        match self.team {
            Some(team) => format!("{} (Workspace {team})", resource(self.path)),
            None => resource(self.path).to_owned(),
        }
    }
}

/// The bulk time in status, which [`Asked::new`] puts for both of its endpoints.
const TIME_IN_STATUS: &str = "/task/bulk_time_in_status/task_ids";

fn key(token: &str, base_url: &str, at: &Asked<'_>) -> (String, String, String) {
    (token.to_owned(), base_url.to_owned(), at.resource())
}

/// The resource a denial of `GET {path}` is about. Under a space, folder, list, task or goal, it
/// is that object (`/space/9/folder` and `/space/9/list` → `/space/9`): access is granted per
/// object, so a denial covers every endpoint beneath it. A Workspace-wide endpoint
/// (`/team/1/goal`) stands for itself only: ClickUp gates those per feature and plan, and a
/// token denied the goals may still read the tasks.
pub(super) fn resource(path: &str) -> &str {
    let mut parts = path.split('/');
    let (Some(""), Some(kind), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return path;
    };
    if id.is_empty() || !matches!(kind, "space" | "folder" | "list" | "task" | "goal") {
        return path;
    }
    path.get(..kind.len() + id.len() + 2).unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_denial_covers_the_object_and_everything_beneath_it() {
        assert_eq!(resource("/space/9/folder"), "/space/9");
        assert_eq!(resource("/space/9/list"), "/space/9");
        assert_eq!(resource("/list/%2E%2E/task"), "/list/%2E%2E");
        assert_eq!(resource("/goal/g1"), "/goal/g1");
        assert_eq!(resource("/team/1/goal"), "/team/1/goal");
        assert_eq!(resource("/team"), "/team");
        assert_eq!(resource("/space//folder"), "/space//folder");
        assert_eq!(resource(""), "");
    }

    fn at(path: &str) -> Asked<'_> {
        Asked { path, team: None }
    }

    #[test]
    fn denials_are_per_token_and_base_url_and_expire() {
        let mut d = Denials::default();
        d.remember("pk_1", "http://a", &at("/space/9/folder"), 1_000);
        assert!(d.covers("pk_1", "http://a", &at("/space/9/list"), 2_000));
        assert!(!d.covers("pk_2", "http://a", &at("/space/9/list"), 2_000));
        assert!(!d.covers("pk_1", "http://b", &at("/space/9/list"), 2_000));
        assert!(!d.covers("pk_1", "http://a", &at("/space/8/list"), 2_000));
        assert!(!d.covers("pk_1", "http://a", &at("/team/1/space"), 2_000));
        assert!(!d.covers(
            "pk_1",
            "http://a",
            &at("/space/9/list"),
            1_000 + DENIAL_TTL_MS
        ));
        d.remember("pk_1", "http://a", &at("/team"), 1_000);
        assert!(!d.covers("pk_1", "http://a", &at("/team"), 2_000));
    }

    #[test]
    fn a_denial_of_a_request_that_names_its_workspace_covers_that_workspace_only() {
        let mut d = Denials::default();
        let (one, two) = ([("team_id", "1".to_owned())], [("team_id", "2".to_owned())]);
        let path = "/task/bulk_time_in_status/task_ids";
        d.remember("pk_1", "http://a", &Asked::new(path, &one), 1_000);
        assert!(d.covers("pk_1", "http://a", &Asked::new(path, &one), 2_000));
        assert!(!d.covers("pk_1", "http://a", &Asked::new(path, &two), 2_000));
        assert!(!d.covers("pk_1", "http://a", &at(path), 2_000));
        let lone = "/task/86a/time_in_status";
        assert!(d.covers("pk_1", "http://a", &Asked::new(lone, &one), 2_000));
        assert!(!d.covers("pk_1", "http://a", &Asked::new(lone, &two), 2_000));
    }
}
