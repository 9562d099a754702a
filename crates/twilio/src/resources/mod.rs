//! REST resources shaped exactly like Twilio's 2010-04-01 JSON, so the simulator writes what the
//! client reads: calls, messages, phone numbers, recordings, list pages and the error body.

mod call;
mod message;
mod phone_number;
mod recording;
pub mod sid;
mod status;
mod time;
mod wire_enum;

use serde::{Deserialize, Serialize};

pub use call::{CallPage, CallResource};
pub use message::{MessagePage, MessageResource};
pub use phone_number::{Capabilities, IncomingPhoneNumber, IncomingPhoneNumberPage};
pub use recording::RecordingResource;
pub use status::{
    AnsweredBy, CallDirection, CallStatus, DialCallStatus, MessageDirection, MessageStatus,
};
pub use time::{TimeParseError, parse_rfc2822, rfc2822};
pub use wire_enum::UnknownValue;

/// The API version every path starts with.
pub const API_VERSION: &str = "2010-04-01";

/// The JSON body of every Twilio REST error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub code: u32,
    pub message: String,
    #[serde(default)]
    pub more_info: String,
    pub status: u16,
}

impl ApiErrorBody {
    /// An error body with Twilio's documentation link for the code.
    pub fn new(status: u16, code: u32, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            more_info: format!("https://www.twilio.com/docs/errors/{code}"),
            status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_body_matches_twilio_shape() {
        let body = ApiErrorBody::new(
            400,
            21211,
            "The 'To' number +15005550001 is not a valid phone number.",
        );
        let json = serde_json::to_value(&body).unwrap_or_default();
        assert_eq!(json["code"], 21211);
        assert_eq!(json["status"], 400);
        assert_eq!(
            json["more_info"],
            "https://www.twilio.com/docs/errors/21211"
        );
        assert_eq!(
            serde_json::from_value::<ApiErrorBody>(json).ok(),
            Some(body)
        );
    }

    #[test]
    fn api_error_body_tolerates_missing_more_info() {
        let body: Result<ApiErrorBody, _> =
            serde_json::from_str(r#"{"code": 20404, "message": "Not found", "status": 404}"#);
        assert_eq!(body.ok().map(|b| b.more_info), Some(String::new()));
    }
}
