//! A deterministic simulator of the ClickUp API v2, served on loopback.
//!
//! End-to-end tests run the real connector component in wasmtime against it, and
//! the `simulate` and `demo` commands use it in place of api.clickup.com. It has
//! to be faithful where connectors go wrong, so its data contains every layout
//! that breaks the known connectors (pagination past 100, folderless and archived
//! lists, closed tasks and subtasks, tasks in several lists, goal folders, the
//! 30-day/owner-only time-entry default, custom fields of every type in their
//! polymorphic shapes, options deleted under their values, task dependencies and
//! links, ...), and its endpoints reproduce ClickUp's defaults, errors and rate
//! limiting. Facts come
//! from `CLICKUP_API.md` (beside this crate's `Cargo.toml`: ClickUp's docs and
//! recorded answers, each fact tagged with how sure it is); where that file says GUESS, the module that
//! implements the behaviour documents the choice made.
//!
//! ```no_run
//! use clickup_sim::{SimConfig, Simulator, Size};
//! let sim = Simulator::start(SimConfig { size: Size::tiny(), ..SimConfig::default() })?;
//! let url = format!("{}/team", sim.base_url()); // Authorization: sim.token()
//! let created = sim.mutate(|w| w.create_tasks(3));
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! Layout: entities (`people`, `hierarchy`, `tasks`, `goals`, `time_entries`,
//! `time_in_status`, `world`), how they are made (`generate`, `scoped_fields`,
//! `task_factory`, `ids`, `names`, `prng`) and changed (`mutations`, `child_edits`, `deletes`); the
//! endpoints (`routes`, `access`, `*_endpoints`, `task_search`, `query`, `api_error`);
//! the request path
//! (`pipeline`: counting, `rate_limit`, `faults`, `auth`, `kept_pages` for benchmarks) and the
//! server (`server`, `body`, `shared`).

mod access;
mod api_error;
mod auth;
mod body;
mod child_edits;
pub mod clock;
pub mod config;
pub mod counts;
mod deletes;
mod faults;
mod field_endpoints;
pub mod generate;
mod goal_endpoints;
pub mod goals;
pub mod hierarchy;
mod hierarchy_endpoints;
pub mod ids;
mod index;
mod kept_pages;
mod mutations;
mod names;
mod order_cache;
pub mod people;
mod pipeline;
pub mod prng;
mod query;
mod rate_limit;
mod routes;
mod scoped_fields;
mod server;
mod shared;
mod task_endpoints;
pub mod task_factory;
mod task_search;
pub mod tasks;
pub mod time_entries;
mod time_entry_endpoints;
pub mod time_in_status;
mod time_in_status_endpoints;
pub mod world;

#[cfg(test)]
mod test_client;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_deletes;
#[cfg(test)]
mod tests_fields;
#[cfg(test)]
mod tests_kept_pages;
#[cfg(test)]
mod tests_task_shapes;
#[cfg(test)]
mod tests_time_in_status;

pub use child_edits::Stripped;
pub use config::{
    Fault, FaultConfig, LatencyConfig, RateLimitConfig, SimConfig, Size, TimeEntryRange, TokenSpec,
    DEFAULT_TOKEN,
};
pub use counts::RequestCounts;
pub use deletes::Deleted;
pub use generate::{BIG_LIST_TASKS, EXACT_PAGE_LIST_TASKS};
pub use goals::{Goal, GoalFolder, KeyResult};
pub use hierarchy::{Folder, FolderRef, List, Space, SpaceRef, Status};
pub use people::{Member, User};
pub use task_search::PAGE_SIZE;
pub use tasks::{
    CustomField, CustomValue, Dependency, FieldScope, FieldValue, ListRef, Tag, Task, TaskLink,
    DEPENDENCY_TYPE_BLOCKING, DEPENDENCY_TYPE_WAITING_ON,
};
pub use time_entries::{TaskLocation, TimeEntry, TimeEntryTask};
pub use time_entry_endpoints::DEFAULT_WINDOW_MS;
pub use time_in_status::{StatusSpan, TimeInStatus};
pub use world::{Workspace, World};

use auth::TokenRegistry;
use faults::FaultState;
use index::WorldState;
use rate_limit::RateLimiter;
use shared::{lock, read, write, Shared};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

/// A running simulator. Stops serving when dropped.
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    first_token: String,
    owner_id: i64,
    // Declared last so it is dropped after the rest is no longer needed.
    _server: server::ServerHandle,
}

impl Simulator {
    /// Generates the world, binds 127.0.0.1:`port` and starts serving.
    pub fn start(config: SimConfig) -> anyhow::Result<Simulator> {
        let now = config.now_ms.unwrap_or_else(clock::real_now_ms);
        let world = World::generate(config.seed, &config.size, now);
        let owner_id = world.owner_id();
        let tokens = if config.tokens.is_empty() {
            vec![TokenSpec {
                token: DEFAULT_TOKEN.to_string(),
                user_id: owner_id,
                workspaces: Vec::new(),
                denied_spaces: Vec::new(),
            }]
        } else {
            config.tokens
        };
        let registry = TokenRegistry::new(tokens);
        let first_token = registry.first();
        let shared = Arc::new(Shared {
            state: RwLock::new(WorldState::new(world, config.keep_task_pages)),
            tokens: Mutex::new(registry),
            limiter: Mutex::new(RateLimiter::new(config.rate_limit)),
            faults: Mutex::new(FaultState::new(config.faults)),
            counts: Mutex::new(RequestCounts::default()),
            log: Mutex::new(Vec::new()),
            latency: Mutex::new((
                config.latency,
                prng::SplitMix64::derive(config.seed, "latency"),
            )),
        });
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        let addr = listener.local_addr()?;
        let server = server::spawn(listener, Arc::clone(&shared))?;
        Ok(Simulator {
            shared,
            addr,
            first_token,
            owner_id,
            _server: server,
        })
    }

    /// `http://127.0.0.1:PORT/api/v2`
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v2", self.addr)
    }

    /// The loopback address and port the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first configured token (the default token unless `tokens` was set).
    pub fn token(&self) -> String {
        self.first_token.clone()
    }

    /// The user who owns every workspace (and the default token).
    pub fn owner_user_id(&self) -> i64 {
        self.owner_id
    }

    /// A snapshot of the ground truth.
    pub fn world(&self) -> World {
        read(&self.shared.state).world.clone()
    }

    /// Reads the ground truth without cloning it.
    pub fn with_world<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        f(&read(&self.shared.state).world)
    }

    /// Changes the world (see the helpers in `mutations`), then re-indexes it (and forgets the
    /// task pages [`SimConfig::keep_task_pages`] kept).
    pub fn mutate<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        let mut st = write(&self.shared.state);
        let result = f(&mut st.world);
        st.refresh();
        result
    }

    /// A copy of the request counters so far (see [`RequestCounts`]).
    pub fn request_counts(&self) -> RequestCounts {
        lock(&self.shared.counts).clone()
    }

    /// Sets every request counter back to zero and empties the request log.
    pub fn reset_counts(&self) {
        let mut counts = lock(&self.shared.counts);
        *counts = RequestCounts {
            in_flight: counts.in_flight,
            ..RequestCounts::default()
        };
        drop(counts);
        lock(&self.shared.log).clear();
    }

    /// Every request received so far (since the last [`Simulator::reset_counts`]), in arrival
    /// order, as its target: the path after `/api/v2` with `?query` when there is one, e.g.
    /// `/space/90/folder?archived=false`. Rate-limited and faulted requests are included.
    pub fn request_log(&self) -> Vec<String> {
        lock(&self.shared.log).clone()
    }

    /// How `GET /team/{id}/time_entries` reads its date range from now on.
    pub fn set_time_entry_range(&self, range: TimeEntryRange) {
        write(&self.shared.state).time_entry_range = range;
    }

    /// The next `times` requests whose path after `/api/v2` (with `?query`)
    /// starts with `path_prefix` get `fault`.
    pub fn inject(&self, path_prefix: &str, fault: Fault, times: u32) {
        lock(&self.shared.faults).inject(path_prefix, fault, times);
    }

    /// Replaces the random fault shares and restarts their draws from the new
    /// seed; pending [`Simulator::inject`] faults are kept.
    pub fn set_faults(&self, faults: FaultConfig) {
        lock(&self.shared.faults).set_config(faults);
    }

    /// Replaces the latency of answers from now on.
    pub fn set_latency(&self, latency: LatencyConfig) {
        lock(&self.shared.latency).0 = latency;
    }

    /// Replaces the limit from now on (a plan changed, or ClickUp lowered it); every token
    /// starts a fresh window.
    pub fn set_rate_limit(&self, rl: RateLimitConfig) {
        lock(&self.shared.limiter).set_config(rl);
    }

    /// Accepts another token from now on (re-enabling it if it was revoked).
    pub fn add_token(&self, spec: TokenSpec) {
        lock(&self.shared.tokens).add(spec);
        read(&self.shared.state).pages.clear();
    }

    /// Later requests with the token answer 401 OAUTH_019.
    pub fn revoke_token(&self, token: &str) {
        lock(&self.shared.tokens).revoke(token);
        read(&self.shared.state).pages.clear();
    }
}
