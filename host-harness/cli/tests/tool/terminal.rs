//! The progress display in a real pseudo-terminal (through util-linux `script`), and the plain
//! log lines it becomes when stderr is not a terminal.

use crate::support::{arg, bin, config_for, tempdir, text, tool};
use clickup_sim::{RateLimitConfig, SimConfig, Simulator, Size};
use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

/// A tiny account whose rate limit (15 requests per 3 s) makes the sync wait several times.
fn throttled_sim(seed: u64) -> Simulator {
    Simulator::start(SimConfig {
        seed,
        size: Size::tiny(),
        rate_limit: RateLimitConfig {
            limit: 15,
            window: Duration::from_secs(3),
        },
        ..SimConfig::default()
    })
    .expect("start the simulator")
}

#[test]
fn on_a_terminal_the_display_counts_down_rate_limit_waits_and_shows_streams_done() {
    let sim = throttled_sim(321);
    let dir = tempdir("pty");
    let cfg = config_for(&dir, &sim);
    let transcript = dir.join("typescript");
    let command = format!(
        "{} read --config {} --output {}",
        bin(),
        arg(&cfg),
        arg(&dir.join("data"))
    );
    let out = Command::new("script")
        .args(["--quiet", "--flush", "--return", "--command", &command])
        .arg(&transcript)
        .env("TERM", "xterm-256color")
        .output()
        .expect("run `script` (util-linux) to give the tool a pseudo-terminal");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let screen = String::from_utf8_lossy(&std::fs::read(&transcript).unwrap()).into_owned();
    assert!(screen.contains("\u{1b}["), "drawn with terminal escapes");
    assert!(
        screen.contains("streams 15/15"),
        "streams done out of the total"
    );
    assert!(screen.contains("in flight"), "requests in flight");
    // The task's child streams are read with tasks: each a finished line of its own.
    assert!(
        screen.contains("task_tags") && screen.contains("read with tasks"),
        "the child streams' lines"
    );
    assert!(screen.contains("00:00:"), "elapsed time");
    assert!(
        screen.contains("ETA"),
        "an ETA for the tasks of a full sync"
    );
    assert!(screen.contains("records") && screen.contains("requests"));
    let countdown: BTreeSet<&str> = screen
        .match_indices("waiting ")
        .filter_map(|(i, _)| screen[i + 8..].split(' ').next())
        .filter(|n| n.parse::<u32>().is_ok())
        .collect();
    assert!(
        countdown.len() >= 2,
        "the rate-limit wait counts down on screen, saw {countdown:?}"
    );
}

#[test]
fn without_a_terminal_progress_is_plain_log_lines() {
    let sim = crate::support::sim(322);
    let dir = tempdir("no-pty");
    let cfg = config_for(&dir, &sim);
    let out = tool(&[
        "read",
        "--config",
        arg(&cfg),
        "--output",
        arg(&dir.join("data")),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains('\u{1b}'), "no escapes in a log: {stderr}");
    assert!(
        stderr.contains("reading workspaces (0 of 15 streams done, 0:00:00 elapsed)"),
        "{stderr}"
    );
    assert!(stderr.contains("(15 of 15 streams done,"), "{stderr}");
}
