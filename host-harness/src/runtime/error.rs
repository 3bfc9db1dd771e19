//! wasmtime 48 has its own error type; this crate speaks `anyhow`.

/// A wasmtime error as an `anyhow` error, with its whole chain of causes.
pub(crate) fn wasmtime_error(e: wasmtime::Error) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}
