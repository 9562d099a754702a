//! The native voice flow: an inbound call to a line walks the line itself, no Studio needed.
//!
//! The call's webhook opens an incident and dials the first people with a whisper on each
//! callee's leg ("press 1 to accept"); the dial action reports what happened and dials the
//! next round; when nobody is left the caller may leave a voicemail (`voicemail.rs`). Each
//! webhook is one command to the desk, and its answer is the TwiML of where the walk is after
//! it: a retried webhook gets the same answer and changes nothing. Every route is signed with
//! the token of the line's organisation; the URLs carry only the organisation, the incident,
//! its line and the round, and a handler acts within that organisation alone.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;
use twilio::resources::DialCallStatus;
use twilio::twiml::VoiceResponse;
use twilio::webhook::{CallStatusCallback, DialAction, VoiceRequest};

use crate::hotline::desk::submit;
use crate::hotline::desk::{Desk, DeskError, LineRef, Outcome, Target};
use crate::hotline::model::incident::{Command, DialOutcome};
use crate::hotline::model::{AttemptResult, IncidentStatus};
use crate::hotline::store::{incidents, lines};
use crate::hotline::twiml::{self, Ring};
use crate::http::flow::{self, Round};
use crate::http::twilio_signature::{TwilioRequest, twilio_routes};
use crate::http::twiml::Twiml;
use crate::http::{AppError, AppResult};
use crate::ids::{IncidentId, LineId, OrgId};
use crate::services::Services;

/// The voice URL of a ladder line (and of any line: `To` selects it).
pub const VOICE_PATH: &str = "/twilio/hotline/voice";
/// The volunteer line's voice URL of a shift line.
pub const SEED_VOICE_PATH: &str = "/callrouting/handle";
/// The status callback of a line's number: the inbound call's end.
pub const CALL_STATUS_PATH: &str = "/twilio/hotline/call-status";

pub fn router() -> Router<crate::hotline::Hotline> {
    twilio_routes(
        Router::new()
            .route(SEED_VOICE_PATH, post(incoming))
            .route(VOICE_PATH, post(incoming))
            .route("/twilio/hotline/dial-result", post(dial_result))
            .route("/twilio/hotline/whisper", post(whisper))
            .route("/twilio/hotline/whisper-answer", post(whisper_answer))
            .route(CALL_STATUS_PATH, post(call_status)),
    )
}

/// Which incident (and line) a callback of the walk is about; part of the signed URL, beside
/// the organisation (read by `TwilioRequest`) and the round of dial results (`http::flow`).
#[derive(Deserialize)]
struct FlowQuery {
    incident: IncidentId,
    line: LineId,
}

impl FlowQuery {
    fn ids(org: OrgId, incident: IncidentId, line: LineId) -> String {
        format!("org={org}&incident={incident}&line={line}")
    }
}

async fn incoming(
    State(state): State<Services>,
    State(desk): State<Desk>,
    req: TwilioRequest,
) -> AppResult<Twiml> {
    let call = VoiceRequest::from_pairs(&req.params)?;
    let Some(org) = req.org() else {
        return Ok(not_in_service(&call));
    };
    let line = LineRef::Number(call.to.clone());
    answer_call(&state, &desk, org, &call, line).await
}

/// Opens (or finds, for a retried webhook: the incident is keyed on the CallSid) the incident
/// of a call to `line` and answers where its walk is; also how a number the line owns answers
/// (`hotline::numbers`).
pub async fn answer_call(
    state: &Services,
    desk: &Desk,
    org: OrgId,
    call: &VoiceRequest,
    line: LineRef,
) -> AppResult<Twiml> {
    let request =
        json!({ "source": "voice", "CallSid": call.call_sid, "From": call.from, "To": call.to });
    let target = Target::Call {
        line,
        caller: call.from.clone(),
        call_sid: Some(call.call_sid.clone()),
    };
    match submit(desk, Some(org), target, Command::Incoming, &request).await {
        Ok(outcome) => {
            tracing::info!(
                incident.id = %outcome.state.incident.id,
                call.sid = call.call_sid,
                line.id = %outcome.line.id,
                "A call to a hotline line is walking the line."
            );
            Ok(where_the_walk_is(state, &outcome))
        }
        Err(DeskError::Store(crate::error::StoreError::NotFound("line"))) => {
            Ok(not_in_service(call))
        }
        Err(e) => Err(e.into()),
    }
}

fn not_in_service(call: &VoiceRequest) -> Twiml {
    tracing::warn!(
        call.sid = call.call_sid,
        to = call.to,
        "A call reached a number that serves no line."
    );
    Twiml(twiml::not_in_service())
}

/// The TwiML of where the walk is: dial the round still ringing, offer voicemail when nobody
/// was left, hang up when the call was taken or is over.
fn where_the_walk_is(state: &Services, outcome: &Outcome) -> Twiml {
    let (org, line, incident) = (outcome.org, &outcome.line, &outcome.state.incident);
    match incident.status {
        IncidentStatus::Open => {
            let ringing: Vec<_> = outcome.state.ringing().collect();
            if ringing.is_empty() {
                return Twiml(VoiceResponse::new().hangup());
            }
            let ids = FlowQuery::ids(org, incident.id, line.id);
            let whisper_url = flow::url(&state.config, "/twilio/hotline/whisper", &ids, None);
            let rings: Vec<Ring> = ringing
                .iter()
                .map(|a| Ring {
                    phone: a.phone.clone(),
                    whisper_url: whisper_url.clone(),
                })
                .collect();
            let timeout = ringing.iter().map(|a| a.timeout_secs).max().unwrap_or(30);
            let action = flow::url(
                &state.config,
                "/twilio/hotline/dial-result",
                &ids,
                Some(incident.round),
            );
            Twiml(twiml::dial(
                &line.phone_number,
                u32::try_from(timeout).unwrap_or(30),
                &action,
                &rings,
            ))
        }
        IncidentStatus::Exhausted => {
            Twiml(twiml::voicemail(&line.name, &voicemail_urls(state, org)))
        }
        IncidentStatus::Answered | IncidentStatus::Completed => {
            Twiml(VoiceResponse::new().hangup())
        }
    }
}

/// The volunteer line's recording and transcription webhooks, for both kinds of line, naming
/// the line's organisation.
pub fn voicemail_urls(state: &Services, org: OrgId) -> twiml::VoicemailUrls {
    let url = |path: &str| state.config.public_url_for(&format!("{path}?org={org}"));
    twiml::VoicemailUrls {
        action: url("/callrouting/recording"),
        recording_status: url("/callrouting/recordingcomplete"),
        transcription: url("/callrouting/transcription"),
    }
}

/// The `<Dial>` ended: the bridged call is over, or nobody took it and the walk goes on.
async fn dial_result(
    State(state): State<Services>,
    State(desk): State<Desk>,
    Query(q): Query<FlowQuery>,
    Query(Round { round }): Query<Round>,
    req: TwilioRequest,
) -> AppResult<Twiml> {
    let dial = DialAction::from_pairs(&req.params)?;
    let request = json!({ "source": "dial-result", "DialCallStatus": dial.dial_call_status.as_str(),
        "DialCallSid": dial.dial_call_sid, "DialCallDuration": dial.dial_call_duration });
    let outcome = match dial.dial_call_status {
        DialCallStatus::Completed | DialCallStatus::Answered => DialOutcome::Bridged,
        DialCallStatus::Busy => DialOutcome::NotTaken(AttemptResult::Busy),
        DialCallStatus::Failed => DialOutcome::NotTaken(AttemptResult::Failed),
        DialCallStatus::NoAnswer | DialCallStatus::Canceled => {
            DialOutcome::NotTaken(AttemptResult::NoAnswer)
        }
    };
    let command = Command::DialResult {
        round,
        outcome,
        dial_call_sid: dial.dial_call_sid.clone(),
        duration_secs: dial.dial_call_duration.map(i64::from),
    };
    let target = Target::Incident {
        id: q.incident,
        line: Some(q.line),
    };
    let org = req.org().ok_or(AppError::NotFound("incident"))?;
    let walked = submit(&desk, Some(org), target, command, &request).await?;
    tracing::info!(
        incident.id = %q.incident,
        call.sid = dial.call_sid,
        line.id = %q.line,
        status = dial.dial_call_status.as_str(),
        round,
        "A hotline dial ended."
    );
    Ok(where_the_walk_is(&state, &walked))
}

/// The whisper on the callee's leg, before they are connected.
async fn whisper(
    State(state): State<Services>,
    State(_desk): State<Desk>,
    Query(q): Query<FlowQuery>,
    req: TwilioRequest,
) -> AppResult<Twiml> {
    let org = req.org().ok_or(AppError::NotFound("line"))?;
    let line = lines::find_line(&state.db, org, q.line).await?;
    let incident = incidents::find(&state.db, org, q.incident).await?;
    if incident.line_id != line.id {
        return Err(AppError::NotFound("incident"));
    }
    let ids = FlowQuery::ids(org, incident.id, line.id);
    let action = flow::url(&state.config, "/twilio/hotline/whisper-answer", &ids, None);
    Ok(Twiml(twiml::whisper(
        &line.name,
        &incident.caller_phone,
        &action,
    )))
}

/// The callee's key after the whisper: 1 takes the call (unless someone else already has),
/// anything else declines it.
async fn whisper_answer(
    State(_state): State<Services>,
    State(desk): State<Desk>,
    Query(q): Query<FlowQuery>,
    req: TwilioRequest,
) -> AppResult<Twiml> {
    let digits = req.get("Digits");
    let callee = req.get("To").unwrap_or_default().to_string();
    let leg_sid = req.get("CallSid").map(str::to_string);
    let request =
        json!({ "source": "whisper", "Digits": digits, "To": callee, "CallSid": leg_sid });
    let command = if twiml::accepts(digits) {
        Command::WhisperAccepted {
            phone: callee.clone(),
            leg_sid: leg_sid.clone(),
        }
    } else {
        Command::WhisperDeclined {
            phone: callee.clone(),
            leg_sid: leg_sid.clone(),
        }
    };
    let target = Target::Incident {
        id: q.incident,
        line: Some(q.line),
    };
    let org = req.org().ok_or(AppError::NotFound("incident"))?;
    let outcome = submit(&desk, Some(org), target, command, &request).await?;
    let accepted = twiml::accepts(digits)
        && outcome.state.incident.answered_phone.as_deref() == Some(callee.as_str());
    tracing::info!(
        incident.id = %q.incident,
        call.sid = leg_sid,
        line.id = %q.line,
        accepted,
        "The person called answered the whisper."
    );
    Ok(Twiml(twiml::whisper_answer(accepted)))
}

/// The caller's call ended: it goes into the call ledger, and its incident ends (attempts
/// still ringing count as no answer).
async fn call_status(
    State(state): State<Services>,
    State(desk): State<Desk>,
    req: TwilioRequest,
) -> AppResult<StatusCode> {
    let cb = CallStatusCallback::from_pairs(&req.params)?;
    let Some(org) = req.org() else {
        return Ok(StatusCode::NO_CONTENT);
    };
    // The number is a line's own, or one a line owns (`hotline::numbers`).
    let own = lines::find_line_by_number(&state.db, &cb.to).await?;
    let own = own.is_some_and(|(owner, _)| owner == org);
    if !own && !crate::hotline::numbers::owned_by_a_line(&state, org, &cb.to).await? {
        return Ok(StatusCode::NO_CONTENT);
    }
    let now = state.clock.now_ms();
    crate::telephony::ledger::apply_call_callback(&state.db, org, &cb, &req.params, now).await?;
    if cb.call_status.is_final() {
        let request = json!({ "source": "call-status", "CallStatus": cb.call_status.as_str(),
            "CallDuration": cb.call_duration });
        let target = Target::CallSid(cb.call_sid.clone());
        match submit(&desk, Some(org), target, Command::CallEnded, &request).await {
            Ok(_) | Err(DeskError::Store(crate::error::StoreError::NotFound(_))) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(StatusCode::NO_CONTENT)
}
