//! Taking things off a task between syncs: an assignee, a tag, a checklist item, a dependency
//! and a link, as a user of ClickUp would in the task view.
//!
//! Each edit stamps `date_updated` on every task whose body changes: the task itself and, for a
//! dependency or a link, the task at the other end, whose `dependencies[]` / `linked_tasks[]`
//! lose the same entry (ClickUp lists a dependency and a link on both tasks; that removing one
//! updates both is a GUESS, as the API docs say nothing about `date_updated` there).

use super::world::World;

/// What [`World::strip_task`] took off, by kind (empty where the task had none).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stripped {
    /// The user id of the assignee removed.
    pub assignee: Option<i64>,
    /// The name of the tag removed.
    pub tag: Option<String>,
    /// The id of the checklist item removed.
    pub checklist_item: Option<String>,
    /// The dependencies removed, as (waiting task, task it waited on).
    pub dependencies: Vec<(String, String)>,
    /// The links removed, as (task, linked task) from the link's own side.
    pub links: Vec<(String, String)>,
}

impl World {
    /// Takes off task `id` its first assignee, its first tag, the first item of its first
    /// checklist that has one, and every dependency and link it takes part in (from both
    /// tasks). `None` if the task does not exist.
    pub fn strip_task(&mut self, id: &str) -> Option<Stripped> {
        let (w, t) = self.find_task(id)?;
        let stamp = self.stamp();
        let ws = self.workspaces.get_mut(w)?;
        let task = ws.tasks.get_mut(t)?;
        let mut out = Stripped::default();
        if !task.assignees.is_empty() {
            out.assignee = Some(task.assignees.remove(0).id);
        }
        if !task.tags.is_empty() {
            out.tag = Some(task.tags.remove(0).name);
        }
        if let Some(list) = task.checklists.iter_mut().find(|c| !c.items.is_empty()) {
            out.checklist_item = Some(list.items.remove(0).id);
        }
        out.dependencies = task
            .dependencies
            .drain(..)
            .map(|d| (d.task_id, d.depends_on))
            .collect();
        out.links = task
            .linked_tasks
            .drain(..)
            .map(|l| (l.task_id, l.link_id))
            .collect();
        task.date_updated = stamp;
        for other in ws.tasks.iter_mut().filter(|o| o.id != id) {
            let before = (other.dependencies.len(), other.linked_tasks.len());
            other
                .dependencies
                .retain(|d| d.task_id != id && d.depends_on != id);
            other
                .linked_tasks
                .retain(|l| l.task_id != id && l.link_id != id);
            if before != (other.dependencies.len(), other.linked_tasks.len()) {
                other.date_updated = stamp;
            }
        }
        Some(out)
    }
}
