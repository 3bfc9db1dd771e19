//! # connector-sinks: where a sync's records go
//!
//! A sync ([`host_harness::sync()`]) reports to an [`Observer`](host_harness::Observer): the
//! records of each page, then the checkpoint that covers them. Each sink here is such an observer,
//! and keeps the host's promise in its own format: a checkpoint is stored only after the records
//! it covers, so a sync killed at any moment resumes with nothing lost.
//!
//! ## Map
//! | module | format | state lives in |
//! |---|---|---|
//! | [`airbyte`] | Airbyte protocol messages on stdout ([`airbyte::AirbyteLines`]); Airbyte's state and catalog files | the `STATE` messages (the orchestrator keeps them) |
//! | [`files`] | a folder of `<stream>.jsonl` ([`files::OutputDir`]) | `state.json` in the folder, replaced atomically |
//! | [`singer`] | a Singer tap's `SCHEMA`/`RECORD`/`STATE` lines ([`singer::SingerLines`]) | the `STATE` lines (the target echoes them) |
//! | [`sqlite`] | a table per stream, upserted ([`sqlite::SqliteDestination`]) | a table in the same database, committed with the rows |
//! | [`tee`] | several of these at once ([`tee::Tee`]) | — |
//!
//! Every sink is format-generic: the stream names, schemas and keys come from `discover`.

pub mod airbyte;
pub mod files;
pub mod singer;
pub mod sqlite;
pub mod tee;
