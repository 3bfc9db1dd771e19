//! Builds the connector component and hands its path to `src/component_path.rs`, which embeds it
//! with `include_bytes!`: the installed binary then carries its component and needs neither cargo
//! nor the checkout at run time.
//!
//! - `CLICKUP_CONNECTOR_EMBED=PATH` (at build time): embed that `.wasm` instead of building one
//!   (for packagers who build the component elsewhere).
//! - Otherwise: `cargo build --release --target wasm32-wasip2 -p clickup-connector` in the
//!   workspace, into `<target>/component-build` (its own target folder: the outer cargo holds
//!   the locks of the usual ones), with `+simd128` (see [`RUSTFLAGS`]). The end-to-end tests
//!   build into the same folder with the same flags, so the component is compiled once.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The component's target's flags: wasm's 128-bit vectors (`simd128`), which every host of the
/// component model runs (wasmtime, jco's Node.js).
const RUSTFLAGS: (&str, &str) = (
    "CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS",
    "-C target-feature=+simd128",
);

fn main() {
    println!("cargo:rerun-if-env-changed=CLICKUP_CONNECTOR_EMBED");
    let component = match std::env::var_os("CLICKUP_CONNECTOR_EMBED") {
        Some(path) => PathBuf::from(path),
        None => build_component(),
    };
    println!("cargo:rerun-if-changed={}", component.display());
    println!(
        "cargo:rustc-env=CLICKUP_CONNECTOR_COMPONENT={}",
        component.display()
    );
}

/// Builds the component and returns its path; fails the build with the reason.
fn build_component() -> PathBuf {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let root = manifest_dir
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if !root.join("src/lib.rs").is_file() || !root.join("wit").is_dir() {
        fail(&format!(
            "the connector's sources are not at {} (set CLICKUP_CONNECTOR_EMBED to a built \
             clickup_connector.wasm instead)",
            root.display()
        ));
    }
    for input in ["src", "wit", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(input).display());
    }
    // OUT_DIR is <target>/[<triple>/]<profile>/build/<crate>-<hash>/out.
    let out_dir = PathBuf::from(env("OUT_DIR"));
    let target = out_dir
        .ancestors()
        .nth(4)
        .map(Path::to_path_buf)
        .unwrap_or(out_dir);
    let component_target = target.join("component-build");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .args(["-p", "clickup-connector", "--target-dir"])
        .arg(&component_target)
        // With wasm's 128-bit vectors, which the record path's UTF-8 checks use
        // (`src/scan/utf8.rs`). The same flags as `tests/support/lib.rs`, so that one build in
        // the shared folder serves both. A `RUSTFLAGS` of the caller's takes precedence: the
        // component is then the same without vectors, its checks slower.
        .env(RUSTFLAGS.0, RUSTFLAGS.1)
        // What cargo sets for this build script, and clippy's wrapper, are not for the
        // component's build.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CLIPPY_ARGS")
        .env_remove("TARGET")
        // This script's stdout is read by cargo as instructions.
        .stdout(std::process::Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(_) => fail(
            "building the connector component failed (see above; is the target installed? \
             run `rustup target add wasm32-wasip2`)",
        ),
        Err(e) => fail(&format!(
            "cannot run cargo to build the connector component: {e}"
        )),
    }
    component_target.join("wasm32-wasip2/release/clickup_connector.wasm")
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| fail(&format!("cargo did not set {name}")))
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
