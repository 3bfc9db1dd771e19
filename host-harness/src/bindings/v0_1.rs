//! `connector:source@0.1.0` (`wit/v0.1.0/`, frozen), and its adapter: each 0.1 value becomes the
//! 0.2 value that means the same. A 0.1 component has no derived streams (`parent: none`).
#![allow(missing_docs, unreachable_pub)]

wasmtime::component::bindgen!({
    path: "../wit/v0.1.0",
    world: "source-host",
    exports: { default: async },
});

use super::v0_2::exports::connector::source::source as new;
use exports::connector::source::source as old;

impl From<old::Error> for new::Error {
    fn from(e: old::Error) -> Self {
        match e {
            old::Error::Config(m) => new::Error::Config(m),
            old::Error::Auth(m) => new::Error::Auth(m),
            old::Error::Forbidden(m) => new::Error::Forbidden(m),
            old::Error::RateLimited(r) => new::Error::RateLimited(new::RateLimit {
                message: r.message,
                reset_at_ms: r.reset_at_ms,
            }),
            old::Error::Transient(m) => new::Error::Transient(m),
            old::Error::Protocol(m) => new::Error::Protocol(m),
            old::Error::InvalidState(m) => new::Error::InvalidState(m),
            old::Error::UnknownStream(m) => new::Error::UnknownStream(m),
        }
    }
}

impl From<old::SyncMode> for new::SyncMode {
    fn from(m: old::SyncMode) -> Self {
        match m {
            old::SyncMode::FullRefresh => new::SyncMode::FullRefresh,
            old::SyncMode::Incremental => new::SyncMode::Incremental,
        }
    }
}

impl From<old::StreamDescriptor> for new::StreamDescriptor {
    fn from(d: old::StreamDescriptor) -> Self {
        new::StreamDescriptor {
            name: d.name,
            json_schema: d.json_schema,
            primary_key: d.primary_key,
            cursor_field: d.cursor_field,
            sync_modes: d.sync_modes.into_iter().map(Into::into).collect(),
            parent: None,
            // A 0.1 component names no lanes: the host reads its streams on one instance.
            lane: None,
        }
    }
}

impl From<old::Page> for new::Page {
    fn from(p: old::Page) -> Self {
        new::Page {
            records: p.records,
            state: p.state,
            cursor: p.cursor,
            warnings: p.warnings,
            stats: new::PageStats {
                requests: p.stats.requests,
                retries: p.stats.retries,
                rate_limit_wait_ms: p.stats.rate_limit_wait_ms,
            },
        }
    }
}
