//! End-to-end tests: the real connector component (`wasm32-wasip2`, built by the suite itself) in
//! real wasmtime with real `wasi:http`, over real HTTP on loopback, against the ClickUp simulator.
//!
//! One test binary (so wasmtime is linked once); one module per concern.

mod harness;
mod truth;

mod child_backfill;
mod child_deletes;
mod concurrency;
mod contract_versions;
mod corrupt_bodies;
mod deletes;
mod embedding;
mod errors;
mod host_policy;
mod hostile_server;
mod incremental;
mod lanes;
mod prior_art;
mod rate_limit;
mod reliability;
mod security;
mod sharp_edges;
mod streams;
mod task_children;
mod tenants;
