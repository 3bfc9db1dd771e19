//! Changes made to the world between syncs, as a user of ClickUp would make them.
//!
//! Incremental-sync tests run a sync, mutate, and sync again. Every mutation
//! stamps `date_updated` (tasks) or `at` (time entries) with [`World::stamp`]: the
//! real clock, bumped to stay strictly above every earlier timestamp. Which tasks
//! are picked is driven by `World::rng`, so a given world mutates the same way
//! every time. Call these through `Simulator::mutate`, which re-indexes afterwards.

use super::clock::MS_PER_DAY;
use super::people::User;
use super::task_factory::{build_task, pick_status, Lifecycle, RefPool, TaskContext, TaskPlan};
use super::tasks::{CustomValue, FieldValue, ListRef};
use super::time_entries::{TaskLocation, TimeEntry, TimeEntryTask};
use super::world::World;
use std::collections::HashSet;

impl World {
    /// Edits `n` distinct tasks (name and priority) and returns their ids.
    pub fn update_tasks(&mut self, n: usize) -> Vec<String> {
        let total = self.task_count();
        let mut chosen: HashSet<usize> = HashSet::new();
        while chosen.len() < n.min(total) {
            chosen.insert(self.rng.below(total as u64) as usize);
        }
        let mut flat: Vec<usize> = chosen.into_iter().collect();
        flat.sort_unstable();
        let mut ids = Vec::new();
        for k in flat {
            let stamp = self.stamp();
            let priority = Some(1 + self.rng.below(4) as u8);
            if let Some(task) = self.task_at_flat_index_mut(k) {
                if !task.name.ends_with(" (edited)") {
                    task.name.push_str(" (edited)");
                }
                task.priority = priority;
                task.date_updated = stamp;
                ids.push(task.id.clone());
            }
        }
        ids
    }

    /// Creates `n` open top-level tasks in lists whose tasks the team endpoint
    /// serves (list, folder and space not archived); returns their ids.
    pub fn create_tasks(&mut self, n: usize) -> Vec<String> {
        let mut targets: Vec<(usize, usize)> = Vec::new();
        for (w, ws) in self.workspaces.iter().enumerate() {
            for (l, list) in ws.lists.iter().enumerate() {
                if ws.list_is_live(list) {
                    targets.push((w, l));
                }
            }
        }
        let mut ids = Vec::new();
        for _ in 0..n {
            let Some(&(w, l)) = self.rng.pick(&targets) else {
                break;
            };
            let stamp = self.stamp();
            let World {
                workspaces,
                ids: mint,
                rng,
                seed,
                ..
            } = self;
            let Some(ws) = workspaces.get_mut(w) else {
                break;
            };
            let users: Vec<User> = ws
                .members
                .iter()
                .filter(|m| !m.is_invited())
                .map(|m| m.user.clone())
                .collect();
            let Some(list) = ws.lists.get(l) else {
                break;
            };
            let orderindex = ws.tasks.iter().filter(|t| t.list.id == list.id).count() as i64;
            let fields = ws.fields_for_list(&list.id);
            let ctx = TaskContext {
                team_id: &ws.id,
                users: &users,
                fields: &fields,
                tags: &ws.tags,
                list,
                now_ms: stamp,
                seed: *seed,
            };
            let mut task = build_task(&ctx, mint, rng, orderindex, TaskPlan::open(stamp));
            RefPool::new(&ws.tasks).fill(&mut task, *seed);
            task.date_updated = stamp;
            ids.push(task.id.clone());
            ws.tasks.push(task);
        }
        ids
    }

    /// Moves a task to a closed status. False if the task does not exist.
    pub fn close_task(&mut self, id: &str) -> bool {
        let Some((w, t)) = self.find_task(id) else {
            return false;
        };
        let stamp = self.stamp();
        let World {
            workspaces, rng, ..
        } = self;
        let Some(ws) = workspaces.get_mut(w) else {
            return false;
        };
        let statuses = ws
            .tasks
            .get(t)
            .and_then(|task| ws.lists.iter().find(|l| l.id == task.list.id))
            .map(|l| l.statuses.clone())
            .unwrap_or_default();
        let Some(task) = ws.tasks.get_mut(t) else {
            return false;
        };
        task.status = pick_status(&statuses, Lifecycle::Closed, rng);
        task.date_closed = Some(stamp);
        task.date_done = Some(stamp);
        task.date_updated = stamp;
        true
    }

    /// Changes a task's home list (within or across workspaces). Its custom fields
    /// become those of the new list: slots of fields that still apply keep their
    /// values, the others are dropped, and fields that now apply get a slot without a
    /// value. False if either the task or the list does not exist.
    pub fn move_task(&mut self, id: &str, to_list: &str) -> bool {
        let (Some((w, t)), Some((lw, l))) = (self.find_task(id), self.find_list(to_list)) else {
            return false;
        };
        let stamp = self.stamp();
        let Some(list) = self
            .workspaces
            .get(lw)
            .and_then(|ws| ws.lists.get(l))
            .cloned()
        else {
            return false;
        };
        let team_id = self
            .workspaces
            .get(lw)
            .map(|ws| ws.id.clone())
            .unwrap_or_default();
        let fields = self
            .workspaces
            .get(lw)
            .map(|ws| ws.fields_for_list(&list.id))
            .unwrap_or_default();
        let Some(mut task) = self.workspaces.get_mut(w).map(|ws| ws.tasks.remove(t)) else {
            return false;
        };
        task.list = ListRef {
            id: list.id.clone(),
            name: list.name.clone(),
        };
        task.folder = list.folder.clone();
        task.space_id = list.space.id.clone();
        task.team_id = team_id;
        task.locations.retain(|loc| loc.id != list.id);
        let mut old_slots = std::mem::take(&mut task.custom_fields);
        task.custom_fields = fields
            .into_iter()
            .map(
                |field| match old_slots.iter().position(|s| s.field.id == field.id) {
                    Some(k) => old_slots.swap_remove(k),
                    None => FieldValue {
                        field,
                        value: CustomValue::Absent,
                        value_richtext: None,
                    },
                },
            )
            .collect();
        task.date_updated = stamp;
        if let Some(ws) = self.workspaces.get_mut(lw) {
            ws.tasks.push(task);
        }
        true
    }

    /// Removes a task's value of one custom field (ClickUp's "Remove Custom Field
    /// Value": the slot stays, without a `value` key) and stamps `date_updated`. False
    /// if the task does not exist or the field does not apply to its home list.
    pub fn clear_custom_field(&mut self, task_id: &str, field_id: &str) -> bool {
        self.edit_custom_field(task_id, field_id, CustomValue::Absent)
    }

    /// Sets a task's value of one custom field to `value`, sent as is (`null` gives
    /// `"value": null`), and stamps `date_updated`. False if the task does not exist or
    /// the field does not apply to its home list.
    pub fn set_custom_field(
        &mut self,
        task_id: &str,
        field_id: &str,
        value: serde_json::Value,
    ) -> bool {
        let value = match value {
            serde_json::Value::Null => CustomValue::Null,
            v => CustomValue::Set(v),
        };
        self.edit_custom_field(task_id, field_id, value)
    }

    fn edit_custom_field(&mut self, task_id: &str, field_id: &str, value: CustomValue) -> bool {
        let Some((w, t)) = self.find_task(task_id) else {
            return false;
        };
        let has_field = self
            .workspaces
            .get(w)
            .and_then(|ws| ws.tasks.get(t))
            .is_some_and(|task| task.custom_field(field_id).is_some());
        if !has_field {
            return false;
        }
        let stamp = self.stamp();
        let Some(task) = self
            .workspaces
            .get_mut(w)
            .and_then(|ws| ws.tasks.get_mut(t))
        else {
            return false;
        };
        let Some(slot) = task
            .custom_fields
            .iter_mut()
            .find(|f| f.field.id == field_id)
        else {
            return false;
        };
        slot.value = value;
        slot.value_richtext = None;
        task.date_updated = stamp;
        true
    }

    /// Adds `n` finished time entries that started within the last two days, for
    /// active members of every workspace in turn; returns their ids.
    pub fn add_time_entries(&mut self, n: usize) -> Vec<String> {
        let mut ids = Vec::new();
        if self.workspaces.is_empty() {
            return ids;
        }
        for i in 0..n {
            let w = i % self.workspaces.len();
            let stamp = self.stamp();
            let World {
                workspaces,
                ids: mint,
                rng,
                ..
            } = self;
            let Some(ws) = workspaces.get_mut(w) else {
                continue;
            };
            let users: Vec<User> = ws
                .members
                .iter()
                .filter(|m| !m.is_invited())
                .map(|m| m.user.clone())
                .collect();
            let Some(user) = rng.pick(&users).cloned() else {
                continue;
            };
            let duration = rng.range_i64(5 * 60_000, 3 * 3_600_000);
            let start = stamp - duration - rng.range_i64(0, 2 * MS_PER_DAY - 3 * 3_600_000);
            let linked = if ws.tasks.is_empty() {
                None
            } else {
                ws.tasks.get(rng.below(ws.tasks.len() as u64) as usize)
            };
            let (task, location) = match linked {
                Some(t) => (
                    Some(TimeEntryTask {
                        id: t.id.clone(),
                        name: t.name.clone(),
                        status: t.status.clone(),
                    }),
                    Some(TaskLocation {
                        list_id: t.list.id.clone(),
                        list_name: t.list.name.clone(),
                        folder_id: t.folder.id.clone(),
                        folder_name: t.folder.name.clone(),
                        space_id: t.space_id.clone(),
                        space_name: ws
                            .space(&t.space_id)
                            .map(|s| s.name.clone())
                            .unwrap_or_default(),
                    }),
                ),
                None => (None, None),
            };
            let id = mint.time_entry();
            ws.time_entries.push(TimeEntry {
                id: id.clone(),
                task,
                location,
                wid: ws.id.clone(),
                user,
                billable: rng.chance(0.5),
                start,
                end: Some(start + duration),
                duration,
                description: "Added between syncs".into(),
                tags: Vec::new(),
                at: stamp,
            });
            ids.push(id);
        }
        ids
    }

    /// Edits a time entry's description and lengthens it by a minute (a running
    /// timer keeps running). False if it does not exist.
    pub fn edit_time_entry(&mut self, id: &str) -> bool {
        let Some((w, e)) = self.find_time_entry(id) else {
            return false;
        };
        let stamp = self.stamp();
        let Some(entry) = self
            .workspaces
            .get_mut(w)
            .and_then(|ws| ws.time_entries.get_mut(e))
        else {
            return false;
        };
        entry.description = format!("{} (edited)", entry.description).trim().to_string();
        if let Some(end) = entry.end {
            entry.end = Some(end + 60_000);
            entry.duration += 60_000;
        }
        entry.at = stamp;
        true
    }

    fn task_at_flat_index_mut(&mut self, mut k: usize) -> Option<&mut super::tasks::Task> {
        for ws in &mut self.workspaces {
            if k < ws.tasks.len() {
                return ws.tasks.get_mut(k);
            }
            k -= ws.tasks.len();
        }
        None
    }
}
