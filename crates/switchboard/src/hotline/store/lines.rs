//! Lines: their settings, ladders and rotating pool.

use sqlx::FromRow;

use crate::db::{Db, Tx, unique_violation};
use crate::error::{StoreError, StoreResult};
use crate::hotline::model::ladder::{LadderStep, default_ladder};
use crate::hotline::model::{BusinessHours, Hours, LineKind, RingStrategy};
use crate::ids::{LineId, OrgId, PersonId};
use crate::zone::Zone;
use crate::{with_db, with_tx, with_write};

pub use crate::hotline::model::line::{Line, LineSettings};

/// A line's row; [`LineRow::into_line`] reads its lists.
#[derive(FromRow, serde::Deserialize)]
pub(crate) struct LineRow {
    id: LineId,
    name: String,
    kind: LineKind,
    phone_number: String,
    time_zone: Zone,
    business_weekdays: String,
    business_start_minute: i64,
    business_end_minute: i64,
    holidays: String,
    ring_strategy: RingStrategy,
    ring_timeout_secs: i64,
    notify_emails: String,
    reminder_minute: i64,
    pool_position: i64,
    created_at: i64,
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

impl LineRow {
    pub(crate) fn into_line(self) -> StoreResult<Line> {
        let weekdays = split_list(&self.business_weekdays)
            .iter()
            .map(|d| d.parse::<u8>().ok().filter(|d| (1..=7).contains(d)))
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "line {} has business weekdays '{}', which are not 1-7",
                    self.id,
                    self.business_weekdays
                )
            })?;
        Ok(Line {
            id: self.id,
            name: self.name,
            kind: self.kind,
            phone_number: self.phone_number,
            time_zone: self.time_zone,
            business_hours: BusinessHours {
                weekdays,
                start_minute: self.business_start_minute as u16,
                end_minute: self.business_end_minute as u16,
                holidays: split_list(&self.holidays),
            },
            ring_strategy: self.ring_strategy,
            ring_timeout_secs: self.ring_timeout_secs as u32,
            notify_emails: split_list(&self.notify_emails),
            reminder_minute: self.reminder_minute as u16,
            pool_position: self.pool_position,
            created_at: self.created_at,
        })
    }
}

pub(crate) const LINE_COLUMNS: &str = "id, name, kind, phone_number, time_zone, business_weekdays, business_start_minute, \
    business_end_minute, holidays, ring_strategy, ring_timeout_secs, notify_emails, reminder_minute, pool_position, created_at";

fn join_days(d: &[u8]) -> String {
    d.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
}

/// Creates a line with the on-call routing API's two default ladders.
pub async fn create_line(db: &Db, org: OrgId, s: &LineSettings, now: i64) -> StoreResult<Line> {
    let mut tx = db.write().await?;
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO hotline_lines (org_id, name, kind, phone_number, time_zone, business_weekdays, business_start_minute, \
         business_end_minute, holidays, ring_strategy, ring_timeout_secs, notify_emails, reminder_minute, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING {LINE_COLUMNS}"
    ));
    let row = with_tx!(&mut tx, c => sqlx::query_as::<_, LineRow>(sql)
        .bind(org).bind(&s.name).bind(s.kind).bind(&s.phone_number).bind(&s.time_zone)
        .bind(join_days(&s.business_hours.weekdays)).bind(i64::from(s.business_hours.start_minute))
        .bind(i64::from(s.business_hours.end_minute)).bind(s.business_hours.holidays.join(","))
        .bind(s.ring_strategy).bind(i64::from(s.ring_timeout_secs)).bind(s.notify_emails.join(","))
        .bind(i64::from(s.reminder_minute)).bind(now)
        .fetch_one(c).await);
    let row = row.map_err(|e| match unique_violation(&e) {
        Some(_) => StoreError::conflict(
            "phone_number",
            crate::telephony::number_unavailable(&s.phone_number),
        ),
        None => e.into(),
    })?;
    for hours in [Hours::Business, Hours::After] {
        write_ladder(&mut tx, org, row.id, hours, &default_ladder(hours)).await?;
    }
    tx.commit().await?;
    row.into_line()
}

pub async fn update_line(
    db: &Db,
    org: OrgId,
    id: LineId,
    s: &LineSettings,
    now: i64,
) -> StoreResult<Line> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE hotline_lines SET name = $3, kind = $4, phone_number = $5, time_zone = $6, business_weekdays = $7, \
         business_start_minute = $8, business_end_minute = $9, holidays = $10, ring_strategy = $11, ring_timeout_secs = $12, \
         notify_emails = $13, reminder_minute = $14, updated_at = $15 WHERE org_id = $1 AND id = $2 RETURNING {LINE_COLUMNS}"
    ));
    let row = with_write!(db, p => sqlx::query_as::<_, LineRow>(sql)
        .bind(org).bind(id).bind(&s.name).bind(s.kind).bind(&s.phone_number).bind(&s.time_zone)
        .bind(join_days(&s.business_hours.weekdays)).bind(i64::from(s.business_hours.start_minute))
        .bind(i64::from(s.business_hours.end_minute)).bind(s.business_hours.holidays.join(","))
        .bind(s.ring_strategy).bind(i64::from(s.ring_timeout_secs)).bind(s.notify_emails.join(","))
        .bind(i64::from(s.reminder_minute)).bind(now)
        .fetch_optional(p).await);
    match row {
        Ok(Some(row)) => row.into_line(),
        Ok(None) => Err(StoreError::NotFound("line")),
        Err(e) if unique_violation(&e).is_some() => Err(StoreError::conflict(
            "phone_number",
            crate::telephony::number_unavailable(&s.phone_number),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a line and, in the same transaction, releases the numbers it owned.
pub async fn delete_line(db: &Db, org: OrgId, id: LineId) -> StoreResult<()> {
    let mut tx = db.write().await?;
    let n = with_tx!(&mut tx, c => sqlx::query("DELETE FROM hotline_lines WHERE org_id = $1 AND id = $2")
        .bind(org).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound("line"));
    }
    crate::telephony::numbers::store::release_all_in(&mut tx, org, owner(id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Line `id` as the owner of a number.
pub fn owner(id: LineId) -> crate::telephony::numbers::Owner {
    crate::telephony::numbers::Owner {
        kind: crate::telephony::numbers::OwnerKind::HotlineLine,
        id: id.get(),
    }
}

pub async fn list_lines(db: &Db, org: OrgId) -> StoreResult<Vec<Line>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {LINE_COLUMNS} FROM hotline_lines WHERE org_id = $1 ORDER BY name, id"
    ));
    let rows = with_db!(db, p => sqlx::query_as::<_, LineRow>(sql).bind(org).fetch_all(p).await)?;
    rows.into_iter().map(LineRow::into_line).collect()
}

pub async fn find_line(db: &Db, org: OrgId, id: LineId) -> StoreResult<Line> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {LINE_COLUMNS} FROM hotline_lines WHERE org_id = $1 AND id = $2"
    ));
    let row = with_db!(db, p => sqlx::query_as::<_, LineRow>(sql).bind(org).bind(id).fetch_optional(p).await)?;
    row.ok_or(StoreError::NotFound("line"))?.into_line()
}

/// A line with its organisation, found without knowing the organisation: Twilio's `To`
/// (voice webhooks) or a Studio request's `?line=` carry no token.
#[derive(FromRow)]
struct OrgLineRow {
    org_id: OrgId,
    #[sqlx(flatten)]
    line: LineRow,
}

impl OrgLineRow {
    fn split(self) -> StoreResult<(OrgId, Line)> {
        Ok((self.org_id, self.line.into_line()?))
    }
}

/// The line a call to `number` reaches, with its organisation (Twilio's `To` selects it).
pub async fn find_line_by_number(db: &Db, number: &str) -> StoreResult<Option<(OrgId, Line)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT org_id, {LINE_COLUMNS} FROM hotline_lines WHERE phone_number = $1"
    ));
    let row = with_db!(db, p => sqlx::query_as::<_, OrgLineRow>(sql).bind(number).fetch_optional(p).await)?;
    row.map(OrgLineRow::split).transpose()
}

/// A line found by id alone, with its organisation (for Studio requests, which carry no token).
pub async fn find_line_any_org(db: &Db, id: LineId) -> StoreResult<Option<(OrgId, Line)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT org_id, {LINE_COLUMNS} FROM hotline_lines WHERE id = $1"
    ));
    let row =
        with_db!(db, p => sqlx::query_as::<_, OrgLineRow>(sql).bind(id).fetch_optional(p).await)?;
    row.map(OrgLineRow::split).transpose()
}

pub async fn ladder(
    db: &Db,
    org: OrgId,
    line_id: LineId,
    hours: Hours,
) -> StoreResult<Vec<LadderStep>> {
    let sql = "SELECT kind, timeout_secs, pool_size FROM hotline_ladder_steps \
               WHERE org_id = $1 AND line_id = $2 AND hours = $3 ORDER BY position";
    Ok(
        with_db!(db, p => sqlx::query_as::<_, LadderStep>(sql).bind(org).bind(line_id).bind(hours).fetch_all(p).await)?,
    )
}

/// Replaces a line's ladder for `hours`.
pub async fn set_ladder(
    db: &Db,
    org: OrgId,
    line_id: LineId,
    hours: Hours,
    steps: &[LadderStep],
) -> StoreResult<()> {
    find_line(db, org, line_id).await?;
    let mut tx = db.write().await?;
    write_ladder(&mut tx, org, line_id, hours, steps).await?;
    tx.commit().await?;
    Ok(())
}

async fn write_ladder(
    tx: &mut Tx,
    org: OrgId,
    line_id: LineId,
    hours: Hours,
    steps: &[LadderStep],
) -> StoreResult<()> {
    let delete =
        "DELETE FROM hotline_ladder_steps WHERE org_id = $1 AND line_id = $2 AND hours = $3";
    with_tx!(&mut *tx, c => sqlx::query(delete).bind(org).bind(line_id).bind(hours).execute(c).await.map(|r| r.rows_affected()))?;
    let insert = "INSERT INTO hotline_ladder_steps (org_id, line_id, hours, position, kind, timeout_secs, pool_size) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7)";
    for (i, s) in steps.iter().enumerate() {
        with_tx!(&mut *tx, c => sqlx::query(insert).bind(org).bind(line_id).bind(hours).bind(i as i64)
            .bind(s.kind).bind(i64::from(s.timeout_secs)).bind(i64::from(s.pool_size))
            .execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The rotating pool, in order (person ids).
pub async fn pool(db: &Db, org: OrgId, line_id: LineId) -> StoreResult<Vec<PersonId>> {
    let sql = "SELECT person_id FROM hotline_pool_members WHERE org_id = $1 AND line_id = $2 ORDER BY position";
    Ok(with_db!(db, p => sqlx::query_scalar(sql).bind(org).bind(line_id).fetch_all(p).await)?)
}

/// Replaces the rotating pool and starts it from its first member.
pub async fn set_pool(
    db: &Db,
    org: OrgId,
    line_id: LineId,
    people: &[PersonId],
) -> StoreResult<()> {
    if people.len() > crate::limits::PEOPLE_IN_TURN {
        let max = crate::limits::PEOPLE_IN_TURN;
        return Err(StoreError::invalid(
            "people",
            format!("at most {max} people"),
        ));
    }
    find_line(db, org, line_id).await?;
    let mut tx = db.write().await?;
    with_tx!(&mut tx, c => sqlx::query("DELETE FROM hotline_pool_members WHERE org_id = $1 AND line_id = $2")
        .bind(org).bind(line_id).execute(c).await.map(|r| r.rows_affected()))?;
    for (i, person) in people.iter().enumerate() {
        let insert = "INSERT INTO hotline_pool_members (org_id, line_id, person_id, position) \
                      SELECT $1, $2, id, $4 FROM people WHERE org_id = $1 AND id = $3";
        let n = with_tx!(&mut tx, c => sqlx::query(insert).bind(org).bind(line_id).bind(person).bind(i as i64)
            .execute(c).await.map(|r| r.rows_affected()));
        match n {
            Ok(1) => {}
            Ok(_) => {
                return Err(StoreError::invalid(
                    "people",
                    format!("no person {person} in this organisation"),
                ));
            }
            Err(e) if unique_violation(&e).is_some() => {
                return Err(StoreError::invalid(
                    "people",
                    format!("person {person} is listed twice"),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    with_tx!(&mut tx, c => sqlx::query("UPDATE hotline_lines SET pool_position = 0 WHERE org_id = $1 AND id = $2")
        .bind(org).bind(line_id).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(())
}
