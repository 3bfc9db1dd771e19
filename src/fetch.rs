//! One GET against ClickUp, done right: paced, retried, classified, parsed.
//!
//! [`Fetcher::get`] is the only way the streams reach the network. It waits as the [`Pacer`] says,
//! retries as [`crate::retry`] says, turns every answer into data, a skip (with a warning that
//! names the resource) or a typed [`ConnectorError`], and counts what it did for the page stats.
//!
//! ## Bodies that do not parse
//! A 2xx answer whose body is truncated or is not JSON is retried like a 5xx: same backoff, same
//! budget of [`MAX_ATTEMPTS`] attempts per request (a corrupt body, a 5xx and a dropped
//! connection all count against it). When the attempts run out the error is `transient` (the
//! body was damaged in transit: run again later), unless every attempt got the very same bytes
//! that are not JSON: the server itself sends those, and the error is `protocol` (see
//! [`body`]). A body that *is* JSON but of the wrong shape (an object without its `tasks` array,
//! say) is the server breaking its contract, not the network: it is not retried, and the stream's
//! parser reports it as `protocol`, naming the endpoint. Retrying it would spend rate budget on an
//! answer that comes back the same.
//!
//! ## Resources the token may not read
//! A 401 `OAUTH_027` (and kin) or a 403 skips the resource with one warning, and the
//! [`Session`] remembers the object denied (see [`denials`]): nothing beneath it is asked for
//! again in this sync, by any stream.

mod ahead;
mod body;
mod denials;

use crate::config::Config;
use crate::error::{classify, ConnectorError, Verdict};
use crate::ratelimit::Pacer;
use crate::retry::{backoff_ms, MAX_ATTEMPTS, MAX_THROTTLED_ATTEMPTS};
use crate::transport::{HttpResponse, Transport, TransportError};
use body::CorruptBodies;
use denials::Denials;
use serde_json::Value;
use std::collections::HashMap;

/// What a GET produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched<B = Value> {
    /// The parsed body: a JSON `Value`, or what the caller's reader made of it
    /// ([`Fetcher::get_with`]).
    Body(B),
    /// The resource was skipped; the warning is already recorded.
    Skipped,
}

/// Counters of one `read-page` call (mirrors the WIT `page-stats`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Requests sent, retries included.
    pub requests: u32,
    /// Requests that were retries.
    pub retries: u32,
    /// Time spent waiting for the rate limit, in ms.
    pub rate_limit_wait_ms: u64,
}

/// Memory that outlives one call inside a connector instance: the rate-limit pacing, a cache of
/// hierarchy answers (Workspaces, spaces, folders, lists), so that reading all eight streams walks
/// the hierarchy once, and the resources the token may not read, so that each is asked for and
/// warned about once. Both are optimisations only: a fresh instance gives the same records.
#[derive(Debug, Default)]
pub struct Session {
    /// Rate-limit knowledge.
    pub pacer: Pacer,
    cache: HashMap<(String, String), (i64, Value)>,
    denials: Denials,
    /// Resources (see [`denials`]) that answered 2xx in this instance: known readable.
    readable: std::collections::HashSet<String>,
    /// The `task_count` of each list seen in this instance, by (token, base URL, list): its
    /// Workspace, whether it is live (not archived, nor in an archived folder or space), and the
    /// count. A live list's tasks are the team endpoint's live partition; any list's count is
    /// what its own task endpoint's live partition holds. Both bound the pages sent ahead.
    list_tasks: HashMap<(String, String, String), (String, bool, u64)>,
    /// Requests an earlier call started and left in flight (by token and URL), for the next
    /// call to take ([`Fetcher::start_ahead`]).
    started: std::collections::HashSet<(String, String)>,
    /// `read-page` calls this instance has begun.
    calls: u64,
    /// The cursor each stream's last call handed back, to take again when it comes back as it was.
    pub handed: crate::cursor::Handed,
}

impl Session {
    /// Counts a `read-page` call; returns how many this instance has begun, this one included.
    /// An instance on its first call may be a one-shot host's (`wasmtime run --invoke`, one
    /// process per call), which would never take what the call started ahead.
    pub fn begin_call(&mut self) -> u64 {
        self.calls = self.calls.saturating_add(1);
        self.calls
    }
}

/// How long a cached hierarchy answer stays fresh, in ms.
pub(crate) const CACHE_TTL_MS: i64 = 10 * 60_000;

/// One GET a step will make: `{base_url}{path}?{query}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The path after the base URL, its ids already percent-encoded.
    pub path: String,
    /// The query pairs, values not yet encoded.
    pub query: Vec<(&'static str, String)>,
}

/// A GET client for one call.
pub struct Fetcher<'a, T: Transport> {
    transport: &'a mut T,
    session: &'a mut Session,
    config: &'a Config,
    /// Answers of requests sent ahead, side by side ([`Fetcher::prefetch`]), by URL, until a
    /// `get` of the same URL takes them.
    prefetched: HashMap<String, Result<HttpResponse, TransportError>>,
    /// Counters for the page stats.
    pub stats: Stats,
    /// Warnings for the page (skipped resources).
    pub warnings: Vec<String>,
    /// The HTTP status of the last answer a `get` classified (a skipped resource's 404 tells a
    /// deleted task from one the token may not read).
    pub last_status: Option<u16>,
}

impl<'a, T: Transport> Fetcher<'a, T> {
    /// A fetcher for one call.
    pub fn new(transport: &'a mut T, session: &'a mut Session, config: &'a Config) -> Self {
        Fetcher {
            transport,
            session,
            config,
            prefetched: HashMap::new(),
            stats: Stats::default(),
            warnings: Vec::new(),
            last_status: None,
        }
    }

    /// `{base_url}{path}?{query}`: the URL of a GET, and the key of everything kept per
    /// request (the cache, the answers sent ahead, the requests started).
    fn url(&self, path: &str, query: &[(&str, String)]) -> String {
        format!("{}{}", self.config.base_url, path_with_query(path, query))
    }

    fn cache_key(&self, path: &str, query: &[(&str, String)]) -> (String, String) {
        (
            self.config.api_token.clone().unwrap_or_default(),
            self.url(path, query),
        )
    }

    /// Whether [`Fetcher::get_cached`] would answer this from the session cache.
    fn is_cached(&self, path: &str, query: &[(&str, String)]) -> bool {
        let now = self.transport.now_ms();
        self.session
            .cache
            .get(&self.cache_key(path, query))
            .is_some_and(|(at, _)| now - at < CACHE_TTL_MS)
    }

    /// The transport's clock, in ms.
    pub fn now_ms(&self) -> i64 {
        self.transport.now_ms()
    }

    /// Like [`Fetcher::get`], but answered from the session cache when the same URL was read with
    /// the same token in the last minutes. For hierarchy endpoints only (never for paged data).
    pub fn get_cached(
        &mut self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Fetched, ConnectorError> {
        let key = self.cache_key(path, query);
        let now = self.transport.now_ms();
        if let Some((at, body)) = self.session.cache.get(&key) {
            if now - at < CACHE_TTL_MS {
                return Ok(Fetched::Body(body.clone()));
            }
        }
        let fetched = self.get(path, query)?;
        if let Fetched::Body(body) = &fetched {
            if self.session.cache.len() > 20_000 {
                self.session.cache.clear();
            }
            self.session.cache.insert(key, (now, body.clone()));
        }
        Ok(fetched)
    }

    /// `GET {base_url}{path}?{query}`: paced, retried, classified and parsed. A path under a
    /// resource the token was denied earlier in the sync is [`Fetched::Skipped`] without a request
    /// (its warning was given the first time).
    pub fn get(&mut self, path: &str, query: &[(&str, String)]) -> Result<Fetched, ConnectorError> {
        self.get_with(path, query, |body| serde_json::from_slice(body))
    }

    /// Like [`Fetcher::get`], but the body is read by `read` instead of into a `Value` (the task
    /// pages read theirs in one pass, see [`crate::streams::task_pages`]). A body `read` refuses
    /// as JSON counts as a corrupt answer, exactly as one `get` cannot parse.
    pub fn get_with<B>(
        &mut self,
        path: &str,
        query: &[(&str, String)],
        read: impl Fn(&[u8]) -> serde_json::Result<B>,
    ) -> Result<Fetched<B>, ConnectorError> {
        let config = self.config;
        let token = config.api_token.as_deref().unwrap_or_default();
        let base_url = config.base_url.as_str();
        let asked = denials::Asked::new(path, query);
        if self
            .session
            .denials
            .covers(token, base_url, &asked, self.transport.now_ms())
        {
            return Ok(Fetched::Skipped);
        }
        let endpoint = path_with_query(path, query);
        let url = self.url(path, query);
        let wait_budget_ms = u64::from(self.config.max_rate_limit_wait_seconds) * 1000;
        let mut failures = 0u32;
        let mut throttled = 0u32;
        let mut waited_ms = 0u64;
        let mut corrupt = CorruptBodies::default();
        let mut sent_ahead = self.prefetched.remove(&url);
        loop {
            let answer = match sent_ahead.take() {
                Some(answer) => answer,
                None => {
                    let pause = self.session.pacer.wait_before_next(
                        self.transport.now_ms(),
                        self.config.max_requests_per_minute,
                    );
                    if pause > 0 {
                        if waited_ms + pause > wait_budget_ms {
                            return Err(self.rate_limited(&endpoint, pause));
                        }
                        self.transport.sleep_ms(pause);
                        waited_ms += pause;
                        self.stats.rate_limit_wait_ms += pause;
                    }
                    if failures + throttled > 0 {
                        self.stats.retries += 1;
                    }
                    let sent_at = self.transport.now_ms();
                    // Started by an earlier call: the transport takes its answer, counted then.
                    if !self.take_started(&url) {
                        self.stats.requests += 1;
                        self.session.pacer.on_sent(sent_at);
                    }
                    let answer = self.transport.get(&url, self.config.api_token.as_deref());
                    let took = (self.transport.now_ms() - sent_at).max(0) as u64;
                    self.session.pacer.on_latency(took);
                    answer
                }
            };
            let response = match answer {
                Ok(r) => r,
                Err(TransportError::Denied(why)) => {
                    return Err(ConnectorError::Config(format!(
                        "the host refused GET {endpoint} ({why}): base_url is not on the host's \
                         allow-list. Check base_url, or the host's egress policy."
                    )))
                }
                Err(TransportError::Unavailable(why)) => {
                    failures += 1;
                    if failures >= MAX_ATTEMPTS {
                        return Err(ConnectorError::Transient(format!(
                            "GET {endpoint} failed {failures} times ({why}). ClickUp or the network \
                             is unavailable; run the sync again later, it resumes where it stopped."
                        )));
                    }
                    let delay = backoff_ms(failures, self.transport.random());
                    self.transport.sleep_ms(delay);
                    continue;
                }
            };
            self.session.pacer.on_response(&response);
            self.last_status = Some(response.status);
            match classify(response.status, &response.body, path) {
                Verdict::Success => {
                    if self.session.readable.len() > 20_000 {
                        self.session.readable.clear();
                    }
                    self.session
                        .readable
                        .insert(denials::resource(path).to_owned());
                    let why = match body::parse(&response.body, &read) {
                        Ok(value) => return Ok(Fetched::Body(value)),
                        Err(why) => why,
                    };
                    corrupt.record(&response.body, &why);
                    failures += 1;
                    if failures >= MAX_ATTEMPTS {
                        return Err(corrupt.give_up(&endpoint, &why, failures));
                    }
                    let delay = backoff_ms(failures, self.transport.random());
                    self.transport.sleep_ms(delay);
                }
                Verdict::Denied(warning) => {
                    let now = self.transport.now_ms();
                    self.session.denials.remember(token, base_url, &asked, now);
                    self.warnings.push(format!(
                        "{warning} Nothing else under {} is asked for in this sync.",
                        asked.resource()
                    ));
                    return Ok(Fetched::Skipped);
                }
                Verdict::Skip(warning) => {
                    self.warnings.push(warning);
                    return Ok(Fetched::Skipped);
                }
                Verdict::Fail(e) => return Err(e),
                Verdict::RateLimited => {
                    throttled += 1;
                    let now = self.transport.now_ms();
                    let until = self.session.pacer.on_throttled(&response, now);
                    let pause = (until - now).max(0) as u64;
                    if throttled >= MAX_THROTTLED_ATTEMPTS || waited_ms + pause > wait_budget_ms {
                        return Err(self.rate_limited(&endpoint, pause));
                    }
                    // The pacer now holds the reset: the wait happens at the top of the loop.
                }
                Verdict::RetryLater(why) => {
                    failures += 1;
                    if failures >= MAX_ATTEMPTS {
                        return Err(ConnectorError::Transient(format!(
                            "{why}, {failures} times in a row. ClickUp is having trouble; run the \
                             sync again later, it resumes where it stopped."
                        )));
                    }
                    let delay = backoff_ms(failures, self.transport.random());
                    self.transport.sleep_ms(delay);
                }
            }
        }
    }

    fn rate_limited(&self, endpoint: &str, pause_ms: u64) -> ConnectorError {
        let reset = self.transport.now_ms().max(0) as u64 + pause_ms;
        ConnectorError::RateLimited {
            message: format!(
                "ClickUp's rate limit for this token is used up (GET {endpoint}); waiting longer \
                 than max_rate_limit_wait_seconds ({} s) would be needed. Another client may be \
                 using the same token. Retry after the reset.",
                self.config.max_rate_limit_wait_seconds
            ),
            reset_at_ms: Some(reset),
        }
    }
}

/// The array under `key` of a 2xx answer to `GET {path}`. An answer without it is valid JSON of
/// the wrong shape: the server broke its contract, the error is `protocol`, not retried (see the
/// module docs). Never an empty list in its place: that would end a stream early without a word.
pub fn expect_array<'v>(
    body: &'v Value,
    key: &str,
    path: &str,
) -> Result<&'v [Value], ConnectorError> {
    match body.get(key) {
        Some(Value::Array(items)) => Ok(items),
        other => {
            let found = match other {
                None => "no such field",
                Some(Value::Null) => "null",
                Some(Value::Object(_)) => "an object",
                Some(_) => "a scalar",
            };
            Err(ConnectorError::Protocol(format!(
                "ClickUp's answer to GET {path} is JSON without the `{key}` array it always has \
                 ({found} there): the API changed or a proxy answered in its place. The sync \
                 stopped before this page; please report it with this message."
            )))
        }
    }
}

/// `path?k=v&…`, with values percent-encoded.
pub fn path_with_query(path: &str, query: &[(&str, String)]) -> String {
    if query.is_empty() {
        return path.to_owned();
    }
    let pairs: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{}={}", k, percent_encode(v)))
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::transport::HttpResponse;
    use std::collections::VecDeque;

    /// A scripted transport: answers in order, a fake clock that sleeping advances.
    #[derive(Default)]
    pub(crate) struct Script {
        pub answers: VecDeque<Result<HttpResponse, TransportError>>,
        pub urls: Vec<String>,
        pub tokens: Vec<Option<String>>,
        pub now: i64,
        pub slept: Vec<u64>,
    }

    pub(crate) fn ok(body: &str) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status: 200,
            body: body.as_bytes().to_vec(),
            ..Default::default()
        })
    }

    pub(crate) fn status(code: u16, body: &str) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status: code,
            body: body.as_bytes().to_vec(),
            ..Default::default()
        })
    }

    impl Transport for Script {
        fn get(&mut self, url: &str, token: Option<&str>) -> Result<HttpResponse, TransportError> {
            self.urls.push(url.to_owned());
            self.tokens.push(token.map(str::to_owned));
            self.answers
                .pop_front()
                .unwrap_or_else(|| Err(TransportError::Unavailable("script ran out".into())))
        }
        fn now_ms(&self) -> i64 {
            self.now
        }
        fn sleep_ms(&mut self, ms: u64) {
            self.slept.push(ms);
            self.now += ms as i64;
        }
        fn random(&mut self) -> u64 {
            7
        }
    }

    fn config() -> Config {
        Config::parse(r#"{"api_token":"pk_1_T","base_url":"http://sim/api/v2"}"#).unwrap()
    }

    #[test]
    fn sends_the_token_and_builds_the_url() {
        let mut t = Script {
            answers: [ok(r#"{"teams":[]}"#)].into(),
            ..Default::default()
        };
        let mut s = Session::default();
        let c = config();
        let mut f = Fetcher::new(&mut t, &mut s, &c);
        let got = f
            .get(
                "/team/1/task",
                &[("page", "0".into()), ("x", "a b&c".into())],
            )
            .unwrap();
        assert_eq!(got, Fetched::Body(serde_json::json!({"teams": []})));
        assert_eq!(t.urls, ["http://sim/api/v2/team/1/task?page=0&x=a%20b%26c"]);
        assert_eq!(t.tokens, [Some("pk_1_T".to_owned())]);
    }

    #[test]
    fn server_errors_are_retried_with_backoff_then_succeed() {
        let mut t = Script {
            answers: [
                status(502, ""),
                Err(TransportError::Unavailable("reset".into())),
                ok("{}"),
            ]
            .into(),
            ..Default::default()
        };
        let mut s = Session::default();
        let c = config();
        let mut f = Fetcher::new(&mut t, &mut s, &c);
        assert!(f.get("/team", &[]).is_ok());
        assert_eq!((f.stats.requests, f.stats.retries), (3, 2));
        assert_eq!(t.slept.len(), 2);
        assert!(t.slept[1] > t.slept[0] / 2);
    }

    #[test]
    fn persistent_server_errors_become_a_transient_error() {
        let mut t = Script {
            answers: (0..10).map(|_| status(500, "")).collect(),
            ..Default::default()
        };
        let mut s = Session::default();
        let c = config();
        let e = Fetcher::new(&mut t, &mut s, &c)
            .get("/team", &[])
            .unwrap_err();
        assert!(
            matches!(e, ConnectorError::Transient(ref m) if m.contains("/team")),
            "{e}"
        );
        assert_eq!(t.urls.len(), MAX_ATTEMPTS as usize);
    }

    #[test]
    fn a_429_waits_until_the_reset_it_names() {
        let throttled = HttpResponse {
            status: 429,
            rate_remaining: Some(0),
            rate_reset_s: Some(70),
            body: br#"{"err":"Rate limit reached"}"#.to_vec(),
            ..Default::default()
        };
        let mut t = Script {
            answers: [Ok(throttled), ok("{}")].into(),
            now: 40_000,
            ..Default::default()
        };
        let mut s = Session::default();
        let c = config();
        let mut f = Fetcher::new(&mut t, &mut s, &c);
        assert!(f.get("/team", &[]).is_ok());
        assert_eq!(f.stats.rate_limit_wait_ms, 30_250);
        assert_eq!(t.now, 70_250);
    }

    #[test]
    fn a_429_beyond_the_wait_budget_is_a_rate_limited_error_with_the_reset() {
        let throttled = HttpResponse {
            status: 429,
            rate_reset_s: Some(10_000),
            ..Default::default()
        };
        let mut t = Script {
            answers: [Ok(throttled)].into(),
            ..Default::default()
        };
        let mut s = Session::default();
        let c = config();
        match Fetcher::new(&mut t, &mut s, &c).get("/team", &[]) {
            Err(ConnectorError::RateLimited { reset_at_ms, .. }) => {
                assert_eq!(reset_at_ms, Some(10_000_250))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_truncated_or_garbled_body_is_retried_with_backoff_and_then_read() {
        for body in [r#"{"tasks":[{"id":"a"#, "<html>oops</html>"] {
            let mut t = Script {
                answers: [ok(body), ok(r#"{"tasks":[]}"#)].into(),
                ..Default::default()
            };
            let mut s = Session::default();
            let c = config();
            let mut f = Fetcher::new(&mut t, &mut s, &c);
            let got = f.get("/list/5/task", &[]).unwrap();
            assert_eq!(got, Fetched::Body(serde_json::json!({"tasks": []})));
            assert_eq!((f.stats.requests, f.stats.retries), (2, 1));
            assert_eq!(t.slept.len(), 1, "no backoff before the retry");
        }
    }

    #[test]
    fn bodies_corrupt_on_every_attempt_end_as_transient_naming_the_endpoint() {
        let mut t = Script {
            answers: (0..10).map(|_| ok(r#"{"tasks":[{"id":"a"#)).collect(),
            ..Default::default()
        };
        let mut s = Session::default();
        let c = config();
        let e = Fetcher::new(&mut t, &mut s, &c)
            .get("/list/5/task", &[("page", "3".into())])
            .unwrap_err();
        assert!(
            matches!(e, ConnectorError::Transient(ref m) if m.contains("/list/5/task?page=3") && m.contains("truncated")),
            "{e}"
        );
        assert_eq!(t.urls.len(), MAX_ATTEMPTS as usize);
    }

    #[test]
    fn the_same_non_json_body_on_every_attempt_is_a_protocol_error() {
        let mut t = Script {
            answers: (0..10).map(|_| ok("<html>oops</html>")).collect(),
            ..Default::default()
        };
        let mut s = Session::default();
        let c = config();
        let e = Fetcher::new(&mut t, &mut s, &c)
            .get("/list/5/task", &[])
            .unwrap_err();
        assert!(
            matches!(e, ConnectorError::Protocol(ref m) if m.contains("/list/5/task") && m.contains("<html>")),
            "{e}"
        );
        assert_eq!(t.urls.len(), MAX_ATTEMPTS as usize);
    }

    #[test]
    fn a_denied_space_is_asked_for_and_warned_about_once() {
        let denied = r#"{"err":"Team not authorized","ECODE":"OAUTH_027"}"#;
        let mut t = Script {
            answers: [status(401, denied), ok(r#"{"lists":[]}"#)].into(),
            ..Default::default()
        };
        let mut s = Session::default();
        let c = config();
        let mut f = Fetcher::new(&mut t, &mut s, &c);
        let archived = |a: bool| [("archived", a.to_string())];
        assert_eq!(
            f.get("/space/9/folder", &archived(false)).unwrap(),
            Fetched::Skipped
        );
        let warnings = std::mem::take(&mut f.warnings);
        // Later calls (another stream: a new fetcher on the same session) do not ask again.
        let mut f = Fetcher::new(&mut t, &mut s, &c);
        for path in ["/space/9/folder", "/space/9/list"] {
            for a in [false, true] {
                assert_eq!(f.get(path, &archived(a)).unwrap(), Fetched::Skipped);
            }
        }
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        assert!(matches!(
            f.get("/space/8/list", &[]).unwrap(),
            Fetched::Body(_)
        ));
        assert_eq!(t.urls.len(), 2, "{:?}", t.urls);
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("/space/9/folder") && warnings[0].contains("OAUTH_027"),
            "{warnings:?}"
        );
    }

    #[test]
    fn json_of_the_wrong_shape_is_a_protocol_error_naming_the_endpoint_and_the_field() {
        let tasks = serde_json::json!({"tasks": [{"id": "a"}]});
        assert_eq!(
            expect_array(&tasks, "tasks", "/team/1/task").unwrap().len(),
            1
        );
        for body in [
            serde_json::json!({"err": "oops"}),
            serde_json::json!({"tasks": null}),
            serde_json::json!([1]),
        ] {
            let e = expect_array(&body, "tasks", "/team/1/task").unwrap_err();
            assert!(
                matches!(e, ConnectorError::Protocol(ref m) if m.contains("/team/1/task") && m.contains("`tasks`")),
                "{e}"
            );
        }
    }

    #[test]
    fn a_denied_request_is_a_config_error_and_not_retried() {
        let mut t = Script {
            answers: [Err(TransportError::Denied("HttpRequestDenied".into()))].into(),
            ..Default::default()
        };
        let mut s = Session::default();
        let c = config();
        let e = Fetcher::new(&mut t, &mut s, &c)
            .get("/team", &[])
            .unwrap_err();
        assert!(matches!(e, ConnectorError::Config(_)));
        assert_eq!(t.urls.len(), 1);
    }

    #[test]
    fn cached_hierarchy_answers_are_reused_per_token() {
        let mut t = Script {
            answers: [ok("[1]"), ok("[2]")].into(),
            ..Default::default()
        };
        let mut s = Session::default();
        let c = config();
        let mut f = Fetcher::new(&mut t, &mut s, &c);
        assert_eq!(
            f.get_cached("/team", &[]).unwrap(),
            Fetched::Body(serde_json::json!([1]))
        );
        assert_eq!(
            f.get_cached("/team", &[]).unwrap(),
            Fetched::Body(serde_json::json!([1]))
        );
        let other =
            Config::parse(r#"{"api_token":"pk_2_U","base_url":"http://sim/api/v2"}"#).unwrap();
        let mut f = Fetcher::new(&mut t, &mut s, &other);
        assert_eq!(
            f.get_cached("/team", &[]).unwrap(),
            Fetched::Body(serde_json::json!([2]))
        );
        assert_eq!(t.urls.len(), 2);
    }
}
