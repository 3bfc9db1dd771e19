//! The retry policy, in one place.
//!
//! | answer | what the connector does |
//! |---|---|
//! | 429 | waits until `X-RateLimit-Reset` (a minute when absent), then retries; gives up with `rate-limited` once the waits of one call would pass `max_rate_limit_wait_seconds` (default 120) |
//! | 5xx, dropped connection, timeout | retries after an exponential backoff with jitter: 0.5 s, 1 s, 2 s, 4 s … capped at 30 s, at most [`MAX_ATTEMPTS`] attempts, then `transient` |
//! | 2xx with a truncated or non-JSON body | retried like a 5xx (same backoff, same [`MAX_ATTEMPTS`], counted together with them); then `transient`, or `protocol` when every attempt got the same non-JSON bytes (see [`crate::fetch`]) |
//! | 2xx with JSON of the wrong shape (no `tasks` array, say) | never retried: `protocol`, naming the endpoint and the field |
//! | 401 `OAUTH_027` and kin, 403 | never retried: skipped with one warning, and nothing under the same space, folder, list or goal is asked for again in the sync |
//! | other 4xx | never retried (see [`crate::error::classify`]) |
//!
//! Giving up is safe: `read-page` is stateless, so the host retries the same call later and no
//! record is lost.

/// Attempts of one request against 5xx and transport failures, the first included.
pub const MAX_ATTEMPTS: u32 = 5;
/// First backoff, in ms.
pub const BASE_BACKOFF_MS: u64 = 500;
/// Longest single backoff, in ms.
pub const MAX_BACKOFF_MS: u64 = 30_000;
/// 429s of one request after which the connector stops waiting even within its budget.
pub const MAX_THROTTLED_ATTEMPTS: u32 = 20;

/// The backoff before retry number `retry` (1 for the first retry), with "equal jitter": half the
/// exponential delay fixed, half random, so many clients do not retry in lockstep.
pub fn backoff_ms(retry: u32, random: u64) -> u64 {
    let exp = BASE_BACKOFF_MS
        .saturating_mul(1u64 << retry.saturating_sub(1).min(16))
        .min(MAX_BACKOFF_MS);
    let half = exp / 2;
    half + random % (half + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert!((250..=500).contains(&backoff_ms(1, 12345)));
        assert!((500..=1000).contains(&backoff_ms(2, 999)));
        assert!((1000..=2000).contains(&backoff_ms(3, u64::MAX)));
        for r in [0, 1, u64::MAX] {
            assert!(backoff_ms(40, r) <= MAX_BACKOFF_MS);
            assert!(backoff_ms(40, r) >= MAX_BACKOFF_MS / 2);
        }
    }

    #[test]
    fn jitter_spreads_retries() {
        let a = backoff_ms(4, 1);
        let b = backoff_ms(4, 3000);
        assert_ne!(a, b);
    }
}
