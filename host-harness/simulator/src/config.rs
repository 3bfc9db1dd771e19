//! What a simulator run is configured with: data size, clock, tokens, rate limit
//! and fault injection.
//!
//! Every field has a default that matches a plain ClickUp workspace on the Free
//! plan (100 requests per minute per token, no faults), so tests only spell out
//! what they want to change: `SimConfig { size: Size::tiny(), ..SimConfig::default() }`.

use std::time::Duration;

/// The token a default configuration creates.
pub const DEFAULT_TOKEN: &str = "pk_1_SIMULATORTOKEN";

/// Everything a [`Simulator`](crate::Simulator) run is set up with. The default is a
/// `Size::small()` world with one token, the Free plan's 100 requests a minute and no faults.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Seed of the generated world: the same seed, size and `now_ms` give the same
    /// workspaces, ids and tasks on every machine and run.
    pub seed: u64,
    /// How big the generated data is.
    pub size: Size,
    /// The simulator's "now" for generated data; `None` = the real clock at start.
    pub now_ms: Option<i64>,
    /// 0 = an ephemeral port. The server always binds 127.0.0.1 only.
    pub port: u16,
    /// Per token: `limit` requests per fixed `window`.
    pub rate_limit: RateLimitConfig,
    /// Random fault shares; all zero by default.
    pub faults: FaultConfig,
    /// Empty = one token [`DEFAULT_TOKEN`] owned by the first member (the owner) of
    /// every workspace, seeing every workspace.
    pub tokens: Vec<TokenSpec>,
    /// How long each answer takes, like a real API across the internet. Default: none.
    pub latency: LatencyConfig,
    /// Make each task page once and send it again as it was while the world and the tokens
    /// stay unchanged (per token and request target), so a benchmark that warms the pages with
    /// one sync times the next without the simulator's own CPU beside the connector's (ClickUp
    /// makes its pages on its own machines). Requests are still counted, limited, faulted and
    /// delayed. Default: off.
    pub keep_task_pages: bool,
}

/// The time every answer takes before its headers are sent: `base` plus a uniformly random
/// share of `jitter` (so between `base` and `base + jitter`). Real ClickUp answers a 100-task
/// page in roughly 0.3–2 s. The time runs from the request's arrival, and the simulator's own
/// time making the answer is inside it (an answer that takes longer to make than its latency
/// comes when it is made). The request is counted and admitted by the rate limiter on arrival
/// (as a server across the internet counts it), and concurrent requests wait side by side.
/// Default: zero, zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LatencyConfig {
    /// The least time an answer takes.
    pub base: Duration,
    /// Up to this much more, drawn per request.
    pub jitter: Duration,
}

impl LatencyConfig {
    /// `base_ms` for every answer, `jitter_ms` more at most.
    pub fn ms(base_ms: u64, jitter_ms: u64) -> LatencyConfig {
        LatencyConfig {
            base: Duration::from_millis(base_ms),
            jitter: Duration::from_millis(jitter_ms),
        }
    }
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            seed: 1,
            size: Size::small(),
            now_ms: None,
            port: 0,
            rate_limit: RateLimitConfig::default(),
            faults: FaultConfig::default(),
            tokens: Vec::new(),
            latency: LatencyConfig::default(),
            keep_task_pages: false,
        }
    }
}

/// Shape of the generated world. On top of these numbers every world gets a few
/// fixed "layouts that break connectors" (see the `generate` module): an archived
/// space, an archived folder, a list of 250 tasks and a list of exactly 100.
#[derive(Clone, Debug, PartialEq)]
pub struct Size {
    /// Workspaces (API v2 "teams"), each with its own members, hierarchy, tasks,
    /// goals and time entries.
    pub workspaces: usize,
    /// Active spaces per workspace; every workspace also gets one archived space.
    pub spaces_per_workspace: usize,
    /// Folders per active space; the first space also gets an archived folder.
    pub folders_per_space: usize,
    /// Lists in each folder of an active space (an archived folder holds one).
    pub lists_per_folder: usize,
    /// Lists directly in each active space (served by `GET /space/{id}/list`).
    pub folderless_lists_per_space: usize,
    /// Average; each list gets between half and one and a half times this.
    pub tasks_per_list: usize,
    /// Members per workspace, owner included. At least 4 are made so that every
    /// role appears; from 5 on, some are invited users who never joined.
    pub members_per_workspace: usize,
    /// Goals per workspace; from 3 on, two goal folders are made and some goals
    /// are put in them.
    pub goals_per_workspace: usize,
    /// Time entries per workspace, spread over `history_days` and several users.
    pub time_entries_per_workspace: usize,
    /// How many days before "now" the data reaches back: task creation, time
    /// entry starts and member join dates (at least 1).
    pub history_days: u32,
}

impl Size {
    /// The smallest world that still holds every troublesome layout: 2 workspaces,
    /// 30 lists, ~540 tasks, 120 time entries.
    pub fn tiny() -> Size {
        Size {
            workspaces: 2,
            spaces_per_workspace: 2,
            folders_per_space: 2,
            lists_per_folder: 2,
            folderless_lists_per_space: 2,
            tasks_per_list: 6,
            members_per_workspace: 6,
            goals_per_workspace: 5,
            time_entries_per_workspace: 60,
            history_days: 120,
        }
    }

    /// The default: 2 workspaces of 3 spaces, ~20 tasks per list (~1,400 tasks)
    /// and 300 time entries per workspace over a year.
    pub fn small() -> Size {
        Size {
            workspaces: 2,
            spaces_per_workspace: 3,
            folders_per_space: 2,
            lists_per_folder: 3,
            folderless_lists_per_space: 2,
            tasks_per_list: 20,
            members_per_workspace: 10,
            goals_per_workspace: 8,
            time_entries_per_workspace: 300,
            history_days: 365,
        }
    }

    /// 3 workspaces of 3 spaces, ~60 tasks per list (~6,700 tasks) and 1,000 time
    /// entries per workspace over two years.
    pub fn medium() -> Size {
        Size {
            workspaces: 3,
            spaces_per_workspace: 3,
            folders_per_space: 3,
            lists_per_folder: 3,
            folderless_lists_per_space: 2,
            tasks_per_list: 60,
            members_per_workspace: 20,
            goals_per_workspace: 12,
            time_entries_per_workspace: 1_000,
            history_days: 730,
        }
    }

    /// 3 workspaces, 57 lists (15 folderless; 6 archived, 9 more in an archived
    /// space or folder), ~30,000 tasks and ~5,000 time entries over 3 years.
    pub fn reference() -> Size {
        Size {
            workspaces: 3,
            spaces_per_workspace: 2,
            folders_per_space: 2,
            lists_per_folder: 3,
            folderless_lists_per_space: 2,
            tasks_per_list: 540,
            members_per_workspace: 25,
            goals_per_workspace: 15,
            time_entries_per_workspace: 1_667,
            history_days: 1_095,
        }
    }

    /// The reference layout with `tasks_per_list` scaled to roughly `total` tasks
    /// (never fewer than the 350 of the two fixed special lists).
    pub fn with_tasks(total: usize) -> Size {
        let mut size = Size::reference();
        let ordinary_lists = size.list_count().saturating_sub(2).max(1);
        size.tasks_per_list = (total.saturating_sub(350) / ordinary_lists).max(1);
        size
    }

    /// Lists the world will have: what the size asks for plus, per workspace, the
    /// archived space's two lists and the archived folder's list.
    pub fn list_count(&self) -> usize {
        let per_space =
            self.folders_per_space * self.lists_per_folder + self.folderless_lists_per_space;
        let extras = 2 + usize::from(self.spaces_per_workspace > 0);
        self.workspaces * (self.spaces_per_workspace * per_space + extras)
    }
}

/// A token the simulator accepts.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenSpec {
    /// The token as clients send it in `Authorization`: raw (`pk_...`) or after `Bearer `.
    pub token: String,
    /// The user the token belongs to: the default "assignee" of time entries.
    pub user_id: i64,
    /// Workspace ids it may see; empty = all.
    pub workspaces: Vec<String>,
    /// Spaces this token cannot see: any endpoint under them answers
    /// 401 `{"err":"Team not authorized","ECODE":"OAUTH_027"}`, and the team-wide
    /// task and time-entry endpoints omit what lives in them.
    pub denied_spaces: Vec<String>,
}

/// ClickUp's per-token rate limit. The default, 100 requests a minute, is the Free,
/// Unlimited and Business plans' limit; Business Plus allows 1,000 and Enterprise 10,000.
#[derive(Clone, Debug, PartialEq)]
pub struct RateLimitConfig {
    /// Requests admitted per token in one window (sent as `X-RateLimit-Limit`);
    /// later ones answer 429 until the window ends.
    pub limit: u32,
    /// Length of the fixed window, which opens with a token's first request.
    pub window: Duration,
}

impl Default for RateLimitConfig {
    fn default() -> RateLimitConfig {
        RateLimitConfig {
            limit: 100,
            window: Duration::from_secs(60),
        }
    }
}

impl RateLimitConfig {
    /// Effectively no limit (for benchmarks and demos).
    pub fn unlimited() -> RateLimitConfig {
        RateLimitConfig {
            limit: u32::MAX,
            window: Duration::from_secs(60),
        }
    }
}

/// How `GET /team/{id}/time_entries` reads `start_date`/`end_date`. ClickUp documents only
/// "filtered by start and end date"; which of the two it does is not known (GUESS either way).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeEntryRange {
    /// Entries that *started* in `[start_date, end_date]` (the default).
    #[default]
    Start,
    /// Entries whose `[start, end]` overlaps `[start_date, end_date]`, a running timer reaching up
    /// to now: a long entry comes back for every window it touches.
    Overlap,
}

/// Random faults: each share is the probability that one request gets that fault.
/// The sequence of draws is deterministic from `seed`.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultConfig {
    /// Seed of the fault draws, independent of the world's seed.
    pub seed: u64,
    /// Share answered 429 with the rate-limit headers (without using up budget).
    pub rate_429: f64,
    /// Share answered 500, 502 or 503 with a ClickUp-shaped `{"err","ECODE"}` body.
    pub rate_5xx: f64,
    /// Close the connection without a response.
    pub rate_drop: f64,
    /// Answer normally, but only after `slow`.
    pub rate_slow: f64,
    /// How long a slow answer (`rate_slow`) is held back; 2 s by default.
    pub slow: Duration,
    /// Status 200, a `Content-Length` for the whole body, then only half of it
    /// before the connection is closed.
    pub rate_truncated: f64,
    /// The normal status with a body that is not valid JSON.
    pub rate_malformed: f64,
}

impl Default for FaultConfig {
    fn default() -> FaultConfig {
        FaultConfig {
            seed: 0,
            rate_429: 0.0,
            rate_5xx: 0.0,
            rate_drop: 0.0,
            rate_slow: 0.0,
            slow: Duration::from_secs(2),
            rate_truncated: 0.0,
            rate_malformed: 0.0,
        }
    }
}

/// One fault, for targeted injection with `Simulator::inject`.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// This status with a ClickUp-shaped `{"err","ECODE"}` body; a 429 carries the
    /// rate-limit headers and does not consume budget.
    Status(u16),
    /// Close the connection without a response.
    Drop,
    /// Answer normally after this delay.
    Slow(Duration),
    /// Declare the full length, send half of the body, close.
    Truncated,
    /// Status 200 and a cleanly framed answer (its `Content-Length` matches what is sent) whose
    /// body is only the first half of the JSON: what a proxy or load balancer delivers when its
    /// upstream connection broke mid-body and it closed its own response as if complete. The
    /// client's HTTP layer sees nothing wrong; only the JSON is cut short.
    ShortBody,
    /// Answer with a body that is not valid JSON.
    Malformed,
}
