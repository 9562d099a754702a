//! Requests from Twilio Studio's HTTP widgets and similar clients: authorised by a valid
//! `X-Twilio-Signature` (JSON or form body, checked with the token of the organisation the
//! request concerns; the job's extractor finds which) or `Authorization: Bearer
//! $WEBHOOK_SECRET`, with a body that may be JSON or form-encoded and numbers that may arrive
//! as strings. The readers below take a field as such clients send it and name the field when
//! it is wrong.

use axum::http::HeaderMap;
use serde_json::Value;

use super::auth::bearer;
use super::{AppError, AppResult};
use crate::config::Config;

/// Whether the request carries `Authorization: Bearer $WEBHOOK_SECRET` (the installation's
/// shared secret, for curl and clients that cannot sign).
pub fn has_webhook_secret(config: &Config, headers: &HeaderMap) -> bool {
    match (config.webhook_secret.as_ref(), bearer(headers)) {
        (Some(secret), Some(sent)) => {
            use subtle::ConstantTimeEq as _;
            bool::from(sent.as_bytes().ct_eq(secret.expose().as_bytes()))
        }
        _ => false,
    }
}

/// A Studio-style body as a JSON object: JSON as sent, form fields as strings.
pub fn body_object(is_json: bool, body: &[u8]) -> AppResult<Value> {
    if body.len() > crate::limits::STUDIO_BODY_BYTES {
        // The incident's audit trail keeps the request.
        return Err(AppError::bad_request(
            "the request body must be at most 64 KB",
        ));
    }
    let value = if is_json || body.first() == Some(&b'{') {
        serde_json::from_slice(body)
            .map_err(|e| AppError::bad_request(format!("request body is not valid JSON: {e}")))?
    } else {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|_| AppError::bad_request("body is not form-encoded"))?;
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    };
    if !value.is_object() {
        return Err(AppError::bad_request(
            "the request body must be a JSON object",
        ));
    }
    Ok(value)
}

/// An optional integer field: absent, null, "" and "null" mean absent; "12" and 12 mean 12.
pub fn opt_int(body: &Value, field: &str) -> AppResult<Option<i64>> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| AppError::field(field, "must be a whole number")),
        Some(Value::String(s)) if s.trim().is_empty() || s.trim() == "null" => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| AppError::field(field, format!("'{s}' is not a whole number"))),
        Some(_) => Err(AppError::field(field, "must be a whole number")),
    }
}

/// An optional text field, trimmed; blank means absent. At most 256 characters, and no
/// control characters.
pub fn opt_str<'a>(body: &'a Value, field: &str) -> AppResult<Option<&'a str>> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => {
            crate::limits::text(field, s, crate::limits::STUDIO_TEXT_CHARS)?;
            Ok(Some(s.trim()))
        }
        Some(_) => Err(AppError::field(field, "must be a string")),
    }
}

pub fn required_int(body: &Value, field: &str) -> AppResult<i64> {
    opt_int(body, field)?.ok_or_else(|| AppError::field(field, "is required"))
}

/// A required phone number, normalised to E.164.
pub fn phone(body: &Value, field: &str) -> AppResult<String> {
    let raw = opt_str(body, field)?.ok_or_else(|| AppError::field(field, "is required"))?;
    crate::telephony::parse_e164(raw).map_err(|e| AppError::field(field, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_may_arrive_as_strings_and_blanks_mean_absent() {
        let body = json!({ "a": 12, "b": "12", "c": "", "d": "null", "e": "x", "f": true });
        assert_eq!(opt_int(&body, "a").unwrap(), Some(12));
        assert_eq!(opt_int(&body, "b").unwrap(), Some(12));
        assert_eq!(opt_int(&body, "c").unwrap(), None);
        assert_eq!(opt_int(&body, "d").unwrap(), None);
        assert_eq!(opt_int(&body, "missing").unwrap(), None);
        for bad in ["e", "f"] {
            let err = opt_int(&body, bad).unwrap_err();
            assert!(matches!(err, AppError::BadRequest { field: Some(f), .. } if f == bad));
        }
        assert!(required_int(&body, "c").is_err());
    }
}
