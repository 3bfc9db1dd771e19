//! Query-string parsing with ClickUp's conventions.
//!
//! Array parameters arrive both as `statuses[]=a&statuses[]=b` and as repeated
//! `statuses=a&statuses=b`; the `[]` suffix is stripped so both read the same.
//! Booleans are `true`/`false` (case-insensitive); numbers are decimal integers.
//! Any other value answers 400 instead of being silently ignored, so a connector
//! that sends a malformed parameter finds out. An empty value counts as absent.

use super::api_error::ApiError;

#[derive(Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Query {
        let pairs = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| {
                let key = k.strip_suffix("[]").unwrap_or(&k).to_string();
                (key, v.into_owned())
            })
            .filter(|(_, v)| !v.is_empty())
            .collect();
        Query { pairs }
    }

    pub(crate) fn first(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.first(key) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(ApiError::bad_param(key)),
        }
    }

    pub(crate) fn flag(&self, key: &str) -> Result<bool, ApiError> {
        Ok(self.bool(key)?.unwrap_or(false))
    }

    pub(crate) fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.first(key) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::bad_param(key)),
        }
    }

    /// Every value of a repeated integer parameter.
    pub(crate) fn ints(&self, key: &str) -> Result<Vec<i64>, ApiError> {
        self.all(key)
            .into_iter()
            .map(|v| {
                v.trim()
                    .parse::<i64>()
                    .map_err(|_| ApiError::bad_param(key))
            })
            .collect()
    }

    /// Integers given comma-separated in one value (`assignee=1,2,3`), possibly
    /// also repeated.
    pub(crate) fn comma_ints(&self, key: &str) -> Result<Vec<i64>, ApiError> {
        let mut out = Vec::new();
        for v in self.all(key) {
            for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                out.push(part.parse::<i64>().map_err(|_| ApiError::bad_param(key))?);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_and_repeats_read_the_same() {
        let q = Query::parse(Some("statuses[]=to%20do&statuses=review&page=2&x="));
        assert_eq!(q.all("statuses"), vec!["to do", "review"]);
        assert_eq!(q.int("page").unwrap(), Some(2));
        assert_eq!(q.first("x"), None);
    }

    #[test]
    fn bad_values_are_errors() {
        let q = Query::parse(Some("page=abc&archived=maybe&assignee=1,x"));
        assert_eq!(q.int("page").unwrap_err().status, 400);
        assert_eq!(q.bool("archived").unwrap_err().status, 400);
        assert_eq!(q.comma_ints("assignee").unwrap_err().status, 400);
    }
}
