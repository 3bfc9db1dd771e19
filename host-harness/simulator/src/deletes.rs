//! Deleting tasks and time entries between syncs, as ClickUp deletes them.
//!
//! - A deleted task leaves every listing (`/team/{id}/task`, `/list/{id}/task` of its
//!   home list and of its `locations`, the time-in-status answers) and
//!   `GET /task/{id}` answers 404 `{"err":"Task not found, deleted","ECODE":"ITEM_013"}`.
//! - Its subtasks, at any depth, go with it (ClickUp's Trash nests them under the
//!   deleted parent), and so do the time entries tracked on any of them (a
//!   third-party client documents the cascade; GUESS for the API view).
//! - Other tasks keep what pointed at it [GUESS]: `tasks` and `list_relationship`
//!   values still list it, with the item's `deleted` turned to `true`, and the
//!   `dependencies` / `linked_tasks` entries it shared with them stay. Those tasks are
//!   not stamped: nothing about them was edited, so an incremental sync does not see
//!   them change.
//! - Nothing announces a delete in the API (no "deleted since" filter); the ids
//!   returned are what a test needs to compute the ground truth.

use super::tasks::CustomValue;
use super::world::World;
use serde_json::Value;
use std::collections::HashSet;

/// What [`World::delete_task`] removed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Deleted {
    /// The removed tasks: the one asked for first, then its subtasks at any depth.
    pub tasks: Vec<String>,
    /// The time entries tracked on those tasks, removed with them.
    pub time_entries: Vec<String>,
}

impl Deleted {
    /// Whether nothing was removed (the task did not exist).
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty() && self.time_entries.is_empty()
    }
}

impl World {
    /// Deletes a task with its subtasks (at any depth) and the time entries tracked on
    /// them, and marks the `tasks` / `list_relationship` values of other tasks that
    /// point at them as `deleted` (see the module docs). Empty if the task does not
    /// exist.
    pub fn delete_task(&mut self, id: &str) -> Deleted {
        let Some((w, _)) = self.find_task(id) else {
            return Deleted::default();
        };
        let Some(ws) = self.workspaces.get_mut(w) else {
            return Deleted::default();
        };
        let mut tasks = vec![id.to_string()];
        let mut gone: HashSet<String> = tasks.iter().cloned().collect();
        loop {
            let children: Vec<String> = ws
                .tasks
                .iter()
                .filter(|t| !gone.contains(&t.id))
                .filter(|t| t.parent.as_ref().is_some_and(|p| gone.contains(p)))
                .map(|t| t.id.clone())
                .collect();
            if children.is_empty() {
                break;
            }
            gone.extend(children.iter().cloned());
            tasks.extend(children);
        }
        ws.tasks.retain(|t| !gone.contains(&t.id));
        let time_entries: Vec<String> = ws
            .time_entries
            .iter()
            .filter(|e| e.task.as_ref().is_some_and(|t| gone.contains(&t.id)))
            .map(|e| e.id.clone())
            .collect();
        ws.time_entries
            .retain(|e| e.task.as_ref().is_none_or(|t| !gone.contains(&t.id)));
        // A task moved across workspaces may be pointed at from elsewhere.
        for ws in &mut self.workspaces {
            for task in &mut ws.tasks {
                for slot in &mut task.custom_fields {
                    if !matches!(slot.field.kind.as_str(), "tasks" | "list_relationship") {
                        continue;
                    }
                    if let CustomValue::Set(Value::Array(items)) = &mut slot.value {
                        for item in items.iter_mut() {
                            let points_at_gone = item
                                .get("id")
                                .and_then(Value::as_str)
                                .is_some_and(|i| gone.contains(i));
                            if let (true, Value::Object(map)) = (points_at_gone, item) {
                                map.insert("deleted".into(), Value::Bool(true));
                            }
                        }
                    }
                }
            }
        }
        Deleted {
            tasks,
            time_entries,
        }
    }

    /// Deletes a time entry: it leaves `GET /team/{id}/time_entries` (and `/current`
    /// if it was running), and `GET /team/{id}/time_entries/{id}` answers 404. False if
    /// it does not exist.
    pub fn delete_time_entry(&mut self, id: &str) -> bool {
        let Some((w, e)) = self.find_time_entry(id) else {
            return false;
        };
        match self.workspaces.get_mut(w) {
            Some(ws) if e < ws.time_entries.len() => {
                ws.time_entries.remove(e);
                true
            }
            _ => false,
        }
    }
}
