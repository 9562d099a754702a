//! SQL for the `emails` table: queued → sent | outbox | failed.

use super::Email;
use crate::accounts::OrgId;
use crate::db::{Db, Tx};
use crate::{with_db, with_tx, with_write};

crate::text_enum! {
    /// An email's lifecycle: queued, then sent over SMTP, kept in the outbox (no SMTP
    /// configured), or failed after its delivery job's last attempt.
    pub enum EmailState {
        Queued = "queued",
        Sent = "sent",
        Outbox = "outbox",
        Failed = "failed",
    }
}

pub async fn insert(
    tx: &mut Tx,
    org: Option<OrgId>,
    email: &Email,
    now: i64,
) -> anyhow::Result<i64> {
    let sql = "INSERT INTO emails (org_id, to_addr, subject, body_text, state, created_at) \
               VALUES ($1, $2, $3, $4, 'queued', $5) RETURNING id";
    let id: i64 = with_tx!(tx, c => sqlx::query_scalar(sql)
        .bind(org).bind(&email.to).bind(&email.subject).bind(&email.body).bind(now)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn find_queued(db: &Db, id: i64) -> anyhow::Result<Option<Email>> {
    let sql = "SELECT to_addr, subject, body_text FROM emails WHERE id = $1 AND state = 'queued'";
    let row: Option<(String, String, String)> =
        with_db!(db, p => sqlx::query_as(sql).bind(id).fetch_optional(p).await)?;
    Ok(row.map(|(to, subject, body)| Email { to, subject, body }))
}

pub async fn mark_delivered(db: &Db, id: i64, outbox: bool, now: i64) -> anyhow::Result<()> {
    let state = if outbox {
        EmailState::Outbox
    } else {
        EmailState::Sent
    };
    let sql = "UPDATE emails SET state = $2, sent_at = $3, error = NULL WHERE id = $1";
    with_write!(db, p => sqlx::query(sql).bind(id).bind(state).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn mark_failed(db: &Db, id: i64, error: &str) -> anyhow::Result<()> {
    let sql = "UPDATE emails SET state = 'failed', error = $2 WHERE id = $1";
    with_write!(db, p => sqlx::query(sql).bind(id).bind(error).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EmailRow {
    pub id: i64,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub state: EmailState,
    pub error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// The organisation's most recent emails, newest first.
pub async fn list(db: &Db, org: OrgId, limit: i64) -> anyhow::Result<Vec<EmailRow>> {
    let sql = "SELECT id, to_addr, subject, body_text, state, error, created_at, sent_at FROM emails \
               WHERE org_id = $1 ORDER BY id DESC LIMIT $2";
    Ok(
        with_db!(db, p => sqlx::query_as::<_, EmailRow>(sql).bind(org).bind(limit).fetch_all(p).await)?,
    )
}
