//! One run of a connector: its own `Store`, its caps, its network policy.
//!
//! A [`Run`] is what a sync (or a tenant) holds. It instantiates the component from the host's
//! `InstancePre` into a fresh `Store` whose data is a [`RunState`] (see [`super::store`]): WASI with no files, no
//! environment and no arguments (a connector needs none, and so can read nobody else's), the
//! `wasi:http` hooks of [`crate::egress`], and the [`Limits`]. Calls return the connector's typed
//! error, or a [`Stop`] when the host had to stop the connector (memory, CPU, time, trap); after a
//! stop the run is finished and further calls say so.

use super::error::wasmtime_error;
use super::host::ConnectorHost;
use super::limits::{Limits, EPOCH_TICK};
use super::store::{new_store, RunState};
use crate::bindings::{Page, PageAndChildren, ReadArgs, Source, StreamDescriptor, WitError};
use crate::egress::{EgressPolicy, RequestCounter};
use std::sync::Arc;
use wasmtime::Store;

/// Why the host stopped a connector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// It tried to grow its memory past [`Limits::memory_bytes`].
    MemoryLimit {
        /// The cap, in bytes.
        limit_bytes: usize,
    },
    /// Its code ran longer than [`Limits::cpu_ms_per_call`] in one call.
    CpuLimit {
        /// The cap, in ms of CPU per call.
        limit_ms: u64,
    },
    /// One call took longer than [`Limits::wall_per_call`].
    Timeout {
        /// The cap, wall-clock time per call.
        limit: std::time::Duration,
    },
    /// It trapped (a bug in the connector: it must never happen on any input).
    Trap(String),
    /// An earlier stop ended this run.
    Finished,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::MemoryLimit { limit_bytes } => write!(f, "stopped: the connector tried to use more than its memory limit of {} MiB", limit_bytes >> 20),
            Stop::CpuLimit { limit_ms } => write!(f, "stopped: the connector computed for more than its CPU limit of {limit_ms} ms in one call"),
            Stop::Timeout { limit } => write!(f, "stopped: one call took longer than its time limit of {} s", limit.as_secs()),
            Stop::Trap(m) => write!(f, "stopped: the connector crashed (trap): {m}"),
            Stop::Finished => write!(f, "this run was already stopped"),
        }
    }
}

/// How a call failed.
#[derive(Debug, Clone)]
pub enum CallError {
    /// The connector returned a typed error (config, auth, transient, …).
    Connector(WitError),
    /// The host stopped the connector.
    Stopped(Stop),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Connector(e) => write!(f, "{}", describe(e)),
            CallError::Stopped(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for CallError {}

/// A one-line description of a connector error: its kind and message.
pub fn describe(e: &WitError) -> String {
    match e {
        WitError::Config(m) => format!("configuration error: {m}"),
        WitError::Auth(m) => format!("authentication error: {m}"),
        WitError::Forbidden(m) => format!("forbidden: {m}"),
        WitError::RateLimited(r) => format!("rate limited: {}", r.message),
        WitError::Transient(m) => format!("transient error: {m}"),
        WitError::Protocol(m) => format!("protocol error: {m}"),
        WitError::InvalidState(m) => format!("invalid state: {m}"),
        WitError::UnknownStream(m) => format!("unknown stream: {m}"),
    }
}

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Resource caps. Default: [`Limits::default`].
    pub limits: Limits,
    /// Network policy. Default: nothing allowed (set `allowed_authorities`, for example with
    /// [`EgressPolicy::for_base_url`]).
    pub egress: EgressPolicy,
    /// Secrets (a token) that must never appear in what the connector says: every error and
    /// warning it returns has each of them replaced by `<redacted>` before the caller sees it,
    /// including messages it built from a server's answer. Records are data and are left alone.
    /// Strings shorter than 4 bytes are ignored. Default: none.
    pub secrets: Vec<String>,
    /// Counters to count this run's requests in, shared with other runs: the lanes of one sync
    /// read side by side ([`crate::sync_side_by_side`]), so that [`Run::requests`] of each shows
    /// their sum, in flight included. Default: none, counters of its own.
    pub requests: Option<Arc<RequestCounter>>,
}

/// Replaces each secret in `text` with `<redacted>`.
fn redact(secrets: &[String], text: &mut String) {
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        if text.contains(secret.as_str()) {
            *text = text.replace(secret.as_str(), "<redacted>");
        }
    }
}

/// A connector error with every secret redacted from its message.
fn redact_error(secrets: &[String], mut e: WitError) -> WitError {
    match &mut e {
        WitError::Config(m)
        | WitError::Auth(m)
        | WitError::Forbidden(m)
        | WitError::Transient(m)
        | WitError::Protocol(m)
        | WitError::InvalidState(m)
        | WitError::UnknownStream(m) => redact(secrets, m),
        WitError::RateLimited(r) => redact(secrets, &mut r.message),
    }
    e
}

/// One instance of a connector with its own store.
pub struct Run {
    store: Store<RunState>,
    bindings: Source,
    counter: Arc<RequestCounter>,
    limits: Limits,
    secrets: Vec<String>,
    finished: bool,
}

impl Run {
    /// Instantiates the connector into a fresh store.
    pub async fn new(host: &ConnectorHost, options: RunOptions) -> anyhow::Result<Run> {
        let counter = options.requests.unwrap_or_default();
        let limits = options.limits;
        let mut store = new_store(host.engine(), &limits, options.egress, counter.clone());
        let bindings = host
            .pre()
            .instantiate(&mut store)
            .await
            .map_err(wasmtime_error)?;
        Ok(Run {
            store,
            bindings,
            counter,
            limits,
            secrets: options.secrets,
            finished: false,
        })
    }

    /// The run's request counters.
    pub fn requests(&self) -> &Arc<RequestCounter> {
        &self.counter
    }

    /// CPU time the connector's code has run in this run, in ms (epoch-tick precision: 10 ms).
    pub fn cpu_ms(&self) -> u64 {
        self.store.data().cpu_ticks_total * EPOCH_TICK.as_millis() as u64
    }

    /// The largest linear memory the connector has had, in bytes.
    pub fn peak_memory_bytes(&self) -> usize {
        self.store.data().memory.peak
    }

    /// `spec`: the configuration's JSON Schema, as text.
    pub async fn spec(&mut self) -> Result<String, CallError> {
        self.call(|b, s| Box::pin(async move { b.spec(s).await }))
            .await
    }

    /// `check`: whether a sync can start with this config.
    pub async fn check(&mut self, config: &str) -> Result<(), CallError> {
        let config = config.to_owned();
        self.call(move |b, s| Box::pin(async move { b.check(s, &config).await }))
            .await
    }

    /// `discover`: the streams.
    pub async fn discover(&mut self, config: &str) -> Result<Vec<StreamDescriptor>, CallError> {
        let config = config.to_owned();
        self.call(move |b, s| Box::pin(async move { b.discover(s, &config).await }))
            .await
    }

    /// `read-page`: the next page of a stream (its warnings redacted, see
    /// [`RunOptions::secrets`]).
    pub async fn read_page(
        &mut self,
        config: &str,
        stream: &str,
        state: Option<&str>,
        cursor: Option<&str>,
    ) -> Result<Page, CallError> {
        let read = self
            .read_page_and_children(config, stream, state, cursor, &[])
            .await?;
        Ok(read.page)
    }

    /// `read-page-and-children`: the next page of a stream and the records of the derived
    /// streams named in `children` that it carried (a 0.1 component has none: asking it for some
    /// is `unknown-stream`, and with none this is its `read-page`). Warnings are redacted (see
    /// [`RunOptions::secrets`]).
    pub async fn read_page_and_children(
        &mut self,
        config: &str,
        stream: &str,
        state: Option<&str>,
        cursor: Option<&str>,
        children: &[String],
    ) -> Result<PageAndChildren, CallError> {
        let args = ReadArgs {
            config: config.to_owned(),
            stream: stream.to_owned(),
            state: state.map(str::to_owned),
            cursor: cursor.map(str::to_owned),
            children: children.to_vec(),
        };
        let mut read = self
            .call(move |b, s| Box::pin(async move { b.read_page(s, &args).await }))
            .await?;
        for warning in &mut read.page.warnings {
            redact(&self.secrets, warning);
        }
        Ok(read)
    }

    async fn call<R: Send + 'static>(
        &mut self,
        f: impl for<'a> FnOnce(
            &'a Source,
            &'a mut Store<RunState>,
        ) -> std::pin::Pin<
            Box<
                dyn std::future::Future<Output = wasmtime::Result<Result<R, WitError>>> + Send + 'a,
            >,
        >,
    ) -> Result<R, CallError> {
        if self.finished {
            return Err(CallError::Stopped(Stop::Finished));
        }
        {
            let data = self.store.data_mut();
            data.cpu_ticks = 0;
        }
        self.store.set_epoch_deadline(1);
        let wall = self.limits.wall_per_call;
        let outcome = tokio::time::timeout(wall, f(&self.bindings, &mut self.store)).await;
        match outcome {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(e))) => Err(CallError::Connector(redact_error(&self.secrets, e))),
            Ok(Err(trap)) => {
                self.finished = true;
                let data = self.store.data();
                Err(CallError::Stopped(if data.memory.hit {
                    Stop::MemoryLimit {
                        limit_bytes: data.memory.limit,
                    }
                } else if data.cpu_hit {
                    Stop::CpuLimit {
                        limit_ms: self.limits.cpu_ms_per_call,
                    }
                } else {
                    Stop::Trap(format!("{trap:#}"))
                }))
            }
            Err(_) => {
                self.finished = true;
                Err(CallError::Stopped(Stop::Timeout { limit: wall }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RateLimit;

    #[test]
    fn every_secret_is_redacted_from_every_kind_of_error_message() {
        let secrets = vec!["pk_123_SECRET".to_owned(), "ab".to_owned()];
        let said = "ClickUp answered {\"echo\": \"pk_123_SECRET\"} about ab";
        let redacted = "ClickUp answered {\"echo\": \"<redacted>\"} about ab";
        for e in [
            WitError::Auth(said.into()),
            WitError::Protocol(said.into()),
            WitError::Transient(said.into()),
        ] {
            let text = describe(&redact_error(&secrets, e));
            assert!(text.ends_with(redacted), "{text}");
        }
        let limited = WitError::RateLimited(RateLimit {
            message: said.into(),
            reset_at_ms: None,
        });
        match redact_error(&secrets, limited) {
            WitError::RateLimited(r) => assert_eq!(r.message, redacted),
            other => panic!("{other:?}"),
        }
        let mut warning = format!("space 9 skipped: {said}");
        redact(&secrets, &mut warning);
        assert!(!warning.contains("SECRET"), "{warning}");
    }
}
