//! Everything the host side knows about ClickUp, in one place.
//!
//! The host library and the sinks are generic over connectors; this tool is the ClickUp
//! connector's, so it knows what the component's config means for the host:
//! - [`DEFAULT_BASE_URL`]: where the connector goes when the config names no `base_url`;
//! - [`Prepared`]: a config file split into what the connector sees and the host's
//!   [`EgressPolicy`]: the allow-list is the base URL's host, the rate limiter is the token's,
//!   and with `--host-credentials` the token moves from the config into the host;
//! - [`tenant_egress`]: a tenant's base URL only when the operator allows its host
//!   ([`DEFAULT_TENANT_HOSTS`] unless `run-many --allow-host` says otherwise);
//! - [`SQLITE_PREFIX`]: the prefix of this tool's own tables and columns in a SQLite database;
//! - [`LOG_PREFIX`]: how this tool's lines on stderr begin.
//!
//! (A later version of the WIT contract lets the component declare the hosts a config reaches,
//! as Rapidbyte's manifests declare `allowed_domains`; then only the token's limiter key stays.)

use crate::args::ConfigArgs;
use host_harness::{EgressPolicy, HostAllowList, RunOptions, TokenLimiters};
use serde_json::Value;
use std::sync::OnceLock;

/// ClickUp's API v2, the connector's default `base_url`.
pub(crate) const DEFAULT_BASE_URL: &str = "https://api.clickup.com/api/v2";

/// The hosts `run-many` lets tenants reach when the operator names none: ClickUp's API.
pub(crate) const DEFAULT_TENANT_HOSTS: &[&str] = &["api.clickup.com:443"];

/// The prefix of this tool's own SQLite tables and columns (`_clickup_state`, `_clickup_extra`, …).
pub(crate) const SQLITE_PREFIX: &str = "_clickup_";

/// The prefix of this tool's log lines on stderr.
pub(crate) const LOG_PREFIX: &str = "[clickup-connector]";

/// A config file, split into what the connector sees and the host's network policy.
pub(crate) struct Prepared {
    /// The config as the connector gets it (without the token under `--host-credentials`).
    pub(crate) guest_config: String,
    /// The run's network policy.
    pub(crate) egress: EgressPolicy,
    /// What no message may show: the token.
    pub(crate) secrets: Vec<String>,
}

impl Prepared {
    /// Reads `--config` (and `--host-credentials`).
    pub(crate) fn load(args: &ConfigArgs) -> anyhow::Result<Prepared> {
        let text = crate::input::read_text(&args.config, "config file")?;
        Prepared::from_text(&text, args.host_credentials)
    }

    /// Splits a config's text. A config that is not JSON goes to the connector as it is, which
    /// reports it with its own message.
    pub(crate) fn from_text(text: &str, host_credentials: bool) -> anyhow::Result<Prepared> {
        let mut value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(_) => {
                return Ok(Prepared {
                    guest_config: text.to_owned(),
                    egress: EgressPolicy::default(),
                    secrets: vec![],
                })
            }
        };
        let mut egress = egress_for(&value, limiters());
        let secrets = token_of(&value).into_iter().collect();
        if host_credentials {
            if let Some(token) = token_of(&value) {
                if !token.starts_with("pk_") {
                    anyhow::bail!("configuration error: api_token is not a ClickUp personal API token: those start with pk_. Copy the full token including the pk_ prefix from ClickUp > Settings > Apps.");
                }
                egress.injected_authorization = Some(token);
                if let Some(obj) = value.as_object_mut() {
                    obj.remove("api_token");
                }
            }
        }
        Ok(Prepared {
            guest_config: value.to_string(),
            egress,
            secrets,
        })
    }

    /// The options of a run of this config: its policy, its secrets redacted, default caps.
    pub(crate) fn run_options(&self) -> RunOptions {
        RunOptions {
            egress: self.egress.clone(),
            secrets: self.secrets.clone(),
            ..RunOptions::default()
        }
    }
}

/// The policy of a run of the user's own config: its base URL's host (wherever it resolves:
/// the user chose it), and its token's limiter from `limiters`.
pub(crate) fn egress_for(config: &Value, limiters: &TokenLimiters) -> EgressPolicy {
    let egress = EgressPolicy::for_base_url(base_url_of(config)).unwrap_or_default();
    with_token_limiter(egress, config, limiters)
}

/// The policy of a tenant's run: its base URL's host only if the operator's `allowed` list has
/// it (else the error says so), and its token's limiter.
pub(crate) fn tenant_egress(
    config: &Value,
    allowed: &HostAllowList,
    limiters: &TokenLimiters,
) -> anyhow::Result<EgressPolicy> {
    let egress = allowed.policy_for(base_url_of(config))?;
    Ok(with_token_limiter(egress, config, limiters))
}

/// `egress` with the limiter of the config's token (every run of one token shares it).
fn with_token_limiter(
    mut egress: EgressPolicy,
    config: &Value,
    limiters: &TokenLimiters,
) -> EgressPolicy {
    if let Some(token) = token_of(config) {
        egress.limiter = Some(limiters.for_token(&token));
    }
    egress
}

fn base_url_of(config: &Value) -> &str {
    config
        .get("base_url")
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_BASE_URL)
}

/// The config's token, if it has one.
pub(crate) fn token_of(config: &Value) -> Option<String> {
    config
        .get("api_token")
        .and_then(Value::as_str)
        .map(|t| t.trim().to_owned())
}

/// The process's limiters: every run of one token in this process shares one.
pub(crate) fn limiters() -> &'static TokenLimiters {
    static L: OnceLock<TokenLimiters> = OnceLock::new();
    L.get_or_init(Default::default)
}
