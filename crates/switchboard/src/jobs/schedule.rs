//! Recurring schedules: an RRULE in an IANA time zone that enqueues a job at each occurrence,
//! exactly once across every process sharing the database.
//!
//! Each occurrence becomes a job whose dedup key is `schedule:<id>:<occurrence ms>`, so two
//! processes firing the same occurrence create one job; `next_run_at` moves forward with a
//! compare-and-set. After downtime only the latest missed occurrence fires (a burst of
//! reminders for days that have passed helps nobody); older ones are skipped and logged.

use chrono::TimeZone as _;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::model::EnqueueOptions;
use super::registry::Job;
use crate::accounts::OrgId;
use crate::db::Db;
use crate::{with_db, with_tx, with_write};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ScheduleError {
    #[error("unknown time zone '{0}'")]
    TimeZone(String),
    #[error("invalid RRULE: {0}")]
    Rule(String),
}

/// The first occurrence of `rrule` (an `RRULE:` line or its body) strictly after `after`,
/// with `dtstart` read as wall-clock time in `time_zone`.
pub fn next_occurrence(
    rrule: &str,
    time_zone: &str,
    dtstart: Timestamp,
    after: Timestamp,
) -> Result<Option<Timestamp>, ScheduleError> {
    let tz =
        TimeZone::get(time_zone).map_err(|_| ScheduleError::TimeZone(time_zone.to_string()))?;
    let local = dtstart.to_zoned(tz).datetime();
    let body = rrule.trim().trim_start_matches("RRULE:");
    if body.is_empty() || body.contains('\n') {
        return Err(ScheduleError::Rule(
            "expected one RRULE line such as FREQ=DAILY".into(),
        ));
    }
    let text = format!(
        "DTSTART;TZID={time_zone}:{}\nRRULE:{body}",
        local.strftime("%Y%m%dT%H%M%S")
    );
    let set: rrule::RRuleSet = text
        .parse()
        .map_err(|e: rrule::RRuleError| ScheduleError::Rule(e.to_string()))?;
    // `after` is inclusive in the rrule crate; ask from the next second for "strictly after".
    let from_ms = after.as_millisecond().div_euclid(1000) * 1000 + 1000;
    let from = rrule::Tz::UTC
        .timestamp_millis_opt(from_ms)
        .single()
        .ok_or_else(|| ScheduleError::Rule("time out of range".into()))?;
    let result = set.after(from.with_timezone(&rrule::Tz::UTC)).all(1);
    Ok(result
        .dates
        .first()
        .and_then(|d| Timestamp::from_millisecond(d.timestamp_millis()).ok()))
}

/// Creates or replaces the schedule called `name`, which enqueues `job` at each occurrence.
#[expect(
    clippy::too_many_arguments,
    reason = "a schedule is exactly these parts"
)]
pub async fn upsert<J: Job>(
    db: &Db,
    name: &str,
    org: Option<OrgId>,
    job: &J,
    rrule: &str,
    time_zone: &str,
    dtstart: Timestamp,
    now: Timestamp,
) -> anyhow::Result<()> {
    let next = next_occurrence(
        rrule,
        time_zone,
        dtstart,
        now - jiff::SignedDuration::from_secs(1),
    )?;
    let payload = serde_json::to_string(job)?;
    let sql = "INSERT INTO schedules (org_id, name, kind, payload, rrule, time_zone, dtstart, next_run_at, active, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9, $9) \
               ON CONFLICT (name) DO UPDATE SET kind = $3, payload = $4, rrule = $5, time_zone = $6, dtstart = $7, \
               next_run_at = $8, active = TRUE, updated_at = $9";
    with_write!(db, p => sqlx::query(sql)
        .bind(org).bind(name).bind(J::KIND).bind(payload).bind(rrule).bind(time_zone)
        .bind(dtstart.as_millisecond()).bind(next.map(|t| t.as_millisecond())).bind(now.as_millisecond())
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn deactivate(db: &Db, name: &str, now: i64) -> anyhow::Result<()> {
    let sql = "UPDATE schedules SET active = FALSE, updated_at = $2 WHERE name = $1";
    with_write!(db, p => sqlx::query(sql).bind(name).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Due {
    id: i64,
    org_id: Option<i64>,
    name: String,
    kind: String,
    payload: String,
    rrule: String,
    time_zone: String,
    dtstart: i64,
    next_run_at: i64,
}

/// Fires every schedule whose next occurrence has come. Returns how many jobs this call
/// enqueued (another process may have enqueued the same occurrence first).
pub async fn tick(db: &Db, now: Timestamp) -> anyhow::Result<usize> {
    let sql = "SELECT id, org_id, name, kind, payload, rrule, time_zone, dtstart, next_run_at FROM schedules \
               WHERE active = TRUE AND next_run_at IS NOT NULL AND next_run_at <= $1 ORDER BY next_run_at";
    let due: Vec<Due> = with_db!(db, p => sqlx::query_as::<_, Due>(sql).bind(now.as_millisecond()).fetch_all(p).await)?;
    let mut fired = 0;
    for s in due {
        fired += fire(db, &s, now).await?;
    }
    Ok(fired)
}

async fn fire(db: &Db, s: &Due, now: Timestamp) -> anyhow::Result<usize> {
    let dtstart = crate::clock::from_ms(s.dtstart);
    // Walk to the latest occurrence that is due, skipping older missed ones.
    let mut occurrence = crate::clock::from_ms(s.next_run_at);
    let mut skipped = 0;
    let mut next = next_occurrence(&s.rrule, &s.time_zone, dtstart, occurrence)?;
    while let Some(n) = next.filter(|n| *n <= now) {
        occurrence = n;
        skipped += 1;
        next = next_occurrence(&s.rrule, &s.time_zone, dtstart, occurrence)?;
        if skipped > 100_000 {
            break;
        }
    }
    if skipped > 0 {
        tracing::warn!(
            schedule = s.name,
            skipped,
            "skipped missed occurrences of a schedule; firing the latest"
        );
    }
    let mut tx = db.write().await?;
    let options =
        EnqueueOptions::dedup(format!("schedule:{}:{}", s.id, occurrence.as_millisecond()))
            .at(occurrence.as_millisecond());
    let max_attempts = 8;
    let inserted = super::store::insert(
        &mut tx,
        s.org_id.map(OrgId::new),
        &s.kind,
        &s.payload,
        &options,
        max_attempts,
        now.as_millisecond(),
    )
    .await?;
    let advance = "UPDATE schedules SET next_run_at = $3, last_run_at = $2, updated_at = $4 WHERE id = $1 AND next_run_at = $5";
    with_tx!(&mut tx, c => sqlx::query(advance)
        .bind(s.id).bind(occurrence.as_millisecond()).bind(next.map(|t| t.as_millisecond()))
        .bind(now.as_millisecond()).bind(s.next_run_at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    if inserted.is_some() {
        tracing::info!(schedule = s.name, occurrence = %occurrence, "schedule fired");
    }
    Ok(usize::from(inserted.is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_daily_rule_fires_at_local_wall_clock_time_across_dst() {
        // 09:00 in New York is 14:00Z in winter and 13:00Z in summer.
        let start = ts("2026-03-01T14:00:00Z");
        let next = next_occurrence(
            "FREQ=DAILY",
            "America/New_York",
            start,
            ts("2026-03-07T15:00:00Z"),
        )
        .unwrap();
        assert_eq!(next, Some(ts("2026-03-08T13:00:00Z")));
    }

    #[test]
    fn next_occurrence_is_strictly_after_the_given_instant() {
        let start = ts("2026-01-01T09:00:00Z");
        let next = next_occurrence(
            "RRULE:FREQ=HOURLY",
            "UTC",
            start,
            ts("2026-01-01T10:00:00Z"),
        )
        .unwrap();
        assert_eq!(next, Some(ts("2026-01-01T11:00:00Z")));
    }

    #[test]
    fn monthly_on_the_31st_skips_short_months() {
        let start = ts("2026-01-31T12:00:00Z");
        let next = next_occurrence(
            "FREQ=MONTHLY;BYMONTHDAY=31",
            "UTC",
            start,
            ts("2026-01-31T12:00:00Z"),
        )
        .unwrap();
        assert_eq!(next, Some(ts("2026-03-31T12:00:00Z")));
    }

    #[test]
    fn a_finished_rule_has_no_next_occurrence() {
        let start = ts("2026-01-01T09:00:00Z");
        let next = next_occurrence(
            "FREQ=DAILY;COUNT=2",
            "UTC",
            start,
            ts("2026-01-02T09:00:00Z"),
        )
        .unwrap();
        assert_eq!(next, None);
    }

    #[test]
    fn bad_rules_and_zones_are_named() {
        let start = ts("2026-01-01T09:00:00Z");
        assert_eq!(
            next_occurrence("FREQ=DAILY", "Mars/Olympus", start, start),
            Err(ScheduleError::TimeZone("Mars/Olympus".into()))
        );
        assert!(matches!(
            next_occurrence("FREQ=SOMETIMES", "UTC", start, start),
            Err(ScheduleError::Rule(_))
        ));
    }
}
