//! # host-harness: running `connector:source` components safely
//!
//! A connector component is someone else's code that reads customer data: a host must be able to
//! load it once, run it many times (for many customers at once), and know that no run can take
//! more memory, CPU, time or network than it was given, or see another run's secrets. This crate
//! is that host, on wasmtime. It knows the WIT contract (`connector:source`), not any connector:
//! it never reads a connector's config, and it has no command line, no database and no server.
//!
//! ## Map
//! | module | what it holds |
//! |---|---|
//! | [`runtime`] | [`ConnectorHost`] (engine, compile cache, `InstancePre`), the store of a run, [`Run`] (one instance, its calls, [`CallError`] and [`Stop`]), [`Limits`] |
//! | [`egress`] | [`EgressPolicy`] (allowed hosts, credential injection, request cap), the `wasi:http` hooks that enforce it, the per-token [`TokenLimiter`] |
//! | [`sync`] | the `read-page` loop over streams, lanes side by side: [`sync()`], [`sync_side_by_side`], [`Observer`], [`Checkpoint`] |
//! | [`tenants`] | many syncs in one process, each walled off: [`run_many`] |
//! | [`process_memory`] | the host process's own memory (RSS and its peak), for reports and benchmarks |
//!
//! Output formats (Airbyte lines, JSON-lines folders, Singer, SQLite) are `Observer`s in the
//! `connector-sinks` crate; the `clickup-connector` command line is the `clickup-cli` crate.
//!
//! ## Embedding
//! Load once, run, sync into an observer of your own (`examples/embed.rs` is this, runnable):
//! ```no_run
//! use host_harness::{
//!     sync, Checkpoint, ConnectorHost, EgressPolicy, LoadOptions, Observer, Run, RunOptions,
//!     StreamChoice, SyncEnd, SyncOptions, SyncState,
//! };
//!
//! struct Print;
//! impl Observer for Print {
//!     fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
//!         records.iter().for_each(|r| println!("{stream}: {r}"));
//!         Ok(())
//!     }
//!     fn checkpoint(&mut self, _stream: &str, _at: &Checkpoint) -> anyhow::Result<()> {
//!         Ok(()) // persist it here, after the records it covers
//!     }
//! }
//!
//! # async fn demo() -> anyhow::Result<()> {
//! let host = ConnectorHost::load("connector.wasm".as_ref(), &LoadOptions::default())?;
//! let egress = EgressPolicy::for_base_url("https://api.clickup.com/api/v2")?;
//! let mut run = Run::new(&host, RunOptions { egress, ..RunOptions::default() }).await?;
//! let config = r#"{"api_token": "pk_..."}"#;
//! let streams = StreamChoice::every(&run.discover(config).await?);
//! let mut state = SyncState::new();
//! match sync(&mut run, config, &streams, &mut state, &SyncOptions::default(), &mut Print).await? {
//!     SyncEnd::Complete | SyncEnd::Interrupted => {}
//!     // The connector's typed error (auth, rate-limited, …) or the host's stop (memory, CPU, time).
//!     SyncEnd::Failed { stream, error } => eprintln!("{stream}: {error}"),
//! }
//! # Ok(()) }
//! ```

mod bindings;
pub mod egress;
pub mod process_memory;
pub mod runtime;
pub mod sync;
pub mod tenants;

pub use bindings::{
    ChildRecords, Page, PageAndChildren, PageStats, RateLimit, StreamDescriptor, SyncMode, WitError,
};
pub use egress::{EgressPolicy, HostAllowList, RequestCounter, TokenLimiter, TokenLimiters};
pub use runtime::{
    describe, Allocation, CallError, ConnectorHost, Limits, LoadOptions, Run, RunOptions, Stop,
};
pub use sync::{
    align_children, lane_count, sync, sync_side_by_side, Checkpoint, Observer, StreamChoice,
    SyncEnd, SyncOptions, SyncState,
};
pub use tenants::{run_many, OpenOutput, Tenant, TenantFailure, TenantOutput, TenantReport};
