//! Builds one task with realistic, deliberately awkward field values.
//!
//! Used by the world generator and by `World::create_tasks`. The plan says what
//! must be true of the task (closed, subtask of, archived, ...); the rest is drawn
//! from the generator so that every variant of every field shows up somewhere:
//! null and object priorities, fractional estimates, every custom-field value
//! kind, empty descriptions, null due dates.

use super::clock::{ms, MS_PER_DAY};
use super::hierarchy::{List, Status};
use super::ids::IdMint;
use super::names::{TASK_OBJECTS, TASK_VERBS};
use super::people::User;
use super::prng::SplitMix64;
use super::tasks::{
    Checklist, ChecklistItem, CustomField, CustomValue, FieldValue, ListRef, Tag, Task,
};
use serde_json::{json, Value};
use std::sync::Arc;

/// What the workspace offers a new task.
pub struct TaskContext<'a> {
    /// Id of the workspace the task belongs to (its `team_id`).
    pub team_id: &'a str,
    /// Members who may create, own and watch tasks (invited users excluded).
    pub users: &'a [User],
    /// The workspace's custom-field definitions; the task gets a value slot for each.
    pub fields: &'a [Arc<CustomField>],
    /// The workspace's tags, from which the task's are drawn.
    pub tags: &'a [Tag],
    /// The task's home list, which gives it its statuses, folder and space.
    pub list: &'a List,
    /// The generation "now", in ms since the Unix epoch: the latest the task's
    /// update, done and closed times can be.
    pub now_ms: i64,
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
    let custom_fields = ctx
        .fields
        .iter()
        .map(|f| FieldValue {
            field: Arc::clone(f),
            value: custom_value(f, plan.fields, ctx, rng, created),
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

fn custom_value(
    field: &CustomField,
    fill: FieldFill,
    ctx: &TaskContext,
    rng: &mut SplitMix64,
    created: i64,
) -> CustomValue {
    let set = match fill {
        FieldFill::AllSet => true,
        FieldFill::AllAbsent => return CustomValue::Absent,
        FieldFill::AllNull => return CustomValue::Null,
        FieldFill::Random => {
            let roll = rng.unit();
            if roll < 0.03 {
                return CustomValue::Null;
            }
            roll < 0.6
        }
    };
    if !set {
        return CustomValue::Absent;
    }
    let option_ids = |rng: &mut SplitMix64, n: usize| -> Vec<Value> {
        let opts = field
            .type_config
            .get("options")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut chosen = Vec::new();
        for _ in 0..n {
            if let Some(id) = rng.pick(&opts).and_then(|o| o.get("id")).cloned() {
                if !chosen.contains(&id) {
                    chosen.push(id);
                }
            }
        }
        chosen
    };
    let value = match field.kind.as_str() {
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
            Value::Array(option_ids(rng, n))
        }
        "drop_down" => json!(rng.below(3)),
        "checkbox" => json!("true"),
        "date" => ms(created + rng.range_i64(1, 90) * MS_PER_DAY),
        "users" => {
            let n = 1 + rng.below(2) as usize;
            Value::Array(
                pick_users(ctx.users, rng, n)
                    .iter()
                    .map(User::to_api_json)
                    .collect(),
            )
        }
        "location" => json!({
            "location": { "lat": 52.52 + rng.unit(), "lng": 13.40 + rng.unit() },
            "formatted_address": "Alexanderplatz 1, 10178 Berlin, Germany",
        }),
        _ => json!(rng.range_i64(1, 5)),
    };
    CustomValue::Set(value)
}
