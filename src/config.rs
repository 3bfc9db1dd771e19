//! The connector's configuration: parsed from JSON, validated, defaults applied.
//!
//! Configuration comes from a person, so every mistake gets a [`ConnectorError::Config`] that
//! names the field and the fix, before any request is sent. Field values are never echoed back in
//! messages (one of them is a secret). An unknown field is an error that names it and suggests
//! the nearest known one ("unknown field `start_dat`: did you mean `start_date`?"): a misspelt
//! `start_date` or `api_token` silently ignored would sync everything, or send no token.

use crate::error::ConnectorError;
use crate::timestamp::parse_rfc3339_ms;
use serde_json::{Map, Value};

/// ClickUp's production API. The simulator (and any proxy) is reached by setting `base_url`.
pub const DEFAULT_BASE_URL: &str = "https://api.clickup.com/api/v2";
/// Default start of the time-entry history: 2017-01-01, before ClickUp had users.
pub const DEFAULT_START_DATE_MS: i64 = 1_483_228_800_000;
/// Default width of one time-entry request window, in days (the endpoint has no paging).
pub const DEFAULT_TIME_ENTRIES_WINDOW_DAYS: u32 = 90;
/// Default look-back of incremental time-entry syncs, in days.
pub const DEFAULT_TIME_ENTRIES_LOOKBACK_DAYS: u32 = 30;
/// Default overlap of the incremental task watermark, in seconds.
pub const DEFAULT_OVERLAP_SECONDS: u32 = 300;
/// Default longest wait for ClickUp's rate-limit window inside one call, in seconds.
pub const DEFAULT_MAX_RATE_LIMIT_WAIT_SECONDS: u32 = 120;

/// Default hours between two sweeps for deleted tasks (see [`crate::read`]'s deletes).
pub const DEFAULT_DELETES_SWEEP_INTERVAL_HOURS: u32 = 24;

/// Default ceiling on requests in flight at once (see [`crate::concurrency`]).
pub const DEFAULT_MAX_CONCURRENCY: u32 = 32;
/// The highest `max_concurrency` a config may set.
pub const MAX_CONCURRENCY_LIMIT: u32 = 64;

/// Every field a configuration may have (the spec's `properties`).
pub const FIELDS: [&str; 13] = [
    "api_token",
    "base_url",
    "start_date",
    "workspace_ids",
    "include_archived",
    "max_requests_per_minute",
    "time_entries_window_days",
    "time_entries_lookback_days",
    "incremental_overlap_seconds",
    "max_rate_limit_wait_seconds",
    "max_concurrency",
    "deletes_sweep_interval_hours",
    "include_time_in_status",
];

/// A validated configuration.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// The personal API token (`pk_…`). `None`: the host injects `Authorization` itself.
    pub api_token: Option<String>,
    /// API root without a trailing slash. Default [`DEFAULT_BASE_URL`].
    pub base_url: String,
    /// Lower bound (ms) of `date_updated` for a first task sync. `None` (default): every task.
    pub tasks_start_ms: Option<i64>,
    /// Start (ms) of the time-entry history. Default [`DEFAULT_START_DATE_MS`].
    pub time_entries_start_ms: i64,
    /// Only these Workspaces (ids). `None` (default): every Workspace the token sees.
    pub workspace_ids: Option<Vec<String>>,
    /// Read archived spaces, folders, lists and tasks too. Default `true`.
    pub include_archived: bool,
    /// Ceiling on requests per minute, below ClickUp's own limit. `None` (default): follow
    /// ClickUp's `X-RateLimit-*` headers alone.
    pub max_requests_per_minute: Option<u32>,
    /// Width of one time-entry window in days. Default [`DEFAULT_TIME_ENTRIES_WINDOW_DAYS`].
    pub time_entries_window_days: u32,
    /// Look-back of incremental time-entry syncs in days. Default [`DEFAULT_TIME_ENTRIES_LOOKBACK_DAYS`].
    pub time_entries_lookback_days: u32,
    /// Overlap of the task watermark in seconds. Default [`DEFAULT_OVERLAP_SECONDS`].
    pub incremental_overlap_seconds: u32,
    /// Longest rate-limit wait inside one call before giving up with `rate-limited`.
    /// Default [`DEFAULT_MAX_RATE_LIMIT_WAIT_SECONDS`].
    pub max_rate_limit_wait_seconds: u32,
    /// Most requests in flight at once; 1 reads serially. The connector sizes its concurrency
    /// from the token's rate limit and the latency it observes, never above this.
    /// Default [`DEFAULT_MAX_CONCURRENCY`], at most [`MAX_CONCURRENCY_LIMIT`].
    pub max_concurrency: u32,
    /// Hours between two sweeps of every task for deletions (an incremental sync that is due
    /// reads every task page, unfiltered, and compares the ids with the last sweep's); 0 sweeps
    /// on every incremental sync. Default [`DEFAULT_DELETES_SWEEP_INTERVAL_HOURS`].
    pub deletes_sweep_interval_hours: u32,
    /// Offer `task_time_in_status` (a request per 100 tasks read). Default `false`.
    pub include_time_in_status: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("api_token", &self.api_token.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("workspace_ids", &self.workspace_ids)
            .field("include_archived", &self.include_archived)
            .finish_non_exhaustive()
    }
}

fn config_error(message: impl Into<String>) -> ConnectorError {
    ConnectorError::Config(message.into())
}

impl Config {
    /// Parses and validates configuration JSON.
    ///
    /// ```
    /// use clickup_connector::config::Config;
    /// let ok = Config::parse(r#"{"api_token": "pk_123_ABC"}"#).unwrap();
    /// assert!(ok.include_archived);
    ///
    /// let err = Config::parse(r#"{"api_token": "123_ABC"}"#).unwrap_err();
    /// assert!(err.to_string().contains("pk_"));
    /// ```
    pub fn parse(json: &str) -> Result<Config, ConnectorError> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            config_error(format!(
                "the configuration is not valid JSON (line {}, column {}).",
                e.line(),
                e.column()
            ))
        })?;
        let Value::Object(map) = value else {
            return Err(config_error("the configuration must be a JSON object."));
        };
        if let Some(unknown) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(config_error(unknown_field(unknown)));
        }
        let fields = Fields(&map);
        let config = Config {
            api_token: fields.token()?,
            base_url: fields.base_url()?,
            tasks_start_ms: fields.date("start_date")?,
            time_entries_start_ms: fields.date("start_date")?.unwrap_or(DEFAULT_START_DATE_MS),
            workspace_ids: fields.id_list("workspace_ids")?,
            include_archived: fields.boolean("include_archived")?.unwrap_or(true),
            max_requests_per_minute: fields.positive("max_requests_per_minute", 100_000)?,
            max_concurrency: fields
                .positive("max_concurrency", MAX_CONCURRENCY_LIMIT)?
                .unwrap_or(DEFAULT_MAX_CONCURRENCY),
            time_entries_window_days: fields
                .positive("time_entries_window_days", 3_650)?
                .unwrap_or(DEFAULT_TIME_ENTRIES_WINDOW_DAYS),
            time_entries_lookback_days: fields
                .positive("time_entries_lookback_days", 3_650)?
                .unwrap_or(DEFAULT_TIME_ENTRIES_LOOKBACK_DAYS),
            incremental_overlap_seconds: fields
                .positive("incremental_overlap_seconds", 86_400)?
                .unwrap_or(DEFAULT_OVERLAP_SECONDS),
            max_rate_limit_wait_seconds: fields
                .positive("max_rate_limit_wait_seconds", 3_600)?
                .unwrap_or(DEFAULT_MAX_RATE_LIMIT_WAIT_SECONDS),
            include_time_in_status: fields.boolean("include_time_in_status")?.unwrap_or(false),
            deletes_sweep_interval_hours: fields
                .whole("deletes_sweep_interval_hours", 8_760)?
                .unwrap_or(DEFAULT_DELETES_SWEEP_INTERVAL_HOURS),
        };
        Ok(config)
    }

    /// Whether this Workspace is part of the sync.
    pub fn wants_workspace(&self, id: &str) -> bool {
        self.workspace_ids
            .as_ref()
            .is_none_or(|ids| ids.iter().any(|w| w == id))
    }
}

/// "unknown field `x`", with the nearest known field when one is close (at most a third of its
/// letters differ), else the list of known fields.
fn unknown_field(name: &str) -> String {
    if name.trim().starts_with("pk_") {
        return "the configuration has a field whose name looks like a token (not shown): the \
                token goes in api_token, as {\"api_token\": \"pk_...\"}."
            .to_owned();
    }
    let nearest = FIELDS
        .iter()
        .map(|f| (strsim::levenshtein(name, f), *f))
        .min()
        .filter(|(distance, f)| *distance <= f.len().div_ceil(3));
    match nearest {
        Some((_, f)) => format!("unknown field `{name}`: did you mean `{f}`?"),
        None => format!(
            "unknown field `{name}`. The known fields are: {}.",
            FIELDS.join(", ")
        ),
    }
}

/// Typed access to the fields of the config object, with messages that never echo values.
struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    fn present(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    fn token(&self) -> Result<Option<String>, ConnectorError> {
        let Some(v) = self.present("api_token") else {
            return Ok(None);
        };
        let Some(raw) = v.as_str() else {
            return Err(config_error(
                "api_token must be a string (your ClickUp personal API token).",
            ));
        };
        let token = raw.trim();
        if !token.starts_with("pk_") {
            return Err(config_error(
                "api_token is not a ClickUp personal API token: those start with pk_. Copy the full \
                 token including the pk_ prefix from ClickUp > Settings > Apps.",
            ));
        }
        if token.len() < 4 || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(config_error(
                "api_token contains spaces or characters a token cannot hold. Copy the full token \
                 including the pk_ prefix from ClickUp > Settings > Apps.",
            ));
        }
        Ok(Some(token.to_owned()))
    }

    fn base_url(&self) -> Result<String, ConnectorError> {
        let Some(v) = self.present("base_url") else {
            return Ok(DEFAULT_BASE_URL.to_owned());
        };
        let url = v
            .as_str()
            .ok_or_else(|| config_error("base_url must be a string."))?
            .trim()
            .trim_end_matches('/');
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        match rest {
            Some(r) if !r.is_empty() && !r.contains(['?', '#', ' ']) => Ok(url.to_owned()),
            _ => Err(config_error(format!(
                "base_url must be an http(s) URL without query, like {DEFAULT_BASE_URL}."
            ))),
        }
    }

    fn date(&self, key: &str) -> Result<Option<i64>, ConnectorError> {
        let Some(v) = self.present(key) else {
            return Ok(None);
        };
        v.as_str()
            .and_then(parse_rfc3339_ms)
            .map(Some)
            .ok_or_else(|| {
                config_error(format!(
                    "{key} must be a date like 2024-01-31 or 2024-01-31T00:00:00Z."
                ))
            })
    }

    fn id_list(&self, key: &str) -> Result<Option<Vec<String>>, ConnectorError> {
        let Some(v) = self.present(key) else {
            return Ok(None);
        };
        let message = || config_error(format!("{key} must be a list of ids, like [\"9012345\"]."));
        let items = v.as_array().ok_or_else(message)?;
        let ids = items
            .iter()
            .map(|item| match item {
                Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
                Value::Number(n) if n.is_u64() => Ok(n.to_string()),
                _ => Err(message()),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((!ids.is_empty()).then_some(ids))
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, ConnectorError> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(config_error(format!("{key} must be true or false."))),
        }
    }

    fn whole(&self, key: &str, max: u32) -> Result<Option<u32>, ConnectorError> {
        let Some(v) = self.present(key) else {
            return Ok(None);
        };
        match v.as_u64() {
            Some(n) if n <= u64::from(max) => Ok(Some(n as u32)),
            _ => Err(config_error(format!(
                "{key} must be a whole number from 0 to {max}."
            ))),
        }
    }

    fn positive(&self, key: &str, max: u32) -> Result<Option<u32>, ConnectorError> {
        let Some(v) = self.present(key) else {
            return Ok(None);
        };
        match v.as_u64() {
            Some(n) if n >= 1 && n <= u64::from(max) => Ok(Some(n as u32)),
            _ => Err(config_error(format!(
                "{key} must be a whole number from 1 to {max}."
            ))),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn unknown_fields_are_named_with_the_nearest_known_one_and_tokens_are_never_echoed() {
        let message = |json: &str| match Config::parse(json) {
            Err(ConnectorError::Config(m)) => m,
            other => panic!("{json}: {other:?}"),
        };
        assert_eq!(
            message(r#"{"api_token": "pk_1_A", "start_dat": "2024-01-01"}"#),
            "unknown field `start_dat`: did you mean `start_date`?"
        );
        assert_eq!(
            message(r#"{"api_tokn": "pk_1_A"}"#),
            "unknown field `api_tokn`: did you mean `api_token`?"
        );
        assert_eq!(
            message(r#"{"api_token": "pk_1_A", "workspace_id": ["1"]}"#),
            "unknown field `workspace_id`: did you mean `workspace_ids`?"
        );
        let far = message(r#"{"api_token": "pk_1_A", "colour": 1}"#);
        assert!(
            far.starts_with("unknown field `colour`. The known fields are: api_token"),
            "{far}"
        );
        let token_key = message(r#"{"pk_123_SECRET": true}"#);
        assert!(
            !token_key.contains("SECRET") && token_key.contains("api_token"),
            "{token_key}"
        );
        for field in FIELDS {
            let one = format!(r#"{{"{field}": null}}"#);
            assert!(Config::parse(&one).is_ok(), "{field} is known");
        }
    }

    use super::*;

    #[test]
    fn defaults_apply() {
        let c = Config::parse(r#"{"api_token":"pk_1_X"}"#).unwrap();
        assert_eq!(c.base_url, DEFAULT_BASE_URL);
        assert!(c.include_archived);
        assert_eq!(c.time_entries_start_ms, DEFAULT_START_DATE_MS);
        assert_eq!(c.tasks_start_ms, None);
        assert_eq!(c.workspace_ids, None);
        assert_eq!(c.max_requests_per_minute, None);
    }

    #[test]
    fn a_token_without_pk_is_refused_with_the_fix_and_without_echoing_it() {
        for bad in [
            r#""1234_SECRETVALUE""#,
            r#""Bearer pk_SECRETVALUE""#,
            r#""pk_SECRET VALUE""#,
        ] {
            let e = Config::parse(&format!(r#"{{"api_token":{bad}}}"#)).unwrap_err();
            let m = e.to_string();
            assert!(matches!(e, ConnectorError::Config(_)));
            assert!(m.contains("including the pk_ prefix"), "{m}");
            assert!(!m.contains("SECRET"), "the message leaks the token: {m}");
        }
    }

    #[test]
    fn surrounding_whitespace_from_a_paste_is_trimmed() {
        let c = Config::parse(r#"{"api_token":"  pk_1_X\n"}"#).unwrap();
        assert_eq!(c.api_token.as_deref(), Some("pk_1_X"));
    }

    #[test]
    fn a_missing_token_means_the_host_injects_it() {
        assert_eq!(Config::parse("{}").unwrap().api_token, None);
    }

    #[test]
    fn every_field_is_validated() {
        for (bad, field) in [
            (r#"{"base_url":"ftp://x"}"#, "base_url"),
            (r#"{"base_url":"http://x/?a=1"}"#, "base_url"),
            (r#"{"start_date":"last year"}"#, "start_date"),
            (r#"{"workspace_ids":"123"}"#, "workspace_ids"),
            (r#"{"workspace_ids":[{}]}"#, "workspace_ids"),
            (r#"{"include_archived":"yes"}"#, "include_archived"),
            (
                r#"{"max_requests_per_minute":0}"#,
                "max_requests_per_minute",
            ),
            (
                r#"{"time_entries_window_days":-3}"#,
                "time_entries_window_days",
            ),
        ] {
            let m = Config::parse(bad).unwrap_err().to_string();
            assert!(m.contains(field), "{bad}: {m}");
        }
        assert!(Config::parse("[1]").is_err());
        assert!(Config::parse("{")
            .unwrap_err()
            .to_string()
            .contains("not valid JSON"));
    }

    #[test]
    fn fields_are_read() {
        let c = Config::parse(
            r#"{"base_url":"http://127.0.0.1:9/api/v2/","start_date":"2024-01-01",
                "workspace_ids":["1",2],"include_archived":false,"max_requests_per_minute":50}"#,
        )
        .unwrap();
        assert_eq!(c.base_url, "http://127.0.0.1:9/api/v2");
        assert_eq!(c.tasks_start_ms, Some(1_704_067_200_000));
        assert_eq!(c.workspace_ids, Some(vec!["1".into(), "2".into()]));
        assert!(!c.include_archived && c.wants_workspace("2") && !c.wants_workspace("3"));
        assert_eq!(c.max_requests_per_minute, Some(50));
    }

    #[test]
    fn debug_output_redacts_the_token() {
        let c = Config::parse(r#"{"api_token":"pk_1_TOPSECRET"}"#).unwrap();
        assert!(!format!("{c:?}").contains("TOPSECRET"));
    }
}
