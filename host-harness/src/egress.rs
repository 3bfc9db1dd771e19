//! The connector's only door to the network: the `wasi:http` hooks of a run.
//!
//! Every request the sandboxed connector sends passes [`Egress::send_request`], which
//! - refuses hosts outside the allow-list (the guest sees `HttpRequestDenied`, and the run's
//!   [`RequestCounter`] records it),
//! - refuses requests past the run's request cap,
//! - in credential-injection mode adds `Authorization` itself, while the guest may not set that
//!   header at all: the token never enters the sandbox,
//! - waits for the token's shared [`TokenLimiter`], and teaches it from the answer's
//!   `X-RateLimit-*` headers,
//! - gives every request timeouts, so a hung server cannot hang a run,
//! - counts requests, denials and 429s.

use crate::token_limiter::TokenLimiter;
use http::header::{HeaderValue, AUTHORIZATION};
use http::HeaderName;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use wasmtime_wasi_http::{
    ForbiddenHeaderFilter, RequestOptions, WasiBody, WasiHttpHooks, DEFAULT_FORBIDDEN_HEADERS,
};

/// Default connect timeout of a request.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time to the first byte of an answer.
pub const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default longest pause between two bytes of an answer.
pub const BETWEEN_BYTES_TIMEOUT: Duration = Duration::from_secs(60);

/// What a run's requests did; shared between the hooks and whoever reports on the run.
#[derive(Debug, Default)]
pub struct RequestCounter {
    /// Requests sent to the network.
    pub sent: AtomicU64,
    /// Requests refused because their host is not on the allow-list.
    pub denied_host: AtomicU64,
    /// Requests refused because the run's request cap was reached.
    pub denied_cap: AtomicU64,
    /// Answers with status 429.
    pub throttled: AtomicU64,
}

impl RequestCounter {
    fn add(field: &AtomicU64) {
        field.fetch_add(1, Ordering::Relaxed);
    }
    /// Requests sent so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
    /// Requests refused for their host so far.
    pub fn denied_host(&self) -> u64 {
        self.denied_host.load(Ordering::Relaxed)
    }
}

/// The network policy of one run.
#[derive(Clone, Default)]
pub struct EgressPolicy {
    /// `host[:port]` authorities the connector may reach (the base URL's). Empty: nothing.
    pub allowed_authorities: Vec<String>,
    /// Credential injection: the header value the host adds as `Authorization` to every allowed
    /// request. `None` (default): the connector sends its own (from its config).
    pub injected_authorization: Option<String>,
    /// Most requests the run may send. `None` (default): no cap.
    pub max_requests: Option<u64>,
    /// The token's shared limiter. `None`: no host-side pacing (the connector still paces itself).
    pub limiter: Option<Arc<TokenLimiter>>,
    /// Serve allowed requests in-process instead of over the network (benchmarks, embedders with
    /// their own transport): given the URI, the answer's status and body. `None` (default): send.
    pub responder: Option<Responder>,
}

/// An in-process answer to a request: the URI in, (status, JSON body) out.
pub type Responder = Arc<dyn Fn(&http::Uri) -> (u16, bytes::Bytes) + Send + Sync>;

impl std::fmt::Debug for EgressPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EgressPolicy")
            .field("allowed_authorities", &self.allowed_authorities)
            .field(
                "injected_authorization",
                &self.injected_authorization.as_ref().map(|_| "<redacted>"),
            )
            .field("max_requests", &self.max_requests)
            .finish()
    }
}

impl EgressPolicy {
    /// A policy that allows exactly the authority of `base_url` (for example
    /// `http://127.0.0.1:8080/api/v2` → `127.0.0.1:8080`, `https://api.clickup.com/…` →
    /// `api.clickup.com:443`).
    pub fn for_base_url(base_url: &str) -> anyhow::Result<EgressPolicy> {
        Ok(EgressPolicy {
            allowed_authorities: vec![authority_of(base_url)?],
            ..EgressPolicy::default()
        })
    }
}

/// `host:port` of a URL, with the scheme's default port filled in.
pub fn authority_of(url: &str) -> anyhow::Result<String> {
    let parsed = url::Url::parse(url).map_err(|e| anyhow::anyhow!("base_url is not a URL: {e}"))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| anyhow::anyhow!("base_url has no host"))?;
    let port = parsed
        .port_or_known_default()
        .ok_or_else(|| anyhow::anyhow!("base_url has no port"))?;
    Ok(format!("{}:{port}", host.to_ascii_lowercase()))
}

/// The hooks installed in a run's `WasiHttpCtxView`.
pub struct Egress {
    policy: EgressPolicy,
    counter: Arc<RequestCounter>,
}

impl Egress {
    /// Hooks enforcing `policy`, counting into `counter`.
    pub fn new(policy: EgressPolicy, counter: Arc<RequestCounter>) -> Egress {
        Egress { policy, counter }
    }

    fn allows(&self, uri: &http::Uri) -> bool {
        let Some(host) = uri.host() else { return false };
        let https = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let authority = format!("{}:{port}", host.to_ascii_lowercase());
        self.policy.allowed_authorities.contains(&authority)
    }
}

type SendFuture = Box<
    dyn std::future::Future<
            Output = Result<
                (
                    http::Response<WasiBody>,
                    Box<
                        dyn std::future::Future<Output = Result<(), wasmtime_wasi_http::Error>>
                            + Send,
                    >,
                ),
                wasmtime_wasi_http::Error,
            >,
        > + Send,
>;

impl WasiHttpHooks for Egress {
    fn forbidden_header_filter(&mut self) -> ForbiddenHeaderFilter {
        let injecting = self.policy.injected_authorization.is_some();
        Arc::new(move |name: &HeaderName| {
            DEFAULT_FORBIDDEN_HEADERS.contains(name) || (injecting && *name == AUTHORIZATION)
        })
    }

    fn is_forbidden_header(&mut self, name: &HeaderName) -> bool {
        (self.forbidden_header_filter())(name)
    }

    fn send_request(
        &mut self,
        mut request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn std::future::Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> SendFuture {
        let _ = fut;
        if !self.allows(request.uri()) {
            RequestCounter::add(&self.counter.denied_host);
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        if let Some(cap) = self.policy.max_requests {
            if self.counter.sent() >= cap {
                RequestCounter::add(&self.counter.denied_cap);
                return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
            }
        }
        if let Some(token) = &self.policy.injected_authorization {
            match HeaderValue::from_str(token) {
                Ok(mut value) => {
                    value.set_sensitive(true);
                    request.headers_mut().insert(AUTHORIZATION, value);
                }
                Err(_) => {
                    return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) })
                }
            }
        }
        let options = RequestOptions {
            connect_timeout: options
                .and_then(|o| o.connect_timeout)
                .or(Some(CONNECT_TIMEOUT)),
            first_byte_timeout: options
                .and_then(|o| o.first_byte_timeout)
                .or(Some(FIRST_BYTE_TIMEOUT)),
            between_bytes_timeout: options
                .and_then(|o| o.between_bytes_timeout)
                .or(Some(BETWEEN_BYTES_TIMEOUT)),
        };
        if let Some(responder) = &self.policy.responder {
            use http_body_util::BodyExt;
            RequestCounter::add(&self.counter.sent);
            let (status, body) = responder(request.uri());
            let body = http_body_util::Full::new(body)
                .map_err(|never| match never {})
                .boxed_unsync();
            let response = http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(body);
            return Box::new(async move {
                let response =
                    response.map_err(|_| wasmtime_wasi_http::Error::InternalError(None))?;
                Ok((
                    response,
                    Box::new(async { Ok(()) }) as Box<dyn std::future::Future<Output = _> + Send>,
                ))
            });
        }
        let limiter = self.policy.limiter.clone();
        let counter = self.counter.clone();
        Box::new(async move {
            use http_body_util::BodyExt;
            if let Some(l) = &limiter {
                l.acquire().await;
            }
            RequestCounter::add(&counter.sent);
            let (response, io) =
                wasmtime_wasi_http::default_send_request(request, Some(options)).await?;
            let header = |name: &str| -> Option<u64> {
                response
                    .headers()
                    .get(name)?
                    .to_str()
                    .ok()?
                    .trim()
                    .parse()
                    .ok()
            };
            let throttled = response.status() == http::StatusCode::TOO_MANY_REQUESTS;
            if throttled {
                RequestCounter::add(&counter.throttled);
            }
            if let Some(l) = &limiter {
                let now_ms = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64);
                // Reset times are whole seconds: a quarter second of margin after them.
                let reset_in = header("x-ratelimit-reset").map(|r| {
                    Duration::from_millis(
                        r.saturating_mul(1000).saturating_sub(now_ms).min(3_600_000) + 250,
                    )
                });
                let wait = throttled.then(|| reset_in.unwrap_or(Duration::from_secs(60)));
                let window = header("x-ratelimit-remaining").zip(reset_in);
                l.observe(
                    header("x-ratelimit-limit").map(|n| n.min(u64::from(u32::MAX)) as u32),
                    window,
                    wait,
                );
            }
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn std::future::Future<Output = _> + Send>,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities_get_default_ports() {
        assert_eq!(
            authority_of("https://api.clickup.com/api/v2").unwrap(),
            "api.clickup.com:443"
        );
        assert_eq!(
            authority_of("http://127.0.0.1:8080/api/v2").unwrap(),
            "127.0.0.1:8080"
        );
        assert_eq!(authority_of("http://LOCALHOST/x").unwrap(), "localhost:80");
        assert!(authority_of("not a url").is_err());
    }

    #[test]
    fn only_the_allowed_authority_passes() {
        let e = Egress::new(
            EgressPolicy::for_base_url("http://127.0.0.1:8080/api/v2").unwrap(),
            Default::default(),
        );
        assert!(e.allows(&"http://127.0.0.1:8080/api/v2/team".parse().unwrap()));
        assert!(!e.allows(&"http://127.0.0.1:8081/api/v2/team".parse().unwrap()));
        assert!(!e.allows(&"http://evil.example:8080/".parse().unwrap()));
    }

    #[test]
    fn authorization_is_forbidden_to_the_guest_only_when_the_host_injects_it() {
        let mut plain = Egress::new(EgressPolicy::default(), Default::default());
        assert!(!plain.is_forbidden_header(&AUTHORIZATION));
        let mut injecting = Egress::new(
            EgressPolicy {
                injected_authorization: Some("pk_x".into()),
                ..Default::default()
            },
            Default::default(),
        );
        assert!(injecting.is_forbidden_header(&AUTHORIZATION));
        assert!(!format!("{:?}", injecting.policy).contains("pk_x"));
    }
}
