//! The folder as a sync drives it: a complete stream's file is de-duplicated off the sync's
//! path, and the sync's end (or the folder's drop) waits for it.

use super::*;
use host_harness::SyncMode;

fn descriptor(name: &str) -> StreamDescriptor {
    StreamDescriptor {
        name: name.to_owned(),
        json_schema: "{}".to_owned(),
        primary_key: vec![vec!["id".to_owned()]],
        cursor_field: Vec::new(),
        sync_modes: vec![SyncMode::FullRefresh, SyncMode::Incremental],
        parent: None,
        lane: None,
    }
}

fn folder(name: &str) -> anyhow::Result<(PathBuf, OutputDir)> {
    let dir = std::env::temp_dir().join(format!("files-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let descriptors = [descriptor("s")];
    let streams = StreamChoice::every(&descriptors);
    let out = OutputDir::open(&dir, &descriptors, &streams, &SyncState::new())?;
    Ok((dir, out))
}

/// A stream read whole: two copies of record 1, then its last checkpoint.
fn complete_stream(out: &mut OutputDir) -> anyhow::Result<()> {
    out.stream_started("s");
    let copies = [
        r#"{"id":1,"v":1}"#,
        r#"{"id":2,"v":1}"#,
        r#"{"id":1,"v":2}"#,
    ];
    out.records("s", &copies.map(str::to_owned))?;
    out.checkpoint("s", &Checkpoint::default())
}

#[test]
fn the_sync_end_waits_for_the_files_of_complete_streams_to_hold_each_record_once(
) -> anyhow::Result<()> {
    let (dir, mut out) = folder("ended")?;
    complete_stream(&mut out)?;
    out.sync_ended()?;
    assert_eq!(out.deduped.get("s"), Some(&1));
    assert_eq!(
        std::fs::read_to_string(dir.join("s.jsonl"))?,
        "{\"id\":2,\"v\":1}\n{\"id\":1,\"v\":2}\n"
    );
    Ok(())
}

#[test]
fn a_folder_dropped_before_the_sync_end_still_finishes_its_files() -> anyhow::Result<()> {
    let (dir, mut out) = folder("dropped")?;
    complete_stream(&mut out)?;
    drop(out);
    assert_eq!(
        std::fs::read_to_string(dir.join("s.jsonl"))?,
        "{\"id\":2,\"v\":1}\n{\"id\":1,\"v\":2}\n"
    );
    Ok(())
}
