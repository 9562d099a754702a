//! Twilio's REST error answers: `{"code","message","more_info","status"}` with the HTTP status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use twilio::resources::ApiErrorBody;

/// A REST error as Twilio answers it.
#[derive(Debug, Clone)]
pub struct RestError(pub ApiErrorBody);

impl RestError {
    pub fn new(status: u16, code: u32, message: impl Into<String>) -> RestError {
        RestError(ApiErrorBody::new(status, code, message))
    }

    /// 400 with a Twilio code.
    pub fn bad(code: u32, message: impl Into<String>) -> RestError {
        RestError::new(400, code, message)
    }

    /// 404 code 20404.
    pub fn not_found(path: &str) -> RestError {
        RestError::new(
            404,
            20404,
            format!("The requested resource {path} was not found"),
        )
    }

    /// 401 code 20003.
    pub fn unauthenticated() -> RestError {
        RestError::new(401, 20003, "Authenticate")
    }

    /// The error Twilio gives for one of its magic test `To` numbers, if it is one.
    pub fn for_magic_to(to: &str) -> Option<RestError> {
        let (code, message) = match to {
            "+15005550001" => (
                21211,
                format!("The 'To' number {to} is not a valid phone number."),
            ),
            "+15005550002" => (
                21612,
                format!("The 'To' phone number: {to}, is not currently reachable."),
            ),
            "+15005550003" => (
                21408,
                format!(
                    "Permission to send to {to} has not been enabled for the region indicated by the 'To' number."
                ),
            ),
            "+15005550004" => (
                21610,
                "Attempt to send to unsubscribed recipient".to_owned(),
            ),
            "+15005550009" => (
                21614,
                format!("'To' number {to} is not a valid mobile number"),
            ),
            _ => return None,
        };
        Some(RestError::bad(code, message))
    }

    /// The error Twilio gives for one of its magic test `From` numbers, if it is one.
    pub fn for_magic_from(from: &str) -> Option<RestError> {
        match from {
            "+15005550001" => Some(RestError::bad(
                21212,
                format!(
                    "The 'From' number {from} is not a valid phone number, shortcode, or alphanumeric sender ID."
                ),
            )),
            "+15005550007" => Some(RestError::bad(
                21606,
                format!(
                    "The 'From' phone number provided ({from}) is not a valid message-capable Twilio phone number for this destination/account."
                ),
            )),
            "+15005550008" => Some(RestError::bad(
                21611,
                format!(
                    "This 'From' number ({from}) has exceeded the maximum number of queued messages"
                ),
            )),
            _ => None,
        }
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(self.0)).into_response()
    }
}

/// Whether `number` is a valid phone number already written in E.164 (Twilio's magic test
/// numbers included).
pub fn is_e164(number: &str) -> bool {
    twilio::e164::E164::parse(number, None).is_ok_and(|e| e.as_str() == number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers_map_to_twilio_codes() {
        assert_eq!(
            RestError::for_magic_to("+15005550001").unwrap().0.code,
            21211
        );
        assert_eq!(
            RestError::for_magic_to("+15005550004").unwrap().0.code,
            21610
        );
        assert!(RestError::for_magic_to("+15005550006").is_none());
        assert!(RestError::for_magic_from("+15005550006").is_none());
    }

    #[test]
    fn e164_needs_a_plus_and_eight_to_fifteen_digits() {
        assert!(is_e164("+15005550006"));
        assert!(!is_e164("15005550006"));
        assert!(!is_e164("+1234"));
        assert!(!is_e164("+1500555000a"));
    }
}
