//! Byte loops that go eight bytes at a time: finding a string's end, comparing two texts.
//!
//! Why by hand: inside wasm, `memcmp` goes a byte at a time (compiler-builtins' loop), and a
//! wasm profile of the one pass had it at 15% of the call once custom fields' definitions were
//! compared instead of read ([`crate::streams::task_pages`]). A 64-bit word is one instruction
//! in wasm as natively.

const ONES: u64 = u64::MAX / 255;
const HIGH: u64 = ONES << 7;

/// How many bytes from the start of `bytes` to the first `"`, `\` or control character (the
/// length when there is none), eight bytes at a time.
// Inlined by attribute: every string of a page is scanned by it, and when it gained callers
// the compiler stopped inlining it into the scanner (a call, a prologue and an epoch check for
// each string inside wasm).
#[inline(always)]
pub(crate) fn special_at(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let found = specials(word(chunk));
        if found != 0 {
            return offset + (found.trailing_zeros() / 8) as usize;
        }
        offset += 8;
    }
    let rest = chunks.remainder();
    if rest.is_empty() {
        return offset;
    }
    // The last bytes, as the word of the text's last eight read over the ones before them
    // (none of those is special): no byte loop, whose every turn checks the host's epoch inside
    // wasm. Names, ids and types are mostly not a multiple of eight bytes long.
    if let Some(last) = bytes.len().checked_sub(8) {
        let found = specials(word(bytes.get(last..).unwrap_or_default()));
        return if found == 0 {
            bytes.len()
        } else {
            last + (found.trailing_zeros() / 8) as usize
        };
    }
    offset
        + rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(rest.len())
}

/// The high bit of each byte of `w` that is a `"`, a `\\` or a control character, and maybe of
/// bytes after the first such (the lowest flag is exact).
#[inline(always)]
fn specials(w: u64) -> u64 {
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    // The classic tests for a byte below 0x20 and for a zero byte (of `w ^ "` and `w ^ \\`). A
    // borrow can flag a byte above a true one, never below, so the lowest flag is exact.
    (w.wrapping_sub(ONES * 0x20) & !w
        | quote.wrapping_sub(ONES) & !quote
        | backslash.wrapping_sub(ONES) & !backslash)
        & HIGH
}

/// Whether `text` starts with `prefix`, compared 32 bytes (four words) a step, then a word at a
/// time, then the last bytes as one word read over their end: no byte loop, and no `memcmp`
/// (compiler-builtins' byte loop inside wasm).
pub(crate) fn starts_with(text: &[u8], prefix: &[u8]) -> bool {
    let Some(head) = text.get(..prefix.len()) else {
        return false;
    };
    let (mut a, mut b) = (head.chunks_exact(32), prefix.chunks_exact(32));
    for (x, y) in a.by_ref().zip(b.by_ref()) {
        let differ = (0..4).fold(0, |d, i| {
            let at = i * 8..i * 8 + 8;
            d | word(x.get(at.clone()).unwrap_or_default()) ^ word(y.get(at).unwrap_or_default())
        });
        if differ != 0 {
            return false;
        }
    }
    let (x, y) = (a.remainder(), b.remainder());
    let (mut a, mut b) = (x.chunks_exact(8), y.chunks_exact(8));
    if !a.by_ref().zip(b.by_ref()).all(|(x, y)| word(x) == word(y)) {
        return false;
    }
    // The last bytes: the final eight of each (they overlap what was compared) when there are
    // eight; otherwise a byte at a time (fewer than eight).
    if a.remainder().is_empty() {
        return true;
    }
    match (head.last_chunk::<8>(), prefix.last_chunk::<8>()) {
        (Some(x), Some(y)) => u64::from_le_bytes(*x) == u64::from_le_bytes(*y),
        _ => a.remainder() == b.remainder(),
    }
}

fn word(chunk: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(chunk.get(..8).unwrap_or(&[0; 8]));
    u64::from_le_bytes(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_is_found_and_a_difference_at_any_byte_is_seen() {
        let text: Vec<u8> = (0..100u8).collect();
        for len in 0..=text.len() {
            assert!(starts_with(&text, &text[..len]), "{len}");
            for at in 0..len {
                let mut other = text[..len].to_vec();
                other[at] ^= 0x80;
                assert!(!starts_with(&text, &other), "{len} {at}");
            }
        }
        assert!(!starts_with(&text[..3], &text[..4]));
    }
}
