//! The Airbyte CDK's own standard source tests (`airbyte_cdk.test.standard_tests`, PyPI
//! `airbyte-cdk`) against the `clickup-connector` binary.
//!
//! The suite drives a connector in-process, as a Python `Source` object (its Docker variant builds
//! an image from `metadata.yaml`, which this connector does not ship). `airbyte_standard/
//! source_clickup_binary.py` is that object: each method runs the binary once, hands it the very
//! files the suite wrote, and parses its stdout with the CDK's own serializer. The suite's
//! scenarios come from `airbyte_standard/acceptance-test-config.yml`; this test copies that folder
//! into a scratch connector root (`source-clickup`), writes the `secrets/` configs for a simulator
//! it started, and runs pytest there. The Docker image tests (`-m "not image_tests"`) are left
//! out: there is no image, and this machine reaches no image registry.

use crate::tools::{self, component, interop_dir, sim, tempdir, text};
use serde_json::json;
use std::collections::BTreeSet;
use std::process::Command;

/// Every test of `SourceTestSuiteBase` that applies to a source with these scenarios; each must
/// be reported `PASSED` (a skip is not a pass).
const MUST_PASS: [&str; 7] = [
    "test_spec",
    "test_config_matches_spec['config' Test Scenario]",
    "test_check['config' Test Scenario]",
    "test_check['invalid_config' Test Scenario]",
    "test_discover['config' Test Scenario]",
    "test_basic_read['config' Test Scenario]",
    "test_fail_read_with_bad_catalog['config' Test Scenario]",
];

#[test]
fn the_airbyte_cdk_standard_source_tests_pass_against_the_binary() {
    let sim = sim(841);
    let root = tempdir("airbyte-standard").join("source-clickup");
    std::fs::create_dir_all(root.join("secrets")).unwrap();
    for entry in std::fs::read_dir(interop_dir().join("airbyte_standard")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, root.join(path.file_name().unwrap())).unwrap();
        }
    }
    let good = json!({"api_token": sim.token(), "base_url": sim.base_url()});
    std::fs::write(root.join("secrets/config.json"), good.to_string()).unwrap();
    let wrong = json!({"api_token": "pk_1_NOT_A_REAL_TOKEN", "base_url": sim.base_url()});
    std::fs::write(root.join("secrets/invalid_config.json"), wrong.to_string()).unwrap();

    let started = std::time::Instant::now();
    let out = Command::new(tools::tools().cdk_python())
        .args(["-m", "pytest", "-p", "no:cacheprovider", "-rA", "-q"])
        .args(["-m", "not image_tests"])
        // The catalog checks the suite only warns about yet must hold too.
        .args([
            "-W",
            "error::airbyte_cdk.test.standard_tests.DiscoveredCatalogWarning",
        ])
        .current_dir(&root)
        .env(
            "CLICKUP_CONNECTOR_BIN",
            env!("CARGO_BIN_EXE_clickup-connector"),
        )
        .env("CLICKUP_CONNECTOR_WASM", component())
        .output()
        .expect("run pytest");
    let report = text(&out);
    assert!(out.status.success(), "the standard tests failed:\n{report}");
    let passed: BTreeSet<&str> = report
        .lines()
        .filter_map(|l| l.strip_prefix("PASSED test_standard.py::TestClickupBinary::"))
        .collect();
    for test in MUST_PASS {
        assert!(passed.contains(test), "{test} did not pass:\n{report}");
    }
    assert!(
        sim.request_counts().total > 0,
        "the suite never reached the simulator"
    );
    eprintln!(
        "airbyte standard tests: {} passed in {:.1} s",
        passed.len(),
        started.elapsed().as_secs_f64()
    );
}
