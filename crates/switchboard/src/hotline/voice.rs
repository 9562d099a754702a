//! The native voice flow: an inbound call to a line walks the line itself, no Studio needed.
//!
//! The call's webhook opens an incident and dials the first target with a whisper on the
//! callee's leg ("press 1 to accept"); the dial action records what happened and dials the
//! next one; when nobody is left the caller may leave a voicemail (see `voicemail.rs`).
//! Every route is signed (`TwilioRequest`); the state lives in the incident, so the URLs only
//! carry the incident and line ids.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};
use twilio::resources::CallStatus;
use twilio::resources::DialCallStatus;
use twilio::twiml::{CONTENT_TYPE, VoiceResponse};
use twilio::webhook::{CallStatusCallback, DialAction, VoiceRequest};

use super::desk::{IncidentRef, LineRef};
use super::escalation;
use super::model::{AttemptResult, IncidentStatus};
use super::store::incidents::{self, Incident};
use super::store::lines::{self, Line};
use super::twiml::{self, Ring};
use crate::accounts::OrgId;
use crate::app::AppState;
use crate::http::twilio_signature::TwilioRequest;
use crate::http::{AppError, AppResult};

/// The voice URL of a ladder line (and of any line: `To` selects it).
pub const VOICE_PATH: &str = "/twilio/hotline/voice";
/// Seed 001's voice URL of a shift line.
pub const SEED_VOICE_PATH: &str = "/callrouting/handle";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(SEED_VOICE_PATH, post(incoming))
        .route(VOICE_PATH, post(incoming))
        .route("/twilio/hotline/dial-result", post(dial_result))
        .route("/twilio/hotline/whisper", post(whisper))
        .route("/twilio/hotline/whisper-answer", post(whisper_answer))
        .route(CALL_STATUS_PATH, post(call_status))
}

/// The status callback of a line's number: the inbound call's end.
pub const CALL_STATUS_PATH: &str = "/twilio/hotline/call-status";

/// A TwiML answer.
pub struct Twiml(pub VoiceResponse);

impl IntoResponse for Twiml {
    fn into_response(self) -> Response {
        ([(header::CONTENT_TYPE, CONTENT_TYPE)], self.0.to_xml()).into_response()
    }
}

/// Which incident (and line) a callback of the flow is about; part of the signed URL.
#[derive(Deserialize)]
struct FlowQuery {
    incident: i64,
    line: i64,
    /// On dial results: the latest attempt id when that `<Dial>` was issued. A result for an
    /// older round is a replay (Twilio retries action URLs) and changes nothing.
    round: Option<i64>,
}

pub fn webhook_error(e: twilio::webhook::WebhookError) -> AppError {
    AppError::field(e.field(), e.to_string())
}

async fn incoming(State(state): State<AppState>, req: TwilioRequest) -> AppResult<Twiml> {
    let call = VoiceRequest::from_pairs(&req.params).map_err(webhook_error)?;
    let request =
        json!({ "source": "voice", "CallSid": call.call_sid, "From": call.from, "To": call.to });
    // Twilio may retry the webhook: the same CallSid continues its incident.
    let incident = IncidentRef::Call {
        caller: call.from.clone(),
        call_sid: call.call_sid.clone(),
    };
    let line = LineRef::Number(call.to.clone());
    match walk(&state, None, line, incident, request, &call.call_sid).await {
        Err(AppError::NotFound("line")) => {
            tracing::warn!(
                call.sid = call.call_sid,
                to = call.to,
                "A call reached a number that serves no line."
            );
            Ok(Twiml(twiml::not_in_service()))
        }
        twiml => twiml,
    }
}

/// Dials the next target (everyone on shift at once on a simultaneous shift line), or offers
/// voicemail when nobody is left.
async fn walk(
    state: &AppState,
    org: Option<OrgId>,
    line: LineRef,
    incident: IncidentRef,
    request: Value,
    call_sid: &str,
) -> AppResult<Twiml> {
    let walked = escalation::walk(state, org, line, incident, request, true).await?;
    let (incident_id, line) = (walked.incident_id, &walked.line);
    tracing::info!(
        incident.id = incident_id,
        call.sid = call_sid,
        line.id = line.id,
        "A call to a hotline line is walking the line."
    );
    if walked.targets.is_empty() {
        tracing::info!(
            incident.id = incident_id,
            line.id = line.id,
            "Nobody answered; the caller is offered voicemail."
        );
        return Ok(Twiml(twiml::voicemail(&line.name, &voicemail_urls(state))));
    }
    let phones: Vec<String> = walked.targets.iter().map(|t| t.phone.clone()).collect();
    let timeout = walked
        .targets
        .iter()
        .map(|t| t.timeout_secs)
        .max()
        .unwrap_or(30);
    Ok(dial_round(
        state,
        line,
        incident_id,
        walked.round,
        &phones,
        timeout,
    ))
}

/// The `<Dial>` of the incident's current round: everyone in `phones`, each with the whisper,
/// and a dial action that names the round (the incident's latest attempt id).
fn dial_round(
    state: &AppState,
    line: &Line,
    incident_id: i64,
    round: i64,
    phones: &[String],
    timeout: u32,
) -> Twiml {
    let ids = format!("incident={incident_id}&line={}", line.id);
    let whisper_url = state
        .config
        .public_url_for(&format!("/twilio/hotline/whisper?{ids}"));
    let rings: Vec<Ring> = phones
        .iter()
        .map(|phone| Ring {
            phone: phone.clone(),
            whisper_url: whisper_url.clone(),
        })
        .collect();
    let action = state
        .config
        .public_url_for(&format!("/twilio/hotline/dial-result?{ids}&round={round}"));
    Twiml(twiml::dial(&line.phone_number, timeout, &action, &rings))
}

/// A dial result for a round the walk has left behind: Twilio retried an action whose answer
/// it lost. Nothing is recorded again; the call gets the TwiML of where the walk is now.
fn replayed(
    state: &AppState,
    line: &Line,
    incident: &Incident,
    latest: i64,
    dialing: &[incidents::Attempt],
) -> Twiml {
    tracing::warn!(
        incident.id = incident.id,
        line.id = line.id,
        "A dial result for an earlier round arrived again; nothing changes."
    );
    match incident.status() {
        IncidentStatus::Open if !dialing.is_empty() => {
            let phones: Vec<String> = dialing.iter().map(|a| a.phone.clone()).collect();
            dial_round(
                state,
                line,
                incident.id,
                latest,
                &phones,
                line.ring_timeout_secs,
            )
        }
        IncidentStatus::Exhausted => Twiml(twiml::voicemail(&line.name, &voicemail_urls(state))),
        _ => Twiml(VoiceResponse::new().hangup()),
    }
}

/// Seed 001's recording and transcription webhooks, for both kinds of line.
pub fn voicemail_urls(state: &AppState) -> twiml::VoicemailUrls {
    twiml::VoicemailUrls {
        action: state.config.public_url_for("/callrouting/recording"),
        recording_status: state
            .config
            .public_url_for("/callrouting/recordingcomplete"),
        transcription: state.config.public_url_for("/callrouting/transcription"),
    }
}

async fn load(state: &AppState, q: &FlowQuery) -> AppResult<(OrgId, Line, Incident)> {
    let (org, line) = lines::find_line_any_org(&state.db, q.line)
        .await?
        .ok_or(AppError::NotFound("line"))?;
    let incident = incidents::find(&state.db, org, q.incident).await?;
    if incident.line_id != line.id {
        return Err(AppError::NotFound("incident"));
    }
    Ok((org, line, incident))
}

/// The `<Dial>` ended: the bridged call is over, or the attempt failed and the walk goes on.
async fn dial_result(
    State(state): State<AppState>,
    Query(q): Query<FlowQuery>,
    req: TwilioRequest,
) -> AppResult<Twiml> {
    let dial = DialAction::from_pairs(&req.params).map_err(webhook_error)?;
    let (org, line, incident) = load(&state, &q).await?;
    let request = json!({ "source": "dial-result", "DialCallStatus": dial.dial_call_status.as_str(),
        "DialCallSid": dial.dial_call_sid, "DialCallDuration": dial.dial_call_duration });
    let attempts = incidents::attempts(&state.db, org, incident.id).await?;
    let latest = attempts.iter().map(|a| a.id).max().unwrap_or(0);
    let dialing: Vec<incidents::Attempt> = attempts
        .into_iter()
        .filter(|a| a.result == AttemptResult::Dialing.as_str())
        .collect();
    if q.round.is_some_and(|round| round < latest) {
        return Ok(replayed(&state, &line, &incident, latest, &dialing));
    }
    let reason = match dial.dial_call_status {
        DialCallStatus::Completed | DialCallStatus::Answered => {
            if incident.status() == IncidentStatus::Open {
                // The whisper's "1" normally records the answer; this covers a dial without one.
                let by_sid = dialing
                    .iter()
                    .find(|a| a.call_sid.is_some() && a.call_sid == dial.dial_call_sid);
                if let Some(a) = by_sid.or(dialing.first()) {
                    escalation::answered(
                        &state,
                        Some(org),
                        incident.id,
                        &a.phone,
                        dial.dial_call_sid.as_deref(),
                        request.clone(),
                    )
                    .await?;
                }
            }
            let duration = dial.dial_call_duration.map(i64::from);
            escalation::completed(&state, Some(org), incident.id, duration, request).await?;
            tracing::info!(
                incident.id = incident.id,
                call.sid = dial.call_sid,
                line.id = line.id,
                duration,
                "The bridged hotline call ended."
            );
            return Ok(Twiml(VoiceResponse::new().hangup()));
        }
        DialCallStatus::Busy => AttemptResult::Busy,
        DialCallStatus::Failed => AttemptResult::Failed,
        DialCallStatus::NoAnswer | DialCallStatus::Canceled => AttemptResult::NoAnswer,
    };
    if matches!(
        incident.status(),
        IncidentStatus::Answered | IncidentStatus::Completed
    ) {
        return Ok(Twiml(VoiceResponse::new().hangup()));
    }
    // One DialCallSid names the leg only when a single number was dialled.
    let sid = if dialing.len() == 1 {
        dial.dial_call_sid.as_deref()
    } else {
        None
    };
    for attempt in &dialing {
        escalation::attempt_failed(
            &state,
            Some(org),
            incident.id,
            &attempt.phone,
            reason,
            sid,
            request.clone(),
        )
        .await?;
    }
    tracing::info!(
        incident.id = incident.id,
        call.sid = dial.call_sid,
        line.id = line.id,
        reason = reason.as_str(),
        "Nobody took the call; the walk goes on."
    );
    let call_sid = dial.call_sid.clone();
    walk(
        &state,
        Some(org),
        LineRef::Id(line.id),
        IncidentRef::Existing(incident.id),
        request,
        &call_sid,
    )
    .await
}

/// The whisper on the callee's leg, before they are connected.
async fn whisper(
    State(state): State<AppState>,
    Query(q): Query<FlowQuery>,
    _req: TwilioRequest,
) -> AppResult<Twiml> {
    let (_, line, incident) = load(&state, &q).await?;
    let action = state.config.public_url_for(&format!(
        "/twilio/hotline/whisper-answer?incident={}&line={}",
        incident.id, line.id
    ));
    Ok(Twiml(twiml::whisper(
        &line.name,
        &incident.caller_phone,
        &action,
    )))
}

/// The callee's key after the whisper: 1 takes the call, anything else declines it.
async fn whisper_answer(
    State(state): State<AppState>,
    Query(q): Query<FlowQuery>,
    req: TwilioRequest,
) -> AppResult<Twiml> {
    let (org, line, incident) = load(&state, &q).await?;
    let digits = req.get("Digits");
    let callee = req.get("To").unwrap_or_default().to_string();
    let leg_sid = req.get("CallSid").map(str::to_string);
    let accepted = twiml::accepts(digits) && incident.status() == IncidentStatus::Open;
    let request =
        json!({ "source": "whisper", "Digits": digits, "To": callee, "CallSid": leg_sid });
    if accepted {
        escalation::answered(
            &state,
            Some(org),
            incident.id,
            &callee,
            leg_sid.as_deref(),
            request,
        )
        .await?;
    } else {
        let mut tx = state.db.begin().await?;
        incidents::add_event(
            &mut tx,
            org,
            incident.id,
            "whisper_declined",
            &request,
            state.clock.now_ms(),
        )
        .await?;
        tx.commit().await?;
    }
    tracing::info!(
        incident.id = incident.id,
        call.sid = leg_sid,
        line.id = line.id,
        accepted,
        "The person called answered the whisper."
    );
    Ok(Twiml(twiml::whisper_answer(accepted)))
}

/// The caller's call ended: it goes into the call ledger, and an incident still walking (the
/// caller hung up while we rang someone) or waiting on voicemail is closed, its unreported
/// attempts counted as no answer. Answered incidents are closed by the dial action.
async fn call_status(State(state): State<AppState>, req: TwilioRequest) -> AppResult<StatusCode> {
    let cb = CallStatusCallback::from_pairs(&req.params).map_err(webhook_error)?;
    let Some((org, line)) = lines::find_line_by_number(&state.db, &cb.to).await? else {
        return Ok(StatusCode::NO_CONTENT);
    };
    let now = state.clock.now_ms();
    crate::telephony::ledger::apply_call_callback(&state.db, org, &cb, &req.params, now).await?;
    let ended = matches!(
        cb.call_status,
        CallStatus::Completed
            | CallStatus::Busy
            | CallStatus::Failed
            | CallStatus::NoAnswer
            | CallStatus::Canceled
    );
    let incident = incidents::find_by_call(&state.db, &cb.call_sid).await?;
    if let Some((_, incident)) = incident.filter(|_| ended)
        && incident.ended_at.is_none()
        && matches!(
            incident.status(),
            IncidentStatus::Open | IncidentStatus::Exhausted
        )
    {
        let request = json!({ "source": "call-status", "CallStatus": cb.call_status.as_str(), "CallDuration": cb.call_duration });
        escalation::completed(&state, Some(org), incident.id, None, request).await?;
        tracing::info!(
            incident.id = incident.id,
            call.sid = cb.call_sid,
            line.id = line.id,
            "The caller's call ended before anyone took it."
        );
    }
    Ok(StatusCode::NO_CONTENT)
}
