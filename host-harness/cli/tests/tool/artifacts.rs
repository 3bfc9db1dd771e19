//! `.ci/artifacts`: the component, its checksum and the binary WIT package, as a platform
//! engineer takes them.

use crate::support::{tempdir, text};
use std::process::Command;

#[test]
fn the_artifacts_script_gives_a_checked_component_and_a_decodable_wit_package() {
    let out_dir = tempdir("artifacts");
    let root = clickup_tests::project_root();
    let run = Command::new(root.join(".ci/artifacts"))
        .arg(&out_dir)
        .output()
        .expect("run .ci/artifacts");
    assert!(run.status.success(), "{}", text(&run));

    let wasm = std::fs::read(out_dir.join("clickup_connector.wasm")).unwrap();
    assert!(wasm.starts_with(b"\0asm"), "a WebAssembly binary");
    let check = Command::new("sha256sum")
        .args(["--check", "--strict", "clickup_connector.wasm.sha256"])
        .current_dir(&out_dir)
        .output()
        .expect("run sha256sum");
    assert!(
        check.status.success(),
        "the checksum matches: {}",
        text(&check)
    );

    let wit = std::fs::read(out_dir.join("connector-source.wit.wasm")).unwrap();
    let decoded = wit_component::decode(&wit).expect("a binary WIT package");
    let resolve = decoded.resolve();
    let package = &resolve.packages[decoded.package()];
    assert_eq!(package.name.to_string(), "connector:source@0.2.0");
    assert!(
        package.interfaces.contains_key("source"),
        "{:?}",
        package.interfaces.keys()
    );
}
