//! A TwiML answer to a voice webhook.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use twilio::twiml::{CONTENT_TYPE, VoiceResponse};

/// A voice webhook's answer: TwiML with its content type.
pub struct Twiml(pub VoiceResponse);

impl IntoResponse for Twiml {
    fn into_response(self) -> Response {
        ([(header::CONTENT_TYPE, CONTENT_TYPE)], self.0.to_xml()).into_response()
    }
}
