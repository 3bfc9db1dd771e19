//! Writing to stdout without panicking when it is closed.
//!
//! `println!` panics when stdout is a pipe whose reader has gone (`discover | head -c 100`).
//! Every line this tool prints goes through [`outln!`] instead, which returns the write's error;
//! [`is_broken_pipe`] lets `main` end such a run quietly, with exit code [`crate::exit::BROKEN_PIPE`]
//! (141, what a shell reports for a process that a closed pipe stopped).

use std::io::Write;

/// Prints a line to stdout like `println!`, and returns early (`?`) with the error if stdout
/// cannot be written.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::stdout::line(format_args!($($arg)*))?
    };
}
pub(crate) use outln;

/// Writes one line to stdout.
pub(crate) fn line(args: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)?;
    out.write_all(b"\n")
}

/// Whether `error` comes from writing into a pipe whose reader has gone.
pub(crate) fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
