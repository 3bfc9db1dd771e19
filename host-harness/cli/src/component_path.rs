//! Which connector component to load, and loading it: `--component PATH`, else
//! `$CLICKUP_CONNECTOR_WASM`, else the component embedded in this binary at build time (see
//! `build.rs`), so an installed binary needs neither cargo nor the checkout.

use anyhow::Context;
use host_harness::{ConnectorHost, LoadOptions, Run, RunOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The connector component this binary was built with.
const EMBEDDED: &[u8] = include_bytes!(env!("CLICKUP_CONNECTOR_COMPONENT"));

/// Where the component comes from.
pub(crate) enum Source {
    /// A file given with `--component` or `$CLICKUP_CONNECTOR_WASM`.
    File(PathBuf),
    /// The one embedded in this binary.
    Embedded,
}

/// The component to load: `explicit` if given, else `$CLICKUP_CONNECTOR_WASM`, else the embedded
/// one.
pub(crate) fn choose(explicit: Option<&Path>) -> Source {
    match explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("CLICKUP_CONNECTOR_WASM").map(PathBuf::from))
    {
        Some(path) => Source::File(path),
        None => Source::Embedded,
    }
}

/// Loads the chosen component (see [`choose`]) with `options`.
pub(crate) fn load_with(
    component: Option<&Path>,
    options: &LoadOptions,
) -> anyhow::Result<Arc<ConnectorHost>> {
    match choose(component) {
        Source::File(path) => {
            anyhow::ensure!(path.is_file(), "no component at {}", path.display());
            ConnectorHost::load(&path, options)
        }
        Source::Embedded => ConnectorHost::from_bytes(EMBEDDED, "the embedded component", options)
            .context("cannot load the component embedded in this binary"),
    }
}

/// Loads the chosen component with this tool's [`load_options`].
pub(crate) fn load(component: Option<&Path>) -> anyhow::Result<Arc<ConnectorHost>> {
    load_with(component, &load_options())
}

/// How this tool loads components: the compile cache in `$CLICKUP_CONNECTOR_CACHE` when set,
/// else the library's default (the user's own cache folder; see `host_harness::runtime::cache`).
pub(crate) fn load_options() -> LoadOptions {
    LoadOptions {
        cache_dir: std::env::var_os("CLICKUP_CONNECTOR_CACHE").map(PathBuf::from),
        ..LoadOptions::default()
    }
}

/// Loads the component and starts one run of it with `options`.
pub(crate) async fn start(component: Option<&Path>, options: RunOptions) -> anyhow::Result<Run> {
    Ok(start_keeping_host(component, options).await?.1)
}

/// [`start`], keeping the loaded component to start more runs of it (the lanes of a sync).
pub(crate) async fn start_keeping_host(
    component: Option<&Path>,
    options: RunOptions,
) -> anyhow::Result<(Arc<ConnectorHost>, Run)> {
    let host = load(component)?;
    let run = Run::new(&host, options).await?;
    Ok((host, run))
}
