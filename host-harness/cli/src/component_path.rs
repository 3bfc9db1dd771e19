//! Finding the connector component to load: an explicit path, `$CLICKUP_CONNECTOR_WASM`, or the
//! project's own component, built on demand with cargo (a no-op when it is up to date); and
//! loading it into a [`ConnectorHost`].

use anyhow::Context;
use host_harness::{ConnectorHost, LoadOptions, Run, RunOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

/// The project's root (where the connector's `Cargo.toml` is), as it was at build time.
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Where `cargo build --release --target wasm32-wasip2` puts the component.
fn built_component_path() -> PathBuf {
    target_dir(&project_root()).join("wasm32-wasip2/release/clickup_connector.wasm")
}

/// Builds the project's component (release, `wasm32-wasip2`) and returns its path.
fn build_component() -> anyhow::Result<PathBuf> {
    let root = project_root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(&root)
        .args([
            "build",
            "--quiet",
            "--release",
            "--target",
            "wasm32-wasip2",
            "-p",
            "clickup-connector",
        ])
        .output()
        .context("cannot run cargo to build the connector component")?;
    if !output.status.success() {
        anyhow::bail!(
            "building the connector component failed (is the target installed? run \
             `rustup target add wasm32-wasip2`):\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(built_component_path())
}

/// The component to load: `explicit` if given, else `$CLICKUP_CONNECTOR_WASM`, else the project's
/// own (built now if the sources are here, else the last build).
pub(crate) fn find_or_build(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("CLICKUP_CONNECTOR_WASM").map(PathBuf::from))
    {
        anyhow::ensure!(p.is_file(), "no component at {}", p.display());
        return Ok(p);
    }
    if project_root().join("src/lib.rs").is_file() {
        return build_component();
    }
    let built = built_component_path();
    anyhow::ensure!(built.is_file(), "no component found: pass --component PATH");
    Ok(built)
}

/// Finds (see [`find_or_build`]) and loads the component.
pub(crate) fn load(component: Option<&Path>) -> anyhow::Result<Arc<ConnectorHost>> {
    let path = find_or_build(component)?;
    ConnectorHost::load(&path, &load_options())
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
    let host = load(component)?;
    Run::new(&host, options).await
}
