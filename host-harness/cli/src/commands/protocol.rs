//! `spec`, `check` and `discover`: one call each, its answer as an Airbyte message on stdout.

use crate::args::ConfigArgs;
use crate::component_path::start;
use crate::exit;
use crate::profile::Prepared;
use crate::stdout::outln;
use connector_sinks::airbyte;
use host_harness::RunOptions;
use std::path::Path;

/// `spec`: the config's JSON Schema as a `SPEC` message.
pub(crate) async fn spec(component: Option<&Path>) -> anyhow::Result<u8> {
    let mut run = start(component, RunOptions::default()).await?;
    let schema = run.spec().await?;
    outln!("{}", airbyte::spec(&schema));
    Ok(0)
}

/// `check`: `CONNECTION_STATUS`, and on failure the error on stderr and its exit code.
pub(crate) async fn check(component: Option<&Path>, args: &ConfigArgs) -> anyhow::Result<u8> {
    let prepared = Prepared::load(args)?;
    let mut run = start(component, prepared.run_options()).await?;
    match run.check(&prepared.guest_config).await {
        Ok(()) => {
            outln!("{}", airbyte::connection_status(None));
            Ok(0)
        }
        Err(e) => {
            outln!("{}", airbyte::connection_status(Some(&e.to_string())));
            eprintln!("check failed: {e}");
            Ok(exit::code(&e))
        }
    }
}

/// `discover`: the `CATALOG`, or a `TRACE` error.
pub(crate) async fn discover(component: Option<&Path>, args: &ConfigArgs) -> anyhow::Result<u8> {
    let prepared = Prepared::load(args)?;
    let mut run = start(component, prepared.run_options()).await?;
    match run.discover(&prepared.guest_config).await {
        Ok(streams) => {
            outln!("{}", airbyte::catalog(&streams));
            Ok(0)
        }
        Err(e) => {
            outln!(
                "{}",
                airbyte::error(&e.to_string(), exit::failure_type(&e), None)
            );
            eprintln!("discover failed: {e}");
            Ok(exit::code(&e))
        }
    }
}
