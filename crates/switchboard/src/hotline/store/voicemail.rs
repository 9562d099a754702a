//! The deadline of a voicemail's transcription: a job, queued with the recording in the same
//! transaction, that sends the voicemail without a transcript if none has come by then (see
//! `jobs.rs` for what it runs).

use serde::{Deserialize, Serialize};

use crate::db::Tx;
use crate::error::StoreResult;
use crate::ids::{IncidentId, OrgId};
use crate::jobs::{self, EnqueueOptions};

/// The job's payload: which incident's voicemail to send.
#[derive(Debug, Serialize, Deserialize)]
pub struct VoicemailDeadline {
    pub org_id: OrgId,
    pub incident_id: IncidentId,
}

/// Queues the deadline of `incident`'s transcription for `at` (epoch ms); once per incident.
pub async fn await_transcription(
    tx: &mut Tx,
    org: OrgId,
    incident: IncidentId,
    at: i64,
    now: i64,
) -> StoreResult<()> {
    let deadline = VoicemailDeadline {
        org_id: org,
        incident_id: incident,
    };
    let options = EnqueueOptions::dedup(format!("voicemail-fallback:{incident}")).at(at);
    jobs::enqueue(tx, Some(org), &deadline, options, now).await?;
    Ok(())
}
