//! The on-disk cache of compiled components, and why it can be trusted.
//!
//! A cached `.cwasm` is native code: loading one runs whatever it holds, outside the sandbox. So
//! the cache is used only where no one but this process's user can have written it:
//! - the folder is created `0700`; an existing folder is used only if this user owns it and no
//!   one else may write to it (group and other write bits clear);
//! - a cached file is used only if this user owns it and no one else may write to it; it is
//!   opened once, checked on the open handle, and compiled from the bytes read from that handle
//!   (no check-then-reopen);
//! - files are written `0600` under a temporary name, then renamed into place.
//!
//! A folder or file that fails a check is never read; the component is compiled instead and the
//! reason is kept in [`super::ConnectorHost::cache_note`]. Off Unix, there is no cache.
//!
//! The default folder is the user's cache folder (`$XDG_CACHE_HOME`, else `~/.cache`) with
//! `connector-host` below it, never the shared system temp folder.

use std::path::{Path, PathBuf};

/// The default cache folder: `$XDG_CACHE_HOME/connector-host`, else `$HOME/.cache/connector-host`;
/// `None` when neither is set.
pub(crate) fn default_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("connector-host"))
}

/// Makes `dir` (if missing) and checks that only this user can write to it.
#[cfg(unix)]
pub(crate) fn prepare_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    if !dir.exists() {
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        match std::fs::DirBuilder::new().mode(0o700).create(dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot create {}: {e}", dir.display())),
        }
    }
    let meta = std::fs::metadata(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if !meta.is_dir() {
        return Err(format!("{} is not a folder", dir.display()));
    }
    only_mine(&meta).map_err(|why| format!("the cache folder {} {why}", dir.display()))
}

/// Reads a cached file, if it is there and passes the checks. `Ok(None)`: not cached.
#[cfg(unix)]
pub(crate) fn read(path: &Path) -> Result<Option<Vec<u8>>, String> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot open {}: {e}", path.display())),
    };
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    only_mine(&meta).map_err(|why| format!("the cached file {} {why}", path.display()))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(Some(bytes))
}

/// Writes a cache file: `0600` under a temporary name, then renamed over `path`.
#[cfg(unix)]
pub(crate) fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// This user owns it, and neither its group nor others may write to it.
#[cfg(unix)]
fn only_mine(meta: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(format!(
            "belongs to user {}, not to this process's user {me}",
            meta.uid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "may be written by others (mode {:o})",
            meta.mode() & 0o777
        ));
    }
    Ok(())
}

/// Off Unix there is no owner and mode to check: no cache.
#[cfg(not(unix))]
pub(crate) fn prepare_dir(_dir: &Path) -> Result<(), String> {
    Err("the compile cache is only used on Unix".to_owned())
}

/// Off Unix there is no cache.
#[cfg(not(unix))]
pub(crate) fn read(_path: &Path) -> Result<Option<Vec<u8>>, String> {
    Ok(None)
}

/// Off Unix there is no cache.
#[cfg(not(unix))]
pub(crate) fn write(_path: &Path, _bytes: &[u8]) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("cache-unit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_new_folder_is_private_and_a_shared_one_is_refused() {
        let dir = scratch("new").join("cache");
        prepare_dir(&dir).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        write(&dir.join("a.cwasm"), b"bytes").unwrap();
        assert_eq!(
            read(&dir.join("a.cwasm")).unwrap().as_deref(),
            Some(&b"bytes"[..])
        );
        assert_eq!(read(&dir.join("absent.cwasm")).unwrap(), None);

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let e = prepare_dir(&dir).unwrap_err();
        assert!(e.contains("may be written by others"), "{e}");

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let file = dir.join("a.cwasm");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
        let e = read(&file).unwrap_err();
        assert!(e.contains("may be written by others"), "{e}");
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
    }
}
