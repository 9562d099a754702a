//! The outbox's SQL: enqueue in the owner's transaction, claim due rows, take a pace's slot,
//! and record how each row ended. Every statement that changes a claimed row names the worker
//! that holds it, so a worker whose lease lapsed cannot overwrite what another decided.

use sha2::{Digest as _, Sha256};

use super::model::{OutboxKind, OutboxStatus, SkipReason};
use crate::db::{Db, Tx, dialect};
use crate::ids::{OrgId, OutboxId};
use crate::zone::Zone;
use crate::{with_db, with_tx, with_write};

/// A call or text to send, as its owner asks for it.
#[derive(Clone, Debug)]
pub struct NewSend<'a> {
    pub org: OrgId,
    /// What asks for it (`api`, `texting-send`, ...) and which one.
    pub owner_kind: &'a str,
    pub owner_id: Option<i64>,
    /// Unique per organisation and owner kind: the same key never sends twice.
    pub key: &'a str,
    pub kind: OutboxKind,
    pub recipient: &'a str,
    pub sender: &'a str,
    pub body: Option<&'a str>,
    pub call_url: Option<&'a str>,
    pub earliest_at: i64,
    pub latest_at: Option<i64>,
    /// The recipient's own zone, when known, and the zone used when neither it nor the
    /// number's country gives one.
    pub recipient_zone: Option<&'a Zone>,
    pub fallback_zone: &'a Zone,
    pub waits_for_window: bool,
}

impl NewSend<'_> {
    /// What was asked, hashed: the same key with a different request is refused.
    fn request_hash(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.kind.as_str(),
            self.recipient,
            self.sender,
            self.body.unwrap_or(""),
            self.call_url.unwrap_or(""),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        hex::encode(h.finalize())
    }
}

/// An outbox row.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: OutboxId,
    pub org_id: OrgId,
    pub owner_kind: String,
    pub owner_id: Option<i64>,
    pub idempotency_key: String,
    pub kind: OutboxKind,
    pub recipient: String,
    pub sender: String,
    pub body: Option<String>,
    pub call_url: Option<String>,
    pub earliest_at: i64,
    pub latest_at: Option<i64>,
    pub recipient_zone: Option<String>,
    pub fallback_zone: String,
    pub waits_for_window: bool,
    pub due_at: i64,
    pub send_at: Option<i64>,
    pub status: OutboxStatus,
    pub skip_reason: Option<SkipReason>,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<i64>,
    pub claims: i64,
    pub provider_sid: Option<String>,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

pub(super) const COLUMNS: &str = "id, org_id, owner_kind, owner_id, idempotency_key, kind, recipient, sender, body, \
    call_url, earliest_at, latest_at, recipient_zone, fallback_zone, waits_for_window, due_at, send_at, \
    status, skip_reason, claimed_by, \
    claimed_at, claims, provider_sid, error_code, error_message, created_at, finished_at";

/// What an enqueue did.
#[derive(Debug)]
pub enum Enqueued {
    /// A new row.
    New(OutboxId),
    /// The key was used before for the same request: that row, unchanged.
    Existing(Box<OutboxRow>),
}

/// The key was used before for a different request.
#[derive(Debug, thiserror::Error)]
#[error("this idempotency key was used for a different request")]
pub struct KeyReused;

#[derive(Debug, thiserror::Error)]
pub enum EnqueueError {
    #[error(transparent)]
    KeyReused(#[from] KeyReused),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Writes `send` in the caller's transaction, or finds the row its key already made.
pub async fn enqueue(tx: &mut Tx, send: &NewSend<'_>, now: i64) -> Result<Enqueued, EnqueueError> {
    let hash = send.request_hash();
    let sql = "INSERT INTO outbox (org_id, owner_kind, owner_id, idempotency_key, request_hash, kind, \
               recipient, sender, body, call_url, earliest_at, latest_at, recipient_zone, fallback_zone, \
               waits_for_window, due_at, status, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $11, 'pending', \
               $16, $16) \
               ON CONFLICT (org_id, owner_kind, idempotency_key) DO NOTHING RETURNING id";
    let id: Option<OutboxId> = with_tx!(&mut *tx, c => sqlx::query_scalar(sql)
        .bind(send.org).bind(send.owner_kind).bind(send.owner_id).bind(send.key).bind(&hash)
        .bind(send.kind).bind(send.recipient).bind(send.sender).bind(send.body).bind(send.call_url)
        .bind(send.earliest_at).bind(send.latest_at).bind(send.recipient_zone.map(Zone::name))
        .bind(send.fallback_zone.name()).bind(send.waits_for_window).bind(now)
        .fetch_optional(c).await)?;
    if let Some(id) = id {
        return Ok(Enqueued::New(id));
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, request_hash FROM outbox \
         WHERE org_id = $1 AND owner_kind = $2 AND idempotency_key = $3"
    ));
    #[derive(sqlx::FromRow)]
    struct WithHash {
        #[sqlx(flatten)]
        row: OutboxRow,
        request_hash: String,
    }
    let found: WithHash = with_tx!(&mut *tx, c => sqlx::query_as(sql)
        .bind(send.org).bind(send.owner_kind).bind(send.key).fetch_one(c).await)?;
    if found.request_hash != hash {
        return Err(KeyReused.into());
    }
    Ok(Enqueued::Existing(Box::new(found.row)))
}

/// One row of the organisation's outbox.
pub async fn get(db: &Db, org: OrgId, id: OutboxId) -> sqlx::Result<Option<OutboxRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM outbox WHERE org_id = $1 AND id = $2"
    ));
    with_db!(db, p => sqlx::query_as(sql).bind(org).bind(id).fetch_optional(p).await)
}

/// Claims up to `limit` pending rows that are due, oldest first, for `worker`.
pub async fn claim_due(
    db: &Db,
    worker: &str,
    now: i64,
    lease_ms: i64,
    limit: i64,
) -> sqlx::Result<Vec<OutboxRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE outbox SET status = 'claimed', claimed_by = $1, claimed_at = $2, lease_until = $3, \
         claims = claims + 1, updated_at = $2 \
         WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND due_at <= $2 \
                      ORDER BY due_at, id LIMIT $4{}) \
         AND status = 'pending' RETURNING {COLUMNS}",
        dialect::skip_locked(db.kind())
    ));
    let mut rows: Vec<OutboxRow> = with_write!(db, c => sqlx::query_as(sql)
        .bind(worker).bind(now).bind(now + lease_ms).bind(limit).fetch_all(c).await)?;
    rows.sort_by_key(|r| (r.due_at, r.id));
    Ok(rows)
}

/// Claims one pending row of the organisation for `worker` when it is due (an API request
/// that asks for its text to go at once); `None` when it is not pending or not yet due.
pub async fn claim_one(
    db: &Db,
    org: OrgId,
    id: OutboxId,
    worker: &str,
    now: i64,
    lease_ms: i64,
) -> sqlx::Result<Option<OutboxRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE outbox SET status = 'claimed', claimed_by = $3, claimed_at = $4, lease_until = $5, \
         claims = claims + 1, updated_at = $4 \
         WHERE org_id = $1 AND id = $2 AND status = 'pending' AND due_at <= $4 RETURNING {COLUMNS}"
    ));
    with_write!(db, c => sqlx::query_as(sql)
        .bind(org).bind(id).bind(worker).bind(now).bind(now + lease_ms).fetch_optional(c).await)
}

/// Claims whose lease lapsed (their worker died or stalled), for reconciliation: each is
/// taken over by `worker` with a new lease.
pub async fn take_over_lapsed(
    db: &Db,
    worker: &str,
    now: i64,
    lease_ms: i64,
    limit: i64,
) -> sqlx::Result<Vec<OutboxRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE outbox SET claimed_by = $1, lease_until = $3, updated_at = $2 \
         WHERE id IN (SELECT id FROM outbox WHERE status = 'claimed' AND lease_until < $2 \
                      ORDER BY lease_until, id LIMIT $4{}) \
         AND status = 'claimed' AND lease_until < $2 RETURNING {COLUMNS}",
        dialect::skip_locked(db.kind())
    ));
    with_write!(db, c => sqlx::query_as(sql)
        .bind(worker).bind(now).bind(now + lease_ms).bind(limit).fetch_all(c).await)
}

/// Takes the next slot of pace `key` at or after `now` (one every `interval_ms`), shared by
/// every process: the instant the send may go.
pub async fn take_slot(db: &Db, key: &str, interval_ms: i64, now: i64) -> sqlx::Result<i64> {
    let greatest = match db.kind() {
        crate::db::DbKind::Sqlite => "MAX",
        crate::db::DbKind::Postgres => "GREATEST",
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO paces (key, next_at) VALUES ($1, $2 + $3) \
         ON CONFLICT (key) DO UPDATE SET next_at = {greatest}(paces.next_at, $2) + $3 \
         RETURNING next_at - $3"
    ));
    with_write!(db, c => sqlx::query_scalar(sql).bind(key).bind(now).bind(interval_ms).fetch_one(c).await)
}

/// How a claimed row ended.
#[derive(Clone, Debug)]
pub enum Finish<'a> {
    Sent { sid: &'a str },
    Failed { code: Option<i64>, message: &'a str },
    Skipped(SkipReason),
}

/// Records how `worker`'s claimed row ended; false when the row is no longer its claim.
pub async fn finish(
    db: &Db,
    id: OutboxId,
    worker: &str,
    how: &Finish<'_>,
    now: i64,
) -> sqlx::Result<bool> {
    let (status, sid, code, message, reason) = match how {
        Finish::Sent { sid } => (OutboxStatus::Sent, Some(*sid), None, None, None),
        Finish::Failed { code, message } => {
            (OutboxStatus::Failed, None, *code, Some(*message), None)
        }
        Finish::Skipped(reason) => (OutboxStatus::Skipped, None, None, None, Some(*reason)),
    };
    let sql = "UPDATE outbox SET status = $3, provider_sid = $4, error_code = $5, error_message = $6, \
               skip_reason = $7, lease_until = NULL, finished_at = $8, updated_at = $8 \
               WHERE id = $1 AND claimed_by = $2 AND status = 'claimed'";
    let done = with_write!(db, c => sqlx::query(sql)
        .bind(id).bind(worker).bind(status).bind(sid).bind(code).bind(message).bind(reason).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Renews `worker`'s claim on row `id` until `lease_until`, unless its lease has already
/// lapsed (`now` past it): asked just before the provider is, so a claim another worker may be
/// taking over is never sent. False when the claim is no longer `worker`'s to send.
pub async fn hold(
    db: &Db,
    id: OutboxId,
    worker: &str,
    now: i64,
    lease_until: i64,
) -> sqlx::Result<bool> {
    let sql = "UPDATE outbox SET lease_until = $3, updated_at = $4 \
               WHERE id = $1 AND claimed_by = $2 AND status = 'claimed' AND lease_until > $4";
    let done = with_write!(db, c => sqlx::query(sql)
        .bind(id).bind(worker).bind(lease_until).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Gives `worker`'s claimed row back, to be looked at again at `due_at` (holding the pace's
/// slot `send_at`, when it took one).
pub async fn release(
    db: &Db,
    id: OutboxId,
    worker: &str,
    due_at: i64,
    send_at: Option<i64>,
    now: i64,
) -> sqlx::Result<bool> {
    let sql = "UPDATE outbox SET status = 'pending', claimed_by = NULL, lease_until = NULL, due_at = $3, \
               send_at = $4, updated_at = $5 WHERE id = $1 AND claimed_by = $2 AND status = 'claimed'";
    let done = with_write!(db, c => sqlx::query(sql)
        .bind(id).bind(worker).bind(due_at).bind(send_at).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Cancels a pending row of the organisation; false when it is no longer pending.
pub async fn cancel(db: &Db, org: OrgId, id: OutboxId, now: i64) -> sqlx::Result<bool> {
    let sql = "UPDATE outbox SET status = 'skipped', skip_reason = 'cancelled', finished_at = $3, updated_at = $3 \
               WHERE org_id = $1 AND id = $2 AND status = 'pending'";
    let done = with_write!(db, c => sqlx::query(sql).bind(org).bind(id).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// The earliest `due_at` of a pending row: when a dispatcher next has work.
pub async fn next_due(db: &Db) -> sqlx::Result<Option<i64>> {
    let sql = "SELECT MIN(due_at) FROM outbox WHERE status = 'pending'";
    with_db!(db, p => sqlx::query_scalar(sql).fetch_one(p).await)
}
