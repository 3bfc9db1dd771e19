//! Progress on stderr: a live display on a terminal ([`live`]), plain log lines otherwise.
//!
//! Both show, per stream, records and requests; the live display adds the requests in flight,
//! a countdown during rate-limit waits, the elapsed time, streams done out of the total, and a
//! bar with an ETA for `tasks` in a full sync (the `lists` records carry their task counts).

mod live;
mod tenants;

pub(crate) use tenants::TenantLines;

use crate::profile::LOG_PREFIX;
use host_harness::{
    CallError, Checkpoint, Observer, PageStats, RequestCounter, StreamChoice, SyncState,
};
use live::{Live, Waits};
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

/// Progress on stderr (see the module docs).
pub(crate) struct Progress {
    live: Option<Live>,
    waits: Arc<Waits>,
    started: Instant,
    /// Streams that start with no saved state: their record count can be foreseen.
    fresh: BTreeSet<String>,
    /// The sum of the `task_count` of the `lists` records seen.
    expected_tasks: u64,
    /// Per stream: (records, requests, rate-limit waits in ms).
    pub(crate) totals: BTreeMap<String, (u64, u64, u64)>,
    /// Every warning, as `stream: message`.
    pub(crate) warnings: Vec<String>,
    /// The derived streams and their parents (a derived stream is read with its parent, whose
    /// live line stands for both while they are read).
    children: BTreeMap<String, String>,
}

impl Progress {
    /// Progress of a sync of `streams` from `state`, by the run whose requests `requests` counts.
    /// Live when stderr is a terminal.
    pub(crate) fn new(
        streams: &[StreamChoice],
        state: &SyncState,
        requests: Arc<RequestCounter>,
    ) -> Progress {
        let waits = Arc::new(Waits {
            requests,
            host_wait_until_ms: Default::default(),
            done: Default::default(),
            total: streams.len(),
        });
        let live = std::io::stderr()
            .is_terminal()
            .then(|| Live::start(waits.clone()));
        Progress {
            live,
            waits,
            started: Instant::now(),
            fresh: streams
                .iter()
                .filter(|s| !s.incremental || state.get(&s.name).is_none())
                .map(|s| s.name.clone())
                .collect(),
            expected_tasks: 0,
            totals: BTreeMap::new(),
            warnings: Vec::new(),
            children: streams
                .iter()
                .filter_map(|s| Some((s.name.clone(), s.parent.clone()?)))
                .collect(),
        }
    }

    /// Ends the live display (its last lines stay on screen).
    pub(crate) fn finish(&self) {
        if let Some(live) = &self.live {
            live.finish();
            eprintln!();
        }
    }

    fn log(&self, line: &str) {
        match &self.live {
            Some(live) => live.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn elapsed(&self) -> String {
        let s = self.started.elapsed().as_secs();
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    }

    fn ended(&mut self, stream: &str, ok: bool) {
        let done = self.waits.done.fetch_add(1, Ordering::Relaxed) + 1;
        let (records, requests, waited) = self.totals.get(stream).copied().unwrap_or_default();
        match &mut self.live {
            // A derived stream ends with its parent, whose line has just ended: one of its own.
            Some(live) if self.children.contains_key(stream) => {
                live.line_of(stream, &self.children[stream], ok, records)
            }
            Some(live) => live.stream_ended(stream, ok, records, requests),
            None if ok => eprintln!(
                "{LOG_PREFIX} {stream}: {records} records, {requests} requests, {:.1} s \
                 rate-limit waits ({done} of {} streams done, {} elapsed)",
                waited as f64 / 1000.0,
                self.waits.total,
                self.elapsed()
            ),
            None => {}
        }
    }
}

impl Observer for Progress {
    fn stream_started(&mut self, stream: &str) {
        // A derived stream is read with its parent: the parent's line stands for both.
        if self.children.contains_key(stream) {
            return;
        }
        let expected =
            (stream == "tasks" && self.fresh.contains("tasks") && self.expected_tasks > 0)
                .then_some(self.expected_tasks);
        match &mut self.live {
            Some(live) => live.stream_started(stream, expected),
            // Lanes start several streams at once: the count is of those done, not a rank.
            None => eprintln!(
                "{LOG_PREFIX} reading {stream} ({} of {} streams done, {} elapsed)",
                self.waits.done.load(Ordering::Relaxed),
                self.waits.total,
                self.elapsed()
            ),
        }
    }

    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        if stream == "lists" {
            self.expected_tasks += records.iter().map(|r| task_count(r)).sum::<u64>();
        }
        Ok(())
    }

    fn checkpoint(&mut self, _stream: &str, _checkpoint: &Checkpoint) -> anyhow::Result<()> {
        Ok(())
    }

    fn warning(&mut self, stream: &str, message: &str) {
        self.warnings.push(format!("{stream}: {message}"));
        self.log(&format!("{LOG_PREFIX} warning: {stream}: {message}"));
    }

    fn rate_limited(&mut self, stream: &str, reset_at_ms: u64) {
        self.waits
            .host_wait_until_ms
            .store(reset_at_ms, Ordering::Relaxed);
        if self.live.is_none() {
            let secs = reset_at_ms
                .saturating_sub(connector_sinks::airbyte::now_ms())
                .div_ceil(1000);
            eprintln!("{LOG_PREFIX} {stream}: waiting {secs} s for ClickUp's rate limit to reset");
        }
    }

    fn page(&mut self, stream: &str, records: usize, stats: &PageStats) {
        self.waits.host_wait_until_ms.store(0, Ordering::Relaxed);
        let t = self.totals.entry(stream.to_owned()).or_default();
        t.0 += records as u64;
        t.1 += u64::from(stats.requests);
        t.2 += stats.rate_limit_wait_ms;
        let (records, requests) = (t.0, t.1);
        if let Some(live) = self
            .live
            .as_ref()
            .filter(|_| !self.children.contains_key(stream))
        {
            live.page(stream, records, requests);
        }
    }

    fn stream_complete(&mut self, stream: &str) {
        self.ended(stream, true);
    }

    fn stream_failed(&mut self, stream: &str, error: &CallError) {
        self.ended(stream, false);
        self.log(&format!("{LOG_PREFIX} {stream} failed: {error}"));
    }
}

/// The `task_count` of a `lists` record (0 when it has none).
fn task_count(record: &str) -> u64 {
    serde_json::from_str::<serde_json::Value>(record)
        .ok()
        .and_then(|r| r.get("task_count").and_then(serde_json::Value::as_u64))
        .unwrap_or(0)
}
