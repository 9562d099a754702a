//! Who can take calls: weekly shifts, dated overrides, on-call periods, and the people
//! themselves as ladder candidates; and a line's whole [`Roster`], as a walk reads it.

use jiff::civil::Date;
use sqlx::FromRow;

use super::lines;
use crate::accounts::Role;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::hotline::model::line::Line;
use crate::hotline::model::roster::Roster;
use crate::hotline::model::{Candidate, Hours, LineKind, Override, Shift};
use crate::ids::{LineId, OrgId, PersonId};
use crate::{with_db, with_write};

pub use crate::hotline::model::roster::{OnCallPeriod, oncall_in};

/// Everything a walk on `line` reads besides the line itself.
pub async fn load(db: &Db, org: OrgId, line: &Line) -> StoreResult<Roster> {
    let people = candidates(db, org).await?;
    Ok(match line.kind {
        LineKind::Ladder => Roster {
            people,
            business: lines::ladder(db, org, line.id, Hours::Business).await?,
            after: lines::ladder(db, org, line.id, Hours::After).await?,
            pool: lines::pool(db, org, line.id).await?,
            oncall: oncall_periods(db, org, line.id).await?,
            ..Roster::default()
        },
        LineKind::Shift => Roster {
            people,
            shifts: shifts(db, org, line.id).await?,
            overrides: overrides(db, org, line.id).await?,
            ..Roster::default()
        },
    })
}

/// Every person of the organisation, as ladder candidates.
pub async fn candidates(db: &Db, org: OrgId) -> StoreResult<Vec<Candidate>> {
    #[derive(FromRow)]
    struct Row {
        id: PersonId,
        name: String,
        phone: Option<String>,
        role: Role,
        available: bool,
        active: bool,
    }
    let sql =
        "SELECT id, name, phone, role, available, active FROM people WHERE org_id = $1 ORDER BY id";
    let rows = with_db!(db, p => sqlx::query_as::<_, Row>(sql).bind(org).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Candidate {
            person_id: r.id,
            name: r.name,
            phone: r.phone,
            role: r.role,
            available: r.available,
            active: r.active,
        })
        .collect())
}

/// Fails naming `field` unless `person_id` is a person of this organisation.
pub async fn require_person(
    db: &Db,
    org: OrgId,
    person_id: PersonId,
    field: &'static str,
) -> StoreResult<()> {
    let sql = "SELECT COUNT(*) FROM people WHERE org_id = $1 AND id = $2";
    let n: i64 =
        with_db!(db, p => sqlx::query_scalar(sql).bind(org).bind(person_id).fetch_one(p).await)?;
    if n == 0 {
        return Err(StoreError::invalid(
            field,
            format!("no person {person_id} in this organisation"),
        ));
    }
    Ok(())
}

#[derive(FromRow)]
struct ShiftRow {
    id: i64,
    person_id: PersonId,
    weekday: i64,
    start_minute: i64,
    end_minute: i64,
}

pub async fn shifts(db: &Db, org: OrgId, line_id: LineId) -> StoreResult<Vec<Shift>> {
    let sql = "SELECT id, person_id, weekday, start_minute, end_minute FROM hotline_shifts \
               WHERE org_id = $1 AND line_id = $2 ORDER BY weekday, start_minute, id";
    let rows = with_db!(db, p => sqlx::query_as::<_, ShiftRow>(sql).bind(org).bind(line_id).fetch_all(p).await)?;
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

pub async fn add_shift(
    db: &Db,
    org: OrgId,
    line_id: LineId,
    s: &Shift,
    now: i64,
) -> StoreResult<Shift> {
    let sql = "INSERT INTO hotline_shifts (org_id, line_id, person_id, weekday, start_minute, end_minute, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    let id: i64 = with_write!(db, p => sqlx::query_scalar(sql).bind(org).bind(line_id).bind(s.person_id)
        .bind(i64::from(s.weekday)).bind(i64::from(s.start_minute)).bind(i64::from(s.end_minute)).bind(now)
        .fetch_one(p).await)?;
    Ok(Shift { id, ..s.clone() })
}

/// Deletes a shift and returns it (for change notices).
pub async fn delete_shift(db: &Db, org: OrgId, line_id: LineId, id: i64) -> StoreResult<Shift> {
    let existing = shifts(db, org, line_id)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(StoreError::NotFound("shift"))?;
    let sql = "DELETE FROM hotline_shifts WHERE org_id = $1 AND line_id = $2 AND id = $3";
    with_write!(db, p => sqlx::query(sql).bind(org).bind(line_id).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(existing)
}

#[derive(FromRow)]
struct OverrideRow {
    id: i64,
    person_id: PersonId,
    replaces_person_id: Option<PersonId>,
    starts_on: String,
    ends_on: String,
    start_minute: i64,
    end_minute: i64,
}

fn stored_date(text: &str) -> StoreResult<Date> {
    text.parse::<Date>()
        .map_err(|_| StoreError::Other(anyhow::anyhow!("'{text}' is stored as a date")))
}

pub async fn overrides(db: &Db, org: OrgId, line_id: LineId) -> StoreResult<Vec<Override>> {
    let sql = "SELECT id, person_id, replaces_person_id, starts_on, ends_on, start_minute, end_minute FROM hotline_overrides \
               WHERE org_id = $1 AND line_id = $2 ORDER BY starts_on, id";
    let rows = with_db!(db, p => sqlx::query_as::<_, OverrideRow>(sql).bind(org).bind(line_id).fetch_all(p).await)?;
    rows.into_iter()
        .map(|r| {
            Ok(Override {
                id: r.id,
                person_id: r.person_id,
                replaces_person_id: r.replaces_person_id,
                starts_on: stored_date(&r.starts_on)?,
                ends_on: stored_date(&r.ends_on)?,
                start_minute: r.start_minute as u16,
                end_minute: r.end_minute as u16,
            })
        })
        .collect()
}

pub async fn add_override(
    db: &Db,
    org: OrgId,
    line_id: LineId,
    o: &Override,
    now: i64,
) -> StoreResult<Override> {
    let sql = "INSERT INTO hotline_overrides (org_id, line_id, person_id, replaces_person_id, starts_on, ends_on, start_minute, end_minute, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    let id: i64 = with_write!(db, p => sqlx::query_scalar(sql).bind(org).bind(line_id).bind(o.person_id).bind(o.replaces_person_id)
        .bind(o.starts_on.to_string()).bind(o.ends_on.to_string()).bind(i64::from(o.start_minute)).bind(i64::from(o.end_minute)).bind(now)
        .fetch_one(p).await)?;
    Ok(Override { id, ..o.clone() })
}

pub async fn delete_override(
    db: &Db,
    org: OrgId,
    line_id: LineId,
    id: i64,
) -> StoreResult<Override> {
    let existing = overrides(db, org, line_id)
        .await?
        .into_iter()
        .find(|o| o.id == id)
        .ok_or(StoreError::NotFound("override"))?;
    let sql = "DELETE FROM hotline_overrides WHERE org_id = $1 AND line_id = $2 AND id = $3";
    with_write!(db, p => sqlx::query(sql).bind(org).bind(line_id).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(existing)
}

pub async fn oncall_periods(
    db: &Db,
    org: OrgId,
    line_id: LineId,
) -> StoreResult<Vec<OnCallPeriod>> {
    let sql = "SELECT id, primary_person_id, secondary_person_id, starts_at, ends_at FROM hotline_oncall \
               WHERE org_id = $1 AND line_id = $2 ORDER BY starts_at, id";
    Ok(
        with_db!(db, p => sqlx::query_as::<_, OnCallPeriod>(sql).bind(org).bind(line_id).fetch_all(p).await)?,
    )
}

pub async fn add_oncall_period(
    db: &Db,
    org: OrgId,
    line_id: LineId,
    period: &OnCallPeriod,
    now: i64,
) -> StoreResult<OnCallPeriod> {
    let sql = "INSERT INTO hotline_oncall (org_id, line_id, primary_person_id, secondary_person_id, starts_at, ends_at, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    let id: i64 = with_write!(db, p => sqlx::query_scalar(sql).bind(org).bind(line_id).bind(period.primary_person_id)
        .bind(period.secondary_person_id).bind(period.starts_at).bind(period.ends_at).bind(now).fetch_one(p).await)?;
    Ok(OnCallPeriod {
        id,
        ..period.clone()
    })
}

pub async fn delete_oncall_period(
    db: &Db,
    org: OrgId,
    line_id: LineId,
    id: i64,
) -> StoreResult<()> {
    let sql = "DELETE FROM hotline_oncall WHERE org_id = $1 AND line_id = $2 AND id = $3";
    let n = with_write!(db, p => sqlx::query(sql).bind(org).bind(line_id).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound("on-call period"));
    }
    Ok(())
}
