//! `run-many` as an operator reads it: a line per tenant while it runs, a report, a count of
//! what failed, and the exit code the README documents.

use crate::support::{arg, sim, tempdir, text, tool, write_json};

#[test]
fn run_many_reports_each_tenant_live_and_exits_3_for_a_bad_token() {
    let sim = sim(311);
    let dir = tempdir("run-many");
    let tenants = write_json(
        &dir.join("tenants.json"),
        &serde_json::json!([
            {"name": "acme", "config": {"api_token": sim.token(), "base_url": sim.base_url()}},
            {"name": "wrongtoken", "config": {"api_token": "pk_1_NOTATOKENTHEYKNOW", "base_url": sim.base_url()}},
        ]),
    );
    let host = sim.addr().to_string();
    let out = tool(&[
        "run-many",
        "--tenants",
        arg(&tenants),
        "--allow-host",
        &host,
    ]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(3), "{said}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.lines().any(|l| l == "1 ok, 1 failed"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[clickup-connector] acme: tasks done"),
        "a line per tenant as its streams end: {stderr}"
    );
    assert!(
        stderr.contains("[clickup-connector] acme: done:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[clickup-connector] wrongtoken: workspaces failed: authentication error"),
        "{stderr}"
    );
    assert!(
        !said.contains("NOTATOKENTHEYKNOW"),
        "the token leaked: {said}"
    );
}

#[test]
fn a_tenant_whose_folder_cannot_be_opened_is_the_hosts_failure_with_exit_1() {
    let sim = sim(312);
    let dir = tempdir("run-many-host");
    // The tenant's output folder is a file: the host cannot open it.
    std::fs::write(dir.join("blocked"), "not a folder").unwrap();
    let tenants = write_json(
        &dir.join("tenants.json"),
        &serde_json::json!([
            {"name": "blocked", "output": "blocked", "config": {"api_token": sim.token(), "base_url": sim.base_url()}},
        ]),
    );
    let host = sim.addr().to_string();
    let out = tool(&[
        "run-many",
        "--tenants",
        arg(&tenants),
        "--allow-host",
        &host,
    ]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("host error"), "{said}");
    assert!(
        !said.contains("trap"),
        "a host failure is not the connector's: {said}"
    );
    assert!(said.contains("0 ok, 1 failed"), "{said}");
}

#[test]
fn two_tenants_writing_one_folder_are_refused_before_anything_runs() {
    let sim = sim(313);
    let dir = tempdir("run-many-clash");
    let config = serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url()});
    let tenants = write_json(
        &dir.join("tenants.json"),
        &serde_json::json!([
            {"name": "acme", "output": "shared", "config": config},
            {"name": "globex", "output": "./shared", "config": config},
        ]),
    );
    let host = sim.addr().to_string();
    let out = tool(&[
        "run-many",
        "--tenants",
        arg(&tenants),
        "--allow-host",
        &host,
    ]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert!(
        said.contains("tenants 1 and 2 would both write to"),
        "{said}"
    );
    assert!(!dir.join("shared").exists(), "nothing ran");
    assert_eq!(sim.request_counts().total, 0, "no request was sent");
}
