//! Deciding which requests get a fault.
//!
//! Two sources: targeted injections (`Simulator::inject`: the next N requests whose
//! path starts with a prefix), which always win, and random shares from a
//! [`FaultConfig`]. The random source draws once per admitted request from a
//! generator seeded by `FaultConfig::seed`, so the n-th request of a run always
//! meets the same fate (with concurrent requests, which request is "n-th" depends
//! on arrival order). Requests already answered 429 by the rate limiter do not
//! reach this module and do not use up injections.

use super::config::{Fault, FaultConfig};
use super::prng::SplitMix64;

#[derive(Debug)]
struct Injection {
    prefix: String,
    fault: Fault,
    remaining: u32,
}

#[derive(Debug)]
pub(crate) struct FaultState {
    config: FaultConfig,
    rng: SplitMix64,
    injections: Vec<Injection>,
}

impl FaultState {
    pub(crate) fn new(config: FaultConfig) -> FaultState {
        FaultState {
            rng: SplitMix64::derive(config.seed, "faults"),
            config,
            injections: Vec::new(),
        }
    }

    /// Replaces the random shares and restarts their sequence from the new seed.
    /// Pending injections are kept.
    pub(crate) fn set_config(&mut self, config: FaultConfig) {
        self.rng = SplitMix64::derive(config.seed, "faults");
        self.config = config;
    }

    pub(crate) fn inject(&mut self, prefix: &str, fault: Fault, times: u32) {
        if times > 0 {
            self.injections.push(Injection {
                prefix: prefix.to_string(),
                fault,
                remaining: times,
            });
        }
    }

    /// The fault for this request, if any. `target` is the path after `/api/v2`
    /// followed by `?query` when there is one.
    pub(crate) fn next(&mut self, target: &str) -> Option<Fault> {
        let roll = self.rng.unit();
        let status_roll = self.rng.below(3);
        if let Some(inj) = self
            .injections
            .iter_mut()
            .find(|i| i.remaining > 0 && target.starts_with(&i.prefix))
        {
            inj.remaining -= 1;
            let fault = inj.fault.clone();
            self.injections.retain(|i| i.remaining > 0);
            return Some(fault);
        }
        let c = &self.config;
        let mut edge = 0.0;
        let mut hit = |share: f64| {
            edge += share.max(0.0);
            roll < edge
        };
        if hit(c.rate_429) {
            Some(Fault::Status(429))
        } else if hit(c.rate_5xx) {
            Some(Fault::Status([500, 502, 503][status_roll as usize % 3]))
        } else if hit(c.rate_drop) {
            Some(Fault::Drop)
        } else if hit(c.rate_slow) {
            Some(Fault::Slow(c.slow))
        } else if hit(c.rate_truncated) {
            Some(Fault::Truncated)
        } else if hit(c.rate_malformed) {
            Some(Fault::Malformed)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injections_apply_to_matching_paths_only_and_run_out() {
        let mut f = FaultState::new(FaultConfig::default());
        f.inject("/team/1/task", Fault::Drop, 2);
        assert_eq!(f.next("/team"), None);
        assert_eq!(f.next("/team/1/task?page=0"), Some(Fault::Drop));
        assert_eq!(f.next("/team/1/task?page=1"), Some(Fault::Drop));
        assert_eq!(f.next("/team/1/task?page=2"), None);
    }

    #[test]
    fn random_faults_follow_the_seed() {
        let cfg = FaultConfig {
            seed: 9,
            rate_5xx: 0.3,
            rate_drop: 0.2,
            ..FaultConfig::default()
        };
        let run = |cfg: &FaultConfig| {
            let mut f = FaultState::new(cfg.clone());
            (0..200).map(|_| f.next("/team")).collect::<Vec<_>>()
        };
        let a = run(&cfg);
        assert_eq!(a, run(&cfg));
        let faults = a.iter().filter(|x| x.is_some()).count();
        assert!((60..=140).contains(&faults), "{faults} faults of 200");
    }
}
