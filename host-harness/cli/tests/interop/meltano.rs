//! Meltano (PyPI `meltano`) runs `meltano run tap-clickup target-jsonl` from the committed
//! `meltano/meltano.yml`: the tap is `clickup-connector singer` (through `meltano/tap-clickup`,
//! which only adds the subcommand), the target is `target-jsonl`, both custom plugins found on
//! PATH. Meltano writes the tap's config file, runs `--discover`, passes the catalog back with
//! `--catalog`, keeps the state the target echoes in its system database and passes it with
//! `--state` on the next run.
//!
//! The project folder is the committed one, untouched: Meltano's `.meltano` system folder goes to
//! a scratch folder (`MELTANO_SYS_DIR_ROOT`).

use crate::tools::{self, component, interop_dir, reference_records, sim, tempdir, text};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `meltano ARGS` in the committed project against `sim`, loading into `destination`.
fn meltano(
    args: &[&str],
    sim: &clickup_sim::Simulator,
    scratch: &Path,
    destination: &Path,
) -> Output {
    std::fs::create_dir_all(destination).unwrap();
    let project = interop_dir().join("meltano");
    let singer_bin = tools::tools().target_jsonl().parent().unwrap().to_owned();
    let path = std::env::join_paths([project.clone(), singer_bin].into_iter().chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    Command::new(tools::tools().meltano())
        .args(args)
        .current_dir(scratch)
        .env("PATH", path)
        .env("MELTANO_PROJECT_ROOT", &project)
        .env("MELTANO_SYS_DIR_ROOT", scratch.join(".meltano"))
        .env("MELTANO_SEND_ANONYMOUS_USAGE_STATS", "false")
        .env("TAP_CLICKUP_API_TOKEN", sim.token())
        .env("TAP_CLICKUP_BASE_URL", sim.base_url())
        .env("TARGET_JSONL_DESTINATION_PATH", destination)
        .env(
            "CLICKUP_CONNECTOR_BIN",
            env!("CARGO_BIN_EXE_clickup-connector"),
        )
        .env("CLICKUP_CONNECTOR_WASM", component())
        .output()
        .expect("run meltano")
}

/// The rows target-jsonl wrote, per stream, sorted.
fn rows(destination: &Path) -> BTreeMap<String, Vec<Value>> {
    let mut rows = BTreeMap::new();
    for entry in std::fs::read_dir(destination).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stream) = name.strip_suffix(".jsonl") {
            let mut records = tools::json_lines(&std::fs::read_to_string(entry.path()).unwrap());
            records.sort_by_key(|r| r.to_string());
            rows.insert(stream.to_owned(), records);
        }
    }
    rows
}

#[test]
fn meltano_runs_the_tap_into_target_jsonl_and_the_second_run_continues_from_its_state() {
    let sim = sim(851);
    let scratch = tempdir("meltano");
    let started = std::time::Instant::now();

    let first = scratch.join("first");
    let out = meltano(
        &["run", "tap-clickup", "target-jsonl"],
        &sim,
        &scratch,
        &first,
    );
    assert!(out.status.success(), "meltano run failed:\n{}", text(&out));
    let loaded = rows(&first);
    let config = tools::write_config(&scratch, &sim);
    let streams = tools::streams();
    let expected = reference_records(&config, streams);
    for stream in streams {
        let got = loaded
            .get(*stream)
            .unwrap_or_else(|| panic!("no {stream} rows"));
        assert!(!got.is_empty(), "{stream}: no rows");
        assert!(
            got == &expected[*stream],
            "{stream}: Meltano's rows differ from the records"
        );
    }
    assert!(
        !text(&out).contains(&sim.token()),
        "the token leaked into Meltano's log"
    );

    // Meltano kept the state the target echoed, and hands it back: only the changes come.
    let (updated, created) = sim.mutate(|w| (w.update_tasks(4), w.create_tasks(2)));
    let second = scratch.join("second");
    let out = meltano(
        &["run", "tap-clickup", "target-jsonl"],
        &sim,
        &scratch,
        &second,
    );
    assert!(
        out.status.success(),
        "second meltano run failed:\n{}",
        text(&out)
    );
    let tasks: Vec<String> = rows(&second)
        .get("tasks")
        .map(|t| {
            t.iter()
                .map(|r| r["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    for id in updated.iter().chain(&created) {
        assert!(
            tasks.contains(id),
            "changed task {id} not loaded: {tasks:?}"
        );
    }
    assert!(
        tasks.len() < expected["tasks"].len() / 4,
        "the second run reloaded {} of {} tasks: Meltano's state was not used",
        tasks.len(),
        expected["tasks"].len()
    );
    let state = meltano(
        &["state", "get", "test:tap-clickup-to-target-jsonl"],
        &sim,
        &scratch,
        &second,
    );
    assert!(state.status.success(), "{}", text(&state));
    let state: Value = serde_json::from_slice(&state.stdout).expect("the state is JSON");
    assert!(
        state["singer_state"]["bookmarks"]["tasks"]["state"]["watermarks"].is_object(),
        "{state}"
    );
    eprintln!(
        "meltano: 2 runs, {} then {} task rows, in {:.1} s",
        loaded["tasks"].len(),
        tasks.len(),
        started.elapsed().as_secs_f64()
    );
}
