//! Running a component: compile once, instantiate per run, cap every run.
//!
//! Map, in the order a run meets them:
//! - [`host`]: [`ConnectorHost`], one `Engine`, the component compiled once (and cached on disk),
//!   WASI and `wasi:http` linked once into an `InstancePre`, the epoch ticker.
//! - [`store`]: [`RunState`], the data of a run's `Store` (WASI context, the egress hooks, the
//!   memory cap, CPU ticks). Both `host` (which links against it) and `run` (which creates it)
//!   need it, so it is its own module.
//! - [`run`]: [`Run`], one instance in its own `Store`; its calls (`spec`, `check`, `discover`,
//!   `read-page`) and how they fail ([`CallError`], [`Stop`]).
//! - [`limits`]: [`Limits`], what one run may use, and their defaults.
//! - [`cache`]: the on-disk cache of compiled components, and the checks that make loading native
//!   code from it safe.

pub mod cache;
mod error;
pub mod host;
pub mod limits;
pub mod run;
pub mod store;

pub use host::{Allocation, ConnectorHost, LoadOptions};
pub use limits::Limits;
pub use run::{describe, CallError, Run, RunOptions, Stop};
pub use store::RunState;
