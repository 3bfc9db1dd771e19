//! How many requests to keep in flight at once.
//!
//! ClickUp answers a task page in 0.3–2 s, so one request at a time is bound by latency, not by
//! the token's budget: at 1,000 requests a minute and 300 ms a request, a serial sync uses a
//! fifth of what the plan allows. Little's law gives the width that spends the budget without
//! running past it: requests per ms × ms per request. [`width`] takes both from what ClickUp
//! said and did: `X-RateLimit-Limit` (lowered to `max_requests_per_minute` when the config sets
//! it) and the latency the [`Pacer`] observed, with [`HEADROOM`] for jitter, never above the
//! config's `max_concurrency`. Before the first answer it is 1: the first request of an instance
//! learns the plan.
//!
//! Memory follows from the width: a call holds the answers of its batch (about 1 MB per
//! simulator task page) and their records, and the batch it starts for the next call (as soon
//! as its own answers are in, and before it returns) is in flight beside them: at most two
//! batches of `width` answers.
//!
//! The width only bounds how many go at once. Whether they may go at all is still the pacer's
//! call ([`Pacer::allowance`]): a batch never holds more requests than the window has left, so
//! a sync that is the token's only user earns no 429 at any width.
//!
//! | plan | limit/min | latency | width |
//! |---|---:|---:|---:|
//! | Free, Unlimited, Business | 100 | 300 ms | 1 |
//! | Business Plus | 1,000 | 300 ms | 8 |
//! | Enterprise | 10,000 | 300 ms | 32 (the default cap; 75 uncapped) |

use crate::ratelimit::Pacer;

/// Extra width over Little's law, for jitter and for the time between batches.
pub const HEADROOM: f64 = 1.5;

/// The requests to keep in flight: `per-minute limit × latency × HEADROOM`, at least 1, at most
/// `max`. 1 until an answer has told the limit and the latency.
pub fn width(pacer: &Pacer, ceiling_per_minute: Option<u32>, max: u32) -> u32 {
    let (Some(limit), Some(latency)) = (pacer.per_minute(ceiling_per_minute), pacer.latency_ms())
    else {
        return 1;
    };
    let in_flight = f64::from(limit) / 60_000.0 * latency as f64 * HEADROOM;
    (in_flight.ceil() as u32).clamp(1, max.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::HttpResponse;

    fn pacer(limit: u32, latency: u64) -> Pacer {
        let mut p = Pacer::default();
        p.on_response(&HttpResponse {
            status: 200,
            rate_limit: Some(limit),
            rate_remaining: Some(limit),
            rate_reset_s: Some(60),
            body: vec![],
        });
        p.on_latency(latency);
        p
    }

    #[test]
    fn the_width_follows_the_plan_and_the_latency_and_stays_under_the_cap() {
        assert_eq!(width(&Pacer::default(), None, 32), 1, "nothing known yet");
        assert_eq!(width(&pacer(100, 300), None, 32), 1);
        assert_eq!(width(&pacer(1_000, 300), None, 32), 8);
        assert_eq!(width(&pacer(1_000, 1_000), None, 32), 25);
        assert_eq!(width(&pacer(10_000, 300), None, 32), 32);
        assert_eq!(
            width(&pacer(10_000, 300), None, 64),
            64,
            "75 wanted, 64 the cap"
        );
        assert_eq!(width(&pacer(10_000, 300), None, 1), 1, "1 is serial");
        assert_eq!(
            width(&pacer(10_000, 300), Some(1_000), 32),
            8,
            "the configured ceiling lowers the plan's limit"
        );
    }
}
