//! The volunteer line's voicemail webhooks, for both kinds of line: `POST /callrouting/recording` (the
//! `<Record>` action), `/callrouting/recordingcomplete` (recording status) and
//! `/callrouting/transcription`. The call's `CallSid` finds its incident among those of the
//! organisation whose token signed the request: the one the URL names (`?org=`), or, posted
//! to the bare path, the one the call belongs to.
//!
//! The line's notification addresses get one email, once both the recording and the
//! transcription (or news that it failed) have arrived, whatever order the callbacks come in
//! and however often Twilio retries them: the incident's state machine decides.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use twilio::webhook::{RecordAction, RecordingStatus, Transcription};

use crate::error::StoreError;
use crate::hotline::desk::submit;
use crate::hotline::desk::{Desk, DeskError, Target};
use crate::hotline::model::incident::{Command, TranscriptionStatus};
use crate::hotline::twiml;
use crate::http::AppResult;
use crate::http::twilio_signature::{TwilioRequest, twilio_routes};
use crate::http::twiml::Twiml;
use crate::ids::OrgId;

pub fn router() -> Router<crate::hotline::Hotline> {
    twilio_routes(
        Router::new()
            .route("/callrouting/recording", post(recording))
            .route("/callrouting/recordingcomplete", post(recording_complete))
            .route("/callrouting/transcription", post(transcription)),
    )
}

/// The recording ended: keep it and say goodbye.
async fn recording(State(desk): State<Desk>, req: TwilioRequest) -> AppResult<Twiml> {
    let rec = RecordAction::from_pairs(&req.params)?;
    let secs = rec.recording_duration.map(i64::from);
    stored_recording(
        &desk,
        req.org(),
        &rec.call_sid,
        &rec.recording_url,
        &rec.recording_sid,
        secs,
    )
    .await?;
    Ok(Twiml(twiml::goodbye()))
}

async fn recording_complete(State(desk): State<Desk>, req: TwilioRequest) -> AppResult<StatusCode> {
    let rec = RecordingStatus::from_pairs(&req.params)?;
    if rec.recording_status == "completed" {
        let secs = rec.recording_duration.map(i64::from);
        stored_recording(
            &desk,
            req.org(),
            &rec.call_sid,
            &rec.recording_url,
            &rec.recording_sid,
            secs,
        )
        .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn transcription(State(desk): State<Desk>, req: TwilioRequest) -> AppResult<StatusCode> {
    let t = Transcription::from_pairs(&req.params)?;
    let status = TranscriptionStatus::from_twilio(&t.transcription_status);
    let text = t
        .transcription_text
        .filter(|_| status == TranscriptionStatus::Completed);
    let request =
        json!({ "TranscriptionSid": t.transcription_sid, "status": status, "text": text });
    let command = Command::Transcription { status, text };
    on_call(
        &desk,
        req.org(),
        &t.call_sid,
        command,
        &request,
        "transcription",
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn stored_recording(
    desk: &Desk,
    org: Option<OrgId>,
    call_sid: &str,
    url: &str,
    sid: &str,
    secs: Option<i64>,
) -> AppResult<()> {
    let request = json!({ "RecordingSid": sid, "RecordingUrl": url, "RecordingDuration": secs });
    let command = Command::Recording {
        url: url.to_string(),
        sid: sid.to_string(),
        secs,
    };
    on_call(desk, org, call_sid, command, &request, "recording").await
}

/// Hands `command` to the incident of `call_sid` in `org`; a callback for a call without one
/// there is logged and otherwise ignored.
async fn on_call(
    desk: &Desk,
    org: Option<OrgId>,
    call_sid: &str,
    command: Command,
    request: &Value,
    what: &'static str,
) -> AppResult<()> {
    let target = Target::CallSid(call_sid.to_string());
    let submitted = match org {
        Some(org) => submit(desk, Some(org), target, command, request).await,
        None => Err(DeskError::Store(StoreError::NotFound("incident"))),
    };
    match submitted {
        Ok(outcome) => {
            tracing::info!(
                incident.id = %outcome.state.incident.id,
                call.sid = call_sid,
                line.id = %outcome.line.id,
                what,
                "A voicemail callback arrived."
            );
            Ok(())
        }
        Err(DeskError::Store(StoreError::NotFound("incident"))) => {
            tracing::warn!(
                call.sid = call_sid,
                what,
                "A voicemail callback arrived for a call without an incident."
            );
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
