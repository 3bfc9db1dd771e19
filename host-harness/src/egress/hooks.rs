//! The hooks installed in a run's `WasiHttpCtxView`: they enforce an [`EgressPolicy`] on every
//! request the connector sends (see the module docs of [`crate::egress`]).

use super::address::is_public;
use super::policy::{
    EgressPolicy, RequestCounter, BETWEEN_BYTES_TIMEOUT, CONNECT_TIMEOUT, FIRST_BYTE_TIMEOUT,
};
use http::header::{HeaderValue, AUTHORIZATION};
use http::HeaderName;
use std::sync::Arc;
use std::time::Duration;
use wasmtime_wasi_http::{
    ForbiddenHeaderFilter, RequestOptions, WasiBody, WasiHttpHooks, DEFAULT_FORBIDDEN_HEADERS,
};

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
        authority_of_uri(uri).is_some_and(|a| self.policy.allowed_authorities.contains(&a))
    }
}

/// `host:port` of a request URI, the scheme's default port filled in.
fn authority_of_uri(uri: &http::Uri) -> Option<String> {
    let host = uri.host()?;
    let https = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    Some(format!("{}:{port}", host.to_ascii_lowercase()))
}

/// Resolves `authority` and refuses it when any of its addresses is not public.
async fn resolves_to_public(authority: &str) -> bool {
    // `[::1]:80` resolves as written; a bracketed host is an IPv6 literal.
    match tokio::net::lookup_host(authority).await {
        Ok(addrs) => {
            let addrs: Vec<_> = addrs.collect();
            !addrs.is_empty() && addrs.iter().all(|a| is_public(a.ip()))
        }
        // Unresolvable now: refused, so that a second lookup by the sender cannot answer otherwise.
        Err(_) => false,
    }
}

impl Egress {
    /// Whether the policy lets this authority resolve anywhere (an explicit allow).
    fn private_allowed(&self, authority: &str) -> bool {
        self.policy.private_allowed.iter().any(|a| a == authority)
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
        let check_address = authority_of_uri(request.uri()).filter(|a| !self.private_allowed(a));
        Box::new(async move {
            use http_body_util::BodyExt;
            if let Some(authority) = check_address {
                if !resolves_to_public(&authority).await {
                    RequestCounter::add(&counter.denied_host);
                    return Err(wasmtime_wasi_http::Error::HttpRequestDenied);
                }
            }
            if let Some(l) = &limiter {
                l.acquire().await;
            }
            RequestCounter::add(&counter.sent);
            let in_flight = RequestCounter::start(&counter);
            let (response, io) =
                wasmtime_wasi_http::default_send_request(request, Some(options)).await?;
            drop(in_flight);
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
            if let Some((remaining, reset_s)) =
                header("x-ratelimit-remaining").zip(header("x-ratelimit-reset"))
            {
                counter.observe_window(remaining, reset_s.saturating_mul(1000));
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
