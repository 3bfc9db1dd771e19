//! Per-token fixed-window rate limiting, with ClickUp's headers.
//!
//! A token's window opens with its first request and lasts `window`; within it
//! `limit` requests are admitted, after which requests answer 429 until the
//! window ends. Requests answered 429 do not consume budget. Every response
//! carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`;
//! the reset is the window end in Unix **seconds**, rounded up (GUESS on the unit;
//! rounding up means a client that sleeps until it never arrives early).
//! Requests without a token share one anonymous bucket.

use super::config::RateLimitConfig;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RateHeaders {
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds when the window resets.
    pub reset_secs: i64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Admission {
    Admitted(RateHeaders),
    Limited(RateHeaders),
}

#[derive(Debug)]
struct Window {
    start_ms: i64,
    used: u32,
}

#[derive(Debug)]
pub(crate) struct RateLimiter {
    config: RateLimitConfig,
    windows: HashMap<String, Window>,
}

impl RateLimiter {
    pub(crate) fn new(config: RateLimitConfig) -> RateLimiter {
        RateLimiter {
            config,
            windows: HashMap::new(),
        }
    }

    /// Replaces the limit and starts every token on a fresh window.
    pub(crate) fn set_config(&mut self, config: RateLimitConfig) {
        self.config = config;
        self.windows.clear();
    }

    fn window_ms(&self) -> i64 {
        // Capped so that window arithmetic can never overflow.
        i64::try_from(self.config.window.as_millis())
            .unwrap_or(i64::MAX / 4)
            .clamp(1, i64::MAX / 4)
    }

    fn current(&mut self, key: &str, now_ms: i64) -> &mut Window {
        let window_ms = self.window_ms();
        let w = self.windows.entry(key.to_string()).or_insert(Window {
            start_ms: now_ms,
            used: 0,
        });
        if now_ms >= w.start_ms.saturating_add(window_ms) {
            w.start_ms = now_ms;
            w.used = 0;
        }
        w
    }

    fn headers(&self, w_start: i64, used: u32) -> RateHeaders {
        let end = w_start.saturating_add(self.window_ms());
        RateHeaders {
            limit: self.config.limit,
            remaining: self.config.limit.saturating_sub(used),
            reset_secs: end.saturating_add(999).div_euclid(1000),
        }
    }

    /// Consumes one request of budget, or reports that none is left.
    pub(crate) fn admit(&mut self, key: &str, now_ms: i64) -> Admission {
        let limit = self.config.limit;
        let w = self.current(key, now_ms);
        let limited = w.used >= limit;
        if !limited {
            w.used += 1;
        }
        let (start, used) = (w.start_ms, w.used);
        let headers = self.headers(start, used);
        if limited {
            Admission::Limited(headers)
        } else {
            Admission::Admitted(headers)
        }
    }

    /// Gives back one request of budget (for a request answered 429 by a fault).
    pub(crate) fn refund(&mut self, key: &str, now_ms: i64) -> RateHeaders {
        let w = self.current(key, now_ms);
        w.used = w.used.saturating_sub(1);
        let (start, used) = (w.start_ms, w.used);
        self.headers(start, used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn fixed_window_limits_and_resets() {
        let mut rl = RateLimiter::new(RateLimitConfig {
            limit: 2,
            window: Duration::from_secs(60),
        });
        let t0 = 1_700_000_000_500;
        assert!(matches!(rl.admit("a", t0), Admission::Admitted(h) if h.remaining == 1));
        assert!(matches!(rl.admit("a", t0 + 1), Admission::Admitted(h) if h.remaining == 0));
        match rl.admit("a", t0 + 2) {
            Admission::Limited(h) => {
                assert_eq!(h.remaining, 0);
                assert_eq!(h.reset_secs, 1_700_000_061);
            }
            other => panic!("expected 429, got {other:?}"),
        }
        // Another token has its own budget.
        assert!(matches!(rl.admit("b", t0), Admission::Admitted(_)));
        // After the window, budget is back.
        assert!(matches!(rl.admit("a", t0 + 60_000), Admission::Admitted(h) if h.remaining == 1));
    }
}
