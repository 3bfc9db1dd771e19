//! The network policy of a run, as the embedder sets it, and the counters of what its requests did.

use super::token_limiter::TokenLimiter;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

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
    /// Requests sent whose answer's headers have not arrived yet.
    in_flight: AtomicU64,
    /// The rate-limit window of the last answer that reported one, packed as
    /// `(remaining, reset at in Unix ms)`; see [`RequestCounter::rate_window`].
    window_remaining: AtomicU64,
    window_reset_ms: AtomicU64,
}

/// Counts a request as in flight while it lives (see [`RequestCounter::in_flight`]).
pub(crate) struct InFlight(Arc<RequestCounter>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl RequestCounter {
    pub(crate) fn add(field: &AtomicU64) {
        field.fetch_add(1, Ordering::Relaxed);
    }
    /// Marks one request of `counter` in flight until the guard is dropped.
    pub(crate) fn start(counter: &Arc<RequestCounter>) -> InFlight {
        counter.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(counter.clone())
    }
    /// Records the rate-limit window an answer reported: requests left, and when the window
    /// resets (Unix ms).
    pub(crate) fn observe_window(&self, remaining: u64, reset_at_ms: u64) {
        self.window_reset_ms.store(reset_at_ms, Ordering::Relaxed);
        self.window_remaining
            .store(remaining.saturating_add(1), Ordering::Relaxed);
    }
    /// Requests sent whose answer has not arrived yet.
    pub fn in_flight(&self) -> u64 {
        self.in_flight.load(Ordering::Relaxed)
    }
    /// The rate-limit window the last answer reported (`X-RateLimit-Remaining`, and
    /// `X-RateLimit-Reset` in Unix ms), or `None` before any answer reported one. A window with
    /// nothing remaining means the connector is waiting for its reset.
    pub fn rate_window(&self) -> Option<(u64, u64)> {
        match self.window_remaining.load(Ordering::Relaxed) {
            0 => None,
            n => Some((n - 1, self.window_reset_ms.load(Ordering::Relaxed))),
        }
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
    /// `host:port` authorities the connector may reach (the base URL's). Empty: nothing.
    pub allowed_authorities: Vec<String>,
    /// Authorities the operator explicitly allowed to resolve to loopback, private, link-local
    /// or metadata addresses (a simulator on 127.0.0.1, a proxy on the LAN). Any other host is
    /// refused after DNS resolution when one of its addresses is not public (see
    /// [`super::address`]). Default: none.
    pub private_allowed: Vec<String>,
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
            .field("private_allowed", &self.private_allowed)
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
    /// `api.clickup.com:443`), wherever it resolves: whoever names the URL here is the operator
    /// (a user's own config on the command line, a test's simulator). For a URL that someone
    /// else chose (a tenant's), use [`HostAllowList::policy_for`].
    pub fn for_base_url(base_url: &str) -> anyhow::Result<EgressPolicy> {
        let authority = authority_of(base_url)?;
        Ok(EgressPolicy {
            allowed_authorities: vec![authority.clone()],
            private_allowed: vec![authority],
            ..EgressPolicy::default()
        })
    }
}

/// The hosts an operator lets tenants reach: `host` (any port) or `host:port` entries. A tenant's
/// URL is allowed only when its host is on the list. Entries made with [`HostAllowList::new`]
/// are explicit allows, so they may resolve to private addresses; entries made with
/// [`HostAllowList::public_only`] (a default list, say) must resolve to public addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostAllowList {
    entries: Vec<String>,
    explicit: bool,
}

impl HostAllowList {
    /// The operator's own list of `HOST` or `HOST:PORT` entries (case-insensitive; IPv6 in
    /// brackets): explicit allows, wherever they resolve.
    pub fn new<S: AsRef<str>>(entries: &[S]) -> HostAllowList {
        HostAllowList {
            entries: entries
                .iter()
                .map(|e| e.as_ref().trim().to_ascii_lowercase())
                .collect(),
            explicit: true,
        }
    }

    /// A list whose hosts are allowed only while they resolve to public addresses (a tool's
    /// default list, which no operator chose).
    pub fn public_only<S: AsRef<str>>(entries: &[S]) -> HostAllowList {
        HostAllowList {
            explicit: false,
            ..HostAllowList::new(entries)
        }
    }

    /// Whether `authority` (`host:port`) is on the list.
    pub fn allows(&self, authority: &str) -> bool {
        let host = authority
            .rsplit_once(':')
            .map_or(authority, |(host, _port)| host);
        self.entries.iter().any(|e| e == authority || e == host)
    }

    /// The policy of a run whose connector asks for `url`: that authority alone, if the list
    /// allows it; else an error naming the host and how to allow it.
    pub fn policy_for(&self, url: &str) -> anyhow::Result<EgressPolicy> {
        let authority = authority_of(url)?;
        anyhow::ensure!(
            self.allows(&authority),
            "the host {authority} is not among the hosts the operator allows ({}); allow it \
             with --allow-host {authority}",
            self.entries.join(", ")
        );
        Ok(EgressPolicy {
            allowed_authorities: vec![authority.clone()],
            private_allowed: if self.explicit {
                vec![authority]
            } else {
                vec![]
            },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_allow_list_allows_its_hosts_on_any_port_or_on_the_named_one() {
        let list = HostAllowList::new(&["api.clickup.com", "127.0.0.1:9000"]);
        assert!(list.policy_for("https://API.clickup.com/api/v2").is_ok());
        assert!(list.policy_for("http://127.0.0.1:9000/api/v2").is_ok());
        let e = list
            .policy_for("http://127.0.0.1:9001/api/v2")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("127.0.0.1:9001") && e.contains("--allow-host"),
            "{e}"
        );
        assert!(list.policy_for("http://169.254.169.254/").is_err());
        let explicit = list.policy_for("http://127.0.0.1:9000/").unwrap();
        assert_eq!(explicit.private_allowed, ["127.0.0.1:9000"]);
        // A default list: allowed only while it resolves to public addresses.
        let default = HostAllowList::public_only(&["api.clickup.com:443"]);
        let policy = default
            .policy_for("https://api.clickup.com/api/v2")
            .unwrap();
        assert_eq!(policy.allowed_authorities, ["api.clickup.com:443"]);
        assert!(policy.private_allowed.is_empty());
    }

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
}
