//! Errors the connector reports, and how an HTTP answer from ClickUp is classified.
//!
//! Every failure a user can meet ends up as one [`ConnectorError`] case, which maps one-to-one onto
//! the WIT `error` variant, so a host can act on the kind (fix the config, renew the token, retry
//! later) without parsing messages. Messages say what to do, name the endpoint, and never contain
//! the token (it travels in a header, never in a URL, and is never formatted into text).

use std::fmt;

/// A failure of a connector call. See the WIT `error` variant for what each case means to a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectorError {
    /// The configuration is invalid; no request was sent.
    Config(String),
    /// ClickUp rejected the token for the whole account.
    Auth(String),
    /// The token may not read the resource, and nothing else could be read.
    Forbidden(String),
    /// The rate limit was hit and the waiting budget ran out.
    RateLimited {
        /// What happened.
        message: String,
        /// When ClickUp's window resets, in ms since the Unix epoch; `None` if it did not say.
        reset_at_ms: Option<u64>,
    },
    /// 5xx, timeouts, dropped connections, after the retries ran out.
    Transient(String),
    /// ClickUp sent something the connector cannot understand.
    Protocol(String),
    /// The state or cursor passed in is unusable.
    InvalidState(String),
    /// No stream has this name.
    UnknownStream(String),
}

impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectorError::Config(m) => write!(f, "configuration error: {m}"),
            ConnectorError::Auth(m) => write!(f, "authentication error: {m}"),
            ConnectorError::Forbidden(m) => write!(f, "forbidden: {m}"),
            ConnectorError::RateLimited { message, .. } => write!(f, "rate limited: {message}"),
            ConnectorError::Transient(m) => write!(f, "transient error: {m}"),
            ConnectorError::Protocol(m) => write!(f, "protocol error: {m}"),
            ConnectorError::InvalidState(m) => write!(f, "invalid state: {m}"),
            ConnectorError::UnknownStream(m) => write!(f, "unknown stream: {m}"),
        }
    }
}

impl std::error::Error for ConnectorError {}

/// The fix for a rejected token, shown with every authentication error.
pub const REGENERATE_TOKEN_HINT: &str =
    "Generate a new personal API token in ClickUp > Settings > Apps and put it in api_token.";

/// ClickUp's `ECODE`s meaning "this token was not granted this Workspace / resource".
/// The token itself is fine: the resource is skipped with a warning.
fn is_team_not_authorized(ecode: &str) -> bool {
    match ecode
        .strip_prefix("OAUTH_")
        .and_then(|n| n.parse::<u32>().ok())
    {
        Some(n) => matches!(n, 23 | 26 | 27 | 29..=45),
        None => false,
    }
}

/// The `{"err": …, "ECODE": …}` body ClickUp sends with non-2xx answers (some examples say `error`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApiErrorBody {
    /// The human message, if any.
    pub err: Option<String>,
    /// The machine code such as `OAUTH_027`, if any.
    pub ecode: Option<String>,
}

impl ApiErrorBody {
    /// Reads an error body; anything that is not the expected JSON gives empty fields.
    pub fn parse(body: &[u8]) -> ApiErrorBody {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
            return ApiErrorBody::default();
        };
        let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        ApiErrorBody {
            err: text("err").or_else(|| text("error")),
            ecode: text("ECODE"),
        }
    }

    fn describe(&self, status: u16) -> String {
        match (&self.err, &self.ecode) {
            (Some(e), Some(c)) => format!("HTTP {status} {c}: {e}"),
            (Some(e), None) => format!("HTTP {status}: {e}"),
            (None, Some(c)) => format!("HTTP {status} {c}"),
            (None, None) => format!("HTTP {status}"),
        }
    }
}

/// What to do with one HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: parse the body.
    Success,
    /// The token may not read the resource (401 `OAUTH_027` and kin, 403): skip it, tell the user
    /// once, naming it, and do not ask for it again in this sync.
    Denied(String),
    /// The resource vanished during the sync (404): skip it and tell the user, naming it.
    Skip(String),
    /// 429: wait for the rate-limit window, then retry.
    RateLimited,
    /// 5xx: back off, then retry.
    RetryLater(String),
    /// Stop the call with this error.
    Fail(ConnectorError),
}

/// Classifies an HTTP answer to `GET {endpoint}`. `endpoint` is the path without host or token
/// (for example `/team/123/space`), used in messages.
pub fn classify(status: u16, body: &[u8], endpoint: &str) -> Verdict {
    if (200..300).contains(&status) {
        return Verdict::Success;
    }
    let api = ApiErrorBody::parse(body);
    let what = api.describe(status);
    match status {
        429 => Verdict::RateLimited,
        401 if api.ecode.as_deref().is_some_and(is_team_not_authorized) => {
            Verdict::Denied(format!(
                "skipped {endpoint}: the token may not read it ({what}). Ask a Workspace admin for \
                 access, or leave it out of the sync."
            ))
        }
        401 => Verdict::Fail(ConnectorError::Auth(format!(
            "ClickUp rejected the API token ({what}). {REGENERATE_TOKEN_HINT}"
        ))),
        403 => Verdict::Denied(format!(
            "skipped {endpoint}: ClickUp refused access ({what}). The token's user lacks permission \
             for it, or the Workspace plan does not include it."
        )),
        404 if endpoint == "/team" => Verdict::Fail(ConnectorError::Config(format!(
            "GET /team answered {what}: base_url does not point at the ClickUp API v2 \
             (expected something like https://api.clickup.com/api/v2)."
        ))),
        404 => Verdict::Skip(format!(
            "skipped {endpoint}: ClickUp answered {what} (it was probably deleted during the sync)."
        )),
        500..=599 => Verdict::RetryLater(format!("GET {endpoint} answered {what}")),
        _ => Verdict::Fail(ConnectorError::Protocol(format!(
            "GET {endpoint} answered {what}, which the connector does not expect. \
             Please report it with this message."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoked_token_is_an_auth_error_with_the_fix() {
        let body = br#"{"err":"Token invalid","ECODE":"OAUTH_025"}"#;
        match classify(401, body, "/team") {
            Verdict::Fail(ConnectorError::Auth(m)) => {
                assert!(m.contains("OAUTH_025"), "{m}");
                assert!(m.contains("Settings > Apps"), "{m}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn team_not_authorized_skips_the_resource() {
        for code in ["OAUTH_023", "OAUTH_027", "OAUTH_045"] {
            let body = format!(r#"{{"err":"Team not authorized","ECODE":"{code}"}}"#);
            match classify(401, body.as_bytes(), "/space/9/folder") {
                Verdict::Denied(m) => assert!(m.contains("/space/9/folder") && m.contains(code)),
                other => panic!("{code}: unexpected {other:?}"),
            }
        }
        assert!(matches!(
            classify(401, br#"{"ECODE":"OAUTH_046"}"#, "/x"),
            Verdict::Fail(_)
        ));
    }

    #[test]
    fn forbidden_and_not_found_skip_but_a_wrong_base_url_is_a_config_error() {
        assert!(matches!(
            classify(403, b"{}", "/team/1/goal"),
            Verdict::Denied(_)
        ));
        assert!(matches!(
            classify(404, b"", "/space/1/list"),
            Verdict::Skip(_)
        ));
        assert!(matches!(
            classify(404, b"<html>", "/team"),
            Verdict::Fail(ConnectorError::Config(_))
        ));
    }

    #[test]
    fn throttling_and_server_errors_are_retried_and_other_4xx_fail() {
        assert_eq!(classify(429, b"", "/team"), Verdict::RateLimited);
        assert!(matches!(
            classify(500, b"oops", "/team"),
            Verdict::RetryLater(_)
        ));
        assert!(matches!(
            classify(503, b"", "/team"),
            Verdict::RetryLater(_)
        ));
        assert!(matches!(
            classify(400, br#"{"err":"bad","ECODE":"X_1"}"#, "/team/1/task"),
            Verdict::Fail(ConnectorError::Protocol(m)) if m.contains("/team/1/task") && m.contains("X_1")
        ));
        assert_eq!(classify(200, b"not even json", "/team"), Verdict::Success);
    }

    #[test]
    fn error_bodies_in_any_shape_are_read_without_failing() {
        assert_eq!(ApiErrorBody::parse(b"\xff\xfe"), ApiErrorBody::default());
        assert_eq!(ApiErrorBody::parse(b"[1,2]"), ApiErrorBody::default());
        let alt = ApiErrorBody::parse(br#"{"error":"x","ECODE":"OAUTH_119"}"#);
        assert_eq!(alt.err.as_deref(), Some("x"));
    }
}
