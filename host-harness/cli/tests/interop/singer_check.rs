//! `singer-check-tap` (PyPI `singer-tools`, the Singer project's conformance checker) on the
//! output of `clickup-connector singer`: every message must parse as Singer, every RECORD must
//! follow a SCHEMA for its stream and validate against it (Draft 4, `date-time` formats parsed
//! as RFC 3339). Then, as the checker's own `--tap` mode does, the tap runs again from the last
//! STATE it emitted, and that output is checked too.
//!
//! The checker reads the tap's output on stdin rather than running it with `--tap`: in 0.4.1 that
//! mode reads the summary its reader thread is still filling once the tap exits (it never joins
//! the thread), and with a tap that finishes quickly it crashes with `AttributeError: 'NoneType'
//! object has no attribute 'num_messages'`.

use crate::tools::{self, sim, tempdir, text, write_config};
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

/// What the checker said about `messages`: (records, streams), or a panic with its output.
fn check(messages: &[u8], scratch: &std::path::Path) -> (u64, u64) {
    let mut checker = Command::new(tools::tools().singer_check_tap())
        .current_dir(scratch)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start singer-check-tap");
    checker.stdin.take().unwrap().write_all(messages).unwrap();
    let out = checker.wait_with_output().unwrap();
    let report = text(&out);
    assert!(
        out.status.success(),
        "singer-check-tap rejected the output:\n{report}"
    );
    assert!(report.contains("The output is valid."), "{report}");
    let number = |prefix: &str, suffix: &str| -> u64 {
        report
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_suffix(suffix)?
                    .trim()
                    .strip_prefix(prefix)?
                    .trim()
                    .parse()
                    .ok()
            })
            .unwrap_or_else(|| panic!("no `{prefix}… {suffix}` in:\n{report}"))
    };
    let streams = report
        .lines()
        .find_map(|l| {
            let rest = l.strip_prefix("It contained ")?;
            rest.split(" for ")
                .nth(1)?
                .strip_suffix(" streams.")?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no stream count in:\n{report}"));
    (number("", "record messages"), streams)
}

/// Runs `clickup-connector singer ARGS`; returns its stdout.
fn tap(args: &[&str]) -> Vec<u8> {
    let out = tools::tool(&[&["singer"], args].concat());
    assert!(out.status.success(), "the tap failed: {}", text(&out));
    out.stdout
}

#[test]
fn singer_check_tap_accepts_the_output_of_a_full_and_of_an_incremental_run() {
    let sim = sim(861);
    let scratch = tempdir("singer-check");
    let config = write_config(&scratch, &sim);
    let cfg = config.to_str().unwrap();

    let first = tap(&["--config", cfg]);
    let (records, streams) = check(&first, &scratch);
    assert_eq!(streams, tools::streams().len() as u64);
    let world = sim.world();
    assert!(records as usize > world.task_count(), "{records} records");

    // The last STATE's value is what a target echoes and the checker's --tap mode passes back.
    let last_state: Value = String::from_utf8_lossy(&first)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .rfind(|m| m["type"] == "STATE")
        .expect("a STATE message")["value"]
        .clone();
    let state = scratch.join("state.json");
    std::fs::write(&state, last_state.to_string()).unwrap();
    sim.mutate(|w| w.update_tasks(3));
    let second = tap(&["--config", cfg, "--state", state.to_str().unwrap()]);
    let (again, _) = check(&second, &scratch);
    assert!(
        again < records / 4,
        "the run from the state emitted {again} records, the full run {records}"
    );
    assert!(
        again >= 3,
        "the 3 changed tasks are missing: {again} records"
    );
}
