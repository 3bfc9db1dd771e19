//! Driving a sync: `read-page` over the chosen streams, until each is complete.
//!
//! The host owns progress. After every page it hands the page's records to the [`Observer`], and
//! only then the stream's checkpoint (`{"state": …, "cursor": …}`), so a checkpoint never covers
//! records that were not delivered. A sync killed at any point resumes from its last checkpoint:
//! at most the page in flight is read twice (with a connector that sends requests side by side,
//! the page is one call's batch: the requests that were in flight together).
//!
//! Derived streams (`parent` in `discover`, `connector:source@0.2.0`) are read with their
//! parent: each of its pages brings their records (`read-page-and-children`), delivered after
//! the parent's records and before the parent's checkpoint, which covers them. A derived stream
//! has no checkpoint of its own (an observer that keeps files per stream finds its parent in
//! [`StreamChoice::parent`]), so no saved state can disagree with its parent's.
//!
//! Lanes (`lane` in `discover`, 0.2.0): streams of different lanes need nothing of each other,
//! so [`sync_side_by_side`] reads each lane on a run of its own, all at once on the calling task
//! (`lanes.rs` assigns them; `stream.rs` reads one stream's pages). Each stream's records and
//! checkpoints still reach the observer in their order, so what a checkpoint covers, and what a
//! resumed sync re-reads, is as above; streams of different lanes interleave. [`sync()`] is the
//! same driver with one run: every lane in turn.
//!
//! Failures: a connector that reports `rate-limited` is waited for (until the reset it names) and
//! the same page is asked again; `transient` is retried a few times with a pause; any other error
//! stops the sync with that error, after the records and checkpoints before it were delivered
//! (side by side, the other lanes stop before their next call).

mod lanes;
mod stream;

use crate::bindings::{PageStats, StreamDescriptor, SyncMode};
use crate::runtime::{CallError, Run};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// One stream to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamChoice {
    /// Stream name.
    pub name: String,
    /// Read incrementally from the saved state (else: everything, state ignored). A derived
    /// stream's mode is its parent's.
    pub incremental: bool,
    /// For a derived stream (`parent` in its descriptor): the stream whose pages carry its
    /// records. It is read with that stream, which must be chosen too, and has no checkpoint of
    /// its own. `None`: an ordinary stream.
    pub parent: Option<String>,
    /// The stream's lane (`lane` in its descriptor): streams of different lanes may be read side
    /// by side, each lane on an instance of its own ([`sync_side_by_side`]). `None`: the default
    /// lane. A derived stream is read with its parent, whatever its own lane.
    pub lane: Option<String>,
}

impl StreamChoice {
    /// Every stream the connector offers, incremental where it supports it: the default
    /// when no catalog chooses.
    pub fn every(descriptors: &[StreamDescriptor]) -> Vec<StreamChoice> {
        descriptors
            .iter()
            .map(|d| StreamChoice {
                name: d.name.clone(),
                incremental: d.sync_modes.contains(&SyncMode::Incremental),
                parent: d.parent.clone(),
                lane: d.lane.clone(),
            })
            .collect()
    }

    /// The derived streams chosen with `self` (those whose parent it is), in `streams`' order.
    pub fn children_in(&self, streams: &[StreamChoice]) -> Vec<String> {
        streams
            .iter()
            .filter(|c| c.parent.as_deref() == Some(self.name.as_str()))
            .map(|c| c.name.clone())
            .collect()
    }
}

/// Gives each derived stream its parent's mode (a catalog may ask otherwise: the child is read
/// with its parent, so its mode is the parent's whatever it asks).
pub fn align_children(streams: &mut [StreamChoice]) {
    let modes: BTreeMap<String, bool> = streams
        .iter()
        .filter(|c| c.parent.is_none())
        .map(|c| (c.name.clone(), c.incremental))
        .collect();
    for child in streams.iter_mut() {
        if let Some(mode) = child.parent.as_ref().and_then(|p| modes.get(p)) {
            child.incremental = *mode;
        }
    }
}

/// Refuses a choice of a derived stream without its parent (nothing would read it), or in
/// another mode than its parent's (see [`align_children`]).
fn check_parents(streams: &[StreamChoice]) -> anyhow::Result<()> {
    for child in streams {
        let Some(parent) = &child.parent else {
            continue;
        };
        match streams
            .iter()
            .find(|c| &c.name == parent && c.parent.is_none())
        {
            None => anyhow::bail!(
                "stream {} is derived from stream {parent} (its records come with {parent}'s \
                 pages): choose {parent} too",
                child.name
            ),
            Some(p) if p.incremental != child.incremental => anyhow::bail!(
                "stream {} is derived from stream {parent}, and is read in its mode: choose \
                 both incremental or both full refresh",
                child.name
            ),
            Some(_) => {}
        }
    }
    Ok(())
}

/// Where each stream is: its connector state and, mid-stream, its cursor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checkpoint {
    /// The connector's state of the stream (JSON), `None` before the first completed sync.
    pub state: Option<Value>,
    /// The position inside an unfinished read, `None` when the stream is complete.
    pub cursor: Option<Value>,
}

impl Checkpoint {
    /// As the `stream_state` object of an Airbyte per-stream state.
    pub fn to_json(&self) -> Value {
        json!({"state": self.state, "cursor": self.cursor})
    }

    /// From a `stream_state` object; anything else is an error the user can act on.
    pub fn from_json(stream: &str, value: &Value) -> Result<Checkpoint, String> {
        let Some(obj) = value.as_object() else {
            return Err(format!(
                "the saved state of stream {stream} is not an object"
            ));
        };
        let field = |k: &str| obj.get(k).filter(|v| !v.is_null()).cloned();
        Ok(Checkpoint {
            state: field("state"),
            cursor: field("cursor"),
        })
    }
}

/// The checkpoints of every stream, keyed by stream name.
pub type SyncState = BTreeMap<String, Checkpoint>;

/// What a sync reports, in order.
pub trait Observer {
    /// A stream starts (or resumes).
    fn stream_started(&mut self, _stream: &str) {}
    /// Records of one page, in order. Must have stored them when it returns `Ok`.
    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()>;
    /// The stream's checkpoint, after the records it covers.
    fn checkpoint(&mut self, stream: &str, checkpoint: &Checkpoint) -> anyhow::Result<()>;
    /// A warning from the connector (a skipped resource).
    fn warning(&mut self, _stream: &str, _message: &str) {}
    /// The stream waits for the rate limit until `reset_at_ms`.
    fn rate_limited(&mut self, _stream: &str, _reset_at_ms: u64) {}
    /// One page's numbers.
    fn page(&mut self, _stream: &str, _records: usize, _stats: &PageStats) {}
    /// The stream is complete.
    fn stream_complete(&mut self, _stream: &str) {}
    /// The stream stopped with an error.
    fn stream_failed(&mut self, _stream: &str, _error: &CallError) {}
    /// The sync ended, however it ended (called once, after every other event). Work an
    /// observer put off so as not to hold the sync back (a folder de-duplicates a complete
    /// stream's file beside the streams still read) must be done when this returns; its error
    /// is the sync's. Default: nothing to do.
    fn sync_ended(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Knobs of a sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// How often a page that failed with `transient` is asked again. Default: 3.
    pub transient_retries: u32,
    /// Pause before such a retry. Default: 5 s.
    pub transient_pause: Duration,
    /// Longest single wait for a `rate-limited` reset. Default: 15 minutes.
    pub max_rate_limit_wait: Duration,
    /// How often one page may report `rate-limited` before the sync gives up. Default: 10.
    pub rate_limit_retries: u32,
    /// Stop after this many pages in all (to test resumption). Default: none.
    pub stop_after_pages: Option<u64>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            transient_retries: 3,
            transient_pause: Duration::from_secs(5),
            max_rate_limit_wait: Duration::from_secs(15 * 60),
            rate_limit_retries: 10,
            stop_after_pages: None,
        }
    }
}

/// How a sync ended.
#[derive(Debug)]
pub enum SyncEnd {
    /// Every stream completed.
    Complete,
    /// `stop_after_pages` was reached.
    Interrupted,
    /// A stream failed. After most errors the later streams were not read; a stream whose saved
    /// state the connector refused (`invalid-state`) fails alone, the others are read, and this
    /// names the first such stream.
    Failed {
        /// The stream that failed.
        stream: String,
        /// Its error.
        error: CallError,
    },
}

/// Reads `streams` in order with `run`, starting from `state`, which is updated as it goes.
///
/// A derived stream (one with a `parent`) is read with its parent, which must be among `streams`
/// (else an error before any call): each of the parent's pages delivers the parent's records,
/// then the derived streams', then the parent's checkpoint, which covers them all.
pub async fn sync(
    run: &mut Run,
    config: &str,
    streams: &[StreamChoice],
    state: &mut SyncState,
    options: &SyncOptions,
    observer: &mut dyn Observer,
) -> anyhow::Result<SyncEnd> {
    let runs = std::slice::from_mut(run);
    sync_side_by_side(runs, config, streams, state, options, observer).await
}

/// Reads `streams` like [`sync()`], with the lanes side by side: lane `i` (in the order the
/// lanes first appear in `streams`, see [`lane_count`]) is read on `runs[i % runs.len()]`, so
/// with one run per lane each lane has an instance of its own, and with one run this is
/// [`sync()`]. Inside a run its streams are read in `streams`' order.
///
/// The runs should be instances of one connector with the same options: the same token, so the
/// same [`TokenLimiter`](crate::TokenLimiter) in their policies, which keeps them inside one
/// budget together. Every lane runs on the calling task (no thread is started): a lane waiting
/// for its answers lets the others run.
///
/// Each stream's records and checkpoints reach `observer` in their order, as with [`sync()`];
/// the streams of different lanes interleave. When a stream fails (other than a refused saved
/// state), the other lanes stop before their next call, and the sync ends with that failure.
/// `stop_after_pages` counts the calls of every lane together.
pub async fn sync_side_by_side(
    runs: &mut [Run],
    config: &str,
    streams: &[StreamChoice],
    state: &mut SyncState,
    options: &SyncOptions,
    observer: &mut dyn Observer,
) -> anyhow::Result<SyncEnd> {
    check_parents(streams)?;
    anyhow::ensure!(!runs.is_empty(), "a sync needs at least one run");
    let shared = stream::Shared::new(config, streams, state, options, observer);
    let end = lanes::read(runs, &shared).await;
    let ended = shared.observe(|o| o.sync_ended());
    let end = end?;
    ended?;
    Ok(end)
}

/// How many lanes the ordinary (not derived) streams of `streams` make: the instances
/// [`sync_side_by_side`] can use at once.
pub fn lane_count(streams: &[StreamChoice]) -> usize {
    lanes::of(streams).len()
}
