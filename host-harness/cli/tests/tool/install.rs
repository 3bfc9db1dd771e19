//! `cargo install` gives a binary that carries its component: run from elsewhere, with a `PATH`
//! that has no cargo and no checkout in sight, it syncs.

use crate::support::{arg, config_for, jsonl, sim, tempdir, text};
use std::process::Command;

#[test]
fn an_installed_binary_syncs_with_no_cargo_on_path_and_no_checkout() {
    let root = tempdir("install-root");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let crate_dir = env!("CARGO_MANIFEST_DIR");
    // --debug and the workspace's target folder: the same install, reusing this test run's
    // build instead of compiling wasmtime again in release.
    let install = Command::new(cargo)
        .args([
            "install", "--quiet", "--debug", "--locked", "--path", crate_dir,
        ])
        .arg("--root")
        .arg(&root)
        .arg("--target-dir")
        .arg(clickup_tests::target_dir())
        .output()
        .expect("run cargo install");
    assert!(
        install.status.success(),
        "cargo install into {} (target {}): {}",
        root.display(),
        clickup_tests::target_dir().display(),
        text(&install)
    );
    let installed = root.join("bin/clickup-connector");
    assert!(installed.is_file());

    let sim = sim(331);
    let elsewhere = tempdir("install-elsewhere");
    let cfg = config_for(&elsewhere, &sim);
    let home = elsewhere.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let out = Command::new(&installed)
        .args(["read", "--config", arg(&cfg), "--output", "data"])
        .current_dir(&elsewhere)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &home)
        .output()
        .expect("run the installed binary");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let tasks = jsonl(&elsewhere.join("data/tasks.jsonl"));
    assert_eq!(tasks.len(), sim.world().task_count());
    // The installed binary is about 100 MB (debug): not left behind in the temp folder.
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_dir_all(&elsewhere);
}
