//! The roster on a line's page: the week grid of shifts (add, remove), overrides, and on-call
//! periods. Managers and above change them; a changed shift emails its person a notice.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use jiff::tz::TimeZone;
use maud::{Markup, html};

use super::line::{LineView, refused};
use super::{Failure, Fields, field, invalid, local, typed};
use crate::accounts::Role;
use crate::accounts::store::Session;
use crate::app::AppState;
use crate::hotline::input::{NewOnCall, NewOverride, NewShift};
use crate::hotline::model::hours::weekday_name;
use crate::hotline::model::shifts::{format_hhmm, on_shift_in_hour};
use crate::hotline::store::{lines, roster};
use crate::http::AppError;
use crate::ids::LineId;
use crate::ids::PersonId;
use crate::ui::layout::{csrf, form_error};
use crate::ui::web::{UiError, User, see_other};

const SHIFT: &str = "shift";
const OVERRIDE: &str = "override";
const ONCALL: &str = "oncall";

fn remove_button(session: &Session, action: String, label: String) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf(session))
            button.secondary.small type="submit" title=(label) aria-label=(label) { "Remove" }
        }
    }
}

/// Seven columns (Monday to Sunday) by 24 hours in the line's time zone; each cell names who
/// is on shift during that hour. Below it, the shifts with remove buttons and the add form.
pub fn week_grid(session: &Session, v: &LineView, failure: Option<&Failure>) -> Markup {
    let names = v.people.map();
    let local_now = v.now.to_zoned(v.line.time_zone.tz().clone());
    let (today, this_hour) = (
        local_now.weekday().to_monday_one_offset() as u8,
        local_now.hour() as u8,
    );
    let manager = session.role.allows(Role::Manager);
    let f = Failure::of(failure, SHIFT);
    let base = v.href();
    html! {
        section.card #shifts {
            h2 { "Week of shifts" }
            p.muted { "Hours in " (v.line.time_zone) ". The highlighted cell is now." }
            div.scroll {
                table.week #week-grid {
                    thead { tr { th {} @for d in 1..=7u8 { th scope="col" { (weekday_name(d)) } } } }
                    tbody {
                        @for hour in 0..24u8 {
                            tr {
                                th scope="row" { (format_hhmm(u16::from(hour) * 60)) }
                                @for d in 1..=7u8 {
                                    @let who = on_shift_in_hour(&v.shifts, d, hour);
                                    @let now = d == today && hour == this_hour;
                                    td.now[now].filled[!who.is_empty()] id=(format!("cell-{d}-{hour}")) {
                                        @for p in &who {
                                            span.who { (names.get(p).copied().unwrap_or("?")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Shifts" }
            @if v.shifts.is_empty() { p.muted { "No shifts yet." } } @else {
                table #shift-list {
                    thead { tr { th { "Day" } th { "From" } th { "To" } th { "Who" } th {} } }
                    tbody {
                        @for s in &v.shifts {
                            tr id=(format!("shift-{}", s.id)) {
                                td { (weekday_name(s.weekday)) }
                                td { (format_hhmm(s.start_minute)) }
                                td { (format_hhmm(s.end_minute)) }
                                td { (v.people.name(s.person_id)) }
                                td { @if manager {
                                    (remove_button(session, format!("{base}/shifts/{}/delete", s.id),
                                        format!("Remove {} {} {}", v.people.name(s.person_id), weekday_name(s.weekday), format_hhmm(s.start_minute))))
                                } }
                            }
                        }
                    }
                }
            }
            @if manager {
                h3 { "Add a shift" }
                (form_error(f.map(|f| &f.error)))
                form.grid #add-shift method="post" action=(format!("{base}/shifts")) {
                    (csrf(session))
                    div { label for="shift-person" { "Person" }
                        (v.people.select("person_id", "shift-person", &typed(f, "person_id", ""), None)) }
                    div { label for="shift-weekday" { "Day" }
                        @let day = typed(f, "weekday", "1");
                        select #shift-weekday name="weekday" aria-invalid=[invalid(f, "weekday")] {
                            @for d in 1..=7u8 { option value=(d) selected[day == d.to_string()] { (weekday_name(d)) } }
                        }
                    }
                    div { label for="shift-start" { "Start" }
                        input #shift-start name="start" placeholder="09:00" required value=(typed(f, "start", "")) aria-invalid=[invalid(f, "start")]; }
                    div { label for="shift-end" { "End" }
                        input #shift-end name="end" placeholder="17:00" required value=(typed(f, "end", "")) aria-invalid=[invalid(f, "end")]; }
                    div { button type="submit" { "Add shift" } }
                }
            }
        }
    }
}

pub fn overrides(session: &Session, v: &LineView, failure: Option<&Failure>) -> Markup {
    let manager = session.role.allows(Role::Manager);
    let f = Failure::of(failure, OVERRIDE);
    let base = v.href();
    html! {
        section.card #overrides {
            h2 { "Overrides" }
            p.muted { "Someone covers a date range, for one person or for everyone on shift." }
            @if v.overrides.is_empty() { p.muted { "No overrides." } } @else {
                table #override-list {
                    thead { tr { th { "Who covers" } th { "For" } th { "From" } th { "To" } th { "Hours" } th {} } }
                    tbody {
                        @for o in &v.overrides {
                            tr id=(format!("override-{}", o.id)) {
                                td { (v.people.name(o.person_id)) }
                                td { @match o.replaces_person_id { Some(p) => (v.people.name(p)), None => "everyone on shift" } }
                                td { (o.starts_on) } td { (o.ends_on) }
                                td { (format_hhmm(o.start_minute)) "–" (format_hhmm(o.end_minute)) }
                                td { @if manager {
                                    (remove_button(session, format!("{base}/overrides/{}/delete", o.id), format!("Remove the override of {}", v.people.name(o.person_id))))
                                } }
                            }
                        }
                    }
                }
            }
            @if manager {
                h3 { "Add an override" }
                (form_error(f.map(|f| &f.error)))
                form.grid #add-override method="post" action=(format!("{base}/overrides")) {
                    (csrf(session))
                    div { label for="override-person" { "Who covers" }
                        (v.people.select("person_id", "override-person", &typed(f, "person_id", ""), None)) }
                    div { label for="override-replaces" { "In place of" }
                        (v.people.select("replaces_person_id", "override-replaces", &typed(f, "replaces_person_id", ""), Some("everyone on shift"))) }
                    div { label for="starts_on" { "From (date)" }
                        input #starts_on name="starts_on" type="date" required value=(typed(f, "starts_on", "")) aria-invalid=[invalid(f, "starts_on")]; }
                    div { label for="ends_on" { "To (date)" }
                        input #ends_on name="ends_on" type="date" required value=(typed(f, "ends_on", "")) aria-invalid=[invalid(f, "ends_on")]; }
                    div { label for="override-start" { "Daily from" }
                        input #override-start name="start" placeholder="00:00" value=(typed(f, "start", "")) aria-invalid=[invalid(f, "start")]; }
                    div { label for="override-end" { "Daily until" }
                        input #override-end name="end" placeholder="24:00" value=(typed(f, "end", "")) aria-invalid=[invalid(f, "end")]; }
                    div { button type="submit" { "Add override" } }
                }
            }
        }
    }
}

pub fn oncall_periods(session: &Session, v: &LineView, failure: Option<&Failure>) -> Markup {
    let manager = session.role.allows(Role::Manager);
    let f = Failure::of(failure, ONCALL);
    let tz = v.line.time_zone.tz().clone();
    let base = v.href();
    let now = v.now.as_millisecond();
    html! {
        section.card #oncall {
            h2 { "On-call periods" }
            @if v.periods.is_empty() { p.muted { "Nobody is scheduled on call." } } @else {
                table #oncall-list {
                    thead { tr { th { "Primary" } th { "Secondary" } th { "From" } th { "Until" } th {} } }
                    tbody {
                        @for p in &v.periods {
                            tr id=(format!("oncall-{}", p.id)) class=[(p.starts_at <= now && now < p.ends_at).then_some("current")] {
                                td { (v.people.name_opt(p.primary_person_id)) }
                                td { (v.people.name_opt(p.secondary_person_id)) }
                                td { (local(p.starts_at, &tz)) } td { (local(p.ends_at, &tz)) }
                                td { @if manager {
                                    (remove_button(session, format!("{base}/oncall/{}/delete", p.id), "Remove this on-call period".into()))
                                } }
                            }
                        }
                    }
                }
            }
            @if manager {
                h3 { "Add an on-call period" }
                (form_error(f.map(|f| &f.error)))
                form.grid #add-oncall method="post" action=(format!("{base}/oncall")) {
                    (csrf(session))
                    div { label for="oncall-primary" { "Primary" }
                        (v.people.select("primary_person_id", "oncall-primary", &typed(f, "primary_person_id", ""), Some("—"))) }
                    div { label for="oncall-secondary" { "Secondary" }
                        (v.people.select("secondary_person_id", "oncall-secondary", &typed(f, "secondary_person_id", ""), Some("—"))) }
                    div { label for="starts_at" { "From (" (v.line.time_zone) ")" }
                        input #starts_at name="starts_at" type="datetime-local" required value=(typed(f, "starts_at", "")) aria-invalid=[invalid(f, "starts_at")]; }
                    div { label for="ends_at" { "Until" }
                        input #ends_at name="ends_at" type="datetime-local" required value=(typed(f, "ends_at", "")) aria-invalid=[invalid(f, "ends_at")]; }
                    div { button type="submit" { "Add period" } }
                }
            }
        }
    }
}

fn person_id(fields: &Fields, name: &str) -> Result<Option<PersonId>, AppError> {
    let raw = field(fields, name).trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| AppError::field(name, format!("'{raw}' is not a person")))
}

fn required_person(fields: &Fields, name: &str) -> Result<PersonId, AppError> {
    person_id(fields, name)?.ok_or_else(|| AppError::field(name, "choose a person"))
}

/// The checks every roster change starts with: the form's token, the role, the line.
async fn guard(state: &AppState, user: &User, id: LineId, fields: &Fields) -> Result<(), UiError> {
    user.check_csrf(field(fields, "_csrf"))?;
    user.require(Role::Manager)?;
    lines::find_line(&state.db, user.0.org, id)
        .await
        .map_err(|e| user.refuse(e))?;
    Ok(())
}

pub async fn add_shift(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<LineId>,
    Form(fields): Form<Fields>,
) -> Result<Response, UiError> {
    guard(&state, &user, id, &fields).await?;
    let org = user.0.org;
    let added = async {
        let day = field(&fields, "weekday").trim();
        let shift = NewShift {
            person_id: required_person(&fields, "person_id")?,
            // The form sends 1-7; the API also takes day names.
            weekday: day
                .parse::<u8>()
                .map_or_else(|_| serde_json::Value::from(day), serde_json::Value::from),
            start: field(&fields, "start").to_string(),
            end: field(&fields, "end").to_string(),
        };
        crate::hotline::rostering::add_shift(&state, org, id, shift).await
    }
    .await;
    match added {
        Ok(_) => Ok(see_other(&format!("/hotline/lines/{id}#shifts"))),
        Err(e) => refused(&state, &user, id, SHIFT, e, fields).await,
    }
}

pub async fn remove_shift(
    State(state): State<AppState>,
    user: User,
    Path((id, item)): Path<(LineId, i64)>,
    Form(fields): Form<Fields>,
) -> Result<Response, UiError> {
    guard(&state, &user, id, &fields).await?;
    let org = user.0.org;
    crate::hotline::rostering::remove_shift(&state, org, id, item)
        .await
        .map_err(|e| user.refuse(e))?;
    Ok(see_other(&format!("/hotline/lines/{id}#shifts")))
}

pub async fn add_override(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<LineId>,
    Form(fields): Form<Fields>,
) -> Result<Response, UiError> {
    guard(&state, &user, id, &fields).await?;
    let org = user.0.org;
    let optional =
        |name: &str| Some(field(&fields, name).trim().to_string()).filter(|s| !s.is_empty());
    let added = async {
        let o = NewOverride {
            person_id: required_person(&fields, "person_id")?,
            replaces_person_id: person_id(&fields, "replaces_person_id")?,
            starts_on: field(&fields, "starts_on").trim().to_string(),
            ends_on: field(&fields, "ends_on").trim().to_string(),
            start: optional("start"),
            end: optional("end"),
        };
        crate::hotline::rostering::add_override(&state, org, id, o).await
    }
    .await;
    match added {
        Ok(_) => Ok(see_other(&format!("/hotline/lines/{id}#overrides"))),
        Err(e) => refused(&state, &user, id, OVERRIDE, e, fields).await,
    }
}

pub async fn remove_override(
    State(state): State<AppState>,
    user: User,
    Path((id, item)): Path<(LineId, i64)>,
    Form(fields): Form<Fields>,
) -> Result<Response, UiError> {
    guard(&state, &user, id, &fields).await?;
    roster::delete_override(&state.db, user.0.org, id, item)
        .await
        .map_err(|e| user.refuse(e))?;
    Ok(see_other(&format!("/hotline/lines/{id}#overrides")))
}

/// A `datetime-local` value ("2026-03-02T09:00", in the line's time zone) or an RFC 3339
/// instant, as the RFC 3339 text `NewOnCall` expects.
fn instant(fields: &Fields, name: &str, tz: &TimeZone) -> Result<String, AppError> {
    let raw = field(fields, name).trim();
    if let Ok(t) = raw.parse::<jiff::Timestamp>() {
        return Ok(t.to_string());
    }
    raw.parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(tz.clone()).ok())
        .map(|z| z.timestamp().to_string())
        .ok_or_else(|| {
            AppError::field(
                name,
                format!("'{raw}' is not a date and time like 2026-03-02T09:00"),
            )
        })
}

pub async fn add_oncall(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<LineId>,
    Form(fields): Form<Fields>,
) -> Result<Response, UiError> {
    guard(&state, &user, id, &fields).await?;
    let org = user.0.org;
    let line = lines::find_line(&state.db, org, id).await?;
    let tz = line.time_zone.tz().clone();
    let added = async {
        let period = NewOnCall {
            primary_person_id: person_id(&fields, "primary_person_id")?,
            secondary_person_id: person_id(&fields, "secondary_person_id")?,
            starts_at: instant(&fields, "starts_at", &tz)?,
            ends_at: instant(&fields, "ends_at", &tz)?,
        };
        crate::hotline::rostering::add_oncall(&state, org, id, period).await
    }
    .await;
    match added {
        Ok(_) => Ok(see_other(&format!("/hotline/lines/{id}#oncall"))),
        Err(e) => refused(&state, &user, id, ONCALL, e, fields).await,
    }
}

pub async fn remove_oncall(
    State(state): State<AppState>,
    user: User,
    Path((id, item)): Path<(LineId, i64)>,
    Form(fields): Form<Fields>,
) -> Result<Response, UiError> {
    guard(&state, &user, id, &fields).await?;
    roster::delete_oncall_period(&state.db, user.0.org, id, item)
        .await
        .map_err(|e| user.refuse(e))?;
    Ok(see_other(&format!("/hotline/lines/{id}#oncall")))
}
