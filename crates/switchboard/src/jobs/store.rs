//! SQL of the queue: insert, claim, finish, retry, reap, and the dashboard's views.

use super::model::{EnqueueOptions, JobRow, JobState, LEASE_MS, backoff_ms};
use crate::accounts::OrgId;
use crate::db::{Db, Tx, dialect};
use crate::ids::JobId;
use crate::{with_db, with_tx, with_write};

pub async fn insert(
    tx: &mut Tx,
    org: Option<OrgId>,
    kind: &str,
    payload: &str,
    options: &EnqueueOptions,
    max_attempts: i64,
    now: i64,
) -> anyhow::Result<Option<JobId>> {
    // ON CONFLICT DO NOTHING + RETURNING yields no row on a duplicate key: the enqueue is a
    // no-op and the caller learns it, on both backends.
    let sql = "INSERT INTO jobs (org_id, kind, payload, state, attempts, max_attempts, run_at, dedup_key, created_at, updated_at) \
               VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $7, $7) ON CONFLICT (dedup_key) DO NOTHING RETURNING id";
    let run_at = options.run_at.unwrap_or(now);
    let id: Option<JobId> = with_tx!(tx, c => sqlx::query_scalar(sql)
        .bind(org).bind(kind).bind(payload).bind(max_attempts).bind(run_at)
        .bind(&options.dedup_key).bind(now)
        .fetch_optional(c).await)?;
    Ok(id)
}

/// A job a worker has claimed.
#[derive(Debug, sqlx::FromRow)]
pub struct Claimed {
    pub id: JobId,
    pub org_id: Option<OrgId>,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

/// Claims the oldest due job for `worker`, or `None` when nothing is due.
pub async fn claim(db: &Db, worker: &str, now: i64) -> anyhow::Result<Option<Claimed>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, ran_by = $1, locked_until = $2, updated_at = $3 \
         WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $3 ORDER BY run_at, id LIMIT 1{}) \
         AND state = 'queued' \
         RETURNING id, org_id, kind, payload, attempts, max_attempts",
        dialect::skip_locked(db.kind())
    ));
    let claimed = with_write!(db, p => sqlx::query_as::<_, Claimed>(sql)
        .bind(worker).bind(now + LEASE_MS).bind(now).fetch_optional(p).await)?;
    Ok(claimed)
}

/// Extends the lease of a job that is still running.
pub async fn renew(db: &Db, id: JobId, worker: &str, now: i64) -> anyhow::Result<()> {
    let sql =
        "UPDATE jobs SET locked_until = $3 WHERE id = $1 AND locked_by = $2 AND state = 'running'";
    with_write!(db, p => sqlx::query(sql).bind(id).bind(worker).bind(now + LEASE_MS).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn complete(db: &Db, id: JobId, worker: &str, now: i64) -> anyhow::Result<()> {
    let sql = "UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, updated_at = $3, finished_at = $3 \
               WHERE id = $1 AND locked_by = $2";
    with_write!(db, p => sqlx::query(sql).bind(id).bind(worker).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a failed attempt: back to `queued` after a backoff, or `failed` when none are left.
pub async fn fail(
    db: &Db,
    job: &Claimed,
    worker: &str,
    error: &str,
    now: i64,
) -> anyhow::Result<bool> {
    let retry = job.attempts < job.max_attempts;
    let sql = if retry {
        "UPDATE jobs SET state = 'queued', run_at = $4, last_error = $3, locked_by = NULL, locked_until = NULL, updated_at = $5 \
         WHERE id = $1 AND locked_by = $2"
    } else {
        "UPDATE jobs SET state = 'failed', run_at = $4, last_error = $3, locked_by = NULL, locked_until = NULL, updated_at = $5, finished_at = $5 \
         WHERE id = $1 AND locked_by = $2"
    };
    let run_at = now + backoff_ms(job.attempts);
    with_write!(db, p => sqlx::query(sql).bind(job.id).bind(worker).bind(error).bind(run_at).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(retry)
}

/// Gives a claimed job back untouched (shutdown before it could finish): the attempt does
/// not count.
pub async fn release(db: &Db, id: JobId, worker: &str, now: i64) -> anyhow::Result<()> {
    let sql = "UPDATE jobs SET state = 'queued', attempts = attempts - 1, locked_by = NULL, locked_until = NULL, updated_at = $3 \
               WHERE id = $1 AND locked_by = $2 AND state = 'running'";
    with_write!(db, p => sqlx::query(sql).bind(id).bind(worker).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Returns jobs whose worker died (lease expired) to the queue, or fails them if they have
/// no attempts left. Returns how many were reaped.
pub async fn reap_expired(db: &Db, now: i64) -> anyhow::Result<u64> {
    let requeue = "UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL, updated_at = $1, \
                   last_error = 'the worker running it stopped (lease expired)' \
                   WHERE state = 'running' AND locked_until < $1 AND attempts < max_attempts";
    let fail = "UPDATE jobs SET state = 'failed', locked_by = NULL, locked_until = NULL, updated_at = $1, finished_at = $1, \
                last_error = 'the worker running it stopped (lease expired) and no attempts are left' \
                WHERE state = 'running' AND locked_until < $1";
    let a = with_write!(db, p => sqlx::query(requeue).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    let b = with_write!(db, p => sqlx::query(fail).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(a + b)
}

/// Jobs by state, for the dashboard and `/metrics`. `org` = None counts all organisations.
pub async fn count_by_state(db: &Db, org: Option<OrgId>) -> anyhow::Result<Vec<(JobState, i64)>> {
    let sql = "SELECT state, COUNT(*) FROM jobs WHERE ($1 IS NULL OR org_id = $1) GROUP BY state ORDER BY state";
    let rows: Vec<(JobState, i64)> =
        with_db!(db, p => sqlx::query_as(sql).bind(org).fetch_all(p).await)?;
    Ok(rows)
}

const JOB_COLUMNS: &str = "id, org_id, kind, payload, state, attempts, max_attempts, run_at, last_error, ran_by, created_at, finished_at";

pub async fn list(
    db: &Db,
    org: OrgId,
    state: Option<JobState>,
    limit: i64,
) -> anyhow::Result<Vec<JobRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {JOB_COLUMNS} FROM jobs WHERE org_id = $1 AND ($2 IS NULL OR state = $2) ORDER BY id DESC LIMIT $3"
    ));
    Ok(
        with_db!(db, p => sqlx::query_as::<_, JobRow>(sql).bind(org).bind(state).bind(limit).fetch_all(p).await)?,
    )
}

pub async fn find(db: &Db, id: JobId) -> anyhow::Result<Option<JobRow>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1"));
    Ok(with_db!(db, p => sqlx::query_as::<_, JobRow>(sql).bind(id).fetch_optional(p).await)?)
}

/// Puts a failed job back in the queue with fresh attempts. Returns false if it is not a
/// failed job of this organisation.
pub async fn retry_failed(db: &Db, org: OrgId, id: JobId, now: i64) -> anyhow::Result<bool> {
    let sql = "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $3, finished_at = NULL, updated_at = $3 \
               WHERE id = $1 AND org_id = $2 AND state = 'failed'";
    let done = with_write!(db, p => sqlx::query(sql).bind(id).bind(org).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// The earliest `run_at` of a queued job, so an idle worker knows how long it may sleep.
pub async fn next_due(db: &Db) -> anyhow::Result<Option<i64>> {
    let sql = "SELECT MIN(run_at) FROM jobs WHERE state = 'queued'";
    Ok(with_db!(db, p => sqlx::query_scalar(sql).fetch_one(p).await)?)
}
