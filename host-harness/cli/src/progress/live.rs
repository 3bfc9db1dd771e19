//! The live display on a terminal (indicatif): a header line, then a line per stream (several
//! move at once while lanes are read side by side).
//!
//! ```text
//! ⠙ 00:01:12  streams 5/8  ·  231 requests, 1 in flight  ·  waiting 41 s for ClickUp's rate limit
//!   ✓ workspaces          3 records       1 requests   0.1 s
//!   ✓ spaces             12 records       3 requests   0.2 s
//!   ⠙ tasks      [#####>------------]  6200/29950 records  ·  71 requests  ·  ETA 00:03:40
//! ```
//!
//! The header is redrawn five times a second, so the elapsed time and a rate-limit countdown
//! move even while no page arrives: the countdown comes from [`Waits`], which knows both the
//! host's own waits (after a 429) and the connector's (the last answer left nothing of the
//! window, and no request is in flight: the connector sleeps until the reset).

use host_harness::RequestCounter;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often the header is redrawn.
const TICK: Duration = Duration::from_millis(200);

/// What the header shows, shared with its draw callback.
pub(super) struct Waits {
    /// The run's request counters (sent, in flight, the last rate-limit window).
    pub(super) requests: Arc<RequestCounter>,
    /// Until when (Unix ms) the host waits after a 429; 0: it does not.
    pub(super) host_wait_until_ms: AtomicU64,
    /// Streams finished (done or failed).
    pub(super) done: AtomicUsize,
    /// Streams chosen.
    pub(super) total: usize,
}

impl Waits {
    /// Milliseconds left of the wait for the rate limit going on now, if one is.
    fn rate_limit_wait_ms(&self, now_ms: u64) -> Option<u64> {
        let host = self.host_wait_until_ms.load(Ordering::Relaxed);
        let connector = match self.requests.rate_window() {
            Some((0, reset_ms)) if self.requests.in_flight() == 0 => reset_ms,
            _ => 0,
        };
        let until = host.max(connector);
        (until > now_ms).then(|| until - now_ms)
    }

    fn header(&self, out: &mut dyn std::fmt::Write) {
        let _ = write!(
            out,
            "streams {}/{}  ·  {} requests, {} in flight",
            self.done.load(Ordering::Relaxed),
            self.total,
            self.requests.sent(),
            self.requests.in_flight()
        );
        if let Some(ms) = self.rate_limit_wait_ms(connector_sinks::airbyte::now_ms()) {
            let _ = write!(
                out,
                "  ·  waiting {} s for ClickUp's rate limit",
                ms.div_ceil(1000)
            );
        }
    }
}

/// The bars on stderr.
pub(super) struct Live {
    multi: MultiProgress,
    header: ProgressBar,
    /// The lines of the streams being read.
    streams: BTreeMap<String, ProgressBar>,
}

impl Live {
    /// Starts the header line.
    pub(super) fn start(waits: Arc<Waits>) -> Live {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner:.green} {elapsed_precise}  {status}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .with_key(
                "status",
                move |_: &ProgressState, out: &mut dyn std::fmt::Write| waits.header(out),
            );
        let header = multi.add(ProgressBar::new_spinner().with_style(style));
        header.enable_steady_tick(TICK);
        Live {
            multi,
            header,
            streams: BTreeMap::new(),
        }
    }

    /// A new line for `stream`; with `expected` records, a bar with an ETA.
    pub(super) fn stream_started(&mut self, stream: &str, expected: Option<u64>) {
        let (bar, template) = match expected {
            Some(n) => (
                ProgressBar::new(n),
                "  {spinner:.green} {prefix:<24} [{bar:24}] {pos:>7}/{len} records  ·  {msg}  ·  ETA {eta_precise}",
            ),
            None => (
                ProgressBar::new_spinner(),
                "  {spinner:.green} {prefix:<24} {pos:>7} records  ·  {msg}",
            ),
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("#>-");
        let bar = self
            .multi
            .add(bar.with_style(style).with_prefix(stream.to_owned()));
        bar.set_message("0 requests");
        self.streams.insert(stream.to_owned(), bar);
    }

    /// A page of `stream` arrived.
    pub(super) fn page(&self, stream: &str, records: u64, requests: u64) {
        if let Some(bar) = self.streams.get(stream) {
            bar.set_position(records);
            bar.set_message(format!("{requests} requests"));
        }
    }

    /// `stream` ended: its line stays, with a mark and its totals.
    pub(super) fn stream_ended(&mut self, stream: &str, ok: bool, records: u64, requests: u64) {
        if let Some(bar) = self.streams.remove(stream) {
            let mark = if ok { "✓" } else { "✗" };
            let style = ProgressStyle::with_template(&format!(
                "  {mark} {{prefix:<24}} {records:>7} records  ·  {requests} requests  ·  {{elapsed}}"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.finish();
        }
    }

    /// A finished line of its own for `stream`, a derived stream read with `parent` (whose
    /// line counts the requests).
    pub(super) fn line_of(&mut self, stream: &str, parent: &str, ok: bool, records: u64) {
        let mark = if ok { "✓" } else { "✗" };
        let style = ProgressStyle::with_template(&format!(
            "  {mark} {{prefix:<24}} {records:>7} records  ·  read with {parent}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        let line = self.multi.add(
            ProgressBar::new_spinner()
                .with_style(style)
                .with_prefix(stream.to_owned()),
        );
        line.finish();
    }

    /// A line above the bars (a warning).
    pub(super) fn println(&self, line: &str) {
        if self.multi.println(line).is_err() {
            eprintln!("{line}");
        }
    }

    /// Ends the display: the header's last state stays on screen.
    pub(super) fn finish(&self) {
        self.header.finish();
    }
}
