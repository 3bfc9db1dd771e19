//! The host against hostile files: a compiled component planted where another user could have
//! put it is never loaded (it would run native code outside the sandbox).

use host_harness::{ConnectorHost, LoadOptions};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("security-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn load(wasm: &Path, cache: &Path) -> std::sync::Arc<ConnectorHost> {
    ConnectorHost::load(
        wasm,
        &LoadOptions {
            cache_dir: Some(cache.to_owned()),
            ..LoadOptions::default()
        },
    )
    .expect("load the component")
}

#[test]
fn a_cached_component_in_a_folder_others_can_write_or_own_is_never_loaded() {
    let wasm = clickup_tests::build_component().expect("build the component");
    let cache = scratch("cache").join("cwasm");

    // A private folder: the second load comes from the cache (so the checks below can fail).
    assert!(!load(&wasm, &cache).loaded_from_cache);
    let again = load(&wasm, &cache);
    assert!(again.loaded_from_cache, "{:?}", again.cache_note);
    let mode = std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the cache folder is created private");

    // The same folder and file, but the folder is world-writable: as if someone else planted it.
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o777)).unwrap();
    let planted = load(&wasm, &cache);
    assert!(!planted.loaded_from_cache);
    let note = planted.cache_note.clone().unwrap_or_default();
    assert!(note.contains("may be written by others"), "{note}");
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o700)).unwrap();

    // A world-writable file in a private folder.
    let file = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
        .expect("a cached file")
        .path();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    assert!(!load(&wasm, &cache).loaded_from_cache);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(load(&wasm, &cache).loaded_from_cache);

    // A folder that belongs to another user (only root can make one here).
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let status = std::process::Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(&cache)
            .status()
            .expect("run chown");
        assert!(status.success());
        let foreign = load(&wasm, &cache);
        assert!(!foreign.loaded_from_cache);
        let note = foreign.cache_note.clone().unwrap_or_default();
        assert!(note.contains("belongs to user 65534"), "{note}");
    }
    let _ = std::fs::remove_dir_all(cache.parent().unwrap());
}
