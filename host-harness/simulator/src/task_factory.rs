//! Builds one task with realistic, deliberately awkward field values.
//!
//! Used by the world generator and by `World::create_tasks`. The plan says what
//! must be true of the task (closed, subtask of, archived, ...); the rest is drawn
//! from the generator so that every variant of every field shows up somewhere:
//! null and object priorities, fractional estimates, every custom-field value
//! kind, empty descriptions, null due dates.
//!
//! Custom-field values take the shapes ClickUp sends (see `CLICKUP_API.md`, "Custom
//! field values in task bodies"), varied the way ClickUp varies them: numbers and
//! currencies sometimes as numeric strings (`"12.50"`), dates as ms strings and
//! sometimes numbers, a drop-down's value is its option's `orderindex`, a checkbox is
//! `"true"`. Rarely a drop-down or labels value still points at an option that was
//! deleted since ([`CustomField::retired_options`]).
//!
//! Draws: the first ten Workspace-level fields (the ones the simulator started with)
//! draw whether and what they hold from the generator's stream, exactly as before;
//! every other draw about Workspace-level fields (the newer field types, the shape
//! variations, the drift) comes from a stream of the task's own, derived from the world
//! seed and the task id, and fields defined at a space, folder or list draw from a
//! second stream of the task's own, so adding them left the rest of the world as it was.

use super::clock::{ms, MS_PER_DAY};
use super::hierarchy::{List, Status};
use super::ids::{uuid_from, IdMint};
use super::names::{TASK_OBJECTS, TASK_VERBS};
use super::people::User;
use super::prng::SplitMix64;
use super::tasks::{
    Checklist, ChecklistItem, CustomField, CustomValue, FieldScope, FieldValue, ListRef, Tag, Task,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The workspace's first fields, which draw from the generator's stream (see the
/// module docs).
const LEGACY_FIELDS: usize = 10;

/// Share of drop-down and labels values (of fields with retired options) that still
/// point at a deleted option.
const DRIFT_SHARE: f64 = 0.02;

/// What the workspace offers a new task.
pub struct TaskContext<'a> {
    /// Id of the workspace the task belongs to (its `team_id`).
    pub team_id: &'a str,
    /// Members who may create, own and watch tasks (invited users excluded).
    pub users: &'a [User],
    /// The custom fields that apply to the home list (`Workspace::fields_for_list`:
    /// the Workspace's first); the task gets a value slot for each.
    pub fields: &'a [Arc<CustomField>],
    /// The workspace's tags, from which the task's are drawn.
    pub tags: &'a [Tag],
    /// The task's home list, which gives it its statuses, folder and space.
    pub list: &'a List,
    /// The generation "now", in ms since the Unix epoch: the latest the task's
    /// update, done and closed times can be.
    pub now_ms: i64,
    /// The world's seed: with the task id, it seeds the task's own stream of draws
    /// for custom-field values (see the module docs).
    pub seed: u64,
}

/// Where in its life a new task is, which decides its status type and dates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lifecycle {
    /// A status of type `open` or `custom`: neither `date_done` nor `date_closed`.
    Open,
    /// A status of type `done`: `date_done` set, not closed.
    Done,
    /// A status of type `closed`: `date_closed` and `date_done` set.
    Closed,
}

/// How a new task's custom fields get their values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FieldFill {
    /// Field by field: ~57% set, ~40% absent (no `value` key), ~3% `"value": null`.
    Random,
    /// Every field gets a value of its type.
    AllSet,
    /// No field has a `value` key.
    AllAbsent,
    /// Every field has `"value": null`.
    AllNull,
}

/// What must be true of a new task; [`build_task`] draws everything else.
pub struct TaskPlan {
    /// When the task was created, in ms since the Unix epoch.
    pub created_ms: i64,
    /// Whether it is open, done or closed.
    pub lifecycle: Lifecycle,
    /// (parent id, top-level parent id).
    pub parent: Option<(String, String)>,
    /// Whether it is individually archived.
    pub archived: bool,
    /// How its custom fields are filled.
    pub fields: FieldFill,
    /// Force a fractional `time_estimate`.
    pub fractional_estimate: bool,
    /// Force option drift: every field with retired options gets a value that still
    /// points at one (a drop-down's stale `orderindex`, a labels id no longer listed).
    pub option_drift: bool,
}

impl TaskPlan {
    /// An open, top-level, unarchived task created at `created_ms` (ms since the Unix
    /// epoch), with randomly filled custom fields.
    pub fn open(created_ms: i64) -> TaskPlan {
        TaskPlan {
            created_ms,
            lifecycle: Lifecycle::Open,
            parent: None,
            archived: false,
            fields: FieldFill::Random,
            fractional_estimate: false,
            option_drift: false,
        }
    }
}

/// Builds a task in `ctx.list` as `plan` says, minting its ids from `ids` and drawing
/// the other fields from `rng`; `orderindex` is its position in the list.
pub fn build_task(
    ctx: &TaskContext,
    ids: &mut IdMint,
    rng: &mut SplitMix64,
    orderindex: i64,
    plan: TaskPlan,
) -> Task {
    let id = ids.task();
    let created = plan.created_ms;
    let now = ctx.now_ms.max(created);
    let name = format!(
        "{} {}",
        rng.pick(TASK_VERBS).copied().unwrap_or("Do"),
        rng.pick(TASK_OBJECTS).copied().unwrap_or("thing")
    );
    let description = if rng.chance(0.3) {
        String::new()
    } else {
        format!("Context for “{name}”.\nSee the linked doc for details.")
    };
    let status = pick_status(&ctx.list.statuses, plan.lifecycle, rng);
    let (date_closed, date_done) = match plan.lifecycle {
        Lifecycle::Open => (None, None),
        Lifecycle::Done => {
            let d = rng.range_i64(created, now);
            (None, Some(d))
        }
        Lifecycle::Closed => {
            let d = rng.range_i64(created, now);
            (Some(d), Some(d))
        }
    };
    let floor = date_done.unwrap_or(created);
    let date_updated = if rng.chance(0.2) {
        floor
    } else {
        rng.range_i64(floor, now)
    };
    let creator = pick_user(ctx.users, rng);
    let assignee_count = if rng.chance(0.3) {
        0
    } else {
        1 + rng.below(2) as usize
    };
    let assignees = pick_users(ctx.users, rng, assignee_count);
    let mut watchers = vec![creator.clone()];
    for a in &assignees {
        if a.id != creator.id {
            watchers.push(a.clone());
        }
    }
    let tag_count = rng.below(3) as usize;
    let tags: Vec<Tag> = (0..tag_count)
        .filter_map(|_| rng.pick(ctx.tags).cloned())
        .fold(Vec::new(), |mut acc, t: Tag| {
            if !acc.iter().any(|x: &Tag| x.name == t.name) {
                acc.push(t);
            }
            acc
        });
    let priority = if rng.chance(0.4) {
        None
    } else {
        Some(1 + rng.below(4) as u8)
    };
    let due_date = rng
        .chance(0.5)
        .then(|| created + rng.range_i64(1, 60) * MS_PER_DAY);
    let start_date = rng
        .chance(0.3)
        .then(|| created + rng.range_i64(0, 10) * MS_PER_DAY);
    let points = rng
        .chance(0.2)
        .then(|| *rng.pick(&[0.5, 1.0, 2.0, 3.0, 5.0, 8.0]).unwrap_or(&1.0));
    let time_estimate = if plan.fractional_estimate {
        Some(rng.range_i64(1, 20) as f64 * 1_800_000.0 + 0.5)
    } else if rng.chance(0.4) {
        None
    } else if rng.chance(0.2) {
        Some(rng.range_i64(1, 9_000_000) as f64 + 0.25)
    } else {
        Some(rng.range_i64(1, 16) as f64 * 3_600_000.0)
    };
    let time_spent = if rng.chance(0.6) {
        0
    } else {
        rng.range_i64(60_000, 36_000_000)
    };
    let mut own = SplitMix64::derive(ctx.seed, &format!("task:{id}"));
    let mut scoped = SplitMix64::derive(ctx.seed, &format!("task-scoped-fields:{id}"));
    let slot = Slot {
        ctx,
        plan: &plan,
        created,
        task_id: &id,
    };
    let mut workspace_fields = 0;
    let custom_fields = ctx
        .fields
        .iter()
        .map(|f| {
            let (value, value_richtext) = if f.scope == FieldScope::Workspace {
                let legacy = workspace_fields < LEGACY_FIELDS;
                workspace_fields += 1;
                slot.value(f, legacy, rng, &mut own)
            } else {
                slot.value(f, false, rng, &mut scoped)
            };
            FieldValue {
                field: Arc::clone(f),
                value,
                value_richtext,
            }
        })
        .collect();
    let checklists = if rng.chance(0.1) {
        vec![Checklist {
            id: ids.uuid(),
            name: "Checklist".into(),
            date_created: created,
            creator: creator.id,
            items: (0..2 + rng.below(2))
                .map(|n| ChecklistItem {
                    id: ids.uuid(),
                    name: format!("Step {}", n + 1),
                    resolved: rng.chance(0.5),
                    date_created: created,
                })
                .collect(),
        }]
    } else {
        Vec::new()
    };
    let custom_item_id = match rng.below(20) {
        0 => Some(1),
        1..=7 => None,
        _ => Some(0),
    };
    let (parent, top_level_parent) = match plan.parent {
        Some((p, top)) => (Some(p), Some(top)),
        None => (None, None),
    };
    Task {
        custom_id: rng.chance(0.1).then(|| format!("DEV-{}", 100 + orderindex)),
        custom_item_id,
        text_content: description.clone(),
        description,
        name,
        status,
        orderindex,
        date_created: created,
        date_updated,
        date_closed,
        date_done,
        archived: plan.archived,
        creator,
        assignees,
        watchers,
        checklists,
        tags,
        parent,
        top_level_parent,
        priority,
        due_date,
        start_date,
        points,
        time_estimate,
        time_spent,
        custom_fields,
        dependencies: Vec::new(),
        linked_tasks: Vec::new(),
        locations: Vec::new(),
        team_id: ctx.team_id.to_string(),
        list: ListRef {
            id: ctx.list.id.clone(),
            name: ctx.list.name.clone(),
        },
        folder: ctx.list.folder.clone(),
        space_id: ctx.list.space.id.clone(),
        id,
    }
}

/// The status a task of this lifecycle gets from its list's statuses.
pub fn pick_status(statuses: &[Status], lifecycle: Lifecycle, rng: &mut SplitMix64) -> Status {
    let wanted: Vec<&Status> = statuses
        .iter()
        .filter(|s| match lifecycle {
            Lifecycle::Open => s.kind == "open" || s.kind == "custom",
            Lifecycle::Done => s.kind == "done",
            Lifecycle::Closed => s.kind == "closed",
        })
        .collect();
    rng.pick(&wanted)
        .map(|s| (*s).clone())
        .or_else(|| statuses.first().cloned())
        .unwrap_or_else(|| Status {
            id: "p0_open".into(),
            status: "to do".into(),
            kind: "open".into(),
            orderindex: 0,
            color: "#d3d3d3".into(),
        })
}

fn pick_user(users: &[User], rng: &mut SplitMix64) -> User {
    rng.pick(users).cloned().unwrap_or_else(|| User {
        id: 0,
        username: Some("ClickBot".into()),
        email: "bot@example.com".into(),
        color: None,
        initials: "CB".into(),
        profile_picture: None,
    })
}

fn pick_users(users: &[User], rng: &mut SplitMix64, n: usize) -> Vec<User> {
    let mut out: Vec<User> = Vec::new();
    for _ in 0..n {
        if let Some(u) = rng.pick(users) {
            if !out.iter().any(|x| x.id == u.id) {
                out.push(u.clone());
            }
        }
    }
    out
}

/// What a custom-field value of one task is drawn for.
struct Slot<'a, 'w> {
    ctx: &'a TaskContext<'w>,
    plan: &'a TaskPlan,
    created: i64,
    task_id: &'a str,
}

impl Slot<'_, '_> {
    /// The value (and `value_richtext`) of `field`. `legacy` fields decide and draw
    /// their value from `main`, as they always did; everything else comes from `own`.
    fn value(
        &self,
        field: &CustomField,
        legacy: bool,
        main: &mut SplitMix64,
        own: &mut SplitMix64,
    ) -> (CustomValue, Option<String>) {
        let drifting = self.plan.option_drift && !field.retired_options.is_empty();
        let natural = match self.plan.fields {
            FieldFill::AllSet => None,
            FieldFill::AllAbsent => return (CustomValue::Absent, None),
            FieldFill::AllNull => return (CustomValue::Null, None),
            FieldFill::Random => {
                let roll = if legacy { main.unit() } else { own.unit() };
                if roll < 0.03 {
                    Some(CustomValue::Null)
                } else if roll < 0.6 {
                    None
                } else {
                    Some(CustomValue::Absent)
                }
            }
        };
        let raw = match natural {
            None if legacy => self.draw(field, main),
            None => self.draw(field, own),
            Some(_) if drifting => self.draw(field, own),
            Some(unset) => return (unset, None),
        };
        let (mut value, richtext) = vary(field, raw, own);
        if !field.retired_options.is_empty() && (drifting || own.chance(DRIFT_SHARE)) {
            value = drift(field, value);
        }
        (CustomValue::Set(value), richtext)
    }

    /// The value in its plainest shape. For the legacy types the draws are exactly
    /// the ones the simulator always made.
    fn draw(&self, field: &CustomField, rng: &mut SplitMix64) -> Value {
        let created = self.created;
        match field.kind.as_str() {
            "number" => {
                if rng.chance(0.5) {
                    json!(rng.range_i64(1, 13))
                } else {
                    json!(rng.range_i64(1, 40) as f64 / 4.0 + 0.25)
                }
            }
            "currency" => json!(rng.range_i64(100, 100_000) as f64 / 100.0),
            "short_text" => json!(format!("Customer #{}", rng.range_i64(1, 500))),
            "email" => json!(format!("contact{}@example.com", rng.range_i64(1, 99))),
            "labels" => {
                let n = 1 + rng.below(2) as usize;
                let opts = field.options();
                let mut chosen = Vec::new();
                for _ in 0..n {
                    if let Some(id) = rng.pick(opts).and_then(|o| o.get("id")).cloned() {
                        if !chosen.contains(&id) {
                            chosen.push(id);
                        }
                    }
                }
                Value::Array(chosen)
            }
            "drop_down" => {
                // The selected option's orderindex: options need not be listed in
                // orderindex order, and it may be a string in `type_config`.
                let opts = field.options();
                let k = rng.below(opts.len() as u64) as usize;
                json!(opts.get(k).and_then(orderindex).unwrap_or(k as i64))
            }
            "checkbox" => json!("true"),
            "date" => ms(created + rng.range_i64(1, 90) * MS_PER_DAY),
            "users" => {
                let n = 1 + rng.below(2) as usize;
                Value::Array(
                    pick_users(self.ctx.users, rng, n)
                        .iter()
                        .map(User::to_api_json)
                        .collect(),
                )
            }
            "location" => json!({
                "location": { "lat": 52.52 + rng.unit(), "lng": 13.40 + rng.unit() },
                "formatted_address": "Alexanderplatz 1, 10178 Berlin, Germany",
            }),
            "url" => json!(format!(
                "https://{}.example.com/projects/{}",
                rng.pick(&["acme", "globex", "initech"])
                    .copied()
                    .unwrap_or("acme"),
                rng.range_i64(100, 9_999)
            )),
            "phone" => json!(format!(
                "+{} {}",
                rng.pick(&["1 415", "44 20", "49 30"])
                    .copied()
                    .unwrap_or("1 415"),
                rng.range_i64(1_000_000, 9_999_999)
            )),
            "text" => json!(rng.pick(TEXT_VALUES).copied().unwrap_or("See the brief.")),
            "emoji" => {
                let count = field
                    .type_config
                    .get("count")
                    .and_then(Value::as_i64)
                    .unwrap_or(5);
                json!(rng.range_i64(0, count))
            }
            // Filled with real tasks of the workspace once they all exist (see
            // `RefPool`); an empty array is also what a cleared relationship holds.
            "tasks" | "list_relationship" => json!([]),
            "manual_progress" => {
                let start = config_i64(field, "start", 0);
                let end = config_i64(field, "end", 100).max(start + 1);
                let current = rng.range_i64(start, end);
                json!({
                    "current": current,
                    "percent_completed": (current - start) * 100 / (end - start),
                })
            }
            "automatic_progress" => json!({
                "percent_completed": rng.pick(&[0, 25, 33, 50, 67, 100]).copied().unwrap_or(0),
            }),
            "formula" => {
                let cost = rng.range_i64(1, 40) as f64 * 37.5;
                if cost.fract() == 0.0 {
                    json!(cost as i64)
                } else {
                    json!(cost)
                }
            }
            "attachment" => {
                let n = 1 + rng.below(2) as usize;
                Value::Array((0..n).map(|_| self.attachment(rng)).collect())
            }
            _ => json!(rng.range_i64(1, 5)),
        }
    }

    /// An attachment object as attachment fields (and task `attachments`) hold them.
    fn attachment(&self, rng: &mut SplitMix64) -> Value {
        let (title, extension, mimetype) = *rng
            .pick(&[
                ("contract.pdf", "pdf", "application/pdf"),
                ("mockup.png", "png", "image/png"),
                ("export.csv", "csv", "text/csv"),
            ])
            .unwrap_or(&("contract.pdf", "pdf", "application/pdf"));
        let id = format!("{}.{extension}", uuid_from(rng));
        let team = self.ctx.team_id;
        let url = format!("https://t{team}.p.clickup-attachments.com/t{team}/{id}/{title}");
        let image = extension == "png";
        let date = rng.range_i64(self.created, self.ctx.now_ms.max(self.created));
        json!({
            "id": id,
            "date": ms(date),
            "title": title,
            "type": 1,
            "source": 1,
            "version": 0,
            "extension": extension,
            "thumbnail_small": image.then(|| format!("{url}?w=100")),
            "thumbnail_medium": image.then(|| format!("{url}?w=300")),
            "thumbnail_large": image.then(|| format!("{url}?w=600")),
            "is_folder": null,
            "mimetype": mimetype,
            "hidden": false,
            "parent_id": self.task_id,
            "size": rng.range_i64(2_000, 4_000_000),
            "total_comments": 0,
            "resolved_comments": 0,
            "user": pick_user(self.ctx.users, rng).to_api_json(),
            "deleted": false,
            "orientation": null,
            "url": url,
            "email_data": null,
            "url_w_query": format!("{url}?view=open"),
            "url_w_host": url,
        })
    }
}

/// Notes for `text` fields: several lines, non-ASCII and markup-like characters.
const TEXT_VALUES: &[&str] = &[
    "Customer asked for the export by Friday.",
    "Blocked on legal review.\nFollow up next week.",
    "Notes from the kick-off — “scope” is still open; see <doc> & the thread.",
    "Zweite Runde: Übersetzungen prüfen.",
];

fn config_i64(field: &CustomField, key: &str, default: i64) -> i64 {
    field
        .type_config
        .get(key)
        .and_then(Value::as_i64)
        .unwrap_or(default)
}

/// An option's `orderindex`, a JSON integer or a numeric string.
fn orderindex(option: &Value) -> Option<i64> {
    match option.get("orderindex")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The shape variations ClickUp shows for the same kind of value, drawn from `own`.
fn vary(field: &CustomField, value: Value, own: &mut SplitMix64) -> (Value, Option<String>) {
    let as_text = |v: &Value| match v {
        Value::Number(n) => Value::String(n.to_string()),
        other => other.clone(),
    };
    match field.kind.as_str() {
        "number" if own.chance(0.25) => (as_text(&value), None),
        "currency" if own.chance(0.35) => {
            let v = value.as_f64().unwrap_or(0.0);
            (json!(format!("{v:.2}")), None)
        }
        "formula" if own.chance(0.3) => (as_text(&value), None),
        "date" if own.chance(0.15) => {
            let n = value.as_str().and_then(|s| s.parse::<i64>().ok());
            (n.map_or(value, |n| json!(n)), None)
        }
        "location" if own.chance(0.6) => {
            let mut value = value;
            if let Value::Object(map) = &mut value {
                let token: String = (0..22)
                    .map(|_| {
                        let c = own.below(62) as u8;
                        char::from(match c {
                            0..=9 => b'0' + c,
                            10..=35 => b'a' + c - 10,
                            _ => b'A' + c - 36,
                        })
                    })
                    .collect();
                map.insert("place_id".into(), json!(format!("ChIJ{token}")));
            }
            (value, None)
        }
        "manual_progress" if own.chance(0.5) => {
            let mut value = value;
            if let Some(current) = value.get_mut("current") {
                *current = as_text(current);
            }
            (value, None)
        }
        "text" if own.chance(0.6) => {
            let text = value.as_str().unwrap_or("").to_string();
            let rich = json!({ "ops": [{ "insert": format!("{text}\n") }] }).to_string();
            (value, Some(rich))
        }
        _ => (value, None),
    }
}

/// The value pointing at a deleted option: a drop-down's stale `orderindex`; a labels
/// array with one id no longer among the options.
fn drift(field: &CustomField, value: Value) -> Value {
    let Some(retired) = field.retired_options.first() else {
        return value;
    };
    match field.kind.as_str() {
        "drop_down" => orderindex(retired).map_or(value, |o| json!(o)),
        "labels" => {
            let mut ids = match value {
                Value::Array(ids) => ids,
                _ => Vec::new(),
            };
            if let Some(id) = retired.get("id") {
                if !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
            Value::Array(ids)
        }
        _ => value,
    }
}

/// The tasks of a workspace as `tasks` and `list_relationship` values point at them;
/// [`RefPool::fill`] puts real ones into a task's (still empty) values.
pub(crate) struct RefPool {
    targets: Vec<Value>,
    ids: Vec<String>,
    by_list: HashMap<String, Vec<usize>>,
}

impl RefPool {
    /// The pool of these tasks.
    pub(crate) fn new<'a>(tasks: impl IntoIterator<Item = &'a Task>) -> RefPool {
        let mut pool = RefPool {
            targets: Vec::new(),
            ids: Vec::new(),
            by_list: HashMap::new(),
        };
        for t in tasks {
            pool.by_list
                .entry(t.list.id.clone())
                .or_default()
                .push(pool.ids.len());
            pool.ids.push(t.id.clone());
            pool.targets.push(json!({
                "id": t.id,
                "name": t.name,
                "status": t.status.status,
                "color": t.status.color,
                "custom_type": null,
                "team_id": t.team_id,
                "deleted": false,
                "url": format!("https://app.clickup.com/t/{}", t.id),
                "access": true,
            }));
        }
        pool
    }

    /// Fills the task's empty `tasks` values with 1-2 other tasks of the pool, and its
    /// empty `list_relationship` values with 1-2 tasks of the field's related list,
    /// drawing from a stream of the task's own (derived from `seed` and its id).
    pub(crate) fn fill(&self, task: &mut Task, seed: u64) {
        let mut rng = SplitMix64::derive(seed, &format!("refs:{}", task.id));
        for slot in &mut task.custom_fields {
            let empty = matches!(&slot.value, CustomValue::Set(Value::Array(a)) if a.is_empty());
            if !empty {
                continue;
            }
            // `None` = any task of the pool.
            let candidates: Option<&Vec<usize>> = match slot.field.kind.as_str() {
                "tasks" => None,
                "list_relationship" => match slot
                    .field
                    .related_list_id()
                    .and_then(|l| self.by_list.get(l))
                {
                    Some(c) => Some(c),
                    None => continue,
                },
                _ => continue,
            };
            let want = 1 + rng.below(2) as usize;
            let mut chosen: Vec<usize> = Vec::new();
            for _ in 0..want * 4 {
                if chosen.len() == want {
                    break;
                }
                let k = match candidates {
                    None => {
                        (!self.ids.is_empty()).then(|| rng.below(self.ids.len() as u64) as usize)
                    }
                    Some(c) => rng.pick(c).copied(),
                };
                if let Some(k) = k {
                    if self.ids.get(k) != Some(&task.id) && !chosen.contains(&k) {
                        chosen.push(k);
                    }
                }
            }
            let refs: Vec<Value> = chosen
                .iter()
                .filter_map(|&k| self.targets.get(k).cloned())
                .collect();
            slot.value = CustomValue::Set(Value::Array(refs));
        }
    }
}
