//! The extractor every Twilio-facing route uses: it checks `X-Twilio-Signature` against
//! `SWITCHBOARD_PUBLIC_URL` + path + query and answers 403 when it is missing or wrong.
//!
//! The URL is rebuilt from the configured public URL, not from the `Host` header, because a
//! proxy in front of us changes the host and scheme that Twilio signed.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::services::Services;
use crate::telephony::SigningKeys;

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

/// Checks `signature` for a request to `url` with `body`: form parameters, or a JSON body
/// signed through its `bodySHA256` query parameter. Returns the form parameters (empty for
/// JSON) or why it failed.
pub fn verify(
    services: &Services,
    keys: &SigningKeys,
    url: &str,
    signature: &str,
    is_json: bool,
    body: &[u8],
) -> Result<Vec<(String, String)>, &'static str> {
    if is_json {
        if keys.any(services, |t| {
            twilio::signature::validate_json(t, url, body, signature)
        }) {
            return Ok(Vec::new());
        }
        return Err("X-Twilio-Signature does not match");
    }
    let params: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| "body is not form-encoded")?;
    if keys.any(services, |t| {
        twilio::signature::validate(t, url, &params, signature)
    }) {
        Ok(params)
    } else {
        Err("X-Twilio-Signature does not match")
    }
}

/// True when the request's Content-Type is JSON.
pub fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

impl<S> FromRequest<S> for TwilioRequest
where
    S: Send + Sync,
    Services: FromRef<S>,
    SigningKeys: FromRef<S>,
{
    type Rejection = SignatureRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (services, keys) = (Services::from_ref(state), SigningKeys::from_ref(state));
        let path_and_query = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let url = services.config.public_url_for(&path_and_query);
        let signature = req
            .headers()
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or(SignatureRejection("missing X-Twilio-Signature"))?;
        let json = is_json(req.headers());
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|_| SignatureRejection("unreadable request body"))?;
        let params =
            verify(&services, &keys, &url, &signature, json, &body).map_err(SignatureRejection)?;
        Ok(TwilioRequest {
            url,
            params,
            json_body: json.then_some(body),
        })
    }
}
