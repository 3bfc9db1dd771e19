//! What `airbyte_state.rs` and `fuzz_inputs.rs` share: the component, a simulator, scratch
//! folders, running the real binary, and reading Airbyte messages.

#![allow(dead_code)] // each test file uses its own part

use clickup_sim::{RateLimitConfig, SimConfig, Simulator, Size};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The connector component, built once per test binary.
pub(crate) fn component() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| clickup_tests::build_component().expect("build the component"))
        .clone()
}

/// A tiny simulated ClickUp without a rate limit.
pub(crate) fn sim(seed: u64) -> Simulator {
    Simulator::start(SimConfig {
        seed,
        size: Size::tiny(),
        rate_limit: RateLimitConfig::unlimited(),
        ..SimConfig::default()
    })
    .expect("start the simulator")
}

/// An empty scratch folder.
pub(crate) fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create a scratch folder");
    d
}

/// The config that points the tool at `sim`.
pub(crate) fn sim_config(sim: &Simulator) -> Value {
    serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url()})
}

/// Writes `value` as JSON to `dir/name`; returns the path.
pub(crate) fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, value.to_string()).expect("write a JSON file");
    p
}

/// Runs the real `clickup-connector` with the built component.
pub(crate) fn tool(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clickup-connector"))
        .args(args)
        .arg("--component")
        .arg(component())
        .output()
        .expect("run clickup-connector")
}

/// stdout and stderr, for assertion messages.
pub(crate) fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The Airbyte messages on stdout.
pub(crate) fn messages(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}
