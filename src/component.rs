//! The component edge (wasm only): the WIT exports, and [`Transport`] on `wasi:http`.
//!
//! This is the only code that knows it runs in a sandbox. It is deliberately thin: convert WIT
//! types, lend the core an HTTP GET (through waki), a clock and sleep, and keep one [`Session`]
//! (rate-limit pacing and the hierarchy cache) for the life of the instance.

#![allow(missing_docs)]

use crate::error::ConnectorError;
use crate::fetch::Session;
use crate::transport::{HttpResponse, Transport, TransportError};
use crate::{read, spec};
use std::cell::RefCell;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod side_by_side;

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "source-connector",
        generate_all,
    });
}

use bindings::exports::connector::source::source::{
    ChildRecords, Error as WitError, Guest, Page, PageAndChildren, PageStats, RateLimit,
    StreamDescriptor, SyncMode,
};

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::default());
}

fn with_session<R>(f: impl FnOnce(&mut WasiTransport, &mut Session) -> R) -> R {
    SESSION.with(|cell| match cell.try_borrow_mut() {
        Ok(mut session) => f(&mut WasiTransport, &mut session),
        // Re-entrant calls cannot happen in a single-threaded component; stay safe anyway.
        Err(_) => f(&mut WasiTransport, &mut Session::default()),
    })
}

struct Connector;

impl Guest for Connector {
    fn spec() -> String {
        spec::config_schema().to_string()
    }

    fn check(config: String) -> Result<(), WitError> {
        with_session(|t, s| read::check(t, s, &config)).map_err(to_wit)
    }

    fn discover(config: String) -> Result<Vec<StreamDescriptor>, WitError> {
        let streams = spec::discover(&config).map_err(to_wit)?;
        Ok(streams
            .into_iter()
            .map(|d| StreamDescriptor {
                name: d.name,
                json_schema: d.json_schema,
                primary_key: d.primary_key,
                cursor_field: d.cursor_field,
                sync_modes: if d.incremental {
                    vec![SyncMode::FullRefresh, SyncMode::Incremental]
                } else {
                    vec![SyncMode::FullRefresh]
                },
                parent: d.parent,
                lane: d.lane,
            })
            .collect())
    }

    fn read_page(
        config: String,
        stream_name: String,
        state: Option<String>,
        cursor: Option<String>,
    ) -> Result<Page, WitError> {
        let page = with_session(|t, s| {
            read::read_page(
                t,
                s,
                &config,
                &stream_name,
                state.as_deref(),
                cursor.as_deref(),
            )
        })
        .map_err(to_wit)?;
        Ok(to_wit_page(page))
    }

    fn read_page_and_children(
        config: String,
        stream_name: String,
        state: Option<String>,
        cursor: Option<String>,
        children: Vec<String>,
    ) -> Result<PageAndChildren, WitError> {
        let read = with_session(|t, s| {
            read::read_page_and_children(
                t,
                s,
                &config,
                &stream_name,
                state.as_deref(),
                cursor.as_deref(),
                &children,
            )
        })
        .map_err(to_wit)?;
        Ok(PageAndChildren {
            page: to_wit_page(read.page),
            children: read
                .children
                .into_iter()
                .map(|(name, records)| ChildRecords { name, records })
                .collect(),
        })
    }
}

fn to_wit_page(page: read::Page) -> Page {
    Page {
        records: page.records,
        state: page.state,
        cursor: page.cursor,
        warnings: page.warnings,
        stats: PageStats {
            requests: page.stats.requests,
            retries: page.stats.retries,
            rate_limit_wait_ms: page.stats.rate_limit_wait_ms,
        },
    }
}

fn to_wit(e: ConnectorError) -> WitError {
    match e {
        ConnectorError::Config(m) => WitError::Config(m),
        ConnectorError::Auth(m) => WitError::Auth(m),
        ConnectorError::Forbidden(m) => WitError::Forbidden(m),
        ConnectorError::RateLimited {
            message,
            reset_at_ms,
        } => WitError::RateLimited(RateLimit {
            message,
            reset_at_ms,
        }),
        ConnectorError::Transient(m) => WitError::Transient(m),
        ConnectorError::Protocol(m) => WitError::Protocol(m),
        ConnectorError::InvalidState(m) => WitError::InvalidState(m),
        ConnectorError::UnknownStream(m) => WitError::UnknownStream(m),
    }
}

bindings::export!(Connector with_types_in bindings);

/// HTTP through the host's `wasi:http` (waki), time and sleep through WASI clocks.
struct WasiTransport;

/// How long to wait for a TCP connection before calling the attempt failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

impl Transport for WasiTransport {
    fn get(&mut self, url: &str, token: Option<&str>) -> Result<HttpResponse, TransportError> {
        if let Some(answer) = side_by_side::get_started(url, token) {
            return answer;
        }
        let mut request = waki::Client::new()
            .get(url)
            .connect_timeout(CONNECT_TIMEOUT)
            .header("accept", "application/json")
            .header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", token);
        }
        let response = request.send().map_err(|e| transport_error(&e, url))?;
        let header = |name: &str| {
            response
                .header(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let mut answer = rate_headers(response.status_code(), header);
        answer.body = whole_body(header("content-length"), || response.chunk(READ_AT_ONCE))
            .map_err(|e| {
                TransportError::Unavailable(format!(
                    "the connection broke while reading the body ({e})"
                ))
            })?;
        Ok(answer)
    }

    fn get_many(
        &mut self,
        urls: &[String],
        token: Option<&str>,
    ) -> Vec<Result<HttpResponse, TransportError>> {
        side_by_side::get_many(urls, token)
    }

    fn start_many(&mut self, urls: &[String], token: Option<&str>) -> bool {
        side_by_side::start_many(urls, token);
        true
    }

    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis().min(i64::MAX as u128) as i64)
    }

    fn sleep_ms(&mut self, ms: u64) {
        std::thread::sleep(Duration::from_millis(ms));
    }

    fn random(&mut self) -> u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(self.now_ms() as u64);
        h.finish()
    }
}

/// The most bytes one read of a body asks for: the host gives what it has, up to this (a body
/// that arrived in one piece then comes in one read).
const READ_AT_ONCE: u64 = 64 << 20;

/// A body, read chunk by chunk with `next` until it ends. The first chunk is kept as the body
/// (a body that comes in one chunk is not copied again) and the buffer is sized from the
/// answer's `Content-Length` (up to [`READ_AT_ONCE`]), so that later chunks are copied once and
/// the buffer never grows step by step: inside wasm each copy of a buffer that grows is a call
/// out of the sandbox, and a task page is about a megabyte.
fn whole_body<E>(
    content_length: Option<String>,
    mut next: impl FnMut() -> Result<Option<Vec<u8>>, E>,
) -> Result<Vec<u8>, E> {
    let Some(mut body) = next()? else {
        return Ok(Vec::new());
    };
    let expected = content_length
        .and_then(|n| n.trim().parse::<u64>().ok())
        .map_or(0, |n| n.min(READ_AT_ONCE) as usize);
    let mut chunk = next()?;
    if chunk.is_some() {
        body.reserve(expected.saturating_sub(body.len()));
    }
    while let Some(more) = chunk {
        body.extend_from_slice(&more);
        chunk = next()?;
    }
    Ok(body)
}

/// An answer's status and `X-RateLimit-*` headers (read by `header`, case-insensitively), with
/// an empty body.
fn rate_headers(status: u16, header: impl Fn(&str) -> Option<String>) -> HttpResponse {
    let number = |name: &str| -> Option<u64> {
        header(name)?
            .trim()
            .parse::<f64>()
            .ok()
            .map(|f| f.max(0.0) as u64)
    };
    let small = |n: u64| n.min(u64::from(u32::MAX)) as u32;
    HttpResponse {
        status,
        rate_limit: number("x-ratelimit-limit").map(small),
        rate_remaining: number("x-ratelimit-remaining").map(small),
        rate_reset_s: number("x-ratelimit-reset"),
        body: Vec::new(),
    }
}

/// `wasi:http` request headers from name-value pairs.
fn headers_of(
    fields: &[(String, Vec<u8>)],
) -> Result<bindings::wasi::http::types::Fields, bindings::wasi::http::types::HeaderError> {
    bindings::wasi::http::types::Fields::from_list(fields)
}

/// A failed waki send, sorted (see [`from_code`]).
fn transport_error(e: &anyhow::Error, url: &str) -> TransportError {
    let code = match e.downcast_ref::<waki::ErrorCode>() {
        Some(code) => format!("{code:?}"),
        None => e.to_string(),
    };
    from_code(&code, url)
}

/// A `wasi:http` error code of a send, sorted (see [`from_code`]).
fn describe_error_code(code: &bindings::wasi::http::types::ErrorCode, url: &str) -> TransportError {
    from_code(&format!("{code:?}"), url)
}

/// Sorts a failed send into "the host said no" and "try again", naming where it went:
/// "127.0.0.1:9: connection refused (ConnectionRefused)".
fn from_code(code: &str, url: &str) -> TransportError {
    let name = code.trim_start_matches("ErrorCode::");
    let meaning = match name.split(['(', ' ', '{']).next().unwrap_or_default() {
        "ConnectionRefused" => "connection refused",
        "ConnectionTimeout" => "connection timed out",
        "ConnectionTerminated" | "ConnectionReadTimeout" => "the connection broke",
        "DnsError" => "the host name did not resolve",
        "DnsTimeout" => "the DNS lookup timed out",
        "DestinationNotFound" | "DestinationUnavailable" => "unreachable",
        "TlsProtocolError" | "TlsCertificateError" | "TlsAlertReceived" => "TLS failed",
        "HttpResponseTimeout" => "no answer in time",
        _ => "the request failed",
    };
    let text = format!(
        "{}: {meaning} ({code})",
        crate::transport::host_and_port(url)
    );
    if code.contains("HttpRequestDenied") {
        TransportError::Denied(text)
    } else {
        TransportError::Unavailable(text)
    }
}
