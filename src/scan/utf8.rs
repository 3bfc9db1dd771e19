//! The UTF-8 checks of a page's pieces and of the records made from them.
//!
//! Why a library: inside wasm, `std`'s check takes ASCII four bytes a step (a `usize` is 32
//! bits there), and it was 8% of a task page's instructions. `simdutf8` checks 64 bytes a step
//! in wasm's 128-bit vectors when the component is built with `+simd128`, as its build does
//! (`host-harness/cli/build.rs`), and with SSE or AVX natively; built without, it is `std`'s
//! check. A check of our own (ASCII 32 bytes a step as 64-bit words, the rest by `std`) was
//! measured too: 34.99 M instructions a page against `simdutf8`'s 34.46 M (BENCHMARKS.md).

/// `bytes` as text, or none when they are not UTF-8.
#[inline]
pub fn str_of(bytes: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(bytes).ok()
}

/// `bytes` as a `String`, or none when they are not UTF-8 (the bytes are not copied, nor
/// checked twice as `String::from_utf8` would after the check here).
#[inline]
pub fn string_of(bytes: Vec<u8>) -> Option<String> {
    str_of(&bytes)?;
    // SAFETY: `str_of` has just said that `bytes` are UTF-8, which is all
    // `from_utf8_unchecked` asks; a property test below holds `str_of` to `std`'s check.
    #[allow(unsafe_code)]
    Some(unsafe { String::from_utf8_unchecked(bytes) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Texts of ASCII runs and multi-byte characters, and bytes of any kind put in them.
    fn texts() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            "[ -~]{0,70}".prop_map(String::into_bytes),
            any::<char>().prop_map(|c| c.to_string().into_bytes()),
            proptest::collection::vec(any::<u8>(), 0..4),
            proptest::collection::vec(0x80u8..0xc0, 0..3),
        ];
        proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn says_what_std_says(bytes in texts()) {
            prop_assert_eq!(str_of(&bytes), std::str::from_utf8(&bytes).ok());
            prop_assert_eq!(string_of(bytes.clone()), String::from_utf8(bytes).ok());
        }
    }

    #[test]
    fn a_bad_byte_is_seen_at_every_place_of_a_long_text() {
        let text = "é".repeat(10) + &"a".repeat(100) + "中";
        for at in 0..text.len() {
            for bad in [0x80, 0xc0, 0xff] {
                let mut bytes = text.clone().into_bytes();
                bytes[at] = bad;
                assert_eq!(
                    str_of(&bytes),
                    std::str::from_utf8(&bytes).ok(),
                    "{at} {bad}"
                );
            }
            assert_eq!(
                str_of(&text.as_bytes()[..at]).is_some(),
                text.is_char_boundary(at),
                "{at}"
            );
        }
    }
}
