//! Email notices when someone's shifts change.

use super::model::Shift;
use super::model::hours::weekday_name;
use super::model::shifts::format_hhmm;
use super::store::lines;
use crate::accounts::{self, OrgId};
use crate::http::AppResult;
use crate::ids::LineId;
use crate::ids::PersonId;
use crate::notify::{self, Email};
use crate::services::Services;

/// Tells `person_id` by email that a weekly shift of theirs on line `line_id` was `change`d
/// ("added" or "removed"). People without an email address are skipped.
pub async fn shift_changed(
    state: &Services,
    org: OrgId,
    line_id: LineId,
    person_id: PersonId,
    change: &str,
    shift: &Shift,
) -> AppResult<()> {
    let person = accounts::store::find_person(&state.db, org, person_id).await?;
    let Some(to) = person.email.filter(|_| person.active) else {
        return Ok(());
    };
    let line = lines::find_line(&state.db, org, line_id).await?;
    let when = format!(
        "{} {}-{}",
        weekday_name(shift.weekday),
        format_hhmm(shift.start_minute),
        format_hhmm(shift.end_minute)
    );
    let email = Email {
        to,
        subject: format!("Your shifts on {} changed", line.name),
        body: format!(
            "Hello {},\n\nA weekly shift of yours on {} was {change}: {when} ({}).\n\nYour calendar feed shows your current shifts.\n",
            person.name, line.name, line.time_zone
        ),
    };
    let mut tx = state.db.write().await?;
    notify::queue(&mut tx, Some(org), &email, state.clock.now_ms()).await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(())
}
