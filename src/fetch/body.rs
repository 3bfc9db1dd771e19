//! Reading a 2xx body, and what to make of one that does not parse.
//!
//! A body that is cut short or is not JSON at all usually broke on the way (a connection reset
//! behind a proxy that still framed the answer, a gateway's HTML page, a flipped byte), so
//! [`super::Fetcher::get`] retries it like a 5xx. [`CorruptBodies`] follows one request's corrupt
//! answers and says which error to give when the retries run out:
//! - `transient` when any of them was truncated, when they differ from each other, or when other
//!   failures (5xx, dropped connections) came in between: that is the network, and a later run
//!   may well get through;
//! - `protocol` when every attempt got the very same bytes that are not JSON: that is what the
//!   server sends, not what the network did to it, and running again would not help.

use crate::error::ConnectorError;

/// Why a 2xx body could not be read.
#[derive(Debug)]
pub(super) struct Corrupt {
    /// It ended in the middle of the JSON.
    truncated: bool,
    /// The parser's message (position included).
    detail: String,
    /// The body's length in bytes.
    len: usize,
}

/// Reads a 2xx body with `read` (`serde_json::from_slice` for a `Value`).
pub(super) fn parse<B>(
    body: &[u8],
    read: impl Fn(&[u8]) -> serde_json::Result<B>,
) -> Result<B, Corrupt> {
    read(body).map_err(|e| Corrupt {
        truncated: e.is_eof(),
        detail: e.to_string(),
        len: body.len(),
    })
}

/// The corrupt answers to one request so far.
#[derive(Debug, Default)]
pub(super) struct CorruptBodies {
    /// How many there were.
    count: u32,
    /// The first one's bytes, while every later one is identical to it.
    same: Option<Vec<u8>>,
    /// A later one differed from the first.
    differed: bool,
    /// One of them was truncated.
    truncated: bool,
}

impl CorruptBodies {
    /// Notes one corrupt answer.
    pub(super) fn record(&mut self, body: &[u8], why: &Corrupt) {
        self.count += 1;
        self.truncated |= why.truncated;
        match &self.same {
            None if !self.differed => self.same = Some(body.to_vec()),
            Some(first) if first.as_slice() != body => {
                self.same = None;
                self.differed = true;
            }
            _ => {}
        }
    }

    /// The error once the retries ran out with `last`, after `attempts` attempts in all.
    pub(super) fn give_up(&self, endpoint: &str, last: &Corrupt, attempts: u32) -> ConnectorError {
        let what = if last.truncated {
            "truncated"
        } else {
            "not valid JSON"
        };
        let consistent =
            !self.truncated && !self.differed && self.same.is_some() && self.count == attempts;
        if consistent {
            let start = self
                .same
                .as_deref()
                .map(|b| String::from_utf8_lossy(&b[..b.len().min(40)]).into_owned())
                .unwrap_or_default();
            return ConnectorError::Protocol(format!(
                "ClickUp answered GET {endpoint} with the same body that is not valid JSON \
                 {attempts} times ({} bytes, starting {start:?}; {}). The server, not the network, \
                 sends it; please report it with this message.",
                last.len, last.detail
            ));
        }
        ConnectorError::Transient(format!(
            "ClickUp's answers to GET {endpoint} arrived corrupt {} of {attempts} times (the last \
             one {what}: {} bytes; {}). The connection or a proxy on the way is damaging them; run \
             the sync again later, it resumes where it stopped.",
            self.count, last.len, last.detail
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corrupt(body: &[u8]) -> Corrupt {
        parse(body, |b| serde_json::from_slice::<serde_json::Value>(b)).unwrap_err()
    }

    #[test]
    fn truncated_and_garbled_bodies_are_told_apart() {
        assert!(corrupt(br#"{"tasks":[{"id":"a"#).truncated);
        assert!(!corrupt(b"<html>oops</html>").truncated);
        assert!(parse(b"{}", |b| serde_json::from_slice::<serde_json::Value>(b)).is_ok());
    }

    #[test]
    fn the_same_garbage_every_time_is_the_servers_and_a_protocol_error() {
        let body = b"<html>Bad gateway</html>";
        let mut seen = CorruptBodies::default();
        for _ in 0..3 {
            seen.record(body, &corrupt(body));
        }
        let e = seen.give_up("/team/1/task?page=0", &corrupt(body), 3);
        assert!(
            matches!(e, ConnectorError::Protocol(ref m) if m.contains("/team/1/task?page=0") && m.contains("<html>Bad")),
            "{e}"
        );
    }

    #[test]
    fn truncation_differing_bodies_or_other_failures_in_between_are_transient() {
        let cut = br#"{"tasks":[{"id":"a"#;
        let mut seen = CorruptBodies::default();
        for _ in 0..3 {
            seen.record(cut, &corrupt(cut));
        }
        assert!(matches!(
            seen.give_up("/x", &corrupt(cut), 3),
            ConnectorError::Transient(ref m) if m.contains("/x") && m.contains("truncated")
        ));

        let mut seen = CorruptBodies::default();
        seen.record(b"<a>", &corrupt(b"<a>"));
        seen.record(b"<b>", &corrupt(b"<b>"));
        seen.record(b"<a>", &corrupt(b"<a>"));
        assert!(matches!(
            seen.give_up("/x", &corrupt(b"<a>"), 3),
            ConnectorError::Transient(_)
        ));

        // Two identical garbled bodies, but a 502 was one of the three attempts.
        let mut seen = CorruptBodies::default();
        seen.record(b"<a>", &corrupt(b"<a>"));
        seen.record(b"<a>", &corrupt(b"<a>"));
        assert!(matches!(
            seen.give_up("/x", &corrupt(b"<a>"), 3),
            ConnectorError::Transient(_)
        ));
    }
}
