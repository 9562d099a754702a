//! The inbox's SQL: an inbound text is kept once (by its MessageSid), with the consent change
//! it carried, in one transaction.

use crate::contacts::model::consent::ReplyKind;
use crate::contacts::store::consent::{self, ConsentEvent};
use crate::db::Db;
use crate::ids::OrgId;
use crate::{with_db, with_tx};

/// An inbound text as the inbox keeps it.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct InboxRow {
    pub id: i64,
    pub message_sid: String,
    pub sender: String,
    pub recipient: String,
    pub body: String,
    pub reply_kind: ReplyKind,
    /// For a reply flagged for review: the last day (YYYY-MM-DD) to honour it by.
    pub review_by: Option<String>,
    pub created_at: i64,
}

/// Keeps `row` and applies `consent` with it; false when the text was kept before (a retried
/// webhook), in which case nothing changes.
pub async fn keep(
    db: &Db,
    org: OrgId,
    row: &InboxRow,
    consent: Option<&ConsentEvent>,
) -> sqlx::Result<bool> {
    let mut tx = db.write().await?;
    let sql = "INSERT INTO inbox (org_id, message_sid, sender, recipient, body, reply_kind, review_by, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (message_sid) DO NOTHING";
    let inserted = with_tx!(&mut tx, c => sqlx::query(sql)
        .bind(org).bind(&row.message_sid).bind(&row.sender).bind(&row.recipient).bind(&row.body)
        .bind(row.reply_kind).bind(&row.review_by).bind(row.created_at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if inserted == 0 {
        return Ok(false);
    }
    if let Some(event) = consent {
        consent::record_in(&mut tx, org, event).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The organisation's inbox, newest first.
pub async fn list(db: &Db, org: OrgId, limit: i64) -> sqlx::Result<Vec<InboxRow>> {
    let sql = "SELECT id, message_sid, sender, recipient, body, reply_kind, review_by, created_at \
               FROM inbox WHERE org_id = $1 ORDER BY id DESC LIMIT $2";
    with_db!(db, p => sqlx::query_as(sql).bind(org).bind(limit).fetch_all(p).await)
}
