//! Request paths built from ids that come from outside: a server's answers, a saved state, a
//! cursor. An id is always one path segment, percent-encoded, so that no id can change the
//! endpoint (`../user`), the query (`x?y=`), the fragment (`#`) or the host (`//evil`).

/// One id as one path segment: every byte but ASCII letters, digits, `-`, `_` and `~` is
/// percent-encoded. `.` is encoded too, so that neither `.` nor `..` can become a dot-segment.
pub fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids_stay_and_everything_that_could_steer_a_request_is_encoded() {
        assert_eq!(segment("901234567"), "901234567");
        assert_eq!(segment("86abc_x-Y~"), "86abc_x-Y~");
        assert_eq!(
            segment("../../user?x=1#"),
            "%2E%2E%2F%2E%2E%2Fuser%3Fx%3D1%23"
        );
        assert_eq!(segment(".."), "%2E%2E");
        assert_eq!(segment("//evil.example"), "%2F%2Fevil%2Eexample");
        assert_eq!(segment("é"), "%C3%A9");
        for id in ["a/b", "x?y=", "#f", "a b", "%2F"] {
            let s = segment(id);
            assert!(!s.contains(['/', '?', '#', ' ', '.']), "{id} -> {s}");
            assert!(!s.contains("%2F") || id.contains('/'), "{id} -> {s}");
        }
    }
}
