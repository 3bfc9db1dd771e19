//! Tokens and what each one may see.
//!
//! ClickUp personal tokens are sent raw (`Authorization: pk_...`) and OAuth tokens
//! as `Bearer ...`; both forms (and a raw OAuth token) are accepted. A token is
//! tied to a user (the default `assignee` for time entries), may be limited to
//! some workspaces, and may be denied some spaces to model partial permissions.

use super::api_error::ApiError;
use super::config::TokenSpec;
use std::collections::{HashMap, HashSet};

/// The token a request presents, without any `Bearer ` prefix. `None` when the
/// header is missing or blank.
pub(crate) fn presented_token(header: Option<&str>) -> Option<String> {
    let raw = header?.trim();
    let token = match raw.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => raw.get(7..).unwrap_or("").trim(),
        _ => raw,
    };
    (!token.is_empty()).then(|| token.to_string())
}

/// Who is calling, as far as visibility goes.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub user_id: i64,
    /// `None` = every workspace.
    pub workspaces: Option<HashSet<String>>,
    pub denied_spaces: HashSet<String>,
}

impl Caller {
    pub(crate) fn sees_workspace(&self, id: &str) -> bool {
        self.workspaces.as_ref().is_none_or(|w| w.contains(id))
    }

    pub(crate) fn denied_space(&self, id: &str) -> bool {
        self.denied_spaces.contains(id)
    }

    /// 401 unless the workspace is visible and the space is not denied.
    pub(crate) fn check(&self, workspace_id: &str, space_id: Option<&str>) -> Result<(), ApiError> {
        if !self.sees_workspace(workspace_id) || space_id.is_some_and(|s| self.denied_space(s)) {
            return Err(ApiError::team_not_authorized());
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
pub(crate) struct TokenRegistry {
    tokens: HashMap<String, (TokenSpec, bool)>,
    first: Option<String>,
}

impl TokenRegistry {
    pub(crate) fn new(specs: Vec<TokenSpec>) -> TokenRegistry {
        let mut reg = TokenRegistry::default();
        for spec in specs {
            reg.add(spec);
        }
        reg
    }

    /// Adds (or re-enables) a token.
    pub(crate) fn add(&mut self, spec: TokenSpec) {
        if self.first.is_none() {
            self.first = Some(spec.token.clone());
        }
        self.tokens.insert(spec.token.clone(), (spec, false));
    }

    /// Later requests with it answer 401 OAUTH_019.
    pub(crate) fn revoke(&mut self, token: &str) {
        if let Some(entry) = self.tokens.get_mut(token) {
            entry.1 = true;
        }
    }

    pub(crate) fn first(&self) -> String {
        self.first.clone().unwrap_or_default()
    }

    pub(crate) fn authenticate(&self, header: Option<&str>) -> Result<Caller, ApiError> {
        let token = presented_token(header).ok_or_else(ApiError::header_required)?;
        match self.tokens.get(&token) {
            None => Err(ApiError::token_invalid()),
            Some((_, true)) => Err(ApiError::token_revoked()),
            Some((spec, false)) => Ok(Caller {
                user_id: spec.user_id,
                workspaces: (!spec.workspaces.is_empty())
                    .then(|| spec.workspaces.iter().cloned().collect()),
                denied_spaces: spec.denied_spaces.iter().cloned().collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_prefix_is_optional() {
        assert_eq!(presented_token(Some("pk_1_X")).as_deref(), Some("pk_1_X"));
        assert_eq!(presented_token(Some("Bearer abc")).as_deref(), Some("abc"));
        assert_eq!(
            presented_token(Some("bearer  abc ")).as_deref(),
            Some("abc")
        );
        assert_eq!(presented_token(Some("  ")), None);
        assert_eq!(presented_token(None), None);
    }
}
