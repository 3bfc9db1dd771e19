//! Progress on stderr: a live line per stream on a terminal, plain log lines otherwise.

use crate::profile::LOG_PREFIX;
use host_harness::{CallError, Checkpoint, Observer, PageStats};
use std::collections::BTreeMap;
use std::io::IsTerminal;

/// Progress on stderr: a live line per stream on a terminal, plain log lines otherwise.
#[derive(Default)]
pub(crate) struct Progress {
    live: bool,
    current: Option<(String, u64, u64, u64)>,
    /// Per stream: (records, requests, rate-limit waits in ms).
    pub(crate) totals: BTreeMap<String, (u64, u64, u64)>,
    /// Per stream: warnings.
    pub(crate) warnings: Vec<String>,
}

impl Progress {
    /// Live when stderr is a terminal.
    pub(crate) fn new() -> Progress {
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
            eprintln!("{LOG_PREFIX} reading {stream}");
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
        eprintln!("{LOG_PREFIX} warning: {stream}: {message}");
    }
    fn rate_limited(&mut self, stream: &str, reset_at_ms: u64) {
        let secs = reset_at_ms.saturating_sub(connector_sinks::airbyte::now_ms()) / 1000;
        if self.live {
            eprintln!();
        }
        eprintln!("{LOG_PREFIX} {stream}: waiting {secs} s for ClickUp's rate limit to reset");
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
            eprintln!("{LOG_PREFIX} {stream}: {records} records, {requests} requests, {:.1} s rate-limit waits", waited as f64 / 1000.0);
        }
    }
    fn stream_failed(&mut self, stream: &str, error: &CallError) {
        if self.live {
            eprintln!();
        }
        eprintln!("{LOG_PREFIX} {stream} failed: {error}");
    }
}
