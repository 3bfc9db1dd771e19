//! How the tool fails where a user's environment fails: a reader that closed the pipe, a port
//! nobody listens on, a component override that is not there.

use crate::support::{arg, bin, tempdir, text, tool, write_json};
use std::process::{Command, Stdio};

#[test]
fn a_closed_stdout_ends_the_command_quietly_without_a_panic() {
    // The reading end is closed before the tool starts: its first line meets a broken pipe,
    // as `clickup-connector discover | head -c 0` would.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(bin())
        .arg("spec")
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim(), "", "a closed pipe is not an error to report");
    assert_eq!(out.status.code(), Some(141));
}

#[test]
fn a_closed_port_is_named_with_its_host_and_port() {
    let dir = tempdir("closed-port");
    // A port that was just free: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = write_json(
        &dir.join("config.json"),
        &serde_json::json!({
            "api_token": "pk_1_ABCDEFGHIJKLMNOP",
            "base_url": format!("http://127.0.0.1:{port}/api/v2"),
        }),
    );
    let out = tool(&["check", "--config", arg(&cfg)]);
    let said = text(&out);
    assert!(
        said.contains(&format!("127.0.0.1:{port}: connection refused")),
        "{said}"
    );
    assert!(
        !said.contains("pk_1_ABCDEFGHIJKLMNOP"),
        "the token leaked: {said}"
    );
}

#[test]
fn the_component_can_still_be_chosen_by_flag_or_environment() {
    let dir = tempdir("override");
    let missing = dir.join("nowhere.wasm");
    let by_flag = tool(&["spec", "--component", arg(&missing)]);
    assert_ne!(by_flag.status.code(), Some(0));
    assert!(text(&by_flag).contains(arg(&missing)), "{}", text(&by_flag));
    let by_env = Command::new(bin())
        .arg("spec")
        .env("CLICKUP_CONNECTOR_WASM", &missing)
        .output()
        .unwrap();
    assert_ne!(by_env.status.code(), Some(0));
    assert!(text(&by_env).contains(arg(&missing)), "{}", text(&by_env));
}
