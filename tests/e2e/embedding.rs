//! The host library's embedding example (`host-harness/examples/embed.rs`), run as an embedder
//! would run it: a process that loads the component, syncs into its own observer and prints the
//! records. What it prints must be the ground truth.

use crate::harness::{by_key, micro, sim};
use crate::truth::expected;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

/// The example's binary, which `cargo test` builds beside the test binaries (built now when it
/// is not there, as after `cargo test --test e2e`).
fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let path = profile_dir.join("examples").join("embed");
    if !path.is_file() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(clickup_tests::project_root())
            .args(["build", "--quiet", "--workspace", "--examples"])
            .status()
            .expect("run cargo");
        assert!(status.success(), "building the examples failed");
    }
    path
}

#[test]
fn the_embedding_example_prints_every_record_of_the_streams_it_is_given() {
    let sim = sim(5, micro());
    let wasm = clickup_tests::build_component().expect("build the component");
    let dir = std::env::temp_dir().join(format!("embed-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.json");
    std::fs::write(&config, crate::harness::config(&sim)).unwrap();

    let out = Command::new(example_binary())
        .arg(&wasm)
        .arg(&config)
        .arg(sim.base_url())
        .args(["spaces", "tasks"])
        .output()
        .expect("run the example");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the example failed: {stderr}");

    let mut printed: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let (stream, record) = line.split_once(' ').expect("<stream> <record>");
        printed
            .entry(stream.to_owned())
            .or_default()
            .push(serde_json::from_str(record).expect("a JSON record"));
    }
    assert_eq!(printed.keys().collect::<Vec<_>>(), ["spaces", "tasks"]);
    let world = sim.world();
    for (stream, records) in &printed {
        assert_eq!(
            by_key(records),
            by_key(&expected(&world, stream)),
            "{stream}"
        );
        assert!(stderr.contains(&format!("{stream}: {} records", records.len())));
    }

    // The error path: a token ClickUp rejects ends the sync with the connector's typed error.
    let revoked = dir.join("revoked.json");
    let config_text = serde_json::json!({"api_token": "pk_revoked", "base_url": sim.base_url()});
    std::fs::write(&revoked, config_text.to_string()).unwrap();
    let refused = Command::new(example_binary())
        .arg(&wasm)
        .arg(&revoked)
        .arg(sim.base_url())
        .arg("spaces")
        .output()
        .expect("run the example");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(
        stderr.contains("spaces failed: authentication error"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
