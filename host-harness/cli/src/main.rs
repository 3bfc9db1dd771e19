//! `clickup-connector`: run the ClickUp connector component from the command line.
//!
//! A thin layer over the `host-harness` library and the `connector-sinks` crate: parse the
//! arguments, load the component, run it, write what it reads. This crate is the only place on
//! the host side that knows it runs ClickUp ([`profile`]).
//!
//! Map:
//! - [`args`]: every command and flag (clap); no work.
//! - [`commands`]: one module per command (`spec`/`check`/`discover`, `read`, `singer`,
//!   `run-many`, `simulate`, `demo`).
//! - [`profile`]: the ClickUp knowledge: default base URL, egress and token limiter from a
//!   config, `--host-credentials`, the SQLite prefix.
//! - [`component_path`]: which component to load, and loading it.
//! - [`tenants_file`]: the `run-many` tenants file.
//! - [`progress`]: the progress display on stderr.
//! - [`exit`]: exit codes and Airbyte failure types.
//! - [`input`]: reading the files a user names, with errors that exit 3.
//! - [`stdout`]: printing that ends quietly when stdout is closed.

mod args;
mod commands;
mod component_path;
mod exit;
mod input;
mod profile;
mod progress;
mod stdout;
mod tenants_file;

use args::{Cli, Command};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::SYSTEM);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) if stdout::is_broken_pipe(&e) => ExitCode::from(exit::BROKEN_PIPE),
        Err(e) if e.downcast_ref::<input::InputError>().is_some() => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::CONFIG)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::SYSTEM)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<u8> {
    let component = cli.component.as_deref();
    match cli.command {
        Command::Spec => commands::protocol::spec(component).await,
        Command::Check(args) => commands::protocol::check(component, &args).await,
        Command::Discover(args) => commands::protocol::discover(component, &args).await,
        Command::Read(args) => commands::read::run(component, args).await,
        Command::Simulate(args) => commands::simulate::run(args).await,
        Command::Demo(args) => commands::demo::run(component, args).await,
        Command::RunMany(args) => commands::run_many::run(component, args).await,
        Command::Singer(args) => commands::singer::run(component, args).await,
    }
}
