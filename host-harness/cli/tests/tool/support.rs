//! What the tool's tests share: a simulator, a scratch folder, a config file, running the binary.

use clickup_sim::{RateLimitConfig, SimConfig, Simulator, Size};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test.
pub(crate) fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_clickup-connector")
}

/// A tiny simulated account with no rate limit.
pub(crate) fn sim(seed: u64) -> Simulator {
    Simulator::start(SimConfig {
        seed,
        size: Size::tiny(),
        rate_limit: RateLimitConfig::unlimited(),
        ..SimConfig::default()
    })
    .expect("start the simulator")
}

/// An empty scratch folder for one test.
pub(crate) fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tool-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create a scratch folder");
    d
}

/// Writes the config that points the tool at `sim` into `dir/config.json`.
pub(crate) fn config_for(dir: &Path, sim: &Simulator) -> PathBuf {
    write_json(
        &dir.join("config.json"),
        &serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url()}),
    )
}

/// Writes `value` to `path`.
pub(crate) fn write_json(path: &Path, value: &Value) -> PathBuf {
    std::fs::write(path, value.to_string()).expect("write a JSON file");
    path.to_owned()
}

/// Runs the binary (with its embedded component) and waits for it.
pub(crate) fn tool(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("run the binary")
}

/// stdout then stderr, for assertion messages.
pub(crate) fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The JSON lines of a file.
pub(crate) fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// `p` as a `&str` argument.
pub(crate) fn arg(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}
