//! Housekeeping jobs the server schedules for itself.

use serde::{Deserialize, Serialize};

use super::{Job, JobContext};
use crate::services::Services;

/// Deletes dashboard sessions that have expired. Scheduled hourly.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct PurgeExpiredSessions {}

impl Job for PurgeExpiredSessions {
    const KIND: &'static str = "purge_expired_sessions";
    type State = ();

    async fn run(self, ctx: JobContext, (): ()) -> anyhow::Result<()> {
        let purged = crate::accounts::store::delete_expired_sessions(
            &ctx.services.db,
            ctx.services.clock.now_ms(),
        )
        .await?;
        if purged > 0 {
            tracing::info!(purged, "purged expired sessions");
        }
        Ok(())
    }
}

/// Makes sure the server's own schedules exist (idempotent; run at every start).
pub async fn ensure_schedules(state: &Services) -> anyhow::Result<()> {
    let now = state.clock.now();
    super::schedule::upsert(
        &state.db,
        "maintenance:purge-expired-sessions",
        None,
        &PurgeExpiredSessions {},
        "FREQ=HOURLY",
        "UTC",
        now,
        now,
    )
    .await
}
