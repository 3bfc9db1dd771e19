//! `run-many`'s live display: one line per tenant, updated as its pages arrive.
//!
//! ```text
//!   ⠙ acme           tasks          1200 records   35 requests
//!   ✓ globex         done           1474 records  204 requests
//!   ✗ initech        failed: the token was rejected (401 OAUTH_019) …
//! ```
//!
//! On a terminal each tenant has a line (indicatif); otherwise a log line each time one of its
//! streams ends. The line is an [`Observer`] wrapped around the tenant's own output, so it sees
//! exactly what the output is given.

use crate::profile::LOG_PREFIX;
use host_harness::{CallError, Checkpoint, Observer, PageStats};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// The lines of all tenants.
pub(crate) struct TenantLines {
    multi: Option<MultiProgress>,
}

impl TenantLines {
    /// Live when stderr is a terminal.
    pub(crate) fn new() -> TenantLines {
        TenantLines {
            multi: std::io::stderr()
                .is_terminal()
                .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
        }
    }

    /// A line for tenant `name`'s sync of `streams` streams, reporting what `inner` is given,
    /// and passing it on.
    pub(crate) fn line(&self, name: &str, streams: usize, inner: Box<dyn Observer>) -> TenantLine {
        let bar = self.multi.as_ref().map(|m| {
            let style = ProgressStyle::with_template("  {spinner:.green} {prefix:<16} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            let bar = m.add(ProgressBar::new_spinner().with_style(style));
            bar.set_prefix(name.to_owned());
            bar.set_message("starting");
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        TenantLine {
            name: name.to_owned(),
            bar,
            inner,
            streams,
            completed: 0,
            failed: false,
            records: 0,
            requests: 0,
        }
    }
}

/// One tenant's line (see [`TenantLines::line`]).
pub(crate) struct TenantLine {
    name: String,
    bar: Option<ProgressBar>,
    inner: Box<dyn Observer>,
    streams: usize,
    completed: usize,
    failed: bool,
    records: u64,
    requests: u64,
}

impl TenantLine {
    fn show(&self, stream: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "{stream:<14} {:>8} records {:>6} requests",
                self.records, self.requests
            ));
        }
    }

    fn end(&self, mark: &str, what: &str) {
        match &self.bar {
            Some(bar) => {
                let style =
                    ProgressStyle::with_template(&format!("  {mark} {{prefix:<16}} {{msg}}"))
                        .unwrap_or_else(|_| ProgressStyle::default_spinner());
                bar.set_style(style);
                bar.finish_with_message(what.to_owned());
            }
            None => eprintln!("{LOG_PREFIX} {}: {what}", self.name),
        }
    }
}

/// The sync is over when its output is dropped: done if every stream completed.
impl Drop for TenantLine {
    fn drop(&mut self) {
        if self.failed {
            return;
        }
        let summary = format!("{} records, {} requests", self.records, self.requests);
        if self.completed == self.streams {
            self.end("✓", &format!("done: {summary}"));
        } else {
            self.end("·", &format!("stopped: {summary}"));
        }
    }
}

impl Observer for TenantLine {
    fn stream_started(&mut self, stream: &str) {
        self.inner.stream_started(stream);
        self.show(stream);
    }
    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        self.inner.records(stream, records)
    }
    fn checkpoint(&mut self, stream: &str, checkpoint: &Checkpoint) -> anyhow::Result<()> {
        self.inner.checkpoint(stream, checkpoint)
    }
    fn warning(&mut self, stream: &str, message: &str) {
        self.inner.warning(stream, message);
    }
    fn rate_limited(&mut self, stream: &str, reset_at_ms: u64) {
        self.inner.rate_limited(stream, reset_at_ms);
    }
    fn page(&mut self, stream: &str, records: usize, stats: &PageStats) {
        self.inner.page(stream, records, stats);
        self.records += records as u64;
        self.requests += u64::from(stats.requests);
        self.show(stream);
    }
    fn stream_complete(&mut self, stream: &str) {
        self.inner.stream_complete(stream);
        self.completed += 1;
        if self.bar.is_none() {
            eprintln!(
                "{LOG_PREFIX} {}: {stream} done ({} records, {} requests so far)",
                self.name, self.records, self.requests
            );
        }
    }
    fn stream_failed(&mut self, stream: &str, error: &CallError) {
        self.inner.stream_failed(stream, error);
        self.failed = true;
        self.end("✗", &format!("{stream} failed: {error}"));
    }
    fn sync_ended(&mut self) -> anyhow::Result<()> {
        self.inner.sync_ended()
    }
}
