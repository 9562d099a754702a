//! The voicemail's transitions: the recording, its transcription (or its failure, or its
//! deadline), and the one email once both are in.

use serde_json::json;

use super::{Machine, TRANSCRIPTION_WAIT_MS};
use crate::hotline::model::incident::{Effect, TranscriptionStatus};
use crate::hotline::model::voicemail::voicemail_email;

impl Machine<'_> {
    pub(super) fn recording(&mut self, url: &str, sid: &str, secs: Option<i64>) {
        let incident = &mut self.state.incident;
        if incident.voicemail_sid.as_deref() == Some(sid) {
            return;
        }
        incident.voicemail_url = Some(url.to_string());
        incident.voicemail_sid = Some(sid.to_string());
        incident.voicemail_secs = secs;
        self.request_event("voicemail");
        self.effects.push(Effect::AwaitTranscription {
            at: self.now + TRANSCRIPTION_WAIT_MS,
        });
        self.email_once();
    }

    /// A transcription: its text (when it has one) is kept; a failure never replaces a text.
    pub(super) fn transcription(&mut self, status: TranscriptionStatus, text: Option<&str>) {
        let text = text.filter(|_| status == TranscriptionStatus::Completed);
        let incident = &mut self.state.incident;
        let new_text = text.is_some() && incident.transcript.is_none();
        let new_status = incident.transcription_status != Some(status)
            && incident.transcription_status != Some(TranscriptionStatus::Completed);
        if !new_text && !new_status {
            return;
        }
        if new_status {
            incident.transcription_status = Some(status);
        }
        if new_text {
            incident.transcript = text.map(str::to_string);
        }
        self.request_event("transcription");
        self.email_once();
    }

    pub(super) fn transcription_overdue(&mut self) {
        let incident = &mut self.state.incident;
        if incident.transcription_status.is_none() && incident.transcript.is_none() {
            incident.transcription_status = Some(TranscriptionStatus::Failed);
            self.email_once();
        }
    }

    /// The voicemail email, once its recording and its transcription (or news that there is
    /// none) are both in.
    fn email_once(&mut self) {
        let line = self.at.line;
        let incident = &mut self.state.incident;
        let complete = incident.transcript.is_some() || incident.transcription_status.is_some();
        let Some(url) = incident.voicemail_url.as_deref() else {
            return;
        };
        if !complete || incident.voicemail_emailed_at.is_some() {
            return;
        }
        incident.voicemail_emailed_at = Some(self.now);
        let (subject, body) = voicemail_email(
            &line.name,
            &incident.caller_phone,
            url,
            incident.voicemail_secs,
            incident.transcript.as_deref(),
        );
        let detail = json!({ "to": line.notify_emails, "subject": subject });
        self.effects.push(Effect::Email {
            to: line.notify_emails.clone(),
            subject,
            body,
        });
        self.event("voicemail_emailed", detail.to_string());
    }
}
