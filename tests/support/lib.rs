//! What the end-to-end tests, the CLI's tests and the benchmarks share: building the components
//! they run.
//!
//! The suites build the component themselves (`cargo build --release --target wasm32-wasip2`, a
//! no-op when it is up to date), so `cargo test` on a fresh clone needs nothing but the target.
//! - [`build_component`]: the connector (`src/`), into the workspace's target folder.
//! - [`build_fixture`]: a test-only component under `tests/fixtures/` (its own workspace), into
//!   `target/fixtures`.

use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's root (where the connector's `Cargo.toml` is).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The workspace's target folder (`$CARGO_TARGET_DIR`, else `target/` at the root).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("target"))
}

/// Builds the connector component (release, `wasm32-wasip2`) and returns its path. It goes
/// into `target/component-build`, where the CLI's build script builds the component it embeds
/// (`host-harness/cli/build.rs`): one build serves both.
pub fn build_component() -> anyhow::Result<PathBuf> {
    let root = project_root();
    let target = target_dir().join("component-build");
    cargo_build_wasm(&root, &["-p", "clickup-connector"], &target)?;
    Ok(target.join("wasm32-wasip2/release/clickup_connector.wasm"))
}

/// Builds the fixture component in `tests/fixtures/<name>` and returns the path of its
/// `<artifact>.wasm`.
pub fn build_fixture(name: &str, artifact: &str) -> anyhow::Result<PathBuf> {
    let target = project_root().join("target/fixtures");
    cargo_build_wasm(
        &project_root().join("tests/fixtures").join(name),
        &[],
        &target,
    )?;
    Ok(target.join(format!("wasm32-wasip2/release/{artifact}.wasm")))
}

/// The components' target's flags, the same as the CLI's build script's
/// (`host-harness/cli/build.rs`), so that the component it embeds and the one the suites run are
/// one build: wasm's 128-bit vectors, which the record path's UTF-8 checks use.
const WASM_RUSTFLAGS: (&str, &str) = (
    "CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS",
    "-C target-feature=+simd128",
);

fn cargo_build_wasm(dir: &Path, args: &[&str], target: &Path) -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(dir)
        .args(["build", "--quiet", "--release", "--target", "wasm32-wasip2"])
        .args(args)
        .arg("--target-dir")
        .arg(target)
        .env(WASM_RUSTFLAGS.0, WASM_RUSTFLAGS.1)
        .output()
        .context("cannot run cargo to build a component")?;
    if !output.status.success() {
        anyhow::bail!(
            "building the component in {} failed (is the target installed? run \
             `rustup target add wasm32-wasip2`):\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}
