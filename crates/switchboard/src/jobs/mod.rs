//! The durable job queue and the recurring scheduler, on the application's own database.
//!
//! A job is a plain serde struct with a `run`. Its row moves through [`JobState`]:
//!
//! ```text
//!   enqueue ──► queued ──claim──► running ──ok──► done
//!                 ▲                  │
//!                 └──error, retries──┤ (run_at = now + backoff)
//!                    left / lease    └──error, no retries left──► failed
//!                    expired
//! ```
//!
//! Enqueue takes the caller's transaction, so a job exists exactly when the business change
//! that needs it commits. A dedup key makes enqueue idempotent. Workers claim with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL, so each job runs in exactly one process.

pub mod maintenance;
pub mod model;
pub mod registry;
pub mod schedule;
pub mod store;
pub mod worker;

pub use model::{EnqueueOptions, JobRow, JobState};
pub use registry::{Job, JobContext, Registry};
pub use worker::Workers;

use crate::accounts::OrgId;
use crate::db::{Db, Tx};
use crate::ids::JobId;

/// Enqueues `job` inside `tx`. Returns the new id, or `None` when a job with the same dedup
/// key already exists (the enqueue is then a no-op).
pub async fn enqueue<J: Job>(
    tx: &mut Tx,
    org: Option<OrgId>,
    job: &J,
    options: EnqueueOptions,
    now_ms: i64,
) -> anyhow::Result<Option<JobId>> {
    let payload = serde_json::to_string(job)?;
    let max_attempts = options.max_attempts.unwrap_or(J::MAX_ATTEMPTS);
    store::insert(tx, org, J::KIND, &payload, &options, max_attempts, now_ms).await
}

/// Enqueues `job` in a transaction of its own.
pub async fn enqueue_now<J: Job>(
    db: &Db,
    org: Option<OrgId>,
    job: &J,
    options: EnqueueOptions,
    now_ms: i64,
) -> anyhow::Result<Option<JobId>> {
    let mut tx = db.write().await?;
    let id = enqueue(&mut tx, org, job, options, now_ms).await?;
    tx.commit().await?;
    Ok(id)
}
