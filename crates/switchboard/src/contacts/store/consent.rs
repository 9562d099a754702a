//! The consent ledger: every opt-in and opt-out of a number, per organisation and channel.
//! Nothing is overwritten; a number's consent is its latest event (none means never opted
//! out).

use crate::contacts::model::consent::{Channel, ConsentSource};
use crate::db::{Db, Tx};
use crate::ids::OrgId;
use crate::{with_db, with_tx};

/// One change of a number's consent.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ConsentEvent {
    pub phone: String,
    pub channel: Channel,
    pub opted_in: bool,
    pub source: ConsentSource,
    pub note: Option<String>,
    pub created_at: i64,
}

const INSERT: &str = "INSERT INTO consent_events (org_id, phone, channel, opted_in, source, note, created_at) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Records that `phone` opted in (`true`) or out on `channel`.
pub async fn record(db: &Db, org: OrgId, event: &ConsentEvent) -> sqlx::Result<()> {
    let mut tx = db.write().await?;
    record_in(&mut tx, org, event).await?;
    tx.commit().await
}

/// [`record`] inside the caller's transaction.
pub async fn record_in(tx: &mut Tx, org: OrgId, event: &ConsentEvent) -> sqlx::Result<()> {
    with_tx!(tx, c => sqlx::query(INSERT)
        .bind(org).bind(&event.phone).bind(event.channel).bind(event.opted_in).bind(event.source)
        .bind(&event.note).bind(event.created_at).execute(c).await.map(|_| ()))
}

/// Whether `phone`'s latest consent event on `channel` is an opt-out.
pub async fn opted_out(db: &Db, org: OrgId, phone: &str, channel: Channel) -> sqlx::Result<bool> {
    let sql = "SELECT opted_in FROM consent_events WHERE org_id = $1 AND phone = $2 AND channel = $3 \
               ORDER BY id DESC LIMIT 1";
    let latest: Option<bool> = with_db!(db, p => sqlx::query_scalar(sql)
        .bind(org).bind(phone).bind(channel).fetch_optional(p).await)?;
    Ok(latest == Some(false))
}

/// `phone`'s consent history on every channel, newest first.
pub async fn history(db: &Db, org: OrgId, phone: &str) -> sqlx::Result<Vec<ConsentEvent>> {
    let sql = "SELECT phone, channel, opted_in, source, note, created_at FROM consent_events \
               WHERE org_id = $1 AND phone = $2 ORDER BY id DESC";
    with_db!(db, p => sqlx::query_as(sql).bind(org).bind(phone).fetch_all(p).await)
}
