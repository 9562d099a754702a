//! Who can take calls: weekly shifts, dated overrides, on-call periods, and the people
//! themselves as ladder candidates.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::ToSchema;

use crate::accounts::{OrgId, Role};
use crate::db::Db;
use crate::hotline::model::ladder::OnCall;
use crate::hotline::model::{Candidate, Override, Shift};
use crate::http::{AppError, AppResult};
use crate::with_db;

/// Every person of the organisation, as ladder candidates.
pub async fn candidates(db: &Db, org: OrgId) -> AppResult<Vec<Candidate>> {
    let sql =
        "SELECT id, name, phone, role, available, active FROM people WHERE org_id = $1 ORDER BY id";
    let rows: Vec<(i64, String, Option<String>, String, bool, bool)> =
        with_db!(db, p => sqlx::query_as(sql).bind(org.0).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(
            |(person_id, name, phone, role, available, active)| Candidate {
                person_id,
                name,
                phone,
                role: Role::parse(&role).unwrap_or(Role::Viewer),
                available,
                active,
            },
        )
        .collect())
}

/// Fails with 400 naming `field` unless `person_id` is a person of this organisation.
pub async fn require_person(
    db: &Db,
    org: OrgId,
    person_id: i64,
    field: &'static str,
) -> AppResult<()> {
    let sql = "SELECT COUNT(*) FROM people WHERE org_id = $1 AND id = $2";
    let n: i64 =
        with_db!(db, p => sqlx::query_scalar(sql).bind(org.0).bind(person_id).fetch_one(p).await)?;
    if n == 0 {
        return Err(AppError::field(
            field,
            format!("no person {person_id} in this organisation"),
        ));
    }
    Ok(())
}

#[derive(FromRow)]
struct ShiftRow {
    id: i64,
    person_id: i64,
    weekday: i64,
    start_minute: i64,
    end_minute: i64,
}

pub async fn shifts(db: &Db, org: OrgId, line_id: i64) -> AppResult<Vec<Shift>> {
    let sql = "SELECT id, person_id, weekday, start_minute, end_minute FROM hotline_shifts \
               WHERE org_id = $1 AND line_id = $2 ORDER BY weekday, start_minute, id";
    let rows = with_db!(db, p => sqlx::query_as::<_, ShiftRow>(sql).bind(org.0).bind(line_id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Shift {
            id: r.id,
            person_id: r.person_id,
            weekday: r.weekday as u8,
            start_minute: r.start_minute as u16,
            end_minute: r.end_minute as u16,
        })
        .collect())
}

pub async fn add_shift(db: &Db, org: OrgId, line_id: i64, s: &Shift, now: i64) -> AppResult<Shift> {
    let sql = "INSERT INTO hotline_shifts (org_id, line_id, person_id, weekday, start_minute, end_minute, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    let id: i64 = with_db!(db, p => sqlx::query_scalar(sql).bind(org.0).bind(line_id).bind(s.person_id)
        .bind(i64::from(s.weekday)).bind(i64::from(s.start_minute)).bind(i64::from(s.end_minute)).bind(now)
        .fetch_one(p).await)?;
    Ok(Shift { id, ..s.clone() })
}

/// Deletes a shift and returns it (for change notices).
pub async fn delete_shift(db: &Db, org: OrgId, line_id: i64, id: i64) -> AppResult<Shift> {
    let existing = shifts(db, org, line_id)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound("shift"))?;
    let sql = "DELETE FROM hotline_shifts WHERE org_id = $1 AND line_id = $2 AND id = $3";
    with_db!(db, p => sqlx::query(sql).bind(org.0).bind(line_id).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(existing)
}

#[derive(FromRow)]
struct OverrideRow {
    id: i64,
    person_id: i64,
    replaces_person_id: Option<i64>,
    starts_on: String,
    ends_on: String,
    start_minute: i64,
    end_minute: i64,
}

pub async fn overrides(db: &Db, org: OrgId, line_id: i64) -> AppResult<Vec<Override>> {
    let sql = "SELECT id, person_id, replaces_person_id, starts_on, ends_on, start_minute, end_minute FROM hotline_overrides \
               WHERE org_id = $1 AND line_id = $2 ORDER BY starts_on, id";
    let rows = with_db!(db, p => sqlx::query_as::<_, OverrideRow>(sql).bind(org.0).bind(line_id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Override {
                id: r.id,
                person_id: r.person_id,
                replaces_person_id: r.replaces_person_id,
                starts_on: r.starts_on.parse::<Date>().ok()?,
                ends_on: r.ends_on.parse::<Date>().ok()?,
                start_minute: r.start_minute as u16,
                end_minute: r.end_minute as u16,
            })
        })
        .collect())
}

pub async fn add_override(
    db: &Db,
    org: OrgId,
    line_id: i64,
    o: &Override,
    now: i64,
) -> AppResult<Override> {
    let sql = "INSERT INTO hotline_overrides (org_id, line_id, person_id, replaces_person_id, starts_on, ends_on, start_minute, end_minute, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    let id: i64 = with_db!(db, p => sqlx::query_scalar(sql).bind(org.0).bind(line_id).bind(o.person_id).bind(o.replaces_person_id)
        .bind(o.starts_on.to_string()).bind(o.ends_on.to_string()).bind(i64::from(o.start_minute)).bind(i64::from(o.end_minute)).bind(now)
        .fetch_one(p).await)?;
    Ok(Override { id, ..o.clone() })
}

pub async fn delete_override(db: &Db, org: OrgId, line_id: i64, id: i64) -> AppResult<Override> {
    let existing = overrides(db, org, line_id)
        .await?
        .into_iter()
        .find(|o| o.id == id)
        .ok_or(AppError::NotFound("override"))?;
    let sql = "DELETE FROM hotline_overrides WHERE org_id = $1 AND line_id = $2 AND id = $3";
    with_db!(db, p => sqlx::query(sql).bind(org.0).bind(line_id).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(existing)
}

/// An on-call period: who is primary and secondary from `starts_at` to `ends_at`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, FromRow)]
pub struct OnCallPeriod {
    pub id: i64,
    pub primary_person_id: Option<i64>,
    pub secondary_person_id: Option<i64>,
    /// Epoch milliseconds.
    pub starts_at: i64,
    pub ends_at: i64,
}

pub async fn oncall_periods(db: &Db, org: OrgId, line_id: i64) -> AppResult<Vec<OnCallPeriod>> {
    let sql = "SELECT id, primary_person_id, secondary_person_id, starts_at, ends_at FROM hotline_oncall \
               WHERE org_id = $1 AND line_id = $2 ORDER BY starts_at, id";
    Ok(
        with_db!(db, p => sqlx::query_as::<_, OnCallPeriod>(sql).bind(org.0).bind(line_id).fetch_all(p).await)?,
    )
}

pub async fn add_oncall_period(
    db: &Db,
    org: OrgId,
    line_id: i64,
    period: &OnCallPeriod,
    now: i64,
) -> AppResult<OnCallPeriod> {
    let sql = "INSERT INTO hotline_oncall (org_id, line_id, primary_person_id, secondary_person_id, starts_at, ends_at, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    let id: i64 = with_db!(db, p => sqlx::query_scalar(sql).bind(org.0).bind(line_id).bind(period.primary_person_id)
        .bind(period.secondary_person_id).bind(period.starts_at).bind(period.ends_at).bind(now).fetch_one(p).await)?;
    Ok(OnCallPeriod {
        id,
        ..period.clone()
    })
}

pub async fn delete_oncall_period(db: &Db, org: OrgId, line_id: i64, id: i64) -> AppResult<()> {
    let sql = "DELETE FROM hotline_oncall WHERE org_id = $1 AND line_id = $2 AND id = $3";
    let n = with_db!(db, p => sqlx::query(sql).bind(org.0).bind(line_id).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(AppError::NotFound("on-call period"));
    }
    Ok(())
}

/// Who is on call at `at` among `periods`: the latest-starting period covering it wins, so a
/// short swap placed over a weekly rotation takes effect.
pub fn oncall_in(periods: &[OnCallPeriod], at: i64) -> OnCall {
    periods
        .iter()
        .filter(|p| p.starts_at <= at && at < p.ends_at)
        .max_by_key(|p| (p.starts_at, p.id))
        .map(|p| OnCall {
            primary: p.primary_person_id,
            secondary: p.secondary_person_id,
        })
        .unwrap_or_default()
}
