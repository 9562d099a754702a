//! Private calendar feed tokens, one per person.
//!
//! The token is stored as it is, not hashed: the feed URL must be shown again whenever an
//! admin asks for it (calendar apps keep polling the same URL), and it only grants reading
//! one person's shifts. Rotating it is how a leaked URL is revoked.

use crate::accounts::secrets::new_token;
use crate::db::Db;
use crate::error::StoreResult;
use crate::ids::{OrgId, PersonId};
use crate::{with_db, with_write};

const PREFIX: &str = "sbc_";

/// The person's feed token, created on first use.
pub async fn token_of(db: &Db, org: OrgId, person_id: PersonId, now: i64) -> StoreResult<String> {
    let sql = "SELECT token FROM hotline_calendar_feeds WHERE org_id = $1 AND person_id = $2";
    let existing: Option<String> = with_db!(db, p => sqlx::query_scalar(sql).bind(org).bind(person_id).fetch_optional(p).await)?;
    match existing {
        Some(token) => Ok(token),
        None => set_token(db, org, person_id, now).await,
    }
}

/// Gives the person a new token; the old URL stops working at once.
pub async fn rotate(db: &Db, org: OrgId, person_id: PersonId, now: i64) -> StoreResult<String> {
    set_token(db, org, person_id, now).await
}

async fn set_token(db: &Db, org: OrgId, person_id: PersonId, now: i64) -> StoreResult<String> {
    let token = new_token(PREFIX);
    let sql = "INSERT INTO hotline_calendar_feeds (person_id, org_id, token, created_at) VALUES ($1, $2, $3, $4) \
               ON CONFLICT (person_id) DO UPDATE SET token = $3, created_at = $4";
    with_write!(db, p => sqlx::query(sql).bind(person_id).bind(org).bind(&token).bind(now)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(token)
}

/// Whose feed `token` opens: (organisation, person), or `None`.
pub async fn find_by_token(db: &Db, token: &str) -> StoreResult<Option<(OrgId, PersonId)>> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let sql = "SELECT org_id, person_id FROM hotline_calendar_feeds WHERE token = $1";
    let row: Option<(OrgId, PersonId)> =
        with_db!(db, p => sqlx::query_as(sql).bind(token).fetch_optional(p).await)?;
    Ok(row)
}
