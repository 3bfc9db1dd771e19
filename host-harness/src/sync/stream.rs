//! One stream's pages, from its checkpoint until it is complete, on one run.

use super::{Observer, StreamChoice, SyncOptions, SyncState};
use crate::bindings::{PageAndChildren, PageStats, WitError};
use crate::runtime::{CallError, Run};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::time::Duration;

/// What the lanes of one sync share. They run on one task, so a `RefCell` is enough; no borrow
/// is held across an `await`.
pub(super) struct Shared<'a> {
    pub(super) config: &'a str,
    pub(super) streams: &'a [StreamChoice],
    options: &'a SyncOptions,
    state: RefCell<&'a mut SyncState>,
    observer: RefCell<&'a mut dyn Observer>,
    /// Calls started (less those that failed), against `stop_after_pages`.
    pages: Cell<u64>,
    /// Set when a lane failed: the others stop before their next call.
    pub(super) stop: Cell<bool>,
}

impl<'a> Shared<'a> {
    pub(super) fn new(
        config: &'a str,
        streams: &'a [StreamChoice],
        state: &'a mut SyncState,
        options: &'a SyncOptions,
        observer: &'a mut dyn Observer,
    ) -> Shared<'a> {
        Shared {
            config,
            streams,
            options,
            state: RefCell::new(state),
            observer: RefCell::new(observer),
            pages: Cell::new(0),
            stop: Cell::new(false),
        }
    }

    /// Calls `f` with the observer (never across an `await`).
    pub(super) fn observe<T>(&self, f: impl FnOnce(&mut dyn Observer) -> T) -> T {
        f(&mut **self.observer.borrow_mut())
    }

    /// Every derived stream of `stream` is told `f` too.
    fn each_of(&self, stream: &str, children: &[String], f: impl Fn(&mut dyn Observer, &str)) {
        self.observe(|o| {
            f(o, stream);
            children.iter().for_each(|c| f(o, c));
        });
    }
}

/// How one stream's read ended.
pub(super) enum StreamEnd {
    /// Its cursor came back `none`.
    Complete,
    /// `stop_after_pages` was reached before its next call.
    Interrupted,
    /// Another lane failed: it stopped before its next call.
    Stopped,
    /// The connector refused its saved state: it alone failed, the others go on.
    RefusedState(CallError),
    /// It failed: the sync ends.
    Failed(CallError),
}

/// Reads `choice` (and its derived streams) with `run` until it is complete, stopped or failed.
pub(super) async fn read(
    run: &mut Run,
    choice: &StreamChoice,
    shared: &Shared<'_>,
) -> anyhow::Result<StreamEnd> {
    let stream = choice.name.as_str();
    let children = choice.children_in(shared.streams);
    let mut checkpoint = shared
        .state
        .borrow()
        .get(stream)
        .cloned()
        .unwrap_or_default();
    if !choice.incremental && checkpoint.cursor.is_none() {
        checkpoint.state = None;
    }
    shared.each_of(stream, &children, |o, s| o.stream_started(s));
    // A warning repeated by later pages (an option missing from a custom field's config, on
    // every task that has it) is reported once per stream.
    let mut said = std::collections::BTreeSet::new();
    // The cursor is passed back as the very text the connector returned, not as the checkpoint's
    // `Value` written out again (its members sorted): an instance takes back the cursor it
    // handed out without parsing it again only when the text is the same, byte for byte.
    let mut cursor_text = checkpoint.cursor.as_ref().map(Value::to_string);
    loop {
        if shared.stop.get() {
            return Ok(StreamEnd::Stopped);
        }
        let pages = shared.pages.get();
        if shared
            .options
            .stop_after_pages
            .is_some_and(|max| pages >= max)
        {
            return Ok(StreamEnd::Interrupted);
        }
        shared.pages.set(pages + 1);
        let state_text = checkpoint.state.as_ref().map(Value::to_string);
        let at = PageAt {
            stream,
            state: state_text.as_deref(),
            cursor: cursor_text.as_deref(),
            children: &children,
        };
        let page = match read_with_retries(run, &at, shared).await {
            Ok(p) => p,
            Err(error) => {
                shared.pages.set(shared.pages.get().saturating_sub(1));
                shared.each_of(stream, &children, |o, s| o.stream_failed(s, &error));
                return Ok(match error {
                    // Only this stream's saved state is at fault: the others can still sync.
                    CallError::Connector(WitError::InvalidState(_)) => {
                        StreamEnd::RefusedState(error)
                    }
                    error => StreamEnd::Failed(error),
                });
            }
        };
        let PageAndChildren {
            page,
            children: carried,
        } = page;
        shared.observe(|observer| -> anyhow::Result<()> {
            for w in &page.warnings {
                if said.insert(w.clone()) {
                    observer.warning(stream, w);
                }
            }
            observer.page(stream, page.records.len(), &page.stats);
            if !page.records.is_empty() {
                observer.records(stream, &page.records)?;
            }
            for child in carried.iter().filter(|c| !c.records.is_empty()) {
                if !children.contains(&child.name) {
                    anyhow::bail!(
                        "the connector returned records of stream {} with {stream}, which were \
                         not asked for",
                        child.name
                    );
                }
                // Their requests are the parent's: counted once, with the parent's page.
                let none = PageStats {
                    requests: 0,
                    retries: 0,
                    rate_limit_wait_ms: 0,
                };
                observer.page(&child.name, child.records.len(), &none);
                observer.records(&child.name, &child.records)?;
            }
            Ok(())
        })?;
        if let Some(s) = &page.state {
            checkpoint.state = Some(parse_opaque(s, "state")?);
        }
        checkpoint.cursor = match &page.cursor {
            Some(c) => Some(parse_opaque(c, "cursor")?),
            None => None,
        };
        cursor_text = page.cursor;
        shared
            .state
            .borrow_mut()
            .insert(stream.to_owned(), checkpoint.clone());
        shared.observe(|o| o.checkpoint(stream, &checkpoint))?;
        if checkpoint.cursor.is_none() {
            shared.each_of(stream, &children, |o, s| o.stream_complete(s));
            return Ok(StreamEnd::Complete);
        }
    }
}

fn parse_opaque(text: &str, what: &str) -> anyhow::Result<Value> {
    serde_json::from_str(text)
        .map_err(|e| anyhow::anyhow!("the connector returned a {what} that is not JSON: {e}"))
}

/// The arguments of one `read-page-and-children` call.
struct PageAt<'a> {
    stream: &'a str,
    state: Option<&'a str>,
    cursor: Option<&'a str>,
    children: &'a [String],
}

async fn read_with_retries(
    run: &mut Run,
    at: &PageAt<'_>,
    shared: &Shared<'_>,
) -> Result<PageAndChildren, CallError> {
    let PageAt {
        stream,
        state,
        cursor,
        children,
    } = *at;
    let options = shared.options;
    let mut transient = 0;
    let mut limited = 0;
    loop {
        match run
            .read_page_and_children(shared.config, stream, state, cursor, children)
            .await
        {
            Err(CallError::Connector(WitError::RateLimited(r)))
                if limited < options.rate_limit_retries =>
            {
                limited += 1;
                let now = now_ms();
                let reset = r.reset_at_ms.unwrap_or(now + 60_000);
                shared.observe(|o| o.rate_limited(stream, reset));
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
