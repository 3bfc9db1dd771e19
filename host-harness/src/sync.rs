//! Driving a sync: `read-page` over the chosen streams, until each is complete.
//!
//! The host owns progress. After every page it hands the page's records to the [`Observer`], and
//! only then the stream's checkpoint (`{"state": …, "cursor": …}`), so a checkpoint never covers
//! records that were not delivered. A sync killed at any point resumes from its last checkpoint:
//! at most the page in flight is read twice (with a connector that sends requests side by side,
//! the page is one call's batch: the requests that were in flight together).
//!
//! Failures: a connector that reports `rate-limited` is waited for (until the reset it names) and
//! the same page is asked again; `transient` is retried a few times with a pause; any other error
//! stops the sync with that error, after the records and checkpoints before it were delivered.

use crate::bindings::{Page, PageStats, StreamDescriptor, SyncMode, WitError};
use crate::runtime::{CallError, Run};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// One stream to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamChoice {
    /// Stream name.
    pub name: String,
    /// Read incrementally from the saved state (else: everything, state ignored).
    pub incremental: bool,
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
            })
            .collect()
    }
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
pub async fn sync(
    run: &mut Run,
    config: &str,
    streams: &[StreamChoice],
    state: &mut SyncState,
    options: &SyncOptions,
    observer: &mut dyn Observer,
) -> anyhow::Result<SyncEnd> {
    let mut pages = 0u64;
    let mut refused_state = None;
    for choice in streams {
        let stream = choice.name.as_str();
        let mut checkpoint = state.get(stream).cloned().unwrap_or_default();
        if !choice.incremental && checkpoint.cursor.is_none() {
            checkpoint.state = None;
        }
        observer.stream_started(stream);
        loop {
            if options.stop_after_pages.is_some_and(|max| pages >= max) {
                return Ok(SyncEnd::Interrupted);
            }
            let state_text = checkpoint.state.as_ref().map(Value::to_string);
            let cursor_text = checkpoint.cursor.as_ref().map(Value::to_string);
            let page = match read_with_retries(
                run,
                config,
                stream,
                state_text.as_deref(),
                cursor_text.as_deref(),
                options,
                observer,
            )
            .await
            {
                Ok(p) => p,
                Err(error @ CallError::Connector(WitError::InvalidState(_))) => {
                    // Only this stream's saved state is at fault: the others can still sync.
                    observer.stream_failed(stream, &error);
                    refused_state.get_or_insert((stream.to_owned(), error));
                    break;
                }
                Err(error) => {
                    observer.stream_failed(stream, &error);
                    return Ok(SyncEnd::Failed {
                        stream: stream.to_owned(),
                        error,
                    });
                }
            };
            pages += 1;
            for w in &page.warnings {
                observer.warning(stream, w);
            }
            observer.page(stream, page.records.len(), &page.stats);
            if !page.records.is_empty() {
                observer.records(stream, &page.records)?;
            }
            if let Some(s) = &page.state {
                checkpoint.state = Some(parse_opaque(s, "state")?);
            }
            checkpoint.cursor = match &page.cursor {
                Some(c) => Some(parse_opaque(c, "cursor")?),
                None => None,
            };
            state.insert(stream.to_owned(), checkpoint.clone());
            observer.checkpoint(stream, &checkpoint)?;
            if checkpoint.cursor.is_none() {
                observer.stream_complete(stream);
                break;
            }
        }
    }
    Ok(match refused_state {
        Some((stream, error)) => SyncEnd::Failed { stream, error },
        None => SyncEnd::Complete,
    })
}

fn parse_opaque(text: &str, what: &str) -> anyhow::Result<Value> {
    serde_json::from_str(text)
        .map_err(|e| anyhow::anyhow!("the connector returned a {what} that is not JSON: {e}"))
}

async fn read_with_retries(
    run: &mut Run,
    config: &str,
    stream: &str,
    state: Option<&str>,
    cursor: Option<&str>,
    options: &SyncOptions,
    observer: &mut dyn Observer,
) -> Result<Page, CallError> {
    let mut transient = 0;
    let mut limited = 0;
    loop {
        match run.read_page(config, stream, state, cursor).await {
            Err(CallError::Connector(WitError::RateLimited(r)))
                if limited < options.rate_limit_retries =>
            {
                limited += 1;
                let now = now_ms();
                let reset = r.reset_at_ms.unwrap_or(now + 60_000);
                observer.rate_limited(stream, reset);
                let wait = Duration::from_millis(reset.saturating_sub(now))
                    .min(options.max_rate_limit_wait);
                tokio::time::sleep(wait).await;
            }
            Err(CallError::Connector(WitError::Transient(_)))
                if transient < options.transient_retries =>
            {
                transient += 1;
                tokio::time::sleep(options.transient_pause).await;
            }
            other => return other,
        }
    }
}

/// Milliseconds since the Unix epoch: the clock that rate-limit resets are measured against.
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
