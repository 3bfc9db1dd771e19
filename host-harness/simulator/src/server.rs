//! The HTTP/1.1 server on loopback, on its own thread and tokio runtime.
//!
//! Owning a runtime lets synchronous tests and async hosts (wasmtime's HTTP
//! client inside another runtime) use the simulator alike. Dropping the handle
//! stops the accept loop and tears the runtime down, cancelling open connections.

use super::body::SimBody;
use super::config::Fault;
use super::pipeline::{decide, Outcome};
use super::shared::{lock, Shared};
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::fmt;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;

/// Returned by the service to make hyper close the connection unanswered.
#[derive(Debug)]
struct DroppedOnPurpose;

impl fmt::Display for DroppedOnPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedOnPurpose {}

pub(crate) struct ServerHandle {
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves `listener` until the handle is dropped.
pub(crate) fn spawn(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
) -> anyhow::Result<ServerHandle> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("clickup-sim")
        .enable_all()
        .build()?;
    let (tx, rx) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("clickup-sim-accept".into())
        .spawn(move || {
            runtime.block_on(accept_loop(listener, shared, rx));
            runtime.shutdown_timeout(Duration::from_secs(1));
        })?;
    Ok(ServerHandle {
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

async fn accept_loop(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors or similar: back off briefly.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(Arc::clone(&shared), req));
                    let _ = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<SimBody>, DroppedOnPurpose> {
    let authorization = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let _in_flight = InFlight::enter(&shared);
    let arrived = std::time::Instant::now();
    let outcome = decide(
        &shared,
        req.method() == Method::GET,
        req.method().as_str(),
        req.uri().path(),
        req.uri().query(),
        authorization,
    );
    // The latency is the whole answer's, as a client across the internet sees it: the time
    // spent making the body counts in it (a 1 MB task page takes tens of ms to build here, and
    // ClickUp's own time is inside the 300–2,000 ms it is measured at).
    let latency = shared.next_latency().saturating_sub(arrived.elapsed());
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    deliver(outcome).await
}

/// Counts a request as being answered for as long as it lives (and the peak).
struct InFlight<'s>(&'s Shared);

impl<'s> InFlight<'s> {
    fn enter(shared: &'s Shared) -> InFlight<'s> {
        let mut counts = lock(&shared.counts);
        counts.in_flight += 1;
        counts.peak_in_flight = counts.peak_in_flight.max(counts.in_flight);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut counts = lock(&self.0.counts);
        counts.in_flight = counts.in_flight.saturating_sub(1);
    }
}

async fn deliver(outcome: Outcome) -> Result<Response<SimBody>, DroppedOnPurpose> {
    let Outcome {
        status,
        body,
        rate,
        delivery,
    } = outcome;
    let body = match delivery {
        Some(Fault::Drop) => return Err(DroppedOnPurpose),
        Some(Fault::Slow(d)) => {
            tokio::time::sleep(d).await;
            SimBody::full(body)
        }
        Some(Fault::Truncated) => SimBody::truncated(body),
        Some(Fault::ShortBody) => SimBody::full(first_half(body)),
        Some(Fault::Malformed) => SimBody::full(malformed(body)),
        Some(Fault::Status(_)) | None => SimBody::full(body),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    headers.insert("x-ratelimit-limit", rate.limit.into());
    headers.insert("x-ratelimit-remaining", rate.remaining.into());
    headers.insert("x-ratelimit-reset", rate.reset_secs.into());
    Ok(response)
}

/// The first half of a body (at least one byte of a non-empty one).
fn first_half(mut body: Vec<u8>) -> Vec<u8> {
    body.truncate(body.len().div_ceil(2));
    body
}

/// Invalid JSON that still looks like the real answer: its first half, twice.
fn malformed(body: Vec<u8>) -> Vec<u8> {
    let half = body.len().div_ceil(2).max(1).min(body.len());
    let head = body.get(..half).unwrap_or(&[]).to_vec();
    let mut out = head.clone();
    out.extend_from_slice(&head);
    if out.is_empty() {
        out.extend_from_slice(b"{{");
    }
    out
}
