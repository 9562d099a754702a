//! The voicemail of an incident: the transcription's outcome, and the once-only claim on its
//! notification email.

use crate::accounts::OrgId;
use crate::db::{Db, Tx};
use crate::http::AppResult;
use crate::{with_db, with_tx};

/// How a transcription ended (a checked column: `completed` or `failed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TranscriptionStatus {
    Completed,
    Failed,
}

impl TranscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TranscriptionStatus::Completed => "completed",
            TranscriptionStatus::Failed => "failed",
        }
    }

    /// Twilio's `TranscriptionStatus`; anything but `completed` counts as failed.
    pub fn from_twilio(s: &str) -> Self {
        if s.eq_ignore_ascii_case("completed") {
            TranscriptionStatus::Completed
        } else {
            TranscriptionStatus::Failed
        }
    }
}

/// Stores the transcription's outcome (and its text when it has one).
pub async fn set_transcription(
    db: &Db,
    org: OrgId,
    incident_id: i64,
    status: TranscriptionStatus,
    text: Option<&str>,
    now: i64,
) -> AppResult<()> {
    let sql = "UPDATE incidents SET transcription_status = $3, transcript = COALESCE($4, transcript), updated_at = $5 \
               WHERE org_id = $1 AND id = $2";
    with_db!(db, p => sqlx::query(sql).bind(org.0).bind(incident_id).bind(status.as_str()).bind(text).bind(now)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Claims the voicemail email of an incident whose recording and transcription (or failed
/// transcription) have both arrived. True exactly once per incident: the single UPDATE is the
/// guard, so concurrent or replayed callbacks cannot both win.
pub async fn claim_email(tx: &mut Tx, incident_id: i64, now: i64) -> AppResult<bool> {
    let sql = "UPDATE incidents SET voicemail_emailed_at = $2, updated_at = $2 \
               WHERE id = $1 AND voicemail_emailed_at IS NULL AND voicemail_url IS NOT NULL \
               AND (transcript IS NOT NULL OR transcription_status IS NOT NULL)";
    let n = with_tx!(tx, c => sqlx::query(sql).bind(incident_id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Marks the transcription of an incident's voicemail as failed because it never came; only
/// when nothing has arrived (a late real transcription is never overwritten). True if marked.
pub async fn mark_transcription_missing(
    db: &Db,
    org: OrgId,
    incident_id: i64,
    now: i64,
) -> AppResult<bool> {
    let sql = "UPDATE incidents SET transcription_status = 'failed', updated_at = $3 \
               WHERE org_id = $1 AND id = $2 AND transcription_status IS NULL AND transcript IS NULL";
    let n = with_db!(db, p => sqlx::query(sql).bind(org.0).bind(incident_id).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
