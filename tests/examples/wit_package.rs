//! Encodes a WIT folder as a binary WIT package: what `wasm-tools component wit --wasm DIR`
//! writes, made with the same library (`wit-component`), so `.ci/artifacts` needs no tool that
//! is not in the lock file.
//!
//! ```sh
//! cargo run -p clickup-tests --example wit_package -- wit/ target/artifacts/connector-source.wit.wasm
//! ```

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), Some(out)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: wit_package WIT_DIR OUTPUT.wasm");
    };
    let mut resolve = wit_parser::Resolve::default();
    let (package, _files) = resolve
        .push_dir(&dir)
        .with_context(|| format!("cannot read the WIT package in {}", dir.to_string_lossy()))?;
    let bytes = wit_component::encode(&resolve, package)?;
    std::fs::write(&out, bytes)
        .with_context(|| format!("cannot write {}", out.to_string_lossy()))?;
    println!(
        "{}: {}",
        resolve.packages[package].name,
        out.to_string_lossy()
    );
    Ok(())
}
