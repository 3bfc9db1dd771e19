//! How long a task has been in each status (ClickUp's "Total time in Status").
//!
//! The simulator keeps no status log; a task's history is derived from the task
//! itself, deterministically:
//!
//! - it went forward through its home list's statuses, from the first to its current
//!   one, passing each status in between with a chance of 70% (drawn from a stream of
//!   its own, derived from the world seed and the task id);
//! - it entered its current status at `date_closed` (closed), at `date_done` (done),
//!   at `date_created` (still in the first status), or otherwise somewhere in the
//!   second half of `[date_created, date_updated]`; the earlier statuses share the
//!   time from `date_created` to then, split at random points;
//! - the current status lasts until the world's clock ([`World::status_clock_ms`]:
//!   the generation "now", or the latest mutation stamp if later), so answers do not
//!   change between two mutations;
//! - a task younger than one minute by that clock has no record yet: its answer is
//!   `{}`.
//!
//! `by_minute` is whole minutes (rounded down), `since` the ms string of when the
//! task first entered the status. `status_history` lists every status it was in,
//! the current one included, by `orderindex` (ClickUp's example fits both that and
//! newest-first: GUESS).

use super::clock::ms;
use super::hierarchy::Status;
use super::prng::SplitMix64;
use super::tasks::Task;
use super::world::World;
use serde_json::{json, Value};

/// Time in status is counted in whole minutes.
const MS_PER_MINUTE: i64 = 60_000;

/// Share of the statuses between a task's first and current one it passed through.
const PASS_SHARE: f64 = 0.7;

/// A stretch a task spent in one status.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusSpan {
    /// The status (name, color, type, orderindex as its home list defines it).
    pub status: Status,
    /// When the task entered it, in ms since the Unix epoch (sent as a string).
    pub since: i64,
    /// How long it stayed (to the world's clock for the current status), in whole
    /// minutes: `total_time.by_minute`.
    pub minutes: i64,
}

impl StatusSpan {
    fn total_time(&self) -> Value {
        json!({ "by_minute": self.minutes, "since": ms(self.since) })
    }
}

/// A task's time in status, as the time-in-status endpoints serve it.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeInStatus {
    /// Its current status; `None` for a task with no record yet (served as `{}`).
    pub current: Option<StatusSpan>,
    /// Every status it has been in, the current one included, by `orderindex`.
    pub history: Vec<StatusSpan>,
}

impl TimeInStatus {
    /// The history of `task`, whose home list has `statuses`, as of `now_ms` (ms since
    /// the Unix epoch), drawing from the stream `seed` and the task id give.
    pub fn of(task: &Task, statuses: &[Status], seed: u64, now_ms: i64) -> TimeInStatus {
        let created = task.date_created;
        let now = now_ms.max(created);
        if now - created < MS_PER_MINUTE {
            return TimeInStatus {
                current: None,
                history: Vec::new(),
            };
        }
        let mut r = SplitMix64::derive(seed, &format!("time-in-status:{}", task.id));
        let mut ordered: Vec<&Status> = statuses.iter().collect();
        ordered.sort_by_key(|s| s.orderindex);
        let at = ordered
            .iter()
            .position(|s| s.id == task.status.id)
            .or_else(|| ordered.iter().position(|s| s.status == task.status.status));
        let mut path: Vec<Status> = match at {
            Some(c) => {
                let mut path = Vec::new();
                for (i, s) in ordered.iter().enumerate().take(c) {
                    if i == 0 || r.chance(PASS_SHARE) {
                        path.push((*s).clone());
                    }
                }
                path
            }
            None => Vec::new(),
        };
        path.push(task.status.clone());
        let entered = if path.len() == 1 {
            created
        } else if task.status.is_done() {
            task.date_closed
                .or(task.date_done)
                .unwrap_or(task.date_updated)
        } else {
            let span = (task.date_updated - created).max(0);
            let half = span / 2;
            created + half + r.range_i64(0, span - half)
        }
        .clamp(created, now);
        // Points where the task left each earlier status, in order.
        let mut cuts: Vec<i64> = (1..path.len().saturating_sub(1))
            .map(|_| r.range_i64(created, entered))
            .collect();
        cuts.sort_unstable();
        // When the task entered each status of its path: created, the cuts, entered.
        let mut starts = vec![created];
        if path.len() > 1 {
            starts.extend(cuts);
            starts.push(entered);
        }
        let history: Vec<StatusSpan> = path
            .into_iter()
            .enumerate()
            .map(|(i, status)| {
                let since = starts.get(i).copied().unwrap_or(now);
                let until = starts.get(i + 1).copied().unwrap_or(now);
                StatusSpan {
                    status,
                    since,
                    minutes: (until - since).max(0) / MS_PER_MINUTE,
                }
            })
            .collect();
        TimeInStatus {
            current: history.last().cloned(),
            history,
        }
    }

    /// `{"current_status": {status, color, total_time}, "status_history": [{status,
    /// color, type, total_time, orderindex}]}`, or `{}` without a record.
    pub fn to_api_json(&self) -> Value {
        let Some(current) = &self.current else {
            return json!({});
        };
        let history: Vec<Value> = self
            .history
            .iter()
            .map(|s| {
                json!({
                    "status": s.status.status,
                    "color": s.status.color,
                    "type": s.status.kind,
                    "total_time": s.total_time(),
                    "orderindex": s.status.orderindex,
                })
            })
            .collect();
        json!({
            "current_status": {
                "status": current.status.status,
                "color": current.status.color,
                "total_time": current.total_time(),
            },
            "status_history": history,
        })
    }
}

impl World {
    /// The moment time in status is counted to: the generation "now", or the latest
    /// timestamp a mutation issued if that is later.
    pub fn status_clock_ms(&self) -> i64 {
        self.now_ms.max(self.last_stamp_ms)
    }

    /// The time in status the endpoints serve for the task with this id (whether or
    /// not its workspace has the feature); `None` if there is no such task (never
    /// created, or deleted).
    pub fn time_in_status(&self, task_id: &str) -> Option<TimeInStatus> {
        let (w, t) = self.find_task(task_id)?;
        let ws = self.workspaces.get(w)?;
        let task = ws.tasks.get(t)?;
        let statuses = ws
            .list(&task.list.id)
            .map(|l| l.statuses.as_slice())
            .unwrap_or(&[]);
        Some(TimeInStatus::of(
            task,
            statuses,
            self.seed,
            self.status_clock_ms(),
        ))
    }
}
