//! The numbers' SQL, every statement within one organisation: add, remove, list, look up by
//! E.164, give to an owner and release. Who may own a number is decided by
//! [`super::model::assign`]; the conditional UPDATE here only keeps two racing requests from
//! both winning.

use serde::Serialize;
use utoipa::ToSchema;

use super::model::{Assignment, NewPhoneNumber, Owner, OwnerKind, assign};
use crate::db::{Db, Tx, unique_violation};
use crate::error::{StoreError, StoreResult};
use crate::ids::OrgId;
use crate::{with_db, with_tx, with_write};

/// One of the organisation's numbers.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct PhoneNumber {
    pub id: i64,
    /// E.164, e.g. +14155551234.
    pub e164: String,
    pub friendly_name: String,
    pub twilio_sid: Option<String>,
    /// The job the number serves; none: calls hear "not in service", texts go to the inbox.
    pub owner: Option<Owner>,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    e164: String,
    friendly_name: String,
    twilio_sid: Option<String>,
    owner_kind: Option<OwnerKind>,
    owner_id: Option<i64>,
    created_at: i64,
}

impl From<Row> for PhoneNumber {
    fn from(r: Row) -> PhoneNumber {
        PhoneNumber {
            id: r.id,
            e164: r.e164,
            friendly_name: r.friendly_name,
            twilio_sid: r.twilio_sid,
            owner: Owner::from_columns(r.owner_kind, r.owner_id),
            created_at: r.created_at,
        }
    }
}

const COLUMNS: &str = "id, e164, friendly_name, twilio_sid, owner_kind, owner_id, created_at";

fn select(filter: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM phone_numbers WHERE {filter}"
    ))
}

pub async fn list(db: &Db, org: OrgId) -> StoreResult<Vec<PhoneNumber>> {
    let sql = select("org_id = $1 ORDER BY e164");
    let rows: Vec<Row> = with_db!(db, p => sqlx::query_as(sql).bind(org).fetch_all(p).await)?;
    Ok(rows.into_iter().map(PhoneNumber::from).collect())
}

pub async fn find(db: &Db, org: OrgId, id: i64) -> StoreResult<PhoneNumber> {
    let sql = select("org_id = $1 AND id = $2");
    let row: Option<Row> =
        with_db!(db, p => sqlx::query_as(sql).bind(org).bind(id).fetch_optional(p).await)?;
    row.map(PhoneNumber::from)
        .ok_or(StoreError::NotFound("phone number"))
}

/// The organisation's number `e164`, if it has registered it.
pub async fn find_by_e164(db: &Db, org: OrgId, e164: &str) -> StoreResult<Option<PhoneNumber>> {
    let sql = select("org_id = $1 AND e164 = $2");
    let row: Option<Row> =
        with_db!(db, p => sqlx::query_as(sql).bind(org).bind(e164).fetch_optional(p).await)?;
    Ok(row.map(PhoneNumber::from))
}

/// Adds a validated number, without an owner. A number already registered (here or
/// elsewhere) is a 409 on `e164`, which does not say where.
pub async fn add(db: &Db, org: OrgId, new: &NewPhoneNumber, now: i64) -> StoreResult<PhoneNumber> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO phone_numbers (org_id, e164, friendly_name, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
    ));
    let result = with_write!(db, p => sqlx::query_as::<_, Row>(sql)
        .bind(org).bind(&new.e164).bind(&new.friendly_name).bind(now)
        .fetch_one(p).await);
    match result {
        Ok(row) => Ok(row.into()),
        Err(e) if unique_violation(&e).is_some() => Err(StoreError::conflict(
            "e164",
            crate::telephony::number_unavailable(&new.e164),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Removes a number (and so its owner's claim on it); answers what was removed.
pub async fn remove(db: &Db, org: OrgId, id: i64) -> StoreResult<PhoneNumber> {
    let sql = sqlx::AssertSqlSafe(format!(
        "DELETE FROM phone_numbers WHERE org_id = $1 AND id = $2 RETURNING {COLUMNS}"
    ));
    let row: Option<Row> =
        with_write!(db, p => sqlx::query_as(sql).bind(org).bind(id).fetch_optional(p).await)?;
    row.map(PhoneNumber::from)
        .ok_or(StoreError::NotFound("phone number"))
}

/// Gives number `id` to `owner` when [`assign`] allows it. Answers the number as it is now and
/// what happened; [`Assignment::Taken`] changed nothing.
pub async fn give(
    db: &Db,
    org: OrgId,
    id: i64,
    owner: Owner,
) -> StoreResult<(PhoneNumber, Assignment)> {
    let current = find(db, org, id).await?;
    let decision = assign(current.owner, owner);
    if decision != Assignment::Assigned {
        return Ok((current, decision));
    }
    let sql = "UPDATE phone_numbers SET owner_kind = $3, owner_id = $4 \
               WHERE org_id = $1 AND id = $2 AND owner_kind IS NULL";
    let changed = with_write!(db, p => sqlx::query(sql).bind(org).bind(id).bind(owner.kind).bind(owner.id)
        .execute(p).await.map(|r| r.rows_affected()))?;
    let now = find(db, org, id).await?;
    if changed == 0 {
        // Another request gave it to someone first: decide again with what it found.
        let decision = match assign(now.owner, owner) {
            Assignment::Assigned => Assignment::Taken(owner),
            other => other,
        };
        return Ok((now, decision));
    }
    Ok((now, Assignment::Assigned))
}

/// Takes number `id` from its owner; answers the number as it is now and the owner it had.
pub async fn release(db: &Db, org: OrgId, id: i64) -> StoreResult<(PhoneNumber, Option<Owner>)> {
    let before = find(db, org, id).await?;
    let sql =
        "UPDATE phone_numbers SET owner_kind = NULL, owner_id = NULL WHERE org_id = $1 AND id = $2";
    with_write!(db, p => sqlx::query(sql).bind(org).bind(id).execute(p).await.map(|_| ()))?;
    Ok((
        PhoneNumber {
            owner: None,
            ..before.clone()
        },
        before.owner,
    ))
}

/// Gives the organisation's number `e164` to `owner` when it is registered and has no owner;
/// true when it did. (A job claims the number it was saved with this way.)
pub async fn claim_if_free(db: &Db, org: OrgId, e164: &str, owner: Owner) -> StoreResult<bool> {
    let sql = "UPDATE phone_numbers SET owner_kind = $3, owner_id = $4 \
               WHERE org_id = $1 AND e164 = $2 AND owner_kind IS NULL";
    let changed = with_write!(db, p => sqlx::query(sql).bind(org).bind(e164).bind(owner.kind).bind(owner.id)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(changed > 0)
}

/// Releases every number `owner` has, inside the transaction that deletes the owner.
pub async fn release_all_in(tx: &mut Tx, org: OrgId, owner: Owner) -> sqlx::Result<u64> {
    let sql = "UPDATE phone_numbers SET owner_kind = NULL, owner_id = NULL \
               WHERE org_id = $1 AND owner_kind = $2 AND owner_id = $3";
    with_tx!(tx, c => sqlx::query(sql).bind(org).bind(owner.kind).bind(owner.id)
        .execute(c).await.map(|r| r.rows_affected()))
}

/// The organisations that have registered numbers (start-up provisioning).
pub async fn orgs_with_numbers(db: &Db) -> StoreResult<Vec<OrgId>> {
    let sql = "SELECT DISTINCT org_id FROM phone_numbers ORDER BY org_id";
    Ok(with_db!(db, p => sqlx::query_scalar(sql).fetch_all(p).await)?)
}
