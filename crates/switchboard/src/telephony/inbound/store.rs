//! The inbox's SQL: an inbound text is kept once (by its MessageSid), with the consent change
//! it carried, in one transaction.

use crate::contacts::model::consent::ReplyKind;
use crate::contacts::store::consent::{self, ConsentEvent};
use crate::db::Db;
use crate::ids::OrgId;
use crate::telephony::numbers::{Owner, OwnerKind};
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
    /// The owner of the number it was sent to, when it had one; none: the catch-all.
    #[sqlx(skip)]
    pub owner: Option<Owner>,
    pub created_at: i64,
}

/// An inbox row as stored: the owner as two columns.
#[derive(sqlx::FromRow)]
struct Stored {
    #[sqlx(flatten)]
    row: InboxRow,
    owner_kind: Option<OwnerKind>,
    owner_id: Option<i64>,
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
    let sql = "INSERT INTO inbox (org_id, message_sid, sender, recipient, body, reply_kind, review_by, \
               owner_kind, owner_id, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (message_sid) DO NOTHING";
    let inserted = with_tx!(&mut tx, c => sqlx::query(sql)
        .bind(org).bind(&row.message_sid).bind(&row.sender).bind(&row.recipient).bind(&row.body)
        .bind(row.reply_kind).bind(&row.review_by).bind(row.owner.map(|o| o.kind))
        .bind(row.owner.map(|o| o.id)).bind(row.created_at)
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

/// The organisation's inbox, newest first; with `unowned`, only texts to numbers that had no
/// owner (the catch-all).
pub async fn list(db: &Db, org: OrgId, unowned: bool, limit: i64) -> sqlx::Result<Vec<InboxRow>> {
    let sql = "SELECT id, message_sid, sender, recipient, body, reply_kind, review_by, owner_kind, owner_id, \
               created_at FROM inbox WHERE org_id = $1 AND ($2 = 0 OR owner_kind IS NULL) \
               ORDER BY created_at DESC, id DESC LIMIT $3";
    let rows: Vec<Stored> = with_db!(db, p => sqlx::query_as(sql).bind(org).bind(i64::from(unowned))
        .bind(limit).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|s| InboxRow {
            owner: Owner::from_columns(s.owner_kind, s.owner_id),
            ..s.row
        })
        .collect())
}
