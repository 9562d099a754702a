//! The on-call routing API that a Twilio Studio flow calls, served exactly as its contract
//! documents it: `POST /api/telephony/next-target`, `/answered`, `/completed`,
//! `/attempt-failed`. Authorised by a valid `X-Twilio-Signature` (which reaches the lines of
//! the organisation whose token made it) or `Authorization: Bearer $WEBHOOK_SECRET`
//! (`studio_request.rs`); JSON or form bodies.
//!
//! A `next-target` without `incidentId` opens the call's incident, or continues the one its
//! `callSid` already has: asked again while that person is still ringing, it answers with the
//! same target and changes nothing.

use axum::extract::{Query, State};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::studio_request::StudioRequest;
use crate::hotline::desk::submit;
use crate::hotline::desk::{Desk, LineRef, Target};
use crate::hotline::model::incident::Command;
use crate::hotline::model::{AttemptResult, IncidentStatus};
use crate::http::studio::{opt_int, opt_str, phone, required_int};
use crate::http::twilio_signature::twilio_routes;
use crate::http::{AppError, AppResult};
use crate::ids::{IncidentId, LineId};

pub fn router() -> Router<crate::hotline::Hotline> {
    twilio_routes(
        Router::new()
            .route("/api/telephony/next-target", post(next_target))
            .route("/api/telephony/answered", post(answered))
            .route("/api/telephony/completed", post(completed))
            .route("/api/telephony/attempt-failed", post(attempt_failed)),
    )
}

#[derive(Deserialize)]
pub struct LineQuery {
    /// Which ladder line; optional when there is one, or when `incidentId` is given.
    line: Option<LineId>,
}

fn incident_id(body: &Value) -> AppResult<IncidentId> {
    required_int(body, "incidentId").map(IncidentId::new)
}

fn call_sid(body: &Value) -> AppResult<Option<String>> {
    Ok(opt_str(body, "callSid")?.map(str::to_string))
}

async fn next_target(
    State(desk): State<Desk>,
    Query(q): Query<LineQuery>,
    StudioRequest { body, org }: StudioRequest,
) -> AppResult<Json<Value>> {
    let (target, command) = match opt_int(&body, "incidentId")? {
        Some(id) => {
            let target = Target::Incident {
                id: IncidentId::new(id),
                line: q.line,
            };
            (target, Command::NextTarget)
        }
        None => {
            let target = Target::Call {
                line: q.line.map_or(LineRef::OnlyLadder, LineRef::Id),
                caller: phone(&body, "callerPhone")?,
                call_sid: call_sid(&body)?,
            };
            (target, Command::FirstTarget)
        }
    };
    let walked = submit(&desk, org, target, command, &body).await?;
    let incident = &walked.state.incident;
    let ringing = walked.state.ringing().last();
    Ok(Json(match ringing {
        Some(a) if incident.status == IncidentStatus::Open => json!({
            "incidentId": incident.id,
            "nextPhoneE164": a.phone,
            "stepName": a.step,
            "timeoutSeconds": a.timeout_secs,
            "userName": a.person_name,
        }),
        _ => json!({
            "incidentId": incident.id,
            "nextPhoneE164": null,
            "stepName": "exhausted",
            "timeoutSeconds": 0,
            "userName": null,
        }),
    }))
}

async fn answered(
    State(desk): State<Desk>,
    StudioRequest { body, org }: StudioRequest,
) -> AppResult<Json<Value>> {
    let target = Target::Incident {
        id: incident_id(&body)?,
        line: None,
    };
    let command = Command::Answered {
        phone: phone(&body, "answeredPhone")?,
        call_sid: call_sid(&body)?,
    };
    submit(&desk, org, target, command, &body).await?;
    Ok(Json(json!({ "success": true })))
}

async fn completed(
    State(desk): State<Desk>,
    StudioRequest { body, org }: StudioRequest,
) -> AppResult<Json<Value>> {
    let target = Target::Incident {
        id: incident_id(&body)?,
        line: None,
    };
    let duration_secs = opt_int(&body, "duration")?;
    if duration_secs.is_some_and(|d| !(0..=crate::limits::CALL_SECS).contains(&d)) {
        return Err(AppError::field(
            "duration",
            format!("must be from 0 to {} seconds", crate::limits::CALL_SECS),
        ));
    }
    submit(
        &desk,
        org,
        target,
        Command::Completed { duration_secs },
        &body,
    )
    .await?;
    Ok(Json(json!({ "success": true })))
}

async fn attempt_failed(
    State(desk): State<Desk>,
    StudioRequest { body, org }: StudioRequest,
) -> AppResult<Json<Value>> {
    let target = Target::Incident {
        id: incident_id(&body)?,
        line: None,
    };
    let reason =
        opt_str(&body, "reason")?.ok_or_else(|| AppError::field("reason", "is required"))?;
    let reason = AttemptResult::parse_failure(reason).ok_or_else(|| {
        AppError::field(
            "reason",
            format!("'{reason}' must be no-answer, busy or failed"),
        )
    })?;
    let command = Command::AttemptFailed {
        phone: phone(&body, "targetPhone")?,
        reason,
        call_sid: call_sid(&body)?,
    };
    submit(&desk, org, target, command, &body).await?;
    Ok(Json(json!({ "success": true })))
}
