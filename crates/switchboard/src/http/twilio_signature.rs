//! The extractor every Twilio-facing route uses. It finds the organisation the request
//! concerns, checks `X-Twilio-Signature` with that organisation's auth token alone (its own,
//! else the installation's: `telephony::SigningKeys`) against `SWITCHBOARD_PUBLIC_URL` +
//! path + query, and answers 403 when the signature is missing or made with another token.
//! A request whose `I-Twilio-Idempotency-Token` was answered before gets that answer
//! (`http::idempotency`). Wrap Twilio-facing routes with [`twilio_routes`].
//!
//! What a request concerns is read before its signature is checked, in this order: `org` in
//! the query (every callback URL we give Twilio carries it), a hotline `line` in the query,
//! the number called (`To`, else `Called`: how Twilio names a number's own webhooks), then
//! the call (`CallSid`: the volunteer line's recording and transcription callbacks, posted
//! to the seed's paths as they are). Whatever a request names, a handler acts only within
//! [`TwilioRequest::org`], so a request that names one organisation's call in a URL signed
//! with another's token finds nothing.
//!
//! The URL is rebuilt from the configured public URL, not from the `Host` header, because a
//! proxy in front of us changes the host and scheme that Twilio signed.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::idempotency::{self, Answer, AnswerSlot, Answers, Claim};
use crate::error::StoreResult;
use crate::ids::{LineId, OrgId};
use crate::services::Services;
use crate::telephony::SigningKeys;

pub const SIGNATURE_HEADER: &str = "x-twilio-signature";

/// Twilio-facing routes: each handler takes a [`TwilioRequest`] (or, for Studio, its own
/// extractor built on [`org_named_by`] and [`verify`]); the layer keeps answers for retries.
pub fn twilio_routes<S: Clone + Send + Sync + 'static>(routes: Router<S>) -> Router<S> {
    routes.route_layer(axum::middleware::from_fn(idempotency::keep_answers))
}

/// A verified webhook request: its form parameters (or JSON body), the URL that was signed,
/// and the organisation whose token signed it.
#[derive(Clone, Debug)]
pub struct TwilioRequest {
    pub url: String,
    pub params: Vec<(String, String)>,
    /// The raw body when it was JSON (signed with `bodySHA256`); empty for forms.
    pub json_body: Option<Bytes>,
    org: Option<OrgId>,
}

impl TwilioRequest {
    pub fn get(&self, name: &str) -> Option<&str> {
        param(&self.params, name)
    }

    /// The organisation the request concerns, checked with its token; `None` when it names
    /// nothing we know (a number that serves no line), checked with the installation's.
    pub fn org(&self) -> Option<OrgId> {
        self.org
    }

    /// A request as if checked for `org` (unit tests of handlers' parts).
    #[cfg(test)]
    pub fn for_tests(org: Option<OrgId>, params: Vec<(String, String)>) -> TwilioRequest {
        TwilioRequest {
            url: String::new(),
            params,
            json_body: None,
            org,
        }
    }
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Why a request was not handed to its handler.
#[derive(Debug)]
pub enum WebhookRejection {
    /// No valid signature, or one made with another account's token: 403.
    Refused(&'static str),
    /// Twilio's retry of a request already answered: the same answer.
    Answered(Arc<Answer>),
    /// The lookup of what the request concerns failed.
    Failed(super::AppError),
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        match self {
            WebhookRejection::Refused(reason) => {
                tracing::warn!(reason, "refused a webhook without a valid Twilio signature");
                let body =
                    serde_json::json!({ "error": { "code": "forbidden", "message": reason } });
                (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
            }
            WebhookRejection::Answered(answer) => answer.as_ref().into_response(),
            WebhookRejection::Failed(e) => e.into_response(),
        }
    }
}

/// The organisation a request names (see the module's doc), read before its signature is
/// checked: `org` or `line` in the query, else the number in `To` or `Called`, else the call
/// in `CallSid`.
pub async fn org_named_by(
    keys: &SigningKeys,
    query: &str,
    params: &[(String, String)],
) -> StoreResult<Option<OrgId>> {
    let query: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    if let Some(org) = param(&query, "org").and_then(|o| o.parse::<OrgId>().ok()) {
        return Ok(Some(org));
    }
    if let Some(line) = param(&query, "line").and_then(|l| l.parse::<LineId>().ok()) {
        return keys.owner_of_line(line).await;
    }
    if let Some(number) = param(params, "To").or_else(|| param(params, "Called"))
        && let Some(org) = keys.owner_of_number(number).await?
    {
        return Ok(Some(org));
    }
    match param(params, "CallSid") {
        Some(call) if !call.is_empty() => keys.owner_of_call(call).await,
        _ => Ok(None),
    }
}

/// The form parameters of a webhook body (none for JSON).
pub fn form_params(is_json: bool, body: &[u8]) -> Result<Vec<(String, String)>, &'static str> {
    if is_json {
        return Ok(Vec::new());
    }
    serde_urlencoded::from_bytes(body).map_err(|_| "body is not form-encoded")
}

/// Whether `signature` holds for a request to `url` with `body` (form `params`, or a JSON
/// body signed through its `bodySHA256` query parameter) under the one token of `org`.
pub fn verify(
    keys: &SigningKeys,
    org: Option<OrgId>,
    url: &str,
    signature: &str,
    json_body: Option<&[u8]>,
    params: &[(String, String)],
) -> bool {
    keys.check(org, |token| match json_body {
        Some(body) => twilio::signature::validate_json(token, url, body, signature),
        None => twilio::signature::validate(token, url, params, signature),
    })
}

/// True when the request's Content-Type is JSON.
pub fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Answers a request that carries an idempotency token already answered for `org`, or
/// leaves the first request's claim for the answer to come.
pub async fn claim_token(
    answers: &Answers,
    slot: Option<AnswerSlot>,
    token: Option<String>,
    org: Option<OrgId>,
    now_ms: i64,
) -> Result<(), WebhookRejection> {
    let (Some(slot), Some(token)) = (slot, token) else {
        return Ok(());
    };
    match answers.claim(org, &token, now_ms).await {
        Claim::Answered(answer) => Err(WebhookRejection::Answered(answer)),
        Claim::First(pending) => {
            slot.keep(pending);
            Ok(())
        }
    }
}

impl<S> FromRequest<S> for TwilioRequest
where
    S: Send + Sync,
    Services: FromRef<S>,
    SigningKeys: FromRef<S>,
    Answers: FromRef<S>,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (services, keys) = (Services::from_ref(state), SigningKeys::from_ref(state));
        let uri = req.uri().clone();
        let url = services
            .config
            .public_url_for(uri.path_and_query().map_or("/", |p| p.as_str()));
        let signature = req
            .headers()
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or(WebhookRejection::Refused("missing X-Twilio-Signature"))?;
        let json = is_json(req.headers());
        let token = idempotency::token(req.headers()).map(str::to_string);
        let slot = req.extensions().get::<AnswerSlot>().cloned();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|_| WebhookRejection::Refused("unreadable request body"))?;
        let params = form_params(json, &body).map_err(WebhookRejection::Refused)?;
        let org = org_named_by(&keys, uri.query().unwrap_or(""), &params)
            .await
            .map_err(|e| WebhookRejection::Failed(e.into()))?;
        let json_body = json.then_some(&body[..]);
        if !verify(&keys, org, &url, &signature, json_body, &params) {
            return Err(WebhookRejection::Refused(
                "X-Twilio-Signature does not match the token of the account this request is for",
            ));
        }
        let now = services.clock.now_ms();
        claim_token(&Answers::from_ref(state), slot, token, org, now).await?;
        Ok(TwilioRequest {
            url,
            params,
            json_body: json.then_some(body),
            org,
        })
    }
}
