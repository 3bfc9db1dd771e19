//! # host-harness: running `connector:source` components safely
//!
//! A connector component is someone else's code that reads customer data: a host must be able to
//! load it once, run it many times (for many customers at once), and know that no run can take
//! more memory, CPU, time or network than it was given, or see another run's secrets. This crate
//! is that host, on wasmtime:
//!
//! - [`loader::ConnectorHost`]: one `Engine`, the component compiled once and cached on disk, an
//!   `InstancePre` with WASI and `wasi:http` linked.
//! - [`instance::Run`]: a fresh `Store` per run with [`limits::Limits`] (memory, CPU per call,
//!   wall time per call, request cap) and an [`egress::EgressPolicy`] (allow-list, credential
//!   injection, the per-token [`token_limiter::TokenLimiter`]).
//! - [`sync`]: drives `read-page` over streams and speaks the Airbyte protocol ([`airbyte`]),
//!   checkpointing state only after the records it covers ([`output`]).
//! - [`sqlite`]: a SQLite database as destination: a table per stream keyed by its primary key,
//!   upserted, with the state committed in the same transaction as the records (exactly once).
//! - [`singer`]: the same syncs as a Singer tap (catalog, SCHEMA/RECORD/STATE), for Singer targets.
//! - [`simulator`]: a faithful ClickUp API v2 on loopback, for tests and the demo.
//!
//! The command-line tool (`clickup-connector`, `src/main.rs`) is a thin layer over these.

pub mod airbyte;
pub mod bindings;
pub mod component_path;
pub mod egress;
pub mod instance;
pub mod limits;
pub mod loader;
pub mod output;
pub mod process_memory;
pub mod simulator;
pub mod singer;
pub mod sqlite;
pub mod sync;
pub mod tenants;
pub mod token_limiter;
