//! Daily shift reminders (the volunteer line's brief: "batch email sending to volunteers for the next day, to
//! remind them they have a shift"). Each line has one schedule, `FREQ=DAILY` at the line's
//! `reminder_minute` in its time zone; each occurrence emails every active volunteer with an
//! email address their shifts of the next local day, overrides applied.

use anyhow::Context as _;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::accounts::{self, OrgId};
use crate::error::StoreError;
use crate::hotline::model::shifts::{format_hhmm, shifts_of_person_on};
use crate::hotline::store::lines::{self, Line};
use crate::hotline::store::{reminders, roster};
use crate::ids::LineId;
use crate::jobs::{Job, JobContext, schedule};
use crate::notify::{self, Email};
use crate::services::Services;

/// The schedule of `line_id`'s reminders (schedule names are global; line ids are too).
pub fn schedule_name(line_id: LineId) -> String {
    format!("hotline:reminders:line:{line_id}")
}

/// Creates or moves the reminder schedule of `line` (after a create or an update).
pub async fn sync_line(state: &Services, org: OrgId, line: &Line) -> anyhow::Result<()> {
    let tz = line.time_zone.tz().clone();
    let now = state.clock.now();
    let minute = line.reminder_minute.min(24 * 60 - 1);
    // The schedule starts today at the reminder time, local; FREQ=DAILY repeats that wall time.
    let dtstart = now
        .to_zoned(tz.clone())
        .date()
        .at((minute / 60) as i8, (minute % 60) as i8, 0, 0)
        .to_zoned(tz)?
        .timestamp();
    let job = SendShiftReminders { line_id: line.id };
    schedule::upsert(
        &state.db,
        &schedule_name(line.id),
        Some(org),
        &job,
        "FREQ=DAILY",
        line.time_zone.name(),
        dtstart,
        now,
    )
    .await
}

/// Stops the reminders of a deleted line.
pub async fn remove_line(state: &Services, line_id: LineId) -> anyhow::Result<()> {
    schedule::deactivate(&state.db, &schedule_name(line_id), state.clock.now_ms()).await
}

/// Makes sure every line has its reminder schedule (run at every start; idempotent).
pub async fn ensure_schedules(state: &Services) -> anyhow::Result<()> {
    for (line_id, org) in reminders::every_line(&state.db).await? {
        let line = lines::find_line(&state.db, org, line_id).await?;
        sync_line(state, org, &line).await?;
    }
    Ok(())
}

/// Emails tomorrow's shifts of one line to its volunteers.
#[derive(Debug, Serialize, Deserialize)]
pub struct SendShiftReminders {
    pub line_id: LineId,
}

impl Job for SendShiftReminders {
    const KIND: &'static str = "hotline_shift_reminders";
    type State = ();

    async fn run(self, ctx: JobContext, (): ()) -> anyhow::Result<()> {
        let state = &ctx.services;
        let org = ctx
            .org
            .context("a reminder job belongs to an organisation")?;
        let line = match lines::find_line(&state.db, org, self.line_id).await {
            Ok(line) => line,
            Err(StoreError::NotFound(_)) => return Ok(()), // deleted since the schedule fired
            Err(e) => return Err(e.into()),
        };
        // "Tomorrow" counts from when the schedule fired, not from this attempt: a retry
        // after midnight still reminds people of the same day.
        let fired_at = crate::jobs::store::find(&state.db, ctx.job_id)
            .await?
            .map_or_else(
                || state.clock.now(),
                |j| crate::clock::from_ms(j.created_at),
            );
        let tomorrow = fired_at
            .to_zoned(line.time_zone.tz().clone())
            .date()
            .tomorrow()?;
        let sent = remind(state, org, &line, tomorrow).await?;
        tracing::info!(
            line.id = %line.id,
            date = %tomorrow,
            sent,
            "shift reminders sent"
        );
        Ok(())
    }
}

/// Queues one email per volunteer with shifts on `date`, skipping those already reminded.
/// Returns how many emails were queued.
pub async fn remind(
    state: &Services,
    org: OrgId,
    line: &Line,
    date: Date,
) -> anyhow::Result<usize> {
    let shifts = roster::shifts(&state.db, org, line.id).await?;
    let overrides = roster::overrides(&state.db, org, line.id).await?;
    let people = accounts::store::list_people(&state.db, org).await?;
    let mut queued = 0;
    for person in people.iter().filter(|p| p.active) {
        let Some(to) = person.email.clone() else {
            continue;
        };
        let spans = shifts_of_person_on(&shifts, &overrides, person.id, date);
        if spans.is_empty() {
            continue;
        }
        let email = reminder_email(&person.name, &to, line, date, &spans);
        let now = state.clock.now_ms();
        let mut tx = state.db.write().await?;
        let email_id = notify::queue(&mut tx, Some(org), &email, now).await?;
        if reminders::record_reminder(&mut tx, org, line.id, date, person.id, email_id, now).await?
        {
            tx.commit().await?;
            queued += 1;
        } // else: reminded already; dropping `tx` rolls the email back.
    }
    if queued > 0 {
        state.wake_workers();
    }
    Ok(queued)
}

/// "Your shifts on Community Line tomorrow, Tuesday 3 March: 09:00-17:00 (America/New_York)".
pub fn reminder_email(
    name: &str,
    to: &str,
    line: &Line,
    date: Date,
    spans: &[(u16, u16)],
) -> Email {
    let times = spans
        .iter()
        .map(|(from, to)| format!("{}-{}", format_hhmm(*from), format_hhmm(*to)))
        .collect::<Vec<_>>()
        .join(", ");
    let day = date.strftime("%A %-d %B");
    let summary = format!(
        "Your shifts on {} tomorrow, {day}: {times} ({})",
        line.name, line.time_zone
    );
    Email {
        to: to.to_string(),
        subject: format!("Your shifts on {} tomorrow, {day}", line.name),
        body: format!(
            "Hello {name},\n\n{summary}.\n\nIf you cannot make it, please tell your coordinator.\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hotline::model::{BusinessHours, LineKind, RingStrategy};

    fn line() -> Line {
        Line {
            id: LineId::new(1),
            name: "Community Line".into(),
            kind: LineKind::Shift,
            phone_number: "+15005550200".into(),
            time_zone: crate::zone::Zone::parse("America/New_York").unwrap(),
            business_hours: BusinessHours::weekdays_8_to_6(),
            ring_strategy: RingStrategy::Sequential,
            ring_timeout_secs: 20,
            notify_emails: Vec::new(),
            reminder_minute: 18 * 60,
            pool_position: 0,
            created_at: 0,
        }
    }

    #[test]
    fn a_reminder_names_the_line_the_day_and_each_span_in_local_time() {
        let date: Date = "2026-03-03".parse().unwrap();
        let email = reminder_email(
            "Vera Rubin",
            "vera@example.org",
            &line(),
            date,
            &[(540, 720), (780, 1020)],
        );
        assert_eq!(email.to, "vera@example.org");
        assert_eq!(
            email.subject,
            "Your shifts on Community Line tomorrow, Tuesday 3 March"
        );
        assert!(
            email.body.contains(
                "Your shifts on Community Line tomorrow, Tuesday 3 March: 09:00-12:00, 13:00-17:00 (America/New_York)."
            ),
            "{}",
            email.body
        );
    }

    #[test]
    fn schedule_names_are_per_line() {
        assert_eq!(schedule_name(LineId::new(7)), "hotline:reminders:line:7");
    }
}
