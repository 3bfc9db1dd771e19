//! A folder of JSON-lines files, one per stream, and the state file that says how far they go.
//!
//! The folder (`--output DIR`) holds `<stream>.jsonl` per stream and `state.json`. Records are
//! written and flushed to disk before `state.json` is replaced (write to a temporary file, then
//! rename: a crash leaves the old or the new state, never half of one). Incremental streams append;
//! full-refresh streams write `<stream>.jsonl.partial` and rename it over `<stream>.jsonl` when
//! complete, so the folder always holds a whole snapshot. When a stream is complete its file is
//! de-duplicated by primary key ([`dedupe`]): after any number of runs, `<stream>.jsonl` holds
//! each record once, as last synced.
//!
//! The de-duplication reads the whole file again (365 MB of `tasks.jsonl` for 30,000 tasks), so
//! it runs on a thread of its own, beside the streams the sync still reads, and the sync's end
//! ([`Observer::sync_ended`]) waits for it: a stream's file is never written again in the sync
//! that completed it. The state says the stream is complete before its file is de-duplicated; a
//! crash in between leaves the file whole, with older copies that the next completion of the
//! stream removes (the rewrite is atomic, as for the state).

pub mod dedupe;

use crate::airbyte::{self, state_json};
use anyhow::Context;
use host_harness::{Checkpoint, Observer, StreamChoice, StreamDescriptor, SyncState, TenantOutput};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

/// Writes a file atomically: a temporary file beside it, synced, then renamed over it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut f =
            File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))
}

/// The de-duplication of the files one checkpoint completed, on a thread of its own: each
/// stream and the older copies removed from its file.
type Rewrite = JoinHandle<anyhow::Result<Vec<(String, u64)>>>;

/// A folder of JSON-lines files and a state file (see the module docs).
pub struct OutputDir {
    dir: PathBuf,
    incremental: BTreeMap<String, bool>,
    keys: BTreeMap<String, Vec<Vec<String>>>,
    /// Per parent stream: its derived streams, whose files its checkpoint covers.
    children: BTreeMap<String, Vec<String>>,
    files: BTreeMap<String, BufWriter<File>>,
    state: SyncState,
    /// Records written per stream in this sync.
    pub written: BTreeMap<String, u64>,
    /// Per stream: older copies of records removed from its file at the end of this sync
    /// (complete once [`OutputDir::wait`] or [`Observer::sync_ended`] returned).
    pub deduped: BTreeMap<String, u64>,
    /// The de-duplications started and not yet waited for: each the files of one checkpoint.
    pending: Vec<Rewrite>,
}

impl OutputDir {
    /// The state file's name inside the folder.
    pub const STATE_FILE: &'static str = "state.json";

    /// Opens (creating) the folder for a sync of `streams` (their keys from `descriptors`),
    /// starting from `state`.
    pub fn open(
        dir: &Path,
        descriptors: &[StreamDescriptor],
        streams: &[StreamChoice],
        state: &SyncState,
    ) -> anyhow::Result<OutputDir> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(OutputDir {
            dir: dir.to_owned(),
            incremental: streams
                .iter()
                .map(|s| (s.name.clone(), s.incremental))
                .collect(),
            keys: descriptors
                .iter()
                .map(|d| (d.name.clone(), d.primary_key.clone()))
                .collect(),
            children: streams
                .iter()
                .filter(|s| s.parent.is_none())
                .map(|s| (s.name.clone(), s.children_in(streams)))
                .collect(),
            files: BTreeMap::new(),
            state: state.clone(),
            written: BTreeMap::new(),
            deduped: BTreeMap::new(),
            pending: Vec::new(),
        })
    }

    /// The state file's path.
    pub fn state_path(&self) -> PathBuf {
        self.dir.join(Self::STATE_FILE)
    }

    fn data_path(&self, stream: &str) -> PathBuf {
        let incremental = self.incremental.get(stream).copied().unwrap_or(false);
        let name = if incremental {
            format!("{stream}.jsonl")
        } else {
            format!("{stream}.jsonl.partial")
        };
        self.dir.join(name)
    }
}

impl Observer for OutputDir {
    fn stream_started(&mut self, stream: &str) {
        // A derived stream resumes with its parent, whose checkpoint covers it.
        let parent = self
            .children
            .iter()
            .find(|(_, c)| c.iter().any(|c| c == stream));
        let counted = parent.map_or(stream, |(p, _)| p.as_str());
        let resuming = self.state.get(counted).is_some_and(|c| c.cursor.is_some());
        let path = self.data_path(stream);
        let incremental = self.incremental.get(stream).copied().unwrap_or(false);
        let file = OpenOptions::new()
            .create(true)
            .append(incremental || resuming)
            .write(true)
            .truncate(!(incremental || resuming))
            .open(&path);
        if let Ok(f) = file {
            self.files.insert(stream.to_owned(), BufWriter::new(f));
        }
    }

    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        let file = self
            .files
            .get_mut(stream)
            .ok_or_else(|| anyhow::anyhow!("cannot write the records of {stream}"))?;
        let mut n = 0;
        for r in records {
            // A line break inside a record (only where JSON allows whitespace) would split it:
            // such a record is written compact. Two byte searches (memchr), not `str::contains`
            // with a char set, which went char by char through every record.
            if r.as_bytes().contains(&b'\n') || r.as_bytes().contains(&b'\r') {
                let v: Value = serde_json::from_str(r)?;
                writeln!(file, "{v}")?;
            } else {
                file.write_all(r.as_bytes())?;
                file.write_all(b"\n")?;
            }
            n += 1;
        }
        *self.written.entry(stream.to_owned()).or_default() += n;
        Ok(())
    }

    /// Makes the stream's records durable (and those of the streams derived from it, which its
    /// checkpoint covers), finishes their files when the stream is complete, then saves the state.
    fn checkpoint(&mut self, stream: &str, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        let mut covered = vec![stream.to_owned()];
        covered.extend(self.children.get(stream).into_iter().flatten().cloned());
        for name in &covered {
            if let Some(f) = self.files.get_mut(name) {
                f.flush()?;
                f.get_ref().sync_data()?;
            }
        }
        if checkpoint.cursor.is_none() {
            let mut done = Vec::new();
            for name in &covered {
                done.push(self.finish(name)?);
            }
            self.pending.push(std::thread::spawn(move || {
                done.into_iter()
                    .map(|(stream, path, key)| {
                        let removed = dedupe::dedupe_file(&path, &key)?.removed;
                        Ok((stream, removed))
                    })
                    .collect()
            }));
        }
        self.state.insert(stream.to_owned(), checkpoint.clone());
        let text = serde_json::to_vec_pretty(&state_json(&self.state))?;
        write_atomically(&self.state_path(), &text)
    }

    fn sync_ended(&mut self) -> anyhow::Result<()> {
        self.wait()
    }
}

impl OutputDir {
    /// A complete stream's file, renamed into place (full refresh): its stream, path and primary
    /// key, for the de-duplication.
    fn finish(&mut self, stream: &str) -> anyhow::Result<(String, PathBuf, Vec<Vec<String>>)> {
        self.files.remove(stream);
        let done = self.dir.join(format!("{stream}.jsonl"));
        if !self.incremental.get(stream).copied().unwrap_or(false) {
            std::fs::rename(self.data_path(stream), &done)?;
        }
        let key = self.keys.get(stream).cloned().unwrap_or_default();
        Ok((stream.to_owned(), done, key))
    }

    /// Waits for the de-duplications started so far and records what they removed
    /// ([`OutputDir::deduped`]); the first error, if one failed.
    pub fn wait(&mut self) -> anyhow::Result<()> {
        let mut first = Ok(());
        for pending in self.pending.drain(..) {
            let result = pending
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the de-duplication of a file stopped")));
            match result {
                Ok(removed) => self.deduped.extend(removed),
                Err(e) if first.is_ok() => first = Err(e),
                Err(_) => {}
            }
        }
        first
    }
}

impl Drop for OutputDir {
    /// No de-duplication outlives the folder (its error, if any, is [`OutputDir::wait`]'s).
    fn drop(&mut self) {
        let _ = self.wait();
    }
}

/// The output of a tenant of [`host_harness::run_many`] as such a folder: `tenant.output` is the
/// folder, its `state.json` the state to start from.
pub fn open_tenant_folder(
    tenant: &host_harness::Tenant,
    descriptors: &[StreamDescriptor],
    streams: &[StreamChoice],
) -> anyhow::Result<TenantOutput> {
    let state = airbyte::load_state_file(&tenant.output.join(OutputDir::STATE_FILE))?;
    let folder = OutputDir::open(&tenant.output, descriptors, streams, &state)?;
    Ok(TenantOutput {
        state,
        observer: Box::new(folder),
    })
}

#[cfg(test)]
mod tests;
