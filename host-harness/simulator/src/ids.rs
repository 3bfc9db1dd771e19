//! Minting identifiers that look like ClickUp's.
//!
//! Connectors break on id *types* (a numeric-looking string parsed as a number, a
//! 19-digit time-entry id rounded by a double), so every kind of id is produced in
//! the form ClickUp uses:
//!
//! - workspaces, spaces, folders and lists: numeric strings (`"90123456789"`);
//! - tasks: short lowercase alphanumeric strings (`"86eum77f3"`);
//! - goals, goal folders, key results, checklists: UUIDs;
//! - time entries: 19-digit numeric strings, too large for an `f64`;
//! - users: JSON integers.
//!
//! The mint lives inside the [`World`](super::world::World) so that mutations made
//! between syncs keep producing unique ids from the same sequences.

use super::prng::SplitMix64;

/// 36^7: task ids are "86" followed by seven base-36 digits.
const TASK_SPACE: u64 = 78_364_164_096;

/// The sequences every kind of ClickUp id is minted from, deterministic from a seed.
#[derive(Clone, Debug, PartialEq)]
pub struct IdMint {
    next_numeric: u64,
    task_seq: u64,
    task_mul: u64,
    task_add: u64,
    next_entry: u64,
    next_user: i64,
    rng: SplitMix64,
}

impl IdMint {
    /// A mint whose sequences all derive from `seed`.
    pub fn new(seed: u64) -> IdMint {
        let mut rng = SplitMix64::derive(seed, "ids");
        // An odd multiplier that is not a multiple of 3 is coprime with 36^7, so
        // `seq -> (mul * seq + add) mod 36^7` is a permutation: ids never collide
        // yet do not sort in creation order.
        let mut task_mul = (rng.below(TASK_SPACE / 2) * 2 + 1) | 1;
        while task_mul.is_multiple_of(3) {
            task_mul += 2;
        }
        IdMint {
            next_numeric: 90_100_000_000 + rng.below(800) * 10_000_000,
            task_seq: 0,
            task_mul,
            task_add: rng.below(TASK_SPACE),
            next_entry: 1_963_465_985_517_105_840 + rng.below(1_000_000_000),
            next_user: 8_100_000 + rng.below(800) as i64 * 1000,
            rng,
        }
    }

    /// Workspace, space, folder and list ids share one increasing sequence.
    pub fn numeric(&mut self) -> String {
        self.next_numeric += 1 + self.rng.below(40);
        self.next_numeric.to_string()
    }

    /// A new task id: `"86"` and seven base-36 digits, unique within the mint but
    /// not in creation order.
    pub fn task(&mut self) -> String {
        let v = ((u128::from(self.task_mul) * u128::from(self.task_seq)
            + u128::from(self.task_add))
            % u128::from(TASK_SPACE)) as u64;
        self.task_seq += 1;
        format!("86{}", base36(v, 7))
    }

    /// A new time-entry id: an increasing 19-digit numeric string, too large for
    /// an `f64`.
    pub fn time_entry(&mut self) -> String {
        self.next_entry += 1_000 + self.rng.below(50_000);
        self.next_entry.to_string()
    }

    /// A new user id: an increasing integer (ClickUp sends user ids as JSON numbers).
    pub fn user(&mut self) -> i64 {
        self.next_user += 1 + self.rng.below(300) as i64;
        self.next_user
    }

    /// A new random UUID (version 4 layout), as goals, goal folders, key results,
    /// checklists and custom fields use.
    pub fn uuid(&mut self) -> String {
        uuid_from(&mut self.rng)
    }

    /// A short random lowercase token (status ids, tokens in URLs).
    pub fn token(&mut self, len: usize) -> String {
        let v = self.rng.next_u64();
        let mut s = base36(v % 36u64.pow(len.min(12) as u32), len.min(12));
        s.truncate(len);
        s
    }
}

/// A random UUID (version 4 layout) drawn from `rng` rather than from a mint: for ids
/// made from a purpose-specific stream (see [`SplitMix64::derive`]), so that adding
/// them does not shift the mint's other sequences.
pub fn uuid_from(rng: &mut SplitMix64) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

fn base36(mut v: u64, width: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(v % 36) as usize];
        v /= 36;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn task_ids_are_unique_and_shaped_like_clickups() {
        let mut mint = IdMint::new(3);
        let ids: HashSet<String> = (0..50_000).map(|_| mint.task()).collect();
        assert_eq!(ids.len(), 50_000);
        for id in ids.iter().take(10) {
            assert_eq!(id.len(), 9);
            assert!(id.starts_with("86"));
        }
    }

    #[test]
    fn time_entry_ids_exceed_f64_precision() {
        let mut mint = IdMint::new(3);
        let id = mint.time_entry();
        assert_eq!(id.len(), 19);
        let n: u64 = id.parse().unwrap();
        assert!(n > (1u64 << 53));
    }
}
