//! The extractor every Twilio-facing route uses: it checks `X-Twilio-Signature` against
//! `SWITCHBOARD_PUBLIC_URL` + path + query and answers 403 when it is missing or wrong.
//!
//! The URL is rebuilt from the configured public URL, not from the `Host` header, because a
//! proxy in front of us changes the host and scheme that Twilio signed.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

pub const SIGNATURE_HEADER: &str = "x-twilio-signature";

/// A verified webhook request: its form parameters (or JSON body) and the URL that was signed.
#[derive(Clone, Debug)]
pub struct TwilioRequest {
    pub url: String,
    pub params: Vec<(String, String)>,
    /// The raw body when it was JSON (signed with `bodySHA256`); empty for forms.
    pub json_body: Option<Bytes>,
}

impl TwilioRequest {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
pub struct SignatureRejection(&'static str);

impl IntoResponse for SignatureRejection {
    fn into_response(self) -> Response {
        tracing::warn!(
            reason = self.0,
            "refused a webhook without a valid Twilio signature"
        );
        (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({
                "error": { "code": "forbidden", "message": self.0 }
            })),
        )
            .into_response()
    }
}

impl FromRequest<AppState> for TwilioRequest {
    type Rejection = SignatureRejection;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let path_and_query = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let url = state.config.public_url_for(&path_and_query);
        let signature = req
            .headers()
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or(SignatureRejection("missing X-Twilio-Signature"))?;
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|_| SignatureRejection("unreadable request body"))?;
        let tokens = state.signing_tokens();
        if is_json {
            let ok = tokens
                .iter()
                .any(|t| twilio::signature::validate_json(t, &url, &body, &signature));
            if !ok {
                return Err(SignatureRejection("X-Twilio-Signature does not match"));
            }
            return Ok(TwilioRequest {
                url,
                params: Vec::new(),
                json_body: Some(body),
            });
        }
        let params: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| SignatureRejection("body is not form-encoded"))?;
        if !tokens
            .iter()
            .any(|t| twilio::signature::validate(t, &url, &params, &signature))
        {
            return Err(SignatureRejection("X-Twilio-Signature does not match"));
        }
        Ok(TwilioRequest {
            url,
            params,
            json_body: None,
        })
    }
}
