//! A rate limiter per API token, shared by every run that uses the token.
//!
//! APIs such as ClickUp's count requests per token. Runs that share a token in one process must
//! share that budget, or together they earn 429s; the limiter learns the real budget from the
//! answers' `X-RateLimit-Limit`, `-Remaining` and `-Reset` headers. [`TokenLimiters`] hands out
//! one [`TokenLimiter`] per token (keyed by a hash: the registry never holds the token itself);
//! each keeps a sliding log of send times, so no interval of `window` ever holds more than `limit`
//! requests, and holds everyone back until the reset when the server answers 429 anyway.

use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// The default budget before the server says otherwise: 100 requests per 60 s (a conservative
/// start; it is, for example, ClickUp's smallest plan).
pub const DEFAULT_LIMIT: u32 = 100;
/// The default window.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

/// One token's budget.
#[derive(Debug)]
pub struct TokenLimiter {
    inner: Mutex<LimiterState>,
}

#[derive(Debug)]
struct LimiterState {
    limit: u32,
    window: Duration,
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
    /// What the server last said is left in its current window, less what was sent since, and
    /// when that window ends.
    server_left: Option<(i64, Instant)>,
    waits: u64,
    waited: Duration,
}

impl TokenLimiter {
    /// A limiter allowing `limit` requests per `window`.
    pub fn new(limit: u32, window: Duration) -> TokenLimiter {
        TokenLimiter {
            inner: Mutex::new(LimiterState {
                limit: limit.max(1),
                window,
                sent: VecDeque::new(),
                blocked_until: None,
                server_left: None,
                waits: 0,
                waited: Duration::ZERO,
            }),
        }
    }

    /// Waits until a request may go, then records it as sent.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let Ok(mut s) = self.inner.lock() else { return };
                let now = Instant::now();
                let window = s.window;
                while s
                    .sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= window)
                {
                    s.sent.pop_front();
                }
                let mut until = s.blocked_until.filter(|u| *u > now);
                match s.server_left {
                    Some((_, reset)) if reset <= now => s.server_left = None,
                    Some((left, reset)) if left <= 0 => {
                        until = Some(until.map_or(reset, |u| u.max(reset)))
                    }
                    _ => {}
                }
                if s.sent.len() >= s.limit as usize {
                    if let Some(oldest) = s.sent.front() {
                        let free = *oldest + window;
                        until = Some(until.map_or(free, |u| u.max(free)));
                    }
                }
                match until {
                    None => {
                        s.sent.push_back(now);
                        if let Some((left, _)) = &mut s.server_left {
                            *left -= 1;
                        }
                        return;
                    }
                    Some(u) => {
                        s.waits += 1;
                        s.waited += u - now;
                        u - now
                    }
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Learns from an answer: a larger `X-RateLimit-Limit` (a bigger plan) raises the budget;
    /// `X-RateLimit-Remaining` and the time to `X-RateLimit-Reset` tell what the server's window
    /// still allows (requests sent since are counted against it), so runs sharing the token stop
    /// at the server's own count; a 429 holds every user of the token back for `throttled_for`.
    pub fn observe(
        &self,
        limit_header: Option<u32>,
        window: Option<(u64, Duration)>,
        throttled_for: Option<Duration>,
    ) {
        let Ok(mut s) = self.inner.lock() else { return };
        if let Some(l) = limit_header {
            if l > s.limit {
                s.limit = l;
            }
        }
        if let Some((remaining, reset_in)) = window {
            let reset = Instant::now() + reset_in;
            let remaining = remaining.min(i64::MAX as u64) as i64;
            s.server_left = match s.server_left {
                // The same window: trust the lower count (answers can arrive out of order).
                Some((left, at)) if at.max(reset) - at.min(reset) < Duration::from_secs(1) => {
                    Some((left.min(remaining), at.max(reset)))
                }
                _ => Some((remaining, reset)),
            };
        }
        if let Some(d) = throttled_for {
            let until = Instant::now() + d;
            s.blocked_until = Some(s.blocked_until.map_or(until, |u| u.max(until)));
        }
    }

    /// How often callers had to wait, and for how long in all.
    pub fn waits(&self) -> (u64, Duration) {
        self.inner
            .lock()
            .map_or((0, Duration::ZERO), |s| (s.waits, s.waited))
    }
}

/// One limiter per token, for a whole process.
#[derive(Debug)]
pub struct TokenLimiters {
    limit: u32,
    window: Duration,
    by_token: Mutex<HashMap<[u8; 32], Arc<TokenLimiter>>>,
}

impl Default for TokenLimiters {
    fn default() -> Self {
        TokenLimiters::new(DEFAULT_LIMIT, DEFAULT_WINDOW)
    }
}

impl TokenLimiters {
    /// A registry whose limiters start at `limit` requests per `window`.
    pub fn new(limit: u32, window: Duration) -> TokenLimiters {
        TokenLimiters {
            limit,
            window,
            by_token: Mutex::new(HashMap::new()),
        }
    }

    /// The limiter of a token (created on first use).
    pub fn for_token(&self, token: &str) -> Arc<TokenLimiter> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut map = match self.by_token.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.entry(key)
            .or_insert_with(|| Arc::new(TokenLimiter::new(self.limit, self.window)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn no_window_holds_more_than_the_limit() {
        let l = TokenLimiter::new(3, Duration::from_secs(10));
        let start = tokio::time::Instant::now();
        for _ in 0..3 {
            l.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        l.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(10));
        let (waits, waited) = l.waits();
        assert_eq!((waits, waited), (1, Duration::from_secs(10)));
    }

    #[tokio::test(start_paused = true)]
    async fn the_servers_remaining_count_holds_everyone_until_its_reset() {
        let l = TokenLimiter::new(100, Duration::from_secs(60));
        l.acquire().await;
        // The server says 2 are left in a window that resets in 5 s.
        l.observe(Some(100), Some((2, Duration::from_secs(5))), None);
        let start = tokio::time::Instant::now();
        l.acquire().await;
        l.acquire().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        l.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[test]
    fn the_same_token_shares_one_limiter_and_others_do_not() {
        let reg = TokenLimiters::default();
        let a = reg.for_token("pk_a");
        assert!(Arc::ptr_eq(&a, &reg.for_token("pk_a")));
        assert!(!Arc::ptr_eq(&a, &reg.for_token("pk_b")));
    }
}
