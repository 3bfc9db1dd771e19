//! Staying inside ClickUp's rate limit instead of running into it.
//!
//! ClickUp allows 100 requests per minute per token on most plans (1,000 or 10,000 on bigger ones)
//! and reports the window on every answer in `X-RateLimit-Limit/Remaining/Reset`. The [`Pacer`]
//! reads those headers and, before each request, says how long to wait: until the reset when the
//! window is used up, and, when the config sets `max_requests_per_minute`, long enough to stay
//! under that ceiling over any sliding minute. So a sync that is the token's only user never earns
//! a 429; a 429 that still happens (another client shares the token) is handled by
//! [`crate::retry`], which waits until the reset too.

use crate::transport::HttpResponse;
use std::collections::VecDeque;

/// Safety margin added after a reset time, in ms (reset times are whole seconds).
const RESET_MARGIN_MS: i64 = 250;

/// The pacing knowledge of one connector instance (it outlives a single call).
#[derive(Debug, Default, Clone)]
pub struct Pacer {
    /// The last window ClickUp reported: (remaining, reset in Unix seconds), less the requests
    /// sent since.
    window: Option<(u32, u64)>,
    /// `X-RateLimit-Limit`: the token's requests per window, once an answer said it.
    limit: Option<u32>,
    /// The observed time of one request (send to answer), a moving average, in ms.
    latency_ms: Option<u64>,
    /// Send times (ms) of the last requests, for the configured ceiling.
    recent: VecDeque<i64>,
}

impl Pacer {
    /// How long to wait before the next request, in ms, given the configured ceiling.
    pub fn wait_before_next(&mut self, now_ms: i64, ceiling_per_minute: Option<u32>) -> u64 {
        let mut until = now_ms;
        if let Some((0, reset_s)) = self.window {
            until = until.max(reset_to_ms(reset_s));
        }
        if let Some(ceiling) = ceiling_per_minute {
            while self.recent.len() > ceiling as usize {
                self.recent.pop_front();
            }
            if self.recent.len() == ceiling as usize {
                if let Some(oldest) = self.recent.front() {
                    until = until.max(oldest + 60_000);
                }
            }
        }
        (until - now_ms).max(0) as u64
    }

    /// How many requests may be sent at `now_ms` without waiting: what is left of ClickUp's
    /// window (all of `limit` once its reset has passed), and of the configured ceiling over
    /// the last minute. Before any answer told the window, 1.
    pub fn allowance(&mut self, now_ms: i64, ceiling_per_minute: Option<u32>) -> u32 {
        let mut room = match (self.window, self.limit) {
            (Some((_, reset_s)), Some(limit)) if now_ms >= reset_to_ms(reset_s) => limit,
            (Some((remaining, _)), _) => remaining,
            (None, _) => 1,
        };
        if let Some(ceiling) = ceiling_per_minute {
            while self.recent.front().is_some_and(|&t| t + 60_000 <= now_ms) {
                self.recent.pop_front();
            }
            room = room.min(ceiling.saturating_sub(self.recent.len() as u32));
        }
        room
    }

    /// The token's requests per minute as ClickUp states it (`X-RateLimit-Limit`), lowered to
    /// the configured ceiling; `None` before any answer said it.
    pub fn per_minute(&self, ceiling_per_minute: Option<u32>) -> Option<u32> {
        match (self.limit, ceiling_per_minute) {
            (Some(l), Some(c)) => Some(l.min(c)),
            (l, c) => l.or(c),
        }
    }

    /// The observed time of one request, in ms (a moving average); `None` before any answer.
    pub fn latency_ms(&self) -> Option<u64> {
        self.latency_ms
    }

    /// Learns how long one request took, send to answer.
    pub fn on_latency(&mut self, ms: u64) {
        self.latency_ms = Some(match self.latency_ms {
            None => ms,
            // A quarter of the new sample: steady under jitter, and a slower API is followed
            // within a few answers.
            Some(old) => (old * 3 + ms) / 4,
        });
    }

    /// Records that a request was sent now.
    pub fn on_sent(&mut self, now_ms: i64) {
        if let Some((remaining, _)) = &mut self.window {
            *remaining = remaining.saturating_sub(1);
        }
        self.recent.push_back(now_ms);
        while self.recent.len() > 100_000 {
            self.recent.pop_front();
        }
    }

    /// Learns the window from an answer's headers. Answers of requests sent side by side
    /// arrive in any order: within one window the lowest `remaining` is the truth (less what was
    /// sent since, which [`Pacer::on_sent`] already took off), a later reset opens a new window.
    pub fn on_response(&mut self, response: &HttpResponse) {
        if let Some(limit) = response.rate_limit {
            self.limit = Some(limit);
        }
        if let (Some(remaining), Some(reset)) = (response.rate_remaining, response.rate_reset_s) {
            self.window = Some(match self.window {
                Some((known, known_reset)) if known_reset == reset => (known.min(remaining), reset),
                Some(older) if older.1 > reset => older,
                _ => (remaining, reset),
            });
        }
    }

    /// After a 429: the window is used up until the reset the answer names (or a minute).
    pub fn on_throttled(&mut self, response: &HttpResponse, now_ms: i64) -> i64 {
        let reset_s = response
            .rate_reset_s
            .unwrap_or_else(|| ((now_ms + 60_000) / 1000).max(0) as u64);
        self.window = Some((0, reset_s));
        reset_to_ms(reset_s)
    }
}

/// A reset time in Unix seconds as the ms instant after which requests may go again.
pub fn reset_to_ms(reset_s: u64) -> i64 {
    (reset_s.min(i64::MAX as u64 / 2000) as i64) * 1000 + RESET_MARGIN_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(remaining: u32, reset_s: u64) -> HttpResponse {
        HttpResponse {
            status: 200,
            rate_limit: Some(100),
            rate_remaining: Some(remaining),
            rate_reset_s: Some(reset_s),
            body: vec![],
        }
    }

    #[test]
    fn no_wait_while_the_window_has_room() {
        let mut p = Pacer::default();
        p.on_response(&answer(3, 1_000));
        assert_eq!(p.wait_before_next(999_000, None), 0);
    }

    #[test]
    fn an_exhausted_window_waits_until_its_reset() {
        let mut p = Pacer::default();
        p.on_response(&answer(0, 1_000));
        assert_eq!(
            p.wait_before_next(990_000, None),
            10_000 + RESET_MARGIN_MS as u64
        );
        // After the reset time, go on.
        assert_eq!(p.wait_before_next(1_001_000, None), 0);
    }

    #[test]
    fn a_configured_ceiling_is_kept_over_any_sliding_minute() {
        let mut p = Pacer::default();
        for t in [0, 1_000, 2_000] {
            assert_eq!(p.wait_before_next(t, Some(3)), 0);
            p.on_sent(t);
        }
        assert_eq!(p.wait_before_next(3_000, Some(3)), 57_000);
        assert_eq!(p.wait_before_next(60_000, Some(3)), 0);
    }

    #[test]
    fn the_allowance_is_what_the_window_has_left_and_all_of_it_after_the_reset() {
        let mut p = Pacer::default();
        assert_eq!(p.allowance(0, None), 1, "before any answer: one request");
        p.on_response(&answer(40, 60));
        assert_eq!(p.allowance(1_000, None), 40);
        for _ in 0..10 {
            p.on_sent(1_000);
        }
        assert_eq!(p.allowance(1_000, None), 30, "sent requests count at once");
        // A late answer of an earlier request reports more room than is left: ignored.
        p.on_response(&answer(35, 60));
        assert_eq!(p.allowance(1_000, None), 30);
        assert_eq!(
            p.allowance(61_000, None),
            100,
            "a new window: the whole limit"
        );
        assert_eq!(
            p.allowance(1_000, Some(12)),
            2,
            "and never past the ceiling"
        );
    }

    #[test]
    fn latency_is_a_moving_average() {
        let mut p = Pacer::default();
        assert_eq!(p.latency_ms(), None);
        p.on_latency(400);
        p.on_latency(800);
        assert_eq!(p.latency_ms(), Some(500));
    }

    #[test]
    fn a_429_without_headers_waits_about_a_minute() {
        let mut p = Pacer::default();
        let until = p.on_throttled(
            &HttpResponse {
                status: 429,
                ..Default::default()
            },
            10_000,
        );
        assert!((60_000..=71_000).contains(&until), "{until}");
        assert!(p.wait_before_next(10_000, None) >= 60_000);
    }

    #[test]
    fn absurd_reset_values_do_not_overflow() {
        let mut p = Pacer::default();
        p.on_response(&answer(0, u64::MAX));
        let w = p.wait_before_next(0, None);
        assert!(w > 0);
    }
}
