//! Who may send the routing API's requests, and which organisation each concerns. A request
//! with `Authorization: Bearer $WEBHOOK_SECRET` speaks for the installation (any line). A
//! signed one (Studio's HTTP widgets sign with the account's auth token) is checked with the
//! token of the organisation it concerns, found from `org` or `line` in its URL, else the
//! incident its body names, else the installation's only ladder line; it then reaches that
//! organisation's lines alone. Neither: 401; a signature made with another token: 403.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::hotline::store::incidents;
use crate::http::idempotency::{self, AnswerSlot, Answers};
use crate::http::studio::{body_object, has_webhook_secret, opt_int};
use crate::http::twilio_signature::{self, SIGNATURE_HEADER, WebhookRejection};
use crate::http::{AppError, AppResult};
use crate::ids::IncidentId;
use crate::ids::OrgId;
use crate::services::Services;
use crate::telephony::SigningKeys;

/// An authorised routing API request: its body as a JSON object (form fields become strings)
/// and the organisation it may reach (`None`: the installation's secret, any).
pub struct StudioRequest {
    pub body: Value,
    pub org: Option<OrgId>,
}

impl<S> FromRequest<S> for StudioRequest
where
    S: Send + Sync,
    Services: FromRef<S>,
    SigningKeys: FromRef<S>,
    Answers: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let (services, keys) = (Services::from_ref(state), SigningKeys::from_ref(state));
        let (parts, body) = req.into_parts();
        let headers = &parts.headers;
        let json = twilio_signature::is_json(headers);
        let slot = parts.extensions.get::<AnswerSlot>().cloned();
        let token = idempotency::token(headers).map(str::to_string);
        let bytes = Bytes::from_request(Request::new(body), state)
            .await
            .map_err(|_| AppError::bad_request("unreadable request body").into_response())?;
        let body = body_object(json, &bytes).map_err(IntoResponse::into_response)?;
        let org = if has_webhook_secret(&services.config, headers) {
            None
        } else {
            let Some(signature) = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok())
            else {
                return Err(AppError::Unauthorized(
                    "send a valid X-Twilio-Signature or Authorization: Bearer <WEBHOOK_SECRET>",
                )
                .into_response());
            };
            let query = parts.uri.query().unwrap_or("");
            let org = org_concerned(&services, &keys, query, &body)
                .await
                .map_err(IntoResponse::into_response)?;
            let url = services
                .config
                .public_url_for(parts.uri.path_and_query().map_or("/", |p| p.as_str()));
            let params = twilio_signature::form_params(json, &bytes).unwrap_or_default();
            let json_body = json.then_some(&bytes[..]);
            if !twilio_signature::verify(&keys, org, &url, signature, json_body, &params) {
                return Err(WebhookRejection::Refused(
                    "X-Twilio-Signature does not match the token of the account this request is for",
                )
                .into_response());
            }
            let Some(org) = org else {
                return Err(unnamed_line(&body).into_response());
            };
            Some(org)
        };
        let now = services.clock.now_ms();
        twilio_signature::claim_token(&Answers::from_ref(state), slot, token, org, now)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(StudioRequest { body, org })
    }
}

/// The organisation a signed request concerns: `org` or `line` in the URL, the incident it
/// names, or the only ladder line.
async fn org_concerned(
    services: &Services,
    keys: &SigningKeys,
    query: &str,
    body: &Value,
) -> AppResult<Option<OrgId>> {
    if let Some(org) = twilio_signature::org_named_by(keys, query, &[]).await? {
        return Ok(Some(org));
    }
    // An unreadable incidentId is the handler's to refuse, naming it.
    if let Ok(Some(id)) = opt_int(body, "incidentId") {
        return Ok(incidents::org_of(&services.db, IncidentId::new(id)).await?);
    }
    Ok(keys.owner_of_only_ladder().await?)
}

/// A signed request that names no line we can tell, after its signature held with the
/// installation's token.
fn unnamed_line(body: &Value) -> AppError {
    if matches!(opt_int(body, "incidentId"), Ok(Some(_))) {
        return AppError::NotFound("incident");
    }
    AppError::field(
        "line",
        "no single ladder line is meant; add ?line=<id> to the URL",
    )
}
