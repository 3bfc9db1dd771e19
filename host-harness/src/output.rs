//! Where a sync's messages go: Airbyte JSON lines on stdout, a folder of JSON-lines files, a
//! progress display on stderr; and reading and writing state files and catalogs.
//!
//! The folder (`--output DIR`) holds `<stream>.jsonl` per stream and `state.json`. Records are
//! written and flushed to disk before `state.json` is replaced (write to a temporary file, then
//! rename: a crash leaves the old or the new state, never half of one). Incremental streams append;
//! full-refresh streams write `<stream>.jsonl.partial` and rename it over `<stream>.jsonl` when
//! complete, so the folder always holds a whole snapshot.

use crate::airbyte;
use crate::bindings::PageStats;
use crate::instance::CallError;
use crate::sync::{Checkpoint, Observer, StreamChoice, SyncState};
use anyhow::Context;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Reads an Airbyte per-stream state file: a JSON array of `{"type":"STREAM","stream":{…}}`
/// (a `STATE` message's `state`, or the whole message). A missing file is an empty state.
pub fn load_state_file(path: &Path) -> anyhow::Result<SyncState> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SyncState::new()),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read the state file {}", path.display()))
        }
    };
    parse_state(&text).map_err(|why| {
        anyhow::anyhow!(
            "the state file {} is not a state this tool wrote ({why}). Delete it (or remove the \
             stream from it) to start over with a full sync.",
            path.display()
        )
    })
}

/// Parses state text (see [`load_state_file`]).
pub fn parse_state(text: &str) -> Result<SyncState, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let items = value
        .as_array()
        .ok_or("not a JSON array of per-stream states")?;
    let mut state = SyncState::new();
    for item in items {
        let item = item.get("state").unwrap_or(item);
        let stream = item.get("stream").ok_or("an element has no \"stream\"")?;
        let name = stream
            .pointer("/stream_descriptor/name")
            .and_then(Value::as_str)
            .ok_or("an element has no stream_descriptor.name")?;
        let checkpoint =
            Checkpoint::from_json(name, stream.get("stream_state").unwrap_or(&Value::Null))?;
        state.insert(name.to_owned(), checkpoint);
    }
    Ok(state)
}

/// The state file's JSON.
pub fn state_json(state: &SyncState) -> Value {
    Value::Array(
        state
            .iter()
            .map(|(s, c)| airbyte::stream_state(s, &c.to_json()))
            .collect(),
    )
}

/// Reads a configured catalog: `{"streams":[{"stream":{"name":…},"sync_mode":"incremental"|"full_refresh"}]}`.
pub fn load_catalog(path: &Path) -> anyhow::Result<Vec<StreamChoice>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the catalog {}", path.display()))?;
    let value: Value = serde_json::from_str(&text)
        .with_context(|| format!("the catalog {} is not JSON", path.display()))?;
    let streams = value
        .get("streams")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            anyhow::anyhow!("the catalog {} has no \"streams\" array", path.display())
        })?;
    streams
        .iter()
        .map(|s| {
            let name = s
                .pointer("/stream/name")
                .or_else(|| s.get("name"))
                .and_then(Value::as_str)
                .ok_or_else(|| anyhow::anyhow!("a catalog entry has no stream.name"))?;
            let incremental = s.get("sync_mode").and_then(Value::as_str) == Some("incremental");
            Ok(StreamChoice {
                name: name.to_owned(),
                incremental,
            })
        })
        .collect()
}

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

/// Airbyte messages as JSON lines on a writer (stdout).
pub struct AirbyteLines<W: Write> {
    out: W,
}

impl<W: Write> AirbyteLines<W> {
    /// Messages to `out`.
    pub fn new(out: W) -> Self {
        AirbyteLines { out }
    }

    /// Writes one message.
    pub fn message(&mut self, message: &Value) -> anyhow::Result<()> {
        writeln!(self.out, "{message}")?;
        Ok(())
    }

    /// Flushes.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

impl<W: Write> Observer for AirbyteLines<W> {
    fn stream_started(&mut self, stream: &str) {
        let _ = self.message(&airbyte::stream_status(stream, "STARTED", None));
    }
    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        let at = airbyte::now_ms();
        for r in records {
            match airbyte::record(stream, r, at) {
                Some(line) => writeln!(self.out, "{line}")?,
                None => self.message(&airbyte::log("ERROR", &format!("stream {stream}: the connector returned a record that is not a JSON object; it was dropped")))?,
            }
        }
        Ok(())
    }
    fn checkpoint(&mut self, stream: &str, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        self.message(&airbyte::state(stream, &checkpoint.to_json()))?;
        self.out.flush()?;
        Ok(())
    }
    fn warning(&mut self, stream: &str, message: &str) {
        let _ = self.message(&airbyte::log(
            "WARN",
            &format!("stream {stream}: {message}"),
        ));
    }
    fn rate_limited(&mut self, stream: &str, reset_at_ms: u64) {
        let _ = self.message(&airbyte::stream_status(
            stream,
            "RUNNING",
            Some(reset_at_ms),
        ));
    }
    fn page(&mut self, stream: &str, _records: usize, stats: &PageStats) {
        // The connector waited for ClickUp's window inside this page: report it as Airbyte's
        // RATE_LIMITED status (the quota has reset by now).
        if stats.rate_limit_wait_ms > 0 {
            let now = airbyte::now_ms();
            let _ = self.message(&airbyte::stream_status(stream, "RUNNING", Some(now)));
        }
    }
    fn stream_complete(&mut self, stream: &str) {
        let _ = self.message(&airbyte::stream_status(stream, "COMPLETE", None));
    }
    fn stream_failed(&mut self, stream: &str, _error: &CallError) {
        let _ = self.message(&airbyte::stream_status(stream, "INCOMPLETE", None));
    }
}

/// A folder of JSON-lines files and a state file (see the module docs).
pub struct OutputDir {
    dir: PathBuf,
    incremental: BTreeMap<String, bool>,
    files: BTreeMap<String, BufWriter<File>>,
    state: SyncState,
    /// Records written per stream in this sync.
    pub written: BTreeMap<String, u64>,
}

impl OutputDir {
    /// The state file's name inside the folder.
    pub const STATE_FILE: &'static str = "state.json";

    /// Opens (creating) the folder for a sync of `streams`, starting from `state`.
    pub fn open(
        dir: &Path,
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
            files: BTreeMap::new(),
            state: state.clone(),
            written: BTreeMap::new(),
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
        let resuming = self.state.get(stream).is_some_and(|c| c.cursor.is_some());
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
            if r.contains(['\n', '\r']) {
                let v: Value = serde_json::from_str(r)?;
                writeln!(file, "{v}")?;
            } else {
                writeln!(file, "{r}")?;
            }
            n += 1;
        }
        *self.written.entry(stream.to_owned()).or_default() += n;
        Ok(())
    }

    fn checkpoint(&mut self, stream: &str, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        if let Some(f) = self.files.get_mut(stream) {
            f.flush()?;
            f.get_ref().sync_data()?;
        }
        if checkpoint.cursor.is_none() && !self.incremental.get(stream).copied().unwrap_or(false) {
            self.files.remove(stream);
            let partial = self.data_path(stream);
            std::fs::rename(&partial, self.dir.join(format!("{stream}.jsonl")))?;
        }
        self.state.insert(stream.to_owned(), checkpoint.clone());
        let text = serde_json::to_vec_pretty(&state_json(&self.state))?;
        write_atomically(&self.state_path(), &text)
    }
}

/// Progress on stderr: a live line per stream on a terminal, plain log lines otherwise.
#[derive(Default)]
pub struct Progress {
    live: bool,
    current: Option<(String, u64, u64, u64)>,
    /// Per stream: (records, requests, rate-limit waits in ms).
    pub totals: BTreeMap<String, (u64, u64, u64)>,
    /// Per stream: warnings.
    pub warnings: Vec<String>,
}

impl Progress {
    /// Live when stderr is a terminal.
    pub fn new() -> Progress {
        Progress {
            live: std::io::stderr().is_terminal(),
            ..Default::default()
        }
    }
    fn draw(&self) {
        if let Some((s, records, requests, waited)) = &self.current {
            if self.live {
                eprint!("\r\x1b[2K  {s:<13} {records:>8} records  {requests:>6} requests  {:>5.1} s rate-limit waits", *waited as f64 / 1000.0);
            }
        }
    }
}

impl Observer for Progress {
    fn stream_started(&mut self, stream: &str) {
        self.current = Some((stream.to_owned(), 0, 0, 0));
        if !self.live {
            eprintln!("[clickup-connector] reading {stream}");
        }
    }
    fn records(&mut self, _stream: &str, _records: &[String]) -> anyhow::Result<()> {
        Ok(())
    }
    fn checkpoint(&mut self, _stream: &str, _checkpoint: &Checkpoint) -> anyhow::Result<()> {
        Ok(())
    }
    fn warning(&mut self, stream: &str, message: &str) {
        self.warnings.push(format!("{stream}: {message}"));
        if self.live {
            eprintln!();
        }
        eprintln!("[clickup-connector] warning: {stream}: {message}");
    }
    fn rate_limited(&mut self, stream: &str, reset_at_ms: u64) {
        let secs = reset_at_ms.saturating_sub(airbyte::now_ms()) / 1000;
        if self.live {
            eprintln!();
        }
        eprintln!(
            "[clickup-connector] {stream}: waiting {secs} s for ClickUp's rate limit to reset"
        );
    }
    fn page(&mut self, stream: &str, records: usize, stats: &PageStats) {
        let t = self.totals.entry(stream.to_owned()).or_default();
        t.0 += records as u64;
        t.1 += u64::from(stats.requests);
        t.2 += stats.rate_limit_wait_ms;
        self.current = Some((stream.to_owned(), t.0, t.1, t.2));
        self.draw();
    }
    fn stream_complete(&mut self, stream: &str) {
        let (records, requests, waited) = self.totals.get(stream).copied().unwrap_or_default();
        if self.live {
            eprintln!();
        } else {
            eprintln!("[clickup-connector] {stream}: {records} records, {requests} requests, {:.1} s rate-limit waits", waited as f64 / 1000.0);
        }
    }
    fn stream_failed(&mut self, stream: &str, error: &CallError) {
        if self.live {
            eprintln!();
        }
        eprintln!("[clickup-connector] {stream} failed: {error}");
    }
}

/// Several observers, called in order.
pub struct Tee<'a>(pub Vec<&'a mut dyn Observer>);

impl Observer for Tee<'_> {
    fn stream_started(&mut self, s: &str) {
        self.0.iter_mut().for_each(|o| o.stream_started(s));
    }
    fn records(&mut self, s: &str, r: &[String]) -> anyhow::Result<()> {
        self.0.iter_mut().try_for_each(|o| o.records(s, r))
    }
    fn checkpoint(&mut self, s: &str, c: &Checkpoint) -> anyhow::Result<()> {
        self.0.iter_mut().try_for_each(|o| o.checkpoint(s, c))
    }
    fn warning(&mut self, s: &str, m: &str) {
        self.0.iter_mut().for_each(|o| o.warning(s, m));
    }
    fn rate_limited(&mut self, s: &str, r: u64) {
        self.0.iter_mut().for_each(|o| o.rate_limited(s, r));
    }
    fn page(&mut self, s: &str, n: usize, st: &PageStats) {
        self.0.iter_mut().for_each(|o| o.page(s, n, st));
    }
    fn stream_complete(&mut self, s: &str) {
        self.0.iter_mut().for_each(|o| o.stream_complete(s));
    }
    fn stream_failed(&mut self, s: &str, e: &CallError) {
        self.0.iter_mut().for_each(|o| o.stream_failed(s, e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn state_files_round_trip_and_bad_ones_say_how_to_start_over() {
        let mut s = SyncState::new();
        s.insert(
            "tasks".into(),
            Checkpoint {
                state: Some(json!({"v": 1})),
                cursor: None,
            },
        );
        let text = state_json(&s).to_string();
        assert_eq!(parse_state(&text).unwrap(), s);
        for bad in [
            "{",
            "{}",
            "[{}]",
            r#"[{"stream":{"stream_state":{}}}]"#,
            r#"[{"stream":{"stream_descriptor":{"name":"t"},"stream_state":7}}]"#,
        ] {
            assert!(parse_state(bad).is_err(), "{bad}");
        }
        let dir = std::env::temp_dir().join(format!("state-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.json");
        std::fs::write(&path, "garbage").unwrap();
        let e = load_state_file(&path).unwrap_err().to_string();
        assert!(e.contains("start over"), "{e}");
        assert!(load_state_file(&dir.join("absent.json"))
            .unwrap()
            .is_empty());
    }
}
