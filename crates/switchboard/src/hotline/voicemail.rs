//! Seed 001's voicemail webhooks, for both kinds of line: `POST /callrouting/recording` (the
//! `<Record>` action), `/callrouting/recordingcomplete` (recording status) and
//! `/callrouting/transcription`. The call's `CallSid` finds its incident.
//!
//! The line's notification addresses get one email, once both the recording and the
//! transcription (or news that it failed) have arrived, whatever order the callbacks come in
//! and however often Twilio retries them.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::json;
use twilio::webhook::{RecordAction, RecordingStatus, Transcription};

use super::store::voicemail::{self as store, TranscriptionStatus};
use super::store::{incidents, lines};
use super::twiml;
use super::voice::{Twiml, webhook_error};
use crate::accounts::OrgId;
use crate::app::AppState;
use crate::http::AppResult;
use crate::http::twilio_signature::TwilioRequest;
use crate::jobs::{self, EnqueueOptions, Job, JobContext};
use crate::notify::{self, Email};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/callrouting/recording", post(recording))
        .route("/callrouting/recordingcomplete", post(recording_complete))
        .route("/callrouting/transcription", post(transcription))
}

/// The recording ended: store it and say goodbye.
async fn recording(State(state): State<AppState>, req: TwilioRequest) -> AppResult<Twiml> {
    let rec = RecordAction::from_pairs(&req.params).map_err(webhook_error)?;
    let secs = rec.recording_duration.map(i64::from);
    stored_recording(
        &state,
        &rec.call_sid,
        &rec.recording_url,
        &rec.recording_sid,
        secs,
    )
    .await?;
    Ok(Twiml(twiml::goodbye()))
}

async fn recording_complete(
    State(state): State<AppState>,
    req: TwilioRequest,
) -> AppResult<StatusCode> {
    let rec = RecordingStatus::from_pairs(&req.params).map_err(webhook_error)?;
    if rec.recording_status == "completed" {
        let secs = rec.recording_duration.map(i64::from);
        stored_recording(
            &state,
            &rec.call_sid,
            &rec.recording_url,
            &rec.recording_sid,
            secs,
        )
        .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn transcription(State(state): State<AppState>, req: TwilioRequest) -> AppResult<StatusCode> {
    let t = Transcription::from_pairs(&req.params).map_err(webhook_error)?;
    let Some((org, incident)) = incidents::find_by_call(&state.db, &t.call_sid).await? else {
        tracing::warn!(
            call.sid = t.call_sid,
            "A transcription arrived for a call without an incident."
        );
        return Ok(StatusCode::NO_CONTENT);
    };
    let status = TranscriptionStatus::from_twilio(&t.transcription_status);
    let text = t
        .transcription_text
        .as_deref()
        .filter(|_| status == TranscriptionStatus::Completed);
    let now = state.clock.now_ms();
    store::set_transcription(&state.db, org, incident.id, status, text, now).await?;
    let detail =
        json!({ "TranscriptionSid": t.transcription_sid, "status": status.as_str(), "text": text });
    event(&state, org, incident.id, "transcription", &detail).await?;
    tracing::info!(
        incident.id = incident.id,
        call.sid = t.call_sid,
        line.id = incident.line_id,
        status = status.as_str(),
        "A voicemail transcription arrived."
    );
    email_once(&state, org, incident.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn stored_recording(
    state: &AppState,
    call_sid: &str,
    url: &str,
    sid: &str,
    secs: Option<i64>,
) -> AppResult<()> {
    let Some((org, incident)) = incidents::find_by_call(&state.db, call_sid).await? else {
        tracing::warn!(
            call.sid = call_sid,
            "A recording arrived for a call without an incident."
        );
        return Ok(());
    };
    let now = state.clock.now_ms();
    incidents::set_voicemail(&state.db, org, incident.id, url, sid, secs, now).await?;
    let detail = json!({ "RecordingSid": sid, "RecordingUrl": url, "RecordingDuration": secs });
    event(state, org, incident.id, "voicemail", &detail).await?;
    tracing::info!(
        incident.id = incident.id,
        call.sid = call_sid,
        line.id = incident.line_id,
        "A voicemail was recorded."
    );
    let fallback = EmailWithoutTranscript {
        org_id: org.0,
        incident_id: incident.id,
    };
    let options = EnqueueOptions::dedup(format!("voicemail-fallback:{}", incident.id))
        .at(now + TRANSCRIPTION_WAIT_MS);
    jobs::enqueue_now(&state.db, Some(org), &fallback, options, now).await?;
    email_once(state, org, incident.id).await
}

/// How long a voicemail waits for its transcription before it is emailed without one.
pub const TRANSCRIPTION_WAIT_MS: i64 = 10 * 60 * 1000;

/// Emails a voicemail whose transcription never arrived, so a message is never lost to a
/// missing callback. Does nothing when the email went out already.
#[derive(Debug, Serialize, Deserialize)]
pub struct EmailWithoutTranscript {
    pub org_id: i64,
    pub incident_id: i64,
}

impl Job for EmailWithoutTranscript {
    const KIND: &'static str = "hotline_voicemail_without_transcript";

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let state = &ctx.state;
        let org = OrgId(self.org_id);
        if store::mark_transcription_missing(&state.db, org, self.incident_id, state.clock.now_ms())
            .await?
        {
            tracing::warn!(
                incident.id = self.incident_id,
                "No transcription arrived in time; emailing the voicemail without one."
            );
        }
        email_once(state, org, self.incident_id).await?;
        Ok(())
    }
}

async fn event(
    state: &AppState,
    org: OrgId,
    incident_id: i64,
    kind: &str,
    detail: &serde_json::Value,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    incidents::add_event(
        &mut tx,
        org,
        incident_id,
        kind,
        detail,
        state.clock.now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues the voicemail email to the line's addresses if everything has arrived and nobody
/// has queued it yet: the claim, the emails and the event commit together.
async fn email_once(state: &AppState, org: OrgId, incident_id: i64) -> AppResult<()> {
    let incident = incidents::find(&state.db, org, incident_id).await?;
    let line = lines::find_line(&state.db, org, incident.line_id).await?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    if !store::claim_email(&mut tx, incident_id, now).await? {
        return Ok(()); // not everything has arrived yet, or it was sent already
    }
    let (_, incident) = incidents::lock(&mut tx, Some(org), incident_id).await?;
    let (subject, body) = twiml::voicemail_email(
        &line.name,
        &incident.caller_phone,
        incident.voicemail_url.as_deref().unwrap_or_default(),
        incident.voicemail_secs,
        incident.transcript.as_deref(),
    );
    for to in &line.notify_emails {
        let email = Email {
            to: to.clone(),
            subject: subject.clone(),
            body: body.clone(),
        };
        notify::queue(&mut tx, Some(org), &email, now).await?;
    }
    let detail = json!({ "to": line.notify_emails, "subject": subject });
    incidents::add_event(&mut tx, org, incident_id, "voicemail_emailed", &detail, now).await?;
    tx.commit().await?;
    state.wake_workers();
    tracing::info!(
        incident.id = incident_id,
        line.id = line.id,
        recipients = line.notify_emails.len(),
        "The voicemail was emailed to the line."
    );
    Ok(())
}
