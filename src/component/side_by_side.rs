//! Several GETs in flight at once, on `wasi:http` itself.
//!
//! waki, which sends the single GET, hands a request to `outgoing-handler.handle` and blocks
//! on its answer: one request at a time. `wasi:http` itself has no such limit: `handle` returns
//! a future at once, and `wasi:io/poll.poll` waits on many at a time. So this module starts
//! every request, then waits on all the unanswered ones together and reads each answer's body as
//! soon as it is there. The host's HTTP client (wasmtime-wasi-http) sends them side by side;
//! the host's egress hooks still see, pace and may refuse each one.
//!
//! Requests can also be started and left in flight when a call returns ([`start_many`]): the
//! instance keeps their futures, and the next call's `get` or `get_many` of the same URL takes
//! them. A `get_many` drops the started requests it was not asked for.

use super::bindings::wasi::http::outgoing_handler;
use super::bindings::wasi::http::types::{
    ErrorCode, FutureIncomingResponse, IncomingResponse, Method, OutgoingBody, OutgoingRequest,
    RequestOptions, Scheme,
};
use super::bindings::wasi::io::poll;
use super::bindings::wasi::io::streams::StreamError;
use super::{describe_error_code, headers_of, CONNECT_TIMEOUT};
use crate::transport::{HttpResponse, TransportError};
use std::cell::RefCell;

thread_local! {
    /// Requests started by an earlier call, by (token, URL), for a later one to take.
    static STARTED: RefCell<Vec<((String, String), FutureIncomingResponse)>> =
        const { RefCell::new(Vec::new()) };
}

/// Starts `GET` of every URL and keeps the futures for a later call (see the module docs).
pub(super) fn start_many(urls: &[String], token: Option<&str>) {
    for url in urls {
        if let Ok(future) = start(url, token) {
            let key = (token.unwrap_or_default().to_owned(), url.clone());
            STARTED.with(|s| s.borrow_mut().push((key, future)));
        }
    }
}

/// The started request of `url` with `token`, taken out of the instance's keeping.
fn take_started(url: &str, token: Option<&str>) -> Option<FutureIncomingResponse> {
    let key = (token.unwrap_or_default().to_owned(), url.to_owned());
    STARTED.with(|s| {
        let mut started = s.borrow_mut();
        let at = started.iter().position(|(k, _)| *k == key)?;
        Some(started.swap_remove(at).1)
    })
}

/// `GET` of `url`, taking the started request when there is one; `None` when there is not.
pub(super) fn get_started(
    url: &str,
    token: Option<&str>,
) -> Option<Result<HttpResponse, TransportError>> {
    let future = take_started(url, token)?;
    wait(vec![(0, future)], std::slice::from_ref(&url.to_owned()))
        .into_iter()
        .next()
}

/// `GET` of every URL, side by side; the answers in the order of `urls`. Started requests of
/// these URLs are taken; the others started are dropped.
pub(super) fn get_many(
    urls: &[String],
    token: Option<&str>,
) -> Vec<Result<HttpResponse, TransportError>> {
    let mut failed: Vec<Option<TransportError>> = vec![None; urls.len()];
    let mut pending: Vec<(usize, FutureIncomingResponse)> = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        if let Some(future) = take_started(url, token) {
            pending.push((i, future));
            continue;
        }
        match start(url, token) {
            Ok(future) => pending.push((i, future)),
            Err(e) => failed[i] = Some(e),
        }
    }
    STARTED.with(|s| s.borrow_mut().clear());
    wait(pending, urls)
        .into_iter()
        .zip(failed)
        .map(|(answer, failed)| match failed {
            Some(e) => Err(e),
            None => answer,
        })
        .collect()
}

/// Waits for every future of `pending` (each with its index in `urls`) and reads each answer
/// as it comes: an answer for every index of `urls` (one without a future: "not sent").
fn wait(
    mut pending: Vec<(usize, FutureIncomingResponse)>,
    urls: &[String],
) -> Vec<Result<HttpResponse, TransportError>> {
    let mut answers: Vec<Option<Result<HttpResponse, TransportError>>> = vec![None; urls.len()];
    while !pending.is_empty() {
        let ready: Vec<usize> = {
            // Each pollable is a child of its future: dropped here, before any future is.
            let pollables: Vec<_> = pending.iter().map(|(_, f)| f.subscribe()).collect();
            let refs: Vec<_> = pollables.iter().collect();
            poll::poll(&refs).into_iter().map(|r| r as usize).collect()
        };
        let mut still = Vec::with_capacity(pending.len());
        for (n, (i, future)) in pending.into_iter().enumerate() {
            if !ready.contains(&n) {
                still.push((i, future));
                continue;
            }
            let url = &urls[i];
            answers[i] = Some(match future.get() {
                Some(Ok(Ok(response))) => read(response, url),
                Some(Ok(Err(code))) => Err(describe_error_code(&code, url)),
                Some(Err(())) => Err(TransportError::Unavailable(format!(
                    "{}: the answer was taken twice",
                    crate::transport::host_and_port(url)
                ))),
                None => {
                    still.push((i, future));
                    continue;
                }
            });
        }
        pending = still;
    }
    answers
        .into_iter()
        .map(|a| a.unwrap_or_else(|| Err(TransportError::Unavailable("not sent".to_owned()))))
        .collect()
}

/// Hands one GET to the host; its answer comes later, through the returned future.
fn start(url: &str, token: Option<&str>) -> Result<FutureIncomingResponse, TransportError> {
    let refused = |what: &str| {
        TransportError::Unavailable(format!(
            "{}: the request could not be built ({what})",
            crate::transport::host_and_port(url)
        ))
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(|| refused("no scheme"))?;
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split);
    let path = if path.is_empty() { "/" } else { path };
    let mut fields: Vec<(String, Vec<u8>)> = vec![
        ("accept".to_owned(), b"application/json".to_vec()),
        ("content-type".to_owned(), b"application/json".to_vec()),
    ];
    if let Some(token) = token {
        fields.push(("authorization".to_owned(), token.as_bytes().to_vec()));
    }
    let headers = headers_of(&fields).map_err(|_| refused("a header value"))?;
    let request = OutgoingRequest::new(headers);
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        other => Scheme::Other(other.to_owned()),
    };
    request
        .set_method(&Method::Get)
        .and_then(|()| request.set_scheme(Some(&scheme)))
        .and_then(|()| request.set_authority(Some(authority)))
        .and_then(|()| request.set_path_with_query(Some(path)))
        .map_err(|()| refused("the URL"))?;
    let body = request.body().map_err(|()| refused("its body"))?;
    let options = RequestOptions::new();
    // Refused only by hosts that do not support the timeout: then theirs applies.
    let _ = options.set_connect_timeout(Some(CONNECT_TIMEOUT.as_nanos() as u64));
    let future = outgoing_handler::handle(request, Some(options))
        .map_err(|code: ErrorCode| describe_error_code(&code, url))?;
    OutgoingBody::finish(body, None).map_err(|code| describe_error_code(&code, url))?;
    Ok(future)
}

/// The status, the rate-limit headers and the whole body of an answer.
fn read(response: IncomingResponse, url: &str) -> Result<HttpResponse, TransportError> {
    let status = response.status();
    let headers = response.headers().entries();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| std::str::from_utf8(v).ok().map(str::to_owned))
    };
    let mut answer = super::rate_headers(status, header);
    let broken = |e: String| {
        TransportError::Unavailable(format!(
            "{}: the connection broke while reading the body ({e})",
            crate::transport::host_and_port(url)
        ))
    };
    let body = response
        .consume()
        .map_err(|()| broken("no body".to_owned()))?;
    {
        // The stream is a child of the body: dropped before it.
        let stream = body.stream().map_err(|()| broken("no stream".to_owned()))?;
        answer.body = super::whole_body(header("content-length"), || {
            match stream.blocking_read(super::READ_AT_ONCE) {
                Ok(chunk) => Ok(Some(chunk)),
                Err(StreamError::Closed) => Ok(None),
                Err(e) => Err(broken(format!("{e:?}"))),
            }
        })?;
    }
    drop(body);
    Ok(answer)
}
