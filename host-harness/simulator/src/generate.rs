//! Generates the world deterministically from a seed, a [`Size`] and a "now".
//!
//! Besides the volumes a `Size` asks for, every world — even `Size::tiny()` —
//! holds the layouts that break known connectors (the table in the end-to-end suite's `prior_art.rs`):
//!
//! - in the first workspace, a folder list of **250 tasks** (paging beyond 100) and
//!   a folderless list of **exactly 100 tasks** (a "short page" stop rule must ask
//!   for a page 1 and get nothing); neither has archived tasks or `locations`
//!   pointing at it;
//! - per workspace: an **archived space** (one folder with one list, one
//!   folderless list), an **archived folder** in the first space, an archived
//!   folder list and an archived folderless list in the first space, and a
//!   **hidden** folder; all of them hold tasks;
//! - custom fields of every type ClickUp documents, in the value shapes it sends,
//!   defined for the Workspace, plus a few defined at the first space, folder and
//!   list (see `scoped_fields`), which only the tasks under them carry;
//!   in the big list, task 10 holds drop-down and labels values that point at
//!   deleted options (elsewhere ~2% of such values do);
//! - ~5% of tasks wait on an older task (`dependencies`) and ~4% link to another
//!   (`linked_tasks`), both tasks of a pair listing the entry; every workspace with
//!   2+ tasks has at least one of each;
//! - in every list of 4+ tasks: a closed task (index 1), a subtask (index 2) and a
//!   subtask of that subtask (index 3); elsewhere ~18% closed, ~5% `done`, ~15%
//!   subtasks, ~2% individually archived tasks (never in archived lists);
//! - ~4% of tasks are also in other lists (`locations`);
//! - in the big list, task 5 is individually archived, task 6 sets every custom
//!   field and has a fractional `time_estimate`, task 7 lives in another list too,
//!   task 8 leaves every custom field absent and task 9 sets every one to `null`;
//! - members with all four roles (at least 4 members), invited members with a
//!   `null` username when there are 5 or more;
//! - goals in and out of goal folders, some completed (goals 3 and 4, then every
//!   4th), each with key results;
//! - time entries for several users over `history_days`; in each workspace the
//!   owner has one entry 5 days old and one 45 days old, and in the first
//!   workspace the owner's timer is running (no `end`, negative numeric duration).
//!
//! Generation is a pure function of (seed, size, now_ms). Custom fields beyond the
//! first ten (and those below the Workspace), dependencies and links draw from streams of their own (derived from
//! the seed), so that adding them did not change the rest of the world.

use super::clock::MS_PER_DAY;
use super::config::Size;
use super::goals::{Goal, GoalFolder, KeyResult};
use super::hierarchy::{Folder, FolderRef, List, ListStatus, Space, SpaceRef, Status};
use super::ids::{uuid_from, IdMint};
use super::names::{
    COLORS, FIRST_NAMES, FOLDER_NAMES, GOAL_NAMES, LAST_NAMES, LIST_NAMES, SPACE_NAMES, TAGS,
    TIME_DESCRIPTIONS, WORKSPACE_NAMES,
};
use super::people::{Member, User, ROLE_ADMIN, ROLE_GUEST, ROLE_MEMBER, ROLE_OWNER};
use super::prng::SplitMix64;
use super::scoped_fields::scoped_fields;
use super::task_factory::{build_task, FieldFill, Lifecycle, RefPool, TaskContext, TaskPlan};
use super::tasks::{
    CustomField, Dependency, FieldScope, ListRef, Tag, Task, TaskLink, DEPENDENCY_TYPE_BLOCKING,
    DEPENDENCY_TYPE_WAITING_ON,
};
use super::time_entries::{TaskLocation, TimeEntry, TimeEntryTask};
use super::world::{Workspace, World};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Tasks in the big list of the first workspace.
pub const BIG_LIST_TASKS: usize = 250;
/// Tasks in the exactly-one-page list of the first workspace.
pub const EXACT_PAGE_LIST_TASKS: usize = 100;

impl World {
    /// Builds the world for `seed` and `size`, dated against `now_ms` (ms since the
    /// Unix epoch). The same arguments always give the same world.
    pub fn generate(seed: u64, size: &Size, now_ms: i64) -> World {
        let mut g = Generator {
            seed,
            size,
            now: now_ms,
            ids: IdMint::new(seed),
            rng: SplitMix64::derive(seed, "world"),
        };
        let owner = g.user(0, 0);
        let workspaces = (0..size.workspaces)
            .map(|w| g.workspace(w, &owner))
            .collect();
        let mut world = World {
            seed,
            now_ms,
            workspaces,
            ids: g.ids,
            rng: SplitMix64::derive(seed, "mutations"),
            last_stamp_ms: now_ms,
        };
        world.refresh_counts();
        world.last_stamp_ms = latest_timestamp(&world).max(now_ms);
        world
    }
}

/// Points each `list_relationship` field at the list it relates tasks from: the
/// first live folderless list (else the first live list).
fn bind_related_lists(ws: &mut Workspace) {
    let target = ws
        .lists
        .iter()
        .find(|l| ws.list_is_live(l) && l.folderless)
        .or_else(|| ws.lists.iter().find(|l| ws.list_is_live(l)))
        .map(|l| l.id.clone());
    let Some(list_id) = target else {
        return;
    };
    for field in &mut ws.custom_fields {
        if field.kind == "list_relationship" {
            let mut bound = CustomField::clone(field);
            if let Value::Object(config) = &mut bound.type_config {
                config.insert("subcategory_id".into(), json!(list_id));
            }
            *field = Arc::new(bound);
        }
    }
}

fn latest_timestamp(world: &World) -> i64 {
    let mut latest = i64::MIN;
    for ws in &world.workspaces {
        for t in &ws.tasks {
            latest = latest.max(t.date_updated);
        }
        for e in &ws.time_entries {
            latest = latest.max(e.at);
        }
        for g in &ws.goals {
            latest = latest.max(g.date_updated);
        }
    }
    latest
}

struct Generator<'a> {
    seed: u64,
    size: &'a Size,
    now: i64,
    ids: IdMint,
    rng: SplitMix64,
}

impl Generator<'_> {
    fn history_start(&self) -> i64 {
        self.now - i64::from(self.size.history_days.max(1)) * MS_PER_DAY
    }

    fn user(&mut self, w: usize, i: usize) -> User {
        let id = self.ids.user();
        let first = FIRST_NAMES[(w * 7 + i * 3) % FIRST_NAMES.len()];
        let last = LAST_NAMES[(w * 5 + i) % LAST_NAMES.len()];
        let ascii: String = first
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase();
        User {
            id,
            username: Some(format!("{first} {last}")),
            email: format!("{ascii}.{id}@example.com"),
            color: self.rng.chance(0.8).then(|| self.pick_color()),
            initials: format!(
                "{}{}",
                first.chars().next().unwrap_or('X'),
                last.chars().next().unwrap_or('X')
            ),
            profile_picture: self
                .rng
                .chance(0.5)
                .then(|| format!("https://attachments.clickup.com/profilePictures/{id}_abc.jpg")),
        }
    }

    fn pick_color(&mut self) -> String {
        self.rng
            .pick(COLORS)
            .copied()
            .unwrap_or("#7b68ee")
            .to_string()
    }

    fn workspace(&mut self, w: usize, owner: &User) -> Workspace {
        let id = self.ids.numeric();
        let mut ws = Workspace {
            name: WORKSPACE_NAMES[w % WORKSPACE_NAMES.len()].to_string(),
            color: self.pick_color(),
            avatar: (w % 2 == 1)
                .then(|| format!("https://attachments.clickup.com/team_avatars/{id}.png")),
            id,
            members: Vec::new(),
            spaces: Vec::new(),
            folders: Vec::new(),
            lists: Vec::new(),
            tasks: Vec::new(),
            custom_fields: Vec::new(),
            tags: Vec::new(),
            goal_folders: Vec::new(),
            goals: Vec::new(),
            time_entries: Vec::new(),
            time_in_status: true,
        };
        ws.members = self.members(w, owner);
        ws.custom_fields = self.custom_fields(w);
        ws.tags = TAGS
            .iter()
            .map(|(name, fg, bg)| Tag {
                name: name.to_string(),
                tag_fg: fg.to_string(),
                tag_bg: bg.to_string(),
                creator: owner.id,
            })
            .collect();
        self.hierarchy(&mut ws, w);
        bind_related_lists(&mut ws);
        let scoped = scoped_fields(self.seed, w, &ws, self.history_start());
        ws.custom_fields.extend(scoped);
        self.tasks(&mut ws, w == 0);
        self.goals(&mut ws);
        self.time_entries(&mut ws, w == 0);
        ws
    }

    fn members(&mut self, w: usize, owner: &User) -> Vec<Member> {
        let count = self.size.members_per_workspace.max(4);
        let joined_floor = self.history_start() - 30 * MS_PER_DAY;
        let mut members = vec![Member {
            user: owner.clone(),
            role: ROLE_OWNER,
            last_active: Some(self.now - 3_600_000),
            date_joined: Some(joined_floor),
            date_invited: joined_floor,
            invited_by: None,
        }];
        for i in 1..count {
            let mut user = self.user(w, i);
            let role = match i {
                1 => ROLE_ADMIN,
                2 => ROLE_MEMBER,
                3 => ROLE_GUEST,
                _ if i % 6 == 0 => ROLE_ADMIN,
                _ if i % 5 == 0 => ROLE_GUEST,
                _ => ROLE_MEMBER,
            };
            let invited = count >= 5 && (i == count - 1 || i % 7 == 6);
            let date_invited = self.rng.range_i64(joined_floor, self.now - MS_PER_DAY);
            let (last_active, date_joined) = if invited {
                user.username = None;
                user.profile_picture = None;
                (None, None)
            } else {
                let joined = self.rng.range_i64(date_invited, self.now - MS_PER_DAY);
                (Some(self.rng.range_i64(joined, self.now)), Some(joined))
            };
            members.push(Member {
                user,
                role,
                last_active,
                date_joined,
                date_invited,
                invited_by: Some(owner.clone()),
            });
        }
        members
    }

    /// The workspace's fields: the ten the simulator started with (their ids and
    /// options from the generator's streams, as always), then one of every other type
    /// ClickUp documents, from a stream of their own.
    fn custom_fields(&mut self, w: usize) -> Vec<Arc<CustomField>> {
        let created = self.history_start();
        let options = |g: &mut Generator, names: &[&str], labels: bool| {
            names
                .iter()
                .enumerate()
                .map(|(n, name)| {
                    let color = g.pick_color();
                    if labels {
                        json!({ "id": g.ids.uuid(), "label": name, "color": color })
                    } else {
                        json!({ "id": g.ids.uuid(), "name": name, "color": color, "orderindex": n })
                    }
                })
                .collect::<Vec<_>>()
        };
        let labels = options(self, &["API", "Web", "Mobile"], true);
        let mut stages = options(self, &["Discovery", "Build", "Launch"], false);
        // Listed out of orderindex order: Build (1), Launch (2), Discovery (0).
        stages.rotate_left(1);
        let mut x = SplitMix64::derive(self.seed, &format!("custom-fields:{w}"));
        let color = |x: &mut SplitMix64| x.pick(COLORS).copied().unwrap_or("#7b68ee");
        let retired_label =
            json!({ "id": uuid_from(&mut x), "label": "Legacy", "color": color(&mut x) });
        let retired_stage = json!({
            "id": uuid_from(&mut x), "name": "On hold", "color": color(&mut x), "orderindex": 3,
        });
        let users_config = json!({
            "single_user": false, "include_groups": true, "include_guests": true,
            "include_team_members": true,
        });
        let legacy = vec![
            ("Story Points", "number", json!({}), Vec::new()),
            ("Customer", "short_text", json!({}), Vec::new()),
            (
                "Components",
                "labels",
                json!({ "sorting": "manual", "options": labels }),
                vec![retired_label],
            ),
            ("Office", "location", json!({}), Vec::new()),
            (
                "Stage",
                "drop_down",
                json!({
                    "default": 0, "placeholder": null, "new_drop_down": true,
                    "sorting": "manual", "options": stages,
                }),
                vec![retired_stage],
            ),
            ("Reviewed", "checkbox", json!({}), Vec::new()),
            ("Go-live", "date", json!({}), Vec::new()),
            ("Reviewer", "users", users_config, Vec::new()),
            (
                "Budget",
                "currency",
                json!({ "precision": 2, "currency_type": "USD", "default": null }),
                Vec::new(),
            ),
            ("Contact", "email", json!({}), Vec::new()),
        ];
        let mut fields: Vec<Arc<CustomField>> = legacy
            .into_iter()
            .map(|(name, kind, type_config, retired_options)| {
                Arc::new(CustomField {
                    id: self.ids.uuid(),
                    scope: FieldScope::Workspace,
                    name: name.to_string(),
                    kind: kind.to_string(),
                    type_config,
                    retired_options,
                    date_created: created,
                    hide_from_guests: false,
                    required: false,
                })
            })
            .collect();
        let points_id = fields.first().map(|f| f.id.clone()).unwrap_or_default();
        // Severity: orderindex as strings (as the docs show it), listed out of order,
        // and "Medium" ("2") deleted after tasks had picked it.
        let mut severity = Vec::new();
        for (name, index) in [("High", "1"), ("Low", "3"), ("Critical", "0")] {
            severity.push(json!({
                "id": uuid_from(&mut x), "name": name, "color": color(&mut x), "orderindex": index,
            }));
        }
        let retired_severity = json!({
            "id": uuid_from(&mut x), "name": "Medium", "color": color(&mut x), "orderindex": "2",
        });
        let newer = vec![
            ("Website", "url", json!({}), Vec::new()),
            ("Phone", "phone", json!({}), Vec::new()),
            ("Notes", "text", json!({}), Vec::new()),
            (
                "Rating",
                "emoji",
                json!({ "code_point": "2b50", "count": 5 }),
                Vec::new(),
            ),
            ("Related tasks", "tasks", json!({}), Vec::new()),
            (
                "Account",
                "list_relationship",
                // `subcategory_id` (the related list) is set once lists exist.
                json!({ "fields": [], "subcategory_id": "", "subcategory_inverted_name": "Related tasks" }),
                Vec::new(),
            ),
            (
                "Progress",
                "manual_progress",
                json!({ "start": 0, "end": 20 }),
                Vec::new(),
            ),
            (
                "Completion",
                "automatic_progress",
                json!({
                    "tracking": { "subtasks": true, "checklists": true, "assigned_comments": true },
                    "complete_on": 3,
                    "subtask_rollup": false,
                }),
                Vec::new(),
            ),
            (
                "Estimated cost",
                "formula",
                json!({
                    "formula": format!("field(\"{points_id}\") * 37.5"),
                    "version": "1.6",
                    "is_dynamic": false,
                    "return_types": ["number"],
                    "calculation_state": "ready",
                }),
                Vec::new(),
            ),
            ("Files", "attachment", json!({}), Vec::new()),
            (
                "Severity",
                "drop_down",
                json!({ "sorting": "manual", "new_drop_down": true, "options": severity }),
                vec![retired_severity],
            ),
        ];
        for (name, kind, type_config, retired_options) in newer {
            fields.push(Arc::new(CustomField {
                id: uuid_from(&mut x),
                scope: FieldScope::Workspace,
                name: name.to_string(),
                kind: kind.to_string(),
                type_config,
                retired_options,
                date_created: created + x.range_i64(0, 30) * MS_PER_DAY,
                hide_from_guests: false,
                required: false,
            }));
        }
        fields
    }

    fn statuses(&mut self, space_id: &str) -> Vec<Status> {
        let defs = [
            ("to do", "open", "#d3d3d3"),
            ("in progress", "custom", "#4194f6"),
            ("review", "custom", "#a875ff"),
            ("shipped", "done", "#6bc950"),
            ("complete", "closed", "#6bc950"),
        ];
        defs.iter()
            .enumerate()
            .map(|(n, (status, kind, color))| Status {
                id: format!("p{space_id}_{}", self.ids.token(8)),
                status: status.to_string(),
                kind: kind.to_string(),
                orderindex: n as i64,
                color: color.to_string(),
            })
            .collect()
    }

    /// Spaces, folders and lists, including the fixed archived/hidden extras.
    fn hierarchy(&mut self, ws: &mut Workspace, w: usize) {
        let s_count = self.size.spaces_per_workspace;
        for s in 0..=s_count {
            let archived_space = s == s_count;
            let space_id = self.ids.numeric();
            let private = !archived_space && s == 1;
            let members = if private {
                ws.members.iter().take(2).map(|m| m.user.clone()).collect()
            } else {
                Vec::new()
            };
            let space = Space {
                name: if archived_space {
                    "Archive".to_string()
                } else {
                    SPACE_NAMES[(w * 3 + s) % SPACE_NAMES.len()].to_string()
                },
                color: (s % 3 != 2).then(|| self.pick_color()),
                private,
                avatar: None,
                archived: archived_space,
                statuses: self.statuses(&space_id),
                multiple_assignees: true,
                members,
                hidden_folder_id: self.ids.numeric(),
                id: space_id,
            };
            let f_regular = self.size.folders_per_space;
            let f_count = if archived_space {
                1
            } else if s == 0 {
                f_regular + 1
            } else {
                f_regular
            };
            for f in 0..f_count {
                let extra_archived = !archived_space && s == 0 && f == f_regular;
                let folder = Folder {
                    id: self.ids.numeric(),
                    name: if extra_archived {
                        "Old projects".to_string()
                    } else {
                        FOLDER_NAMES[(w + s * 2 + f) % FOLDER_NAMES.len()].to_string()
                    },
                    orderindex: f as i64,
                    override_statuses: false,
                    hidden: !archived_space && s == 0 && f_regular >= 2 && f == f_regular - 1,
                    space: space.as_ref(),
                    archived: extra_archived,
                    task_count: 0,
                    statuses: Vec::new(),
                };
                let l_count = if archived_space || extra_archived {
                    1
                } else {
                    self.size.lists_per_folder
                };
                for l in 0..l_count {
                    let archived = !archived_space
                        && !extra_archived
                        && s == 0
                        && f == 0
                        && l_count >= 2
                        && l == l_count - 1;
                    let list = self.list(&space, folder.as_ref(), false, l, archived);
                    ws.lists.push(list);
                }
                ws.folders.push(folder);
            }
            let fl_count = if archived_space {
                1
            } else {
                self.size.folderless_lists_per_space
            };
            for l in 0..fl_count {
                let archived = !archived_space && s == 0 && fl_count >= 2 && l == fl_count - 1;
                let list = self.list(&space, space.hidden_folder(), true, l, archived);
                ws.lists.push(list);
            }
            ws.spaces.push(space);
        }
    }

    fn list(
        &mut self,
        space: &Space,
        folder: FolderRef,
        folderless: bool,
        l: usize,
        archived: bool,
    ) -> List {
        let id = self.ids.numeric();
        let base = LIST_NAMES[(l + folder.name.len()) % LIST_NAMES.len()];
        let name = if folderless {
            format!("{base} (no folder)")
        } else {
            base.to_string()
        };
        let due_date = self
            .rng
            .chance(0.3)
            .then(|| self.now + self.rng.range_i64(1, 90) * MS_PER_DAY);
        List {
            inbound_address: format!("a.t.{id}.{}@tasks.clickup.com", self.ids.token(10)),
            id,
            name,
            orderindex: l as i64,
            content: if self.rng.chance(0.5) {
                String::new()
            } else {
                "Where the work happens.".to_string()
            },
            status: self.rng.chance(0.3).then(|| ListStatus {
                status: "green".into(),
                color: "#6bc950".into(),
            }),
            priority: self.rng.chance(0.3).then(|| 1 + self.rng.below(4) as u8),
            task_count: 0,
            due_date,
            start_date: None,
            folder,
            folderless,
            space: SpaceRef {
                id: space.id.clone(),
                name: space.name.clone(),
            },
            archived,
            override_statuses: false,
            statuses: space.statuses.clone(),
        }
    }

    fn tasks(&mut self, ws: &mut Workspace, first_workspace: bool) {
        let live: Vec<bool> = ws.lists.iter().map(|l| ws.list_is_live(l)).collect();
        let (big, exact) = if first_workspace {
            let big = ws
                .lists
                .iter()
                .enumerate()
                .position(|(i, l)| live[i] && !l.folderless);
            let exact = ws
                .lists
                .iter()
                .enumerate()
                .position(|(i, l)| live[i] && l.folderless && Some(i) != big)
                .or_else(|| (0..ws.lists.len()).find(|&i| live[i] && Some(i) != big));
            (big, exact)
        } else {
            (None, None)
        };
        let users: Vec<User> = ws
            .members
            .iter()
            .filter(|m| !m.is_invited())
            .map(|m| m.user.clone())
            .collect();
        let mut tasks: Vec<Task> = Vec::new();
        for (i, list) in ws.lists.iter().enumerate() {
            let n = if Some(i) == big {
                BIG_LIST_TASKS
            } else if Some(i) == exact {
                EXACT_PAGE_LIST_TASKS
            } else if self.size.tasks_per_list == 0 {
                0
            } else {
                let scale = 0.5 + self.rng.unit();
                ((self.size.tasks_per_list as f64 * scale).round() as usize).max(1)
            };
            let fields = ws.fields_for_list(&list.id);
            let ctx = TaskContext {
                team_id: &ws.id,
                users: &users,
                fields: &fields,
                tags: &ws.tags,
                list,
                now_ms: self.now,
                seed: self.seed,
            };
            let may_archive = !list.archived && Some(i) != exact;
            self.list_tasks(&ctx, n, Some(i) == big, may_archive, &mut tasks);
        }
        // Some tasks also live in other lists; never in the exact-page list.
        let targets: Vec<ListRef> = ws
            .lists
            .iter()
            .enumerate()
            .filter(|(i, _)| live[*i] && Some(*i) != exact)
            .map(|(_, l)| ListRef {
                id: l.id.clone(),
                name: l.name.clone(),
            })
            .collect();
        let exact_id = exact.and_then(|i| ws.lists.get(i)).map(|l| l.id.clone());
        let big_id = big.and_then(|i| ws.lists.get(i)).map(|l| l.id.clone());
        let mut big_index = 0;
        for task in &mut tasks {
            if Some(&task.list.id) == exact_id.as_ref() {
                continue;
            }
            let forced = if Some(&task.list.id) == big_id.as_ref() {
                big_index += 1;
                big_index == 8
            } else {
                false
            };
            if forced || self.rng.chance(0.04) {
                let extra = 1 + self.rng.below(2);
                for _ in 0..extra {
                    if let Some(target) = self.rng.pick(&targets) {
                        if target.id != task.list.id && !task.locations.contains(target) {
                            task.locations.push(target.clone());
                        }
                    }
                }
            }
        }
        let pool = RefPool::new(&tasks);
        for task in &mut tasks {
            pool.fill(task, self.seed);
        }
        self.relations(&ws.id, &mut tasks, &users);
        ws.tasks = tasks;
    }

    /// Dependencies and links between tasks of one workspace, from a stream of their
    /// own. A task only waits on a task created before it (so there are no cycles);
    /// most pairs share a list. Both tasks of a pair hold the entry.
    fn relations(&self, ws_id: &str, tasks: &mut [Task], users: &[User]) {
        let n = tasks.len();
        if n < 2 {
            return;
        }
        let mut r = SplitMix64::derive(self.seed, &format!("relations:{ws_id}"));
        let created: Vec<i64> = tasks.iter().map(|t| t.date_created).collect();
        let updated: Vec<i64> = tasks.iter().map(|t| t.date_updated).collect();
        let mut by_list: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, t) in tasks.iter().enumerate() {
            by_list.entry(t.list.id.clone()).or_default().push(i);
        }
        let lists: Vec<&[usize]> = tasks
            .iter()
            .map(|t| by_list.get(&t.list.id).map_or(&[][..], Vec::as_slice))
            .collect();
        let partner = |r: &mut SplitMix64, i: usize| -> usize {
            let same = lists.get(i).copied().unwrap_or(&[]);
            if same.len() > 1 && r.chance(0.7) {
                r.pick(same).copied().unwrap_or(i)
            } else {
                r.below(n as u64) as usize
            }
        };
        let stamp = |r: &mut SplitMix64, i: usize, j: usize| -> (i64, i64) {
            let lo = created[i].max(created[j]);
            let hi = lo.max(updated[i].min(updated[j]));
            let user = r.pick(users).map(|u| u.id).unwrap_or(0);
            (r.range_i64(lo, hi), user)
        };
        let mut deps: Vec<(usize, usize, Dependency)> = Vec::new();
        let mut links: Vec<(usize, usize, TaskLink)> = Vec::new();
        let mut dep_pairs: HashSet<(usize, usize)> = HashSet::new();
        let mut link_pairs: HashSet<(usize, usize)> = HashSet::new();
        let mut add_dep = |r: &mut SplitMix64, i: usize, j: usize, deps: &mut Vec<_>| -> bool {
            if i == j || created[j] >= created[i] || !dep_pairs.insert((i, j)) {
                return false;
            }
            let (date_created, userid) = stamp(r, i, j);
            let kind = if r.chance(0.3) {
                DEPENDENCY_TYPE_BLOCKING
            } else {
                DEPENDENCY_TYPE_WAITING_ON
            };
            let (Some(a), Some(b)) = (tasks.get(i), tasks.get(j)) else {
                return false;
            };
            let dep = Dependency {
                task_id: a.id.clone(),
                depends_on: b.id.clone(),
                kind,
                date_created,
                userid,
                workspace_id: ws_id.to_string(),
            };
            deps.push((i, j, dep));
            true
        };
        let mut add_link = |r: &mut SplitMix64, i: usize, j: usize, links: &mut Vec<_>| {
            if i == j || !link_pairs.insert((i.min(j), i.max(j))) {
                return;
            }
            let (date_created, userid) = stamp(r, i, j);
            let (Some(a), Some(b)) = (tasks.get(i), tasks.get(j)) else {
                return;
            };
            let link = TaskLink {
                task_id: a.id.clone(),
                link_id: b.id.clone(),
                date_created,
                userid,
                workspace_id: ws_id.to_string(),
            };
            links.push((i, j, link));
        };
        for i in 0..n {
            if r.chance(0.06) {
                let count = if r.chance(0.25) { 2 } else { 1 };
                for _ in 0..count {
                    // A few tries to find a task created before this one.
                    for _ in 0..4 {
                        let j = partner(&mut r, i);
                        if add_dep(&mut r, i, j, &mut deps) {
                            break;
                        }
                    }
                }
            }
            if r.chance(0.04) {
                let j = partner(&mut r, i);
                add_link(&mut r, i, j, &mut links);
            }
        }
        if deps.is_empty() {
            let newest = (0..n).max_by_key(|&i| (created[i], i)).unwrap_or(0);
            let oldest = (0..n).min_by_key(|&i| (created[i], i)).unwrap_or(0);
            let _ = add_dep(&mut r, newest, oldest, &mut deps);
        }
        if links.is_empty() {
            add_link(&mut r, 0, 1, &mut links);
        }
        for (i, j, dep) in deps {
            if let Some(t) = tasks.get_mut(j) {
                t.dependencies.push(dep.clone());
            }
            if let Some(t) = tasks.get_mut(i) {
                t.dependencies.push(dep);
            }
        }
        for (i, j, link) in links {
            if let Some(t) = tasks.get_mut(j) {
                t.linked_tasks.push(link.clone());
            }
            if let Some(t) = tasks.get_mut(i) {
                t.linked_tasks.push(link);
            }
        }
    }

    fn list_tasks(
        &mut self,
        ctx: &TaskContext,
        n: usize,
        big: bool,
        may_archive: bool,
        out: &mut Vec<Task>,
    ) {
        let history_start = self.history_start();
        let latest_created = self.now - 3_600_000;
        // (id, created, top-level id) of the tasks created so far in this list.
        let mut made: Vec<(String, i64, String)> = Vec::new();
        for i in 0..n {
            let parent_slot = match i {
                2 => Some(0),
                3 => Some(2),
                _ if i >= 4 && self.rng.chance(0.15) => Some(self.rng.below(i as u64) as usize),
                _ => None,
            };
            let parent = parent_slot.and_then(|p| made.get(p)).cloned();
            let created = match &parent {
                Some((_, parent_created, _)) => self
                    .rng
                    .range_i64(*parent_created, latest_created.max(*parent_created)),
                None => self.rng.range_i64(history_start, latest_created),
            };
            let lifecycle = if i == 1 {
                Lifecycle::Closed
            } else {
                let roll = self.rng.unit();
                if roll < 0.18 {
                    Lifecycle::Closed
                } else if roll < 0.23 {
                    Lifecycle::Done
                } else {
                    Lifecycle::Open
                }
            };
            let archived = may_archive && ((big && i == 5) || (i != 5 && self.rng.chance(0.02)));
            let fields = match (big, i) {
                (true, 6) => FieldFill::AllSet,
                (true, 8) => FieldFill::AllAbsent,
                (true, 9) => FieldFill::AllNull,
                _ => FieldFill::Random,
            };
            let plan = TaskPlan {
                created_ms: created,
                lifecycle,
                parent: parent
                    .as_ref()
                    .map(|(id, _, top)| (id.clone(), top.clone())),
                archived,
                fields,
                fractional_estimate: big && i == 6,
                option_drift: big && i == 10,
            };
            let task = build_task(ctx, &mut self.ids, &mut self.rng, i as i64, plan);
            let top = match &parent {
                Some((_, _, top)) => top.clone(),
                None => task.id.clone(),
            };
            made.push((task.id.clone(), created, top));
            out.push(task);
        }
    }

    fn goals(&mut self, ws: &mut Workspace) {
        let g_count = self.size.goals_per_workspace;
        let owner = ws.members.first().map(|m| m.user.clone());
        let owner_id = owner.as_ref().map(|u| u.id).unwrap_or(0);
        let active: Vec<User> = ws
            .members
            .iter()
            .filter(|m| !m.is_invited())
            .map(|m| m.user.clone())
            .collect();
        if g_count >= 3 {
            for name in ["Company OKRs", "Team goals"] {
                let created = self.rng.range_i64(self.history_start(), self.now);
                let members = owner.iter().map(|u| (u.clone(), created)).collect();
                ws.goal_folders.push(GoalFolder {
                    id: self.ids.uuid(),
                    name: name.to_string(),
                    team_id: ws.id.clone(),
                    private: false,
                    date_created: created,
                    creator: owner_id,
                    members,
                });
            }
        }
        for i in 0..g_count {
            let folder_id = match (i % 3, ws.goal_folders.len()) {
                (_, 0) | (0, _) => None,
                (1, _) => ws.goal_folders.first().map(|f| f.id.clone()),
                _ => ws.goal_folders.last().map(|f| f.id.clone()),
            };
            let completed = i == 3 || i == 4 || (i > 4 && i % 4 == 3);
            let created = self
                .rng
                .range_i64(self.history_start(), self.now - MS_PER_DAY);
            let updated = self.rng.range_i64(created, self.now);
            let kr_count = if i % 5 == 2 {
                0
            } else {
                1 + self.rng.below(3) as usize
            };
            let key_results = (0..kr_count)
                .map(|k| {
                    let kind = ["number", "percentage", "boolean", "currency"][k % 4];
                    let end = if kind == "boolean" { 1.0 } else { 100.0 };
                    let current = if completed {
                        end
                    } else {
                        (self.rng.below(end as u64) as f64).min(end - 1.0).max(0.0)
                    };
                    KeyResult {
                        id: self.ids.uuid(),
                        name: format!("Key result {}", k + 1),
                        creator: owner_id,
                        kind: kind.to_string(),
                        date_created: created,
                        steps_start: 0.0,
                        steps_end: end,
                        steps_current: current,
                        unit: if kind == "currency" {
                            "USD".into()
                        } else {
                            String::new()
                        },
                    }
                })
                .collect();
            let mut members: Vec<User> = owner.iter().cloned().collect();
            if let Some(u) = self.rng.pick(&active) {
                if members.iter().all(|m| m.id != u.id) {
                    members.push(u.clone());
                }
            }
            ws.goals.push(Goal {
                id: self.ids.uuid(),
                pretty_id: (i + 1).to_string(),
                name: GOAL_NAMES[i % GOAL_NAMES.len()].to_string(),
                team_id: ws.id.clone(),
                creator: owner_id,
                color: self.pick_color(),
                date_created: created,
                start_date: self.rng.chance(0.6).then_some(created),
                due_date: created + 90 * MS_PER_DAY,
                description: if i % 2 == 0 {
                    String::new()
                } else {
                    "Why this matters.".into()
                },
                private: false,
                archived: false,
                multiple_owners: true,
                date_updated: updated,
                last_update: updated,
                folder_id,
                pinned: i == 0,
                owners: owner.iter().cloned().collect(),
                members,
                completed,
                key_results,
            });
        }
    }

    fn time_entries(&mut self, ws: &mut Workspace, first_workspace: bool) {
        let count = self.size.time_entries_per_workspace;
        let users: Vec<User> = ws
            .members
            .iter()
            .filter(|m| !m.is_invited())
            .map(|m| m.user.clone())
            .collect();
        let Some(owner) = users.first().cloned() else {
            return;
        };
        let history_start = self.history_start();
        let days_old = |d: i64, g: &Generator| (g.now - d * MS_PER_DAY).max(history_start);
        let mut entries = Vec::with_capacity(count);
        for i in 0..count {
            let running = first_workspace && i == 0;
            let (user, start) = match i {
                0 if running => (owner.clone(), self.now - 25 * 60_000),
                0 | 1 => (
                    owner.clone(),
                    days_old(5, self) - self.rng.range_i64(0, 3_600_000),
                ),
                2 => (
                    owner.clone(),
                    days_old(45, self) - self.rng.range_i64(0, 3_600_000),
                ),
                _ => {
                    let user = if self.rng.chance(0.4) {
                        owner.clone()
                    } else {
                        self.rng
                            .pick(&users)
                            .cloned()
                            .unwrap_or_else(|| owner.clone())
                    };
                    (
                        user,
                        self.rng.range_i64(history_start, self.now - 2 * 3_600_000),
                    )
                }
            };
            let (end, duration, at) = if running {
                (None, -(self.now - start), start)
            } else {
                let duration = self.rng.range_i64(5 * 60_000, 4 * 3_600_000);
                let end = (start + duration).min(self.now);
                let at = if self.rng.chance(0.2) {
                    (end + self.rng.range_i64(0, 3 * MS_PER_DAY)).min(self.now)
                } else {
                    end
                };
                (Some(end), end - start, at)
            };
            let linked = if self.rng.chance(0.85) && !ws.tasks.is_empty() {
                let t = self.rng.below(ws.tasks.len() as u64) as usize;
                ws.tasks.get(t)
            } else {
                None
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
            let tags = if self.rng.chance(0.2) {
                self.rng.pick(&ws.tags).cloned().into_iter().collect()
            } else {
                Vec::new()
            };
            entries.push(TimeEntry {
                id: self.ids.time_entry(),
                task,
                location,
                wid: ws.id.clone(),
                user,
                billable: self.rng.chance(0.5),
                start,
                end,
                duration,
                description: self
                    .rng
                    .pick(TIME_DESCRIPTIONS)
                    .copied()
                    .unwrap_or("")
                    .to_string(),
                tags,
                at,
            });
        }
        entries.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
        ws.time_entries = entries;
    }
}
