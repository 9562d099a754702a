//! Seed 003's HTTP contract for a Twilio Studio flow, served exactly:
//! `POST /api/telephony/next-target`, `/answered`, `/completed`, `/attempt-failed`.
//!
//! Authorised by a valid `X-Twilio-Signature` (JSON or form body) or
//! `Authorization: Bearer $WEBHOOK_SECRET`; anything else is 401. The body may be JSON (Studio's
//! HTTP widget) or form-encoded; numbers may arrive as strings.

use axum::body::Bytes;
use axum::extract::{FromRequest, Query, Request, State};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::desk::{IncidentRef, LineRef};
use super::escalation;
use super::model::{AttemptResult, LineKind};
use crate::app::AppState;
use crate::http::auth::bearer;
use crate::http::twilio_signature::{self, SIGNATURE_HEADER};
use crate::http::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/telephony/next-target", post(next_target))
        .route("/api/telephony/answered", post(answered))
        .route("/api/telephony/completed", post(completed))
        .route("/api/telephony/attempt-failed", post(attempt_failed))
}

/// An authorised Studio request's body as JSON (form fields become strings).
pub struct StudioBody(pub Value);

impl FromRequest<AppState> for StudioBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let (parts, body) = req.into_parts();
        let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let headers = &parts.headers;
        let json = twilio_signature::is_json(headers);
        let body = Bytes::from_request(Request::new(body), state)
            .await
            .map_err(|_| AppError::bad_request("unreadable request body"))?;
        let bearer_ok = match (state.config.webhook_secret.as_ref(), bearer(headers)) {
            (Some(secret), Some(sent)) => {
                use subtle::ConstantTimeEq as _;
                bool::from(sent.as_bytes().ct_eq(secret.expose().as_bytes()))
            }
            _ => false,
        };
        let signed = headers
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|sig| {
                twilio_signature::verify(
                    state,
                    &state.config.public_url_for(path_and_query),
                    sig,
                    json,
                    &body,
                )
                .is_ok()
            });
        if !bearer_ok && !signed {
            return Err(AppError::Unauthorized(
                "send a valid X-Twilio-Signature or Authorization: Bearer <WEBHOOK_SECRET>",
            ));
        }
        let value = if json || body.first() == Some(&b'{') {
            serde_json::from_slice(&body).map_err(|e| {
                AppError::bad_request(format!("request body is not valid JSON: {e}"))
            })?
        } else {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
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
        Ok(StudioBody(value))
    }
}

/// An optional integer field: absent, null, "" and "null" mean absent; "12" and 12 mean 12.
fn opt_int(body: &Value, field: &str) -> AppResult<Option<i64>> {
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

fn opt_str<'a>(body: &'a Value, field: &str) -> AppResult<Option<&'a str>> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim())),
        Some(_) => Err(AppError::field(field, "must be a string")),
    }
}

fn required_int(body: &Value, field: &str) -> AppResult<i64> {
    opt_int(body, field)?.ok_or_else(|| AppError::field(field, "is required"))
}

fn phone(body: &Value, field: &str) -> AppResult<String> {
    let raw = opt_str(body, field)?.ok_or_else(|| AppError::field(field, "is required"))?;
    crate::telephony::parse_e164(raw).map_err(|e| AppError::field(field, e))
}

#[derive(Deserialize)]
pub struct LineQuery {
    /// Which ladder line; optional when there is one, or when `incidentId` is given.
    line: Option<i64>,
}

async fn next_target(
    State(state): State<AppState>,
    Query(q): Query<LineQuery>,
    StudioBody(body): StudioBody,
) -> AppResult<Json<Value>> {
    let incident_id = opt_int(&body, "incidentId")?;
    let call_sid = opt_str(&body, "callSid")?.map(str::to_string);
    // `?line=`, else the incident's, else the only ladder line.
    let line = match (q.line, incident_id) {
        (Some(id), _) => LineRef::Id(id),
        (None, Some(_)) => LineRef::OfIncident,
        (None, None) => LineRef::OnlyLadder,
    };
    let incident = match incident_id {
        Some(id) => IncidentRef::Existing(id),
        None => IncidentRef::New {
            caller: phone(&body, "callerPhone")?,
            call_sid,
        },
    };
    let walked = escalation::walk(&state, None, line, incident, body, false).await?;
    let step = match walked.line.kind {
        LineKind::Ladder => None,
        LineKind::Shift => Some(escalation::SHIFT_STEP),
    };
    let incident_id = walked.incident_id;
    Ok(Json(match walked.targets.into_iter().next() {
        Some(t) => json!({
            "incidentId": incident_id,
            "nextPhoneE164": t.phone,
            "stepName": step.unwrap_or(t.step.as_str()),
            "timeoutSeconds": t.timeout_secs,
            "userName": t.name,
        }),
        None => json!({
            "incidentId": incident_id,
            "nextPhoneE164": null,
            "stepName": "exhausted",
            "timeoutSeconds": 0,
            "userName": null,
        }),
    }))
}

async fn answered(
    State(state): State<AppState>,
    StudioBody(body): StudioBody,
) -> AppResult<Json<Value>> {
    let incident_id = required_int(&body, "incidentId")?;
    let answered_phone = phone(&body, "answeredPhone")?;
    let call_sid = opt_str(&body, "callSid")?.map(str::to_string);
    escalation::answered(
        &state,
        None,
        incident_id,
        &answered_phone,
        call_sid.as_deref(),
        body,
    )
    .await?;
    Ok(Json(json!({ "success": true })))
}

async fn completed(
    State(state): State<AppState>,
    StudioBody(body): StudioBody,
) -> AppResult<Json<Value>> {
    let incident_id = required_int(&body, "incidentId")?;
    let duration = opt_int(&body, "duration")?;
    if duration.is_some_and(|d| d < 0) {
        return Err(AppError::field("duration", "must not be negative"));
    }
    escalation::completed(&state, None, incident_id, duration, body).await?;
    Ok(Json(json!({ "success": true })))
}

async fn attempt_failed(
    State(state): State<AppState>,
    StudioBody(body): StudioBody,
) -> AppResult<Json<Value>> {
    let incident_id = required_int(&body, "incidentId")?;
    let target = phone(&body, "targetPhone")?;
    let reason =
        opt_str(&body, "reason")?.ok_or_else(|| AppError::field("reason", "is required"))?;
    let reason = AttemptResult::parse_failure(reason).ok_or_else(|| {
        AppError::field(
            "reason",
            format!("'{reason}' must be no-answer, busy or failed"),
        )
    })?;
    let call_sid = opt_str(&body, "callSid")?.map(str::to_string);
    escalation::attempt_failed(
        &state,
        None,
        incident_id,
        &target,
        reason,
        call_sid.as_deref(),
        body,
    )
    .await?;
    Ok(Json(json!({ "success": true })))
}
