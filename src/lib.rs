//! # The ClickUp source connector
//!
//! A ClickUp source for data pipelines, compiled to a `wasm32-wasip2` component that implements
//! the generic `connector:source@0.2.0` WIT interface (`wit/source.wit`). A host (the project's
//! `host-harness`, the `wasmtime` CLI, any component runtime with `wasi:http`) calls `spec`,
//! `check`, `discover` and `read-page`; the connector does the HTTP through the host's
//! `wasi:http`, so paging, timestamp conversion and incremental state all run inside the sandbox.
//!
//! ## Why this shape
//! Everything ClickUp-specific is a pure core that never does I/O: it plans requests, pages,
//! parses answers into records, converts timestamps, keeps state, and classifies errors. The only
//! I/O goes through [`transport::Transport`], which the component implements on `wasi:http` in a
//! few lines ([`component`], wasm only). So the core builds and is tested natively, and the same
//! code runs in the sandbox.
//!
//! ## Map
//! - [`config`]: the configuration and its validation.
//! - [`streams`]: the eight streams, one module each: records and schemas; and
//!   [`streams::task_children`], the task's child tables derived from the task pages.
//! - [`read`]: the walk from `GET /team` to the records, page by page ([`read::read_page`]):
//!   `read/mod.rs` holds the verbs and dispatches each cursor step to its family,
//!   `read/hierarchy.rs` (`/team`, spaces, folders, lists), `read/tasks.rs` (task pages and the
//!   watermark), `read/goals.rs` and `read/time_entries.rs` (date windows × members), and
//!   `read/children.rs` (`read-page-and-children`: the child rows of each task page).
//! - [`cursor`] and [`state`]: where a read is, and what a finished sync remembers;
//!   [`known_ids`]: the task ids a sweep for deletions saw, compact; [`child_keys`]: each task's
//!   rows in the child streams, so that a row that leaves a task becomes a tombstone.
//! - [`endpoint`]: ids from outside as percent-encoded path segments (no id can steer a request).
//! - [`pagination`], [`ratelimit`], [`retry`], [`fetch`]: paging rules, pacing, the retry policy,
//!   and the one GET that uses them.
//! - [`concurrency`]: how many requests go side by side (the token's limit × the latency), and
//!   [`read`] sends each call's batch of them ahead ([`fetch::Fetcher::prefetch`]).
//! - [`timestamp`]: ClickUp ms → RFC 3339 UTC.
//! - [`passthrough`]: JSON members copied from page bytes to record bytes without a tree (the
//!   task pages' one pass, [`streams::task_pages`]), and [`scan`], which finds each value's
//!   extent and whether its bytes can be copied as they are.
//! - [`error`]: the typed errors and the classification of ClickUp's answers.
//!
//! ## The error path
//! ```
//! use clickup_connector::{config::Config, error::ConnectorError};
//! match Config::parse(r#"{"api_token": "12345"}"#) {
//!     Err(ConnectorError::Config(message)) => assert!(message.contains("pk_ prefix")),
//!     other => panic!("{other:?}"),
//! }
//! ```

pub mod child_keys;
pub mod concurrency;
pub mod config;
pub mod cursor;
pub mod endpoint;
pub mod error;
pub mod fetch;
pub mod known_ids;
pub mod pagination;
pub mod passthrough;
pub mod ratelimit;
pub mod read;
pub mod retry;
pub mod scan;
pub mod spec;
pub mod state;
pub mod streams;
pub mod timestamp;
pub mod transport;

#[cfg(target_arch = "wasm32")]
pub mod component;

#[cfg(test)]
mod fuzz;
