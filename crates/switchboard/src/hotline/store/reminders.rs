//! Shift reminders already sent: one row per (line, local date, person), so a reminder job
//! that runs twice (a retry, a second worker) emails nobody twice.

use jiff::civil::Date;

use crate::db::{Db, Tx};
use crate::error::StoreResult;
use crate::ids::{LineId, OrgId, PersonId};
use crate::{with_db, with_tx};

/// Records that `person_id` was reminded of `date`'s shifts on `line_id` with email
/// `email_id`. Returns false when they already were (the caller then rolls back).
pub async fn record_reminder(
    tx: &mut Tx,
    org: OrgId,
    line_id: LineId,
    date: Date,
    person_id: PersonId,
    email_id: i64,
    now: i64,
) -> StoreResult<bool> {
    let sql = "INSERT INTO hotline_reminders_sent (line_id, shift_date, person_id, org_id, email_id, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (line_id, shift_date, person_id) DO NOTHING RETURNING person_id";
    let inserted: Option<PersonId> = with_tx!(tx, c => sqlx::query_scalar(sql)
        .bind(line_id).bind(date.to_string()).bind(person_id).bind(org).bind(email_id).bind(now)
        .fetch_optional(c).await)?;
    Ok(inserted.is_some())
}

/// Every line of every organisation (id, organisation): the reminder schedules to ensure.
pub async fn every_line(db: &Db) -> StoreResult<Vec<(LineId, OrgId)>> {
    let sql = "SELECT id, org_id FROM hotline_lines ORDER BY id";
    Ok(with_db!(db, p => sqlx::query_as(sql).fetch_all(p).await)?)
}
