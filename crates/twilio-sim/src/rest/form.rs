//! Form-encoded request bodies and query strings, with repeated keys kept.

use axum::body::Bytes;
use twilio::Method;

use super::error::RestError;

/// Decoded `name=value` pairs in order.
#[derive(Debug, Default)]
pub struct Form(pub Vec<(String, String)>);

impl Form {
    pub fn parse(bytes: &[u8]) -> Form {
        Form(url::form_urlencoded::parse(bytes).into_owned().collect())
    }

    pub fn from_body(body: &Bytes) -> Form {
        Form::parse(body)
    }

    /// The first non-empty value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// An HTTP method parameter (`GET`/`POST`, default POST), 400 when it is something else.
    pub fn method(&self, name: &str) -> Result<Method, RestError> {
        match self.get(name) {
            None => Ok(Method::Post),
            Some(m) => m.parse().map_err(|_| {
                RestError::bad(21219, format!("{name} must be GET or POST, got {m:?}"))
            }),
        }
    }

    /// A whole number parameter within `range`.
    pub fn number(
        &self,
        name: &str,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<Option<u64>, RestError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        match raw.trim().parse::<u64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(RestError::bad(
                20001,
                format!(
                    "{name} must be a whole number from {} to {}, got {raw:?}",
                    range.start(),
                    range.end()
                ),
            )),
        }
    }

    /// A boolean parameter (`true`/`false`).
    pub fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// An absolute http(s) URL parameter.
    pub fn url(&self, name: &str, code: u32) -> Result<Option<String>, RestError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        match url::Url::parse(raw) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(Some(raw.to_owned())),
            _ => Err(RestError::bad(
                code,
                format!("{name} is not a valid URL: {raw}"),
            )),
        }
    }
}
