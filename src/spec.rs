//! `spec` and `discover`: what the connector needs, and what it offers.

use crate::config::{
    Config, DEFAULT_BASE_URL, DEFAULT_DELETES_SWEEP_INTERVAL_HOURS,
    DEFAULT_MAX_RATE_LIMIT_WAIT_SECONDS, DEFAULT_OVERLAP_SECONDS,
    DEFAULT_TIME_ENTRIES_LOOKBACK_DAYS, DEFAULT_TIME_ENTRIES_WINDOW_DAYS,
};
use crate::error::ConnectorError;
use crate::streams::task_children::Child;
use crate::streams::Stream;
use serde_json::{json, Value};

/// The JSON Schema of the configuration.
pub fn config_schema() -> Value {
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "ClickUp source",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "api_token": {
                "type": "string", "airbyte_secret": true, "pattern": "^pk_",
                "title": "Personal API token",
                "description": "Your ClickUp personal API token (ClickUp > Settings > Apps), including the pk_ prefix. Leave it out only when the host injects credentials itself."
            },
            "base_url": {"type": "string", "default": DEFAULT_BASE_URL, "description": "The ClickUp API v2 root. Change it only for a proxy or the simulator."},
            "start_date": {"type": "string", "description": "Read tasks updated since, and time entries started since, this date (YYYY-MM-DD or RFC 3339). Default: every task, and time entries since 2017-01-01."},
            "workspace_ids": {"type": "array", "items": {"type": "string"}, "description": "Only these Workspaces. Default: every Workspace the token sees."},
            "include_archived": {"type": "boolean", "default": true, "description": "Also read archived spaces, folders, lists and tasks."},
            "max_concurrency": {"type": "integer", "minimum": 1, "maximum": 64, "description": "Most requests in flight at once (1: one at a time). The connector sizes its concurrency from the token's rate limit (X-RateLimit-Limit) and the latency it observes, and never goes above this. Default: 32."},
            "max_requests_per_minute": {"type": "integer", "minimum": 1, "description": "A ceiling below ClickUp's own limit, to leave room for other clients of the same token. Default: follow ClickUp's X-RateLimit headers."},
            "time_entries_window_days": {"type": "integer", "minimum": 1, "default": DEFAULT_TIME_ENTRIES_WINDOW_DAYS, "description": "Days per time-entry request (the endpoint has no paging)."},
            "time_entries_lookback_days": {"type": "integer", "minimum": 1, "default": DEFAULT_TIME_ENTRIES_LOOKBACK_DAYS, "description": "Incremental time-entry syncs re-read this many days before the last sync's end."},
            "incremental_overlap_seconds": {"type": "integer", "minimum": 1, "default": DEFAULT_OVERLAP_SECONDS, "description": "Incremental task syncs re-read changes this many seconds before the watermark (de-duplicate on id)."},
            "include_time_in_status": {"type": "boolean", "default": false, "description": "Offer the task_time_in_status stream: how long each task read spent in each status (GET /task/bulk_time_in_status/task_ids, a request per 100 tasks). A Workspace without the feature gives one warning."},
            "deletes_sweep_interval_hours": {"type": "integer", "minimum": 0, "maximum": 8760, "default": DEFAULT_DELETES_SWEEP_INTERVAL_HOURS, "description": "Hours between two sweeps for deleted tasks: an incremental sync that is due reads every task page (as many requests as a full sync of tasks) and emits a tombstone (id and _ab_cdc_deleted_at) for each task that is gone. 0: sweep on every incremental sync."},
            "max_rate_limit_wait_seconds": {"type": "integer", "minimum": 1, "default": DEFAULT_MAX_RATE_LIMIT_WAIT_SECONDS, "description": "Longest wait for ClickUp's rate-limit window inside one page before reporting rate-limited."}
        }
    })
}

/// One stream as `discover` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Descriptor {
    /// Stream name.
    pub name: String,
    /// JSON Schema of a record, as text.
    pub json_schema: String,
    /// Primary key paths.
    pub primary_key: Vec<Vec<String>>,
    /// Cursor field path, empty when none.
    pub cursor_field: Vec<String>,
    /// Whether incremental reads are supported (full refresh always is).
    pub incremental: bool,
    /// For a derived stream: the stream whose pages carry its records.
    pub parent: Option<String>,
    /// The streams a host may read side by side ([`Stream::lane`]); `None`: the default lane.
    pub lane: Option<String>,
}

/// The `discover` verb: validates the config, then lists the streams (no request is needed): the
/// nine, then the task's child streams (derived from `tasks`).
pub fn discover(config_json: &str) -> Result<Vec<Descriptor>, ConnectorError> {
    let config = Config::parse(config_json)?;
    Ok(Stream::ALL
        .iter()
        .map(|s| Descriptor {
            name: s.name().to_owned(),
            json_schema: s.json_schema().to_string(),
            primary_key: s.primary_key(),
            cursor_field: s.cursor_field(),
            incremental: s.is_incremental(),
            parent: None,
            lane: s.lane().map(str::to_owned),
        })
        .chain(Child::offered(&config).map(|c| {
            Descriptor {
                name: c.name().to_owned(),
                json_schema: c.json_schema().to_string(),
                primary_key: c
                    .primary_key()
                    .iter()
                    .map(|k| vec![(*k).to_owned()])
                    .collect(),
                cursor_field: Vec::new(),
                incremental: Stream::Tasks.is_incremental(),
                parent: Some(Child::PARENT.to_owned()),
                lane: Stream::Tasks.lane().map(str::to_owned),
            }
        }))
        .collect())
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_spec_lists_exactly_the_known_fields_and_allows_no_others() {
        let schema = config_schema();
        assert_eq!(schema["additionalProperties"], false);
        let mut properties: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        properties.sort_unstable();
        let mut fields = crate::config::FIELDS.to_vec();
        fields.sort_unstable();
        assert_eq!(properties, fields);
    }

    use super::*;

    #[test]
    fn nine_streams_and_the_task_child_streams_with_keys() {
        let d = discover(r#"{"api_token":"pk_1"}"#).unwrap();
        assert_eq!(d.len(), 15);
        let own: Vec<&str> = d
            .iter()
            .filter(|s| s.parent.is_none())
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(own, Stream::NAMES);
        let tags = d.iter().find(|s| s.name == "task_tags").unwrap();
        assert_eq!(tags.parent.as_deref(), Some("tasks"));
        assert_eq!(tags.primary_key, [["task_id"], ["tag_name"]]);
        assert!(tags.incremental);
        let tasks = d.iter().find(|s| s.name == "tasks").unwrap();
        assert!(tasks.incremental);
        assert_eq!(tasks.cursor_field, ["date_updated"]);
        let members = d.iter().find(|s| s.name == "members").unwrap();
        assert_eq!(members.primary_key, [["workspace_id"], ["id"]]);
        assert!(discover(r#"{"api_token":"x"}"#).is_err());
        let lanes: Vec<(&str, Option<&str>)> = d
            .iter()
            .filter(|s| s.lane.is_some())
            .map(|s| (s.name.as_str(), s.lane.as_deref()))
            .collect();
        assert_eq!(
            lanes,
            [("goals", Some("goals")), ("time_entries", Some("time_entries"))],
            "what needs only the Workspaces has a lane of its own; the walk and its children share the default"
        );
    }

    #[test]
    fn the_token_is_marked_secret() {
        assert_eq!(
            config_schema()["properties"]["api_token"]["airbyte_secret"],
            true
        );
    }
}
