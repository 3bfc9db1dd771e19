//! Interoperability: the connector and the tool, run by and into third-party software that its
//! users already have. Each module drives one real tool, installed from the registries by
//! `.ci/interop-tools` (the tests run that script themselves; it is a no-op when up to date):
//!
//! - `wasmtime_cli`: the official `wasmtime` CLI runs the same `.wasm` (`--invoke`).
//! - `jco`: a second component host, the component transpiled by jco and run under Node.js.
//! - `airbyte_models`: every message the tool prints validates against `airbyte-protocol-models`.
//! - `singer`: `clickup-connector singer` piped into the Singer target `target-jsonl`.
//! - `singer_check`: `singer-check-tap` (singer-tools) validates the tap's output, full and
//!   incremental.
//! - `meltano`: `meltano run tap-clickup target-jsonl` from the committed `meltano/meltano.yml`.
//! - `airbyte_standard`: the Airbyte CDK's standard source tests, through a Python shim.
//! - `sqlite`: the demo's data in a SQLite database, one table per stream keyed by primary key.

mod tools;

mod airbyte_models;
mod airbyte_standard;
mod jco;
mod meltano;
mod singer;
mod singer_check;
mod sqlite;
mod wasmtime_cli;
