//! Lookup tables over the world, so requests never scan or clone more than they
//! serve.
//!
//! Rebuilt after every mutation (a few milliseconds for 30,000 tasks). Positions
//! are (workspace index, entity index) pairs into the `World` vectors.

use super::config::TimeEntryRange;
use super::kept_pages::KeptPages;
use super::order_cache::OrderCache;
use super::tasks::Task;
use super::world::World;
use std::collections::HashMap;

pub(crate) type Pos = (usize, usize);

#[derive(Debug, Default)]
pub(crate) struct Index {
    pub workspaces: HashMap<String, usize>,
    pub spaces: HashMap<String, Pos>,
    pub folders: HashMap<String, Pos>,
    pub lists: HashMap<String, Pos>,
    pub tasks: HashMap<String, Pos>,
    pub goals: HashMap<String, Pos>,
    /// Tasks by the id of their home list.
    pub tasks_by_home_list: HashMap<String, Vec<Pos>>,
    /// Tasks by the ids of the extra lists in their `locations`.
    pub tasks_by_location: HashMap<String, Vec<Pos>>,
    /// Per workspace, per task: false when the task's home list, folder or space
    /// is archived (the team endpoint omits it).
    pub task_live: Vec<Vec<bool>>,
}

impl Index {
    pub(crate) fn build(world: &World) -> Index {
        let mut ix = Index::default();
        for (w, ws) in world.workspaces.iter().enumerate() {
            ix.workspaces.insert(ws.id.clone(), w);
            for (i, s) in ws.spaces.iter().enumerate() {
                ix.spaces.insert(s.id.clone(), (w, i));
            }
            for (i, f) in ws.folders.iter().enumerate() {
                ix.folders.insert(f.id.clone(), (w, i));
            }
            let mut list_live: HashMap<&str, bool> = HashMap::new();
            for (i, l) in ws.lists.iter().enumerate() {
                ix.lists.insert(l.id.clone(), (w, i));
                list_live.insert(l.id.as_str(), ws.list_is_live(l));
            }
            for (i, g) in ws.goals.iter().enumerate() {
                ix.goals.insert(g.id.clone(), (w, i));
            }
            let mut live = Vec::with_capacity(ws.tasks.len());
            for (i, t) in ws.tasks.iter().enumerate() {
                ix.tasks.insert(t.id.clone(), (w, i));
                ix.tasks_by_home_list
                    .entry(t.list.id.clone())
                    .or_default()
                    .push((w, i));
                for loc in &t.locations {
                    ix.tasks_by_location
                        .entry(loc.id.clone())
                        .or_default()
                        .push((w, i));
                }
                live.push(list_live.get(t.list.id.as_str()).copied().unwrap_or(false));
            }
            ix.task_live.push(live);
        }
        ix
    }

    pub(crate) fn is_task_live(&self, pos: Pos) -> bool {
        self.task_live
            .get(pos.0)
            .and_then(|v| v.get(pos.1))
            .copied()
            .unwrap_or(false)
    }
}

/// The world with its index; what the server holds under its lock.
pub(crate) struct WorldState {
    pub world: World,
    pub index: Index,
    pub orders: OrderCache,
    /// Task pages as sent, when `SimConfig::keep_task_pages` is on.
    pub pages: KeptPages,
    /// How the time-entry endpoint reads its date range.
    pub time_entry_range: TimeEntryRange,
}

impl WorldState {
    pub(crate) fn new(mut world: World, keep_task_pages: bool) -> WorldState {
        world.refresh_counts();
        let index = Index::build(&world);
        WorldState {
            world,
            index,
            orders: OrderCache::default(),
            pages: KeptPages::new(keep_task_pages),
            time_entry_range: TimeEntryRange::default(),
        }
    }

    /// After a mutation: recount, re-index, forget cached orders and kept pages.
    pub(crate) fn refresh(&mut self) {
        self.world.refresh_counts();
        self.index = Index::build(&self.world);
        self.orders.clear();
        self.pages.clear();
    }

    pub(crate) fn task_at(&self, (w, t): Pos) -> Option<&Task> {
        self.world.workspaces.get(w).and_then(|ws| ws.tasks.get(t))
    }
}
