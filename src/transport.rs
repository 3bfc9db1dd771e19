//! The edge between the pure core and the outside world: one HTTP GET, a clock, and sleep.
//!
//! The core never touches I/O itself. Inside the component, [`crate::component`] implements this
//! trait on `wasi:http` (through waki) and WASI clocks; native tests and benchmarks implement it
//! in memory. That keeps request planning, paging, parsing and retry logic testable natively.

/// One HTTP answer, reduced to what the connector reads.
#[derive(Debug, Clone, Default)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// `X-RateLimit-Limit`: requests allowed per window, if sent.
    pub rate_limit: Option<u32>,
    /// `X-RateLimit-Remaining`: requests left in this window, if sent.
    pub rate_remaining: Option<u32>,
    /// `X-RateLimit-Reset`: when the window resets, in Unix seconds, if sent.
    pub rate_reset_s: Option<u64>,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// Why no HTTP answer arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The host refused the request (for example: the host is not on its egress allow-list).
    Denied(String),
    /// Connection refused, reset or dropped, DNS failure, timeout: may pass on retry.
    Unavailable(String),
}

/// The `host:port` a URL points at (the scheme's default port when it names none), for errors
/// that must say where a connection failed: "127.0.0.1:9: connection refused".
pub fn host_and_port(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let has_port = match authority.rfind(':') {
        Some(i) => !authority[i..].contains(']'),
        None => false,
    };
    if has_port {
        authority.to_owned()
    } else {
        let port = if scheme.eq_ignore_ascii_case("http") {
            80
        } else {
            443
        };
        format!("{authority}:{port}")
    }
}

/// What the core needs from its environment.
pub trait Transport {
    /// Sends `GET url` with `Authorization: {token}` when a token is given (none: the host adds
    /// credentials itself) and returns the answer. Non-2xx statuses are answers, not errors.
    fn get(&mut self, url: &str, token: Option<&str>) -> Result<HttpResponse, TransportError>;
    /// Sends `GET` for every URL side by side (all in flight at once) and returns the answers
    /// in the order of `urls`. The default sends them one after another: a transport that can
    /// keep several requests open (the component's, on `wasi:http` pollables) overrides it.
    fn get_many(
        &mut self,
        urls: &[String],
        token: Option<&str>,
    ) -> Vec<Result<HttpResponse, TransportError>> {
        urls.iter().map(|url| self.get(url, token)).collect()
    }
    /// Starts `GET` for every URL without waiting for the answers, which a later `get` or
    /// `get_many` of the same URL takes (a `get_many` drops the started requests it was not
    /// asked for). Returns whether it did: the default cannot, and sends nothing.
    fn start_many(&mut self, urls: &[String], token: Option<&str>) -> bool {
        let _ = (urls, token);
        false
    }
    /// Wall-clock time, in ms since the Unix epoch.
    fn now_ms(&self) -> i64;
    /// Blocks for `ms` milliseconds.
    fn sleep_ms(&mut self, ms: u64);
    /// A random number, for backoff jitter.
    fn random(&mut self) -> u64;
}

#[cfg(test)]
mod tests {
    use super::host_and_port;

    #[test]
    fn host_and_port_names_the_port_even_when_the_url_does_not() {
        assert_eq!(
            host_and_port("http://127.0.0.1:9/api/v2/team"),
            "127.0.0.1:9"
        );
        assert_eq!(
            host_and_port("https://api.clickup.com/api/v2/team"),
            "api.clickup.com:443"
        );
        assert_eq!(host_and_port("http://localhost?x=1"), "localhost:80");
        assert_eq!(host_and_port("http://[::1]/a"), "[::1]:80");
        assert_eq!(host_and_port("http://[::1]:8080/a"), "[::1]:8080");
        assert_eq!(
            host_and_port("https://user:pw@h.example/a"),
            "h.example:443"
        );
    }
}
