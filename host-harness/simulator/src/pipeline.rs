//! What happens to one request, in order, before any byte is sent.
//!
//! 1. Count it (total and by endpoint pattern) and log its target.
//! 2. Rate limit per presented token: over the limit → 429, no budget used, no
//!    fault drawn.
//! 3. Draw a fault (targeted injection first, then the random shares). A status
//!    fault replaces the answer (an injected 429 gives its budget back).
//! 4. Route, authenticate, and answer from the world under a read lock (a task page kept by
//!    `SimConfig::keep_task_pages` is sent as it was).
//!
//! The result is an [`Outcome`]; delivery faults (drop, slow, truncated,
//! malformed) are applied by the server when sending it.

use super::api_error::ApiError;
use super::auth::presented_token;
use super::clock::real_now_ms;
use super::config::Fault;
use super::query::Query;
use super::rate_limit::{Admission, RateHeaders};
use super::routes::Route;
use super::shared::{lock, read, Shared};

/// Requests the log keeps (the first ones); later ones are counted but not logged.
const MAX_LOGGED: usize = 1_000_000;

pub(crate) struct Outcome {
    pub status: u16,
    pub body: Vec<u8>,
    pub rate: RateHeaders,
    /// A delivery fault still to apply (never `Fault::Status`).
    pub delivery: Option<Fault>,
}

impl Outcome {
    fn error(e: &ApiError, rate: RateHeaders) -> Outcome {
        Outcome {
            status: e.status,
            body: e.body(),
            rate,
            delivery: None,
        }
    }
}

pub(crate) fn decide(
    shared: &Shared,
    is_get: bool,
    method: &str,
    path: &str,
    query: Option<&str>,
    authorization: Option<&str>,
) -> Outcome {
    let sub = path
        .strip_prefix("/api/v2")
        .filter(|rest| rest.is_empty() || rest.starts_with('/'));
    let route = if is_get {
        sub.and_then(Route::parse)
    } else {
        None
    };
    let label = format!(
        "{method} {}",
        route.as_ref().map(Route::pattern).unwrap_or("(unknown)")
    );
    {
        let mut counts = lock(&shared.counts);
        counts.total += 1;
        *counts.by_endpoint.entry(label).or_default() += 1;
    }

    let target = match query {
        Some(q) => format!("{}?{q}", sub.unwrap_or(path)),
        None => sub.unwrap_or(path).to_string(),
    };
    {
        let mut log = lock(&shared.log);
        if log.len() < MAX_LOGGED {
            log.push(target.clone());
        }
    }

    let key = presented_token(authorization).unwrap_or_default();
    let now = real_now_ms();
    let rate = match lock(&shared.limiter).admit(&key, now) {
        Admission::Admitted(h) => h,
        Admission::Limited(h) => {
            let mut counts = lock(&shared.counts);
            counts.rate_limited += 1;
            counts.status_429 += 1;
            return Outcome::error(&ApiError::rate_limited(), h);
        }
    };

    let fault = lock(&shared.faults).next(&target);
    if fault.is_some() {
        lock(&shared.counts).faults += 1;
    }
    if let Some(Fault::Status(code)) = fault {
        let rate = if code == 429 {
            lock(&shared.counts).status_429 += 1;
            lock(&shared.limiter).refund(&key, now)
        } else {
            rate
        };
        return Outcome::error(&ApiError::for_status(code), rate);
    }

    let answer = match route {
        None => Err(ApiError::route_not_found()),
        Some(route) => {
            let caller = lock(&shared.tokens).authenticate(authorization);
            caller.and_then(|caller| {
                let st = read(&shared.state);
                st.pages
                    .get_or_make(route.is_task_page(), &key, &target, || {
                        let value = route.respond(&st, &caller, &Query::parse(query), now)?;
                        serde_json::to_vec(&value).map_err(|_| ApiError::for_status(500))
                    })
            })
        }
    };
    match answer {
        Ok(page) => {
            if page.kept {
                lock(&shared.counts).kept_pages_sent += 1;
            }
            Outcome {
                status: 200,
                body: page.body,
                rate,
                delivery: fault,
            }
        }
        Err(e) => Outcome {
            delivery: fault,
            ..Outcome::error(&e, rate)
        },
    }
}
