//! What a simulator run is configured with: data size, clock, tokens, rate limit
//! and fault injection.
//!
//! Every field has a default that matches a plain ClickUp workspace on the Free
//! plan (100 requests per minute per token, no faults), so tests only spell out
//! what they want to change: `SimConfig { size: Size::tiny(), ..SimConfig::default() }`.

use std::time::Duration;

/// The token a default configuration creates.
pub const DEFAULT_TOKEN: &str = "pk_1_SIMULATORTOKEN";

#[derive(Clone, Debug)]
pub struct SimConfig {
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
        }
    }
}

/// Shape of the generated world. On top of these numbers every world gets a few
/// fixed "layouts that break connectors" (see the `generate` module): an archived
/// space, an archived folder, a list of 250 tasks and a list of exactly 100.
#[derive(Clone, Debug, PartialEq)]
pub struct Size {
    pub workspaces: usize,
    pub spaces_per_workspace: usize,
    pub folders_per_space: usize,
    pub lists_per_folder: usize,
    pub folderless_lists_per_space: usize,
    /// Average; each list gets between half and one and a half times this.
    pub tasks_per_list: usize,
    pub members_per_workspace: usize,
    pub goals_per_workspace: usize,
    pub time_entries_per_workspace: usize,
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

#[derive(Clone, Debug, PartialEq)]
pub struct RateLimitConfig {
    pub limit: u32,
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

/// Random faults: each share is the probability that one request gets that fault.
/// The sequence of draws is deterministic from `seed`.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultConfig {
    pub seed: u64,
    pub rate_429: f64,
    pub rate_5xx: f64,
    /// Close the connection without a response.
    pub rate_drop: f64,
    /// Answer normally, but only after `slow`.
    pub rate_slow: f64,
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
    /// Answer with a body that is not valid JSON.
    Malformed,
}
