//! Reading the files a user names (config, catalog, state, tenants file) as text, with an error
//! that says which file and what is wrong with it, and that the CLI exits 3 on ([`InputError`]).

use std::path::Path;

/// A file the user named cannot be used as text: missing, a folder, unreadable, not UTF-8.
#[derive(Debug)]
pub(crate) struct InputError(pub(crate) String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// The text of `path`, the `what` (for example "config file") the user gave.
pub(crate) fn read_text(path: &Path, what: &str) -> Result<String, InputError> {
    if path.is_dir() {
        return Err(InputError(format!(
            "the {what} {} is a folder, not a file",
            path.display()
        )));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| InputError(format!("cannot read the {what} {}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|e| {
        InputError(format!(
            "the {what} {} is not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}
