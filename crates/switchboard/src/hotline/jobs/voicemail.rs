//! The voicemail deadline: a voicemail whose transcription has not arrived ten minutes after
//! the recording is emailed without one, so a message is never lost to a missing callback.

use anyhow::Context as _;

use crate::hotline::desk::{Desk, Target, submit};
use crate::hotline::model::incident::Command;
use crate::hotline::store::voicemail::VoicemailDeadline;
use crate::jobs::{Job, JobContext};

impl Job for VoicemailDeadline {
    const KIND: &'static str = "hotline_voicemail_without_transcript";
    type State = Desk;

    async fn run(self, _ctx: JobContext, desk: Desk) -> anyhow::Result<()> {
        let target = Target::Incident {
            id: self.incident_id,
            line: None,
        };
        let request = serde_json::json!({ "source": "transcription-deadline" });
        let outcome = submit(
            &desk,
            Some(self.org_id),
            target,
            Command::TranscriptionOverdue,
            &request,
        )
        .await
        .context("the voicemail's transcription deadline")?;
        if outcome.state.incident.voicemail_emailed_at.is_some() {
            tracing::info!(
                incident.id = %self.incident_id,
                "The voicemail's transcription deadline passed; its email is out."
            );
        }
        Ok(())
    }
}
