//! The ground truth: every workspace and everything in it, as plain data.
//!
//! Tests compare what a connector synced against this. The server reads it under
//! a lock through an index (see `index`); `Simulator::world` hands out clones and
//! `Simulator::mutate` edits it between syncs.
//!
//! Clocks: generated data is dated relative to `now_ms` (the configured "now").
//! Mutations stamp `date_updated` / `at` with the *real* clock, bumped so every
//! stamp is strictly greater than any timestamp issued before (`last_stamp_ms`),
//! which lets incremental-sync tests rely on "changed after the last sync".

use super::clock::real_now_ms;
use super::goals::{Goal, GoalFolder};
use super::hierarchy::{Folder, List, Space};
use super::ids::IdMint;
use super::people::Member;
use super::prng::SplitMix64;
use super::tasks::{CustomField, FieldScope, Tag, Task};
use super::time_entries::TimeEntry;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// A workspace (a "team" in API v2) and everything in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Workspace {
    /// Workspace id, a numeric string: the `team_id` of the team endpoints.
    pub id: String,
    /// Workspace name as shown in ClickUp.
    pub name: String,
    /// Hex color, e.g. `"#7b68ee"`.
    pub color: String,
    /// URL of the workspace avatar; `None` = none, sent as `null`.
    pub avatar: Option<String>,
    /// The first member is the owner (role 1).
    pub members: Vec<Member>,
    /// Its spaces, archived ones included.
    pub spaces: Vec<Space>,
    /// The folders of all its spaces, archived and hidden ones included.
    pub folders: Vec<Folder>,
    /// Folder lists and folderless lists alike (`List::folderless`).
    pub lists: Vec<List>,
    /// Every task of the workspace, closed, archived and subtasks included.
    pub tasks: Vec<Task>,
    /// Its custom-field definitions at every level (each says where in
    /// [`CustomField::scope`]): the Workspace's first, then those of spaces, folders
    /// and lists. A task has a slot for each one that applies to its home list.
    pub custom_fields: Vec<Arc<CustomField>>,
    /// The tags its tasks and time entries draw from.
    pub tags: Vec<Tag>,
    /// Its goal folders.
    pub goal_folders: Vec<GoalFolder>,
    /// Its goals, in a goal folder or not (see `Goal::folder_id`).
    pub goals: Vec<Goal>,
    /// The time entries of all its members, running timers included.
    pub time_entries: Vec<TimeEntry>,
    /// Whether its plan has Time in Status (the "Total time in Status" ClickApp); on by
    /// default. Without it the time-in-status endpoints answer 403 `TIS_027`.
    pub time_in_status: bool,
}

impl Workspace {
    /// The team object of `GET /team`.
    pub fn to_api_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "color": self.color,
            "avatar": self.avatar,
            "members": self.members.iter().map(Member::to_api_json).collect::<Vec<_>>(),
        })
    }

    /// The owner (the first member); `None` only for a workspace without members.
    pub fn owner(&self) -> Option<&Member> {
        self.members.first()
    }

    /// The space with this id, if the workspace has it.
    pub fn space(&self, id: &str) -> Option<&Space> {
        self.spaces.iter().find(|s| s.id == id)
    }

    /// The folder with this id, if the workspace has it.
    pub fn folder(&self, id: &str) -> Option<&Folder> {
        self.folders.iter().find(|f| f.id == id)
    }

    /// The list with this id, if the workspace has it.
    pub fn list(&self, id: &str) -> Option<&List> {
        self.lists.iter().find(|l| l.id == id)
    }

    /// Every custom-field definition of the workspace, at every level, each with its
    /// [`CustomField::scope`]: the Workspace's first, then those of spaces, folders and
    /// lists (the order of [`Workspace::custom_fields`]).
    pub fn field_definitions(&self) -> &[Arc<CustomField>] {
        &self.custom_fields
    }

    /// The fields defined exactly at `scope` (what `GET /team|space|folder/{id}/field`
    /// serve for that level; for a list, only its own fields).
    pub fn fields_at(&self, scope: &FieldScope) -> Vec<Arc<CustomField>> {
        self.custom_fields
            .iter()
            .filter(|f| &f.scope == scope)
            .cloned()
            .collect()
    }

    /// The fields that apply to the list with this id, as `GET /list/{id}/field` serves
    /// them and its tasks carry them: the Workspace's, then its space's, its folder's
    /// (none for a folderless list) and its own. Empty if the workspace has no such list.
    pub fn fields_for_list(&self, list_id: &str) -> Vec<Arc<CustomField>> {
        let Some(list) = self.list(list_id) else {
            return Vec::new();
        };
        let space = FieldScope::Space(list.space.id.clone());
        let folder = (!list.folderless).then(|| FieldScope::Folder(list.folder.id.clone()));
        let own = FieldScope::List(list.id.clone());
        let mut out = Vec::new();
        for level in [Some(FieldScope::Workspace), Some(space), folder, Some(own)]
            .into_iter()
            .flatten()
        {
            out.extend(
                self.custom_fields
                    .iter()
                    .filter(|f| f.scope == level)
                    .cloned(),
            );
        }
        out
    }

    /// False when the list, its folder or its space is archived: the team-wide
    /// task endpoint then omits the list's tasks.
    pub fn list_is_live(&self, list: &List) -> bool {
        let folder_live =
            list.folderless || self.folder(&list.folder.id).is_none_or(|f| !f.archived);
        let space_live = self.space(&list.space.id).is_none_or(|s| !s.archived);
        !list.archived && folder_live && space_live
    }
}

/// The ground truth: every workspace and everything in it, plus the state
/// mutations draw on.
#[derive(Clone, Debug, PartialEq)]
pub struct World {
    /// The seed the world was generated from.
    pub seed: u64,
    /// The "now" generated data is dated against.
    pub now_ms: i64,
    /// The workspaces, in the order `GET /team` lists them.
    pub workspaces: Vec<Workspace>,
    /// Id sequences, shared by generation and mutations.
    pub ids: IdMint,
    /// Drives the choices mutations make (which tasks to update, ...).
    pub rng: SplitMix64,
    /// The greatest timestamp issued so far; the next stamp is above it.
    pub last_stamp_ms: i64,
}

impl World {
    /// The user who owns every workspace (the default token's user).
    pub fn owner_id(&self) -> i64 {
        self.workspaces
            .first()
            .and_then(Workspace::owner)
            .map(|m| m.user.id)
            .unwrap_or(0)
    }

    /// The workspace with this id, if any.
    pub fn workspace(&self, id: &str) -> Option<&Workspace> {
        self.workspaces.iter().find(|w| w.id == id)
    }

    /// Tasks in all workspaces, closed, archived and subtasks included.
    pub fn task_count(&self) -> usize {
        self.workspaces.iter().map(|w| w.tasks.len()).sum()
    }

    /// Time entries in all workspaces.
    pub fn time_entry_count(&self) -> usize {
        self.workspaces.iter().map(|w| w.time_entries.len()).sum()
    }

    /// (workspace index, task index) of a task.
    pub fn find_task(&self, id: &str) -> Option<(usize, usize)> {
        self.workspaces
            .iter()
            .enumerate()
            .find_map(|(w, ws)| ws.tasks.iter().position(|t| t.id == id).map(|t| (w, t)))
    }

    /// The task with this id, in whichever workspace holds it.
    pub fn task(&self, id: &str) -> Option<&Task> {
        let (w, t) = self.find_task(id)?;
        self.workspaces.get(w)?.tasks.get(t)
    }

    /// (workspace index, list index) of a list.
    pub fn find_list(&self, id: &str) -> Option<(usize, usize)> {
        self.workspaces
            .iter()
            .enumerate()
            .find_map(|(w, ws)| ws.lists.iter().position(|l| l.id == id).map(|l| (w, l)))
    }

    /// (workspace index, entry index) of a time entry.
    pub fn find_time_entry(&self, id: &str) -> Option<(usize, usize)> {
        self.workspaces.iter().enumerate().find_map(|(w, ws)| {
            ws.time_entries
                .iter()
                .position(|e| e.id == id)
                .map(|e| (w, e))
        })
    }

    /// Turns Time in Status on or off for the workspace with this id (a plan without
    /// it answers 403 `TIS_027`). False if there is no such workspace.
    pub fn set_time_in_status(&mut self, team_id: &str, enabled: bool) -> bool {
        match self.workspaces.iter_mut().find(|w| w.id == team_id) {
            Some(ws) => {
                ws.time_in_status = enabled;
                true
            }
            None => false,
        }
    }

    /// A fresh real-clock timestamp strictly above every earlier one.
    pub fn stamp(&mut self) -> i64 {
        let s = real_now_ms().max(self.last_stamp_ms + 1);
        self.last_stamp_ms = s;
        s
    }

    /// Recomputes the `task_count` of lists and folders (non-archived tasks by
    /// home list). The simulator calls it after every mutation.
    pub fn refresh_counts(&mut self) {
        for ws in &mut self.workspaces {
            let mut by_list: HashMap<&str, usize> = HashMap::new();
            for t in ws.tasks.iter().filter(|t| !t.archived) {
                *by_list.entry(t.list.id.as_str()).or_default() += 1;
            }
            let mut by_folder: HashMap<String, usize> = HashMap::new();
            for list in &mut ws.lists {
                list.task_count = by_list.get(list.id.as_str()).copied().unwrap_or(0);
                *by_folder.entry(list.folder.id.clone()).or_default() += list.task_count;
            }
            for folder in &mut ws.folders {
                folder.task_count = by_folder.get(&folder.id).copied().unwrap_or(0);
            }
        }
    }

    /// The whole ground truth rendered as API JSON (for snapshots and diffing).
    pub fn to_api_json(&self) -> Value {
        let teams: Vec<Value> = self
            .workspaces
            .iter()
            .map(|ws| {
                let mut team = ws.to_api_json();
                if let Value::Object(map) = &mut team {
                    map.insert(
                        "spaces".into(),
                        json!(ws.spaces.iter().map(Space::to_api_json).collect::<Vec<_>>()),
                    );
                    map.insert(
                        "folders".into(),
                        json!(ws
                            .folders
                            .iter()
                            .map(Folder::to_api_json)
                            .collect::<Vec<_>>()),
                    );
                    map.insert(
                        "lists".into(),
                        json!(ws
                            .lists
                            .iter()
                            .map(List::to_detail_json)
                            .collect::<Vec<_>>()),
                    );
                    map.insert(
                        "tasks".into(),
                        json!(ws.tasks.iter().map(Task::to_api_json).collect::<Vec<_>>()),
                    );
                    map.insert(
                        "goal_folders".into(),
                        json!(ws
                            .goal_folders
                            .iter()
                            .map(|f| {
                                let count = ws
                                    .goals
                                    .iter()
                                    .filter(|g| g.folder_id.as_deref() == Some(f.id.as_str()))
                                    .count();
                                f.to_api_json_with_goals(count, Vec::new())
                            })
                            .collect::<Vec<_>>()),
                    );
                    map.insert(
                        "goals".into(),
                        json!(ws
                            .goals
                            .iter()
                            .map(Goal::to_detail_json)
                            .collect::<Vec<_>>()),
                    );
                    map.insert(
                        "time_entries".into(),
                        json!(ws
                            .time_entries
                            .iter()
                            .map(TimeEntry::to_api_json)
                            .collect::<Vec<_>>()),
                    );
                }
                team
            })
            .collect();
        json!({ "teams": teams })
    }
}
