//! A second component host: the component transpiled by jco (`jco transpile`, npm
//! `@bytecodealliance/jco`) into JavaScript + core Wasm, with WASI (HTTP included) from
//! `@bytecodealliance/preview2-shim`, run under Node.js by `jco/read.mjs`. Every stream it reads
//! from the simulator equals what our own wasmtime host (`clickup-connector read`) writes.

use crate::tools::{self, component, reference_records, sim, streams, tempdir, write_config};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

/// The runner script, from the source tree.
fn runner() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/jco/read.mjs")
}

/// The component transpiled by jco, once per run: the path of its JS module. It goes below the
/// npm folder (`tools().jco_dir()`) so that Node resolves `@bytecodealliance/preview2-shim` from
/// its `node_modules`; one folder per test process, those of finished processes are removed.
fn transpiled() -> PathBuf {
    static MODULE: OnceLock<PathBuf> = OnceLock::new();
    MODULE
        .get_or_init(|| {
            let wasm = component();
            let jco_dir = tools::tools().jco_dir();
            let parent = jco_dir.join("transpiled");
            if let Ok(entries) = std::fs::read_dir(&parent) {
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let alive = name
                        .strip_prefix("run-")
                        .is_some_and(|pid| Path::new("/proc").join(pid).exists());
                    if !alive {
                        let _ = std::fs::remove_dir_all(e.path());
                    }
                }
            }
            let out_dir = parent.join(format!("run-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&out_dir);
            let started = Instant::now();
            let out = Command::new(jco_dir.join("node_modules/.bin/jco"))
                .arg("transpile")
                .arg(&wasm)
                .arg("-o")
                .arg(&out_dir)
                .args(["--name", "clickup_connector", "--no-typescript", "--quiet"])
                .current_dir(&jco_dir)
                .output()
                .expect("run jco (node_modules/.bin/jco)");
            assert!(
                out.status.success(),
                "jco transpile failed: {}",
                tools::text(&out)
            );
            eprintln!("jco transpile: {:.1} s", started.elapsed().as_secs_f64());
            let module = out_dir.join("clickup_connector.js");
            assert!(module.is_file(), "jco wrote no {}", module.display());
            module
        })
        .clone()
}

/// Runs `node read.mjs <module> <config> <streams>...`.
fn node_read(config: &str, streams: &[&str]) -> Output {
    Command::new("node")
        .arg(runner())
        .arg(transpiled())
        .arg(config)
        .args(streams)
        .output()
        .expect("run node (Node.js 20 or later must be on PATH)")
}

/// The runner's records, per stream, each stream's sorted as `reference_records` sorts them.
fn records_by_stream(stdout: &[u8]) -> BTreeMap<String, Vec<Value>> {
    let mut by_stream: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for line in tools::json_lines(&String::from_utf8_lossy(stdout)) {
        let stream = line["stream"].as_str().expect("a stream name").to_owned();
        let record = line.get("record").cloned().expect("a record");
        assert!(record.is_object(), "not a JSON object: {record}");
        by_stream.entry(stream).or_default().push(record);
    }
    for records in by_stream.values_mut() {
        records.sort_by_key(|r| r.to_string());
    }
    by_stream
}

#[test]
fn node_reads_every_stream_like_the_wasmtime_host() {
    let sim = sim(11);
    let dir = tempdir("jco-read");
    let config = write_config(&dir, &sim);
    transpiled();

    let started = Instant::now();
    let out = node_read(config.to_str().expect("UTF-8 path"), streams());
    let node_secs = started.elapsed().as_secs_f64();
    assert_eq!(
        out.status.code(),
        Some(0),
        "node read.mjs failed: {}",
        tools::text(&out)
    );
    let from_node = records_by_stream(&out.stdout);

    let started = Instant::now();
    let reference = reference_records(&config, streams());
    let reference_secs = started.elapsed().as_secs_f64();

    for &stream in streams() {
        let expected = &reference[stream];
        assert!(!expected.is_empty(), "the reference host read no {stream}");
        let got = from_node.get(stream).map(Vec::as_slice).unwrap_or_default();
        assert_eq!(
            got.len(),
            expected.len(),
            "{stream}: {} records under Node, {} under wasmtime",
            got.len(),
            expected.len()
        );
        assert!(
            got == expected.as_slice(),
            "{stream}: the records read under Node differ from those of the wasmtime host"
        );
    }
    assert_eq!(
        from_node.keys().collect::<Vec<_>>(),
        reference.keys().collect::<Vec<_>>(),
        "streams under Node"
    );
    let total: usize = from_node.values().map(Vec::len).sum();
    eprintln!(
        "jco/Node: {total} records in {} streams in {node_secs:.1} s (wasmtime host: \
         {reference_secs:.1} s)\n{}",
        streams().len(),
        String::from_utf8_lossy(&out.stderr).trim_end()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn node_reports_connector_errors_by_variant_without_the_token() {
    let sim = sim(12);
    let base_url = sim.base_url();

    // A token the source rejects: `auth`, and the token is not echoed.
    let wrong = serde_json::json!({"api_token": "pk_1_WRONG", "base_url": base_url}).to_string();
    let out = node_read(&wrong, &["workspaces"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", tools::text(&out));
    assert!(
        out.stdout.is_empty(),
        "records printed: {}",
        tools::text(&out)
    );
    assert!(
        stderr.contains("error: stream workspaces: auth: "),
        "no auth error: {stderr}"
    );
    assert!(
        !stderr.contains("pk_1_WRONG"),
        "the token is in the message: {stderr}"
    );

    // A malformed token: `config`, before any request.
    let malformed = serde_json::json!({"api_token": "x", "base_url": base_url}).to_string();
    let out = node_read(&malformed, &["workspaces"]);
    assert_eq!(out.status.code(), Some(2), "{}", tools::text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("error: stream workspaces: config: "),
        "no config error: {}",
        tools::text(&out)
    );

    // A stream the connector does not have: `unknown-stream`.
    let good = serde_json::json!({"api_token": sim.token(), "base_url": base_url}).to_string();
    let out = node_read(&good, &["nope"]);
    assert_eq!(out.status.code(), Some(2), "{}", tools::text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("error: stream nope: unknown-stream: "),
        "no unknown-stream error: {}",
        tools::text(&out)
    );
}
