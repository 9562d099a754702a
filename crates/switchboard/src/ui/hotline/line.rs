//! One line's page: what it is, who is on call or on shift now and next, its roster (week grid
//! or on-call periods), its ladders and pool, and its settings. Every form of the page posts
//! to its own handler; a refused form re-renders this page with the error beside that form.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::{Failure, Fields, People, field, fields_named, invalid, local, oncall, subnav, typed};
use crate::accounts::Role;
use crate::accounts::store::Session;
use crate::app::AppState;
use crate::hotline::input::LineInput;
use crate::hotline::model::hours::weekday_name;
use crate::hotline::model::ladder::LadderStep;
use crate::hotline::model::shifts::{format_hhmm, on_shift, parse_hhmm};
use crate::hotline::model::{BusinessHours, Hours, LineKind, Override, RingStrategy, Shift};
use crate::hotline::store::lines::{self, Line};
use crate::hotline::store::roster::{self, OnCallPeriod};
use crate::http::AppError;
use crate::ids::LineId;
use crate::ids::PersonId;
use crate::ui::layout::{csrf, form_error, page};
use crate::ui::web::{UiError, User, field_error, see_other};

/// Everything the line page shows, loaded once.
pub struct LineView {
    pub line: Line,
    pub people: People,
    pub shifts: Vec<Shift>,
    pub overrides: Vec<Override>,
    pub periods: Vec<OnCallPeriod>,
    pub business: Vec<LadderStep>,
    pub after: Vec<LadderStep>,
    pub pool: Vec<PersonId>,
    pub hours_now: Hours,
    pub now: jiff::Timestamp,
    pub simulated: bool,
}

impl LineView {
    /// Loads line `id` of the user's organisation (another organisation's id is a 404).
    pub async fn load(state: &AppState, user: &User, id: LineId) -> Result<LineView, UiError> {
        let (db, org) = (&state.db, user.0.org);
        let line = lines::find_line(db, org, id)
            .await
            .map_err(|e| user.refuse(e))?;
        Ok(LineView {
            people: People::load(state, org).await?,
            shifts: roster::shifts(db, org, id).await?,
            overrides: roster::overrides(db, org, id).await?,
            periods: roster::oncall_periods(db, org, id).await?,
            business: lines::ladder(db, org, id, Hours::Business).await?,
            after: lines::ladder(db, org, id, Hours::After).await?,
            pool: lines::pool(db, org, id).await?,
            hours_now: line.hours_at(state.clock.now()),
            now: state.clock.now(),
            simulated: state.telephony.sim().is_some(),
            line,
        })
    }

    pub fn href(&self) -> String {
        format!("/hotline/lines/{}", self.line.id)
    }
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<LineId>,
) -> Result<Markup, UiError> {
    let view = LineView::load(&state, &user, id).await?;
    Ok(render(&user.0, &view, None))
}

/// Answers a refused form: the line page again, with the error beside `form`.
pub async fn refused(
    state: &AppState,
    user: &User,
    id: LineId,
    form: &'static str,
    err: AppError,
    fields: Fields,
) -> Result<Response, UiError> {
    let (status, error) = field_error(err)?;
    let view = LineView::load(state, user, id).await?;
    let failure = Failure {
        form,
        error,
        fields,
    };
    Ok((status, render(&user.0, &view, Some(&failure))).into_response())
}

pub fn render(session: &Session, v: &LineView, failure: Option<&Failure>) -> Markup {
    let line = &v.line;
    let body = html! {
        (subnav(""))
        p.lead {
            span class=(format!("kind kind-{}", line.kind.as_str())) { (line.kind.as_str()) " line" }
            " · " strong { (line.phone_number) } " · " (line.time_zone) " · "
            span class=(format!("hours hours-{}", v.hours_now.as_str())) #hours-now {
                @match v.hours_now { Hours::Business => "business hours now", Hours::After => "after hours now" }
            }
        }
        p.actions {
            a href=(format!("{}/metrics", v.href())) { "Metrics" } " · "
            a href=(format!("/hotline/incidents?line={}", line.id)) { "Incidents" }
        }
        @if v.simulated { (super::simulate::button(session, v, failure)) }
        (now_and_next(v))
        @match line.kind {
            LineKind::Shift => {
                (super::roster::week_grid(session, v, failure))
                (super::roster::overrides(session, v, failure))
            }
            LineKind::Ladder => {
                (super::roster::oncall_periods(session, v, failure))
                (super::ladder::editors(session, v, failure))
            }
        }
        (settings(session, v, failure))
    };
    page(&line.name, session, "/hotline", body)
}

/// Who takes a call now, and the next change.
fn now_and_next(v: &LineView) -> Markup {
    let tz = v.line.time_zone.tz().clone();
    let now = v.now.as_millisecond();
    html! {
        section.card #now-next {
            h2 { "Now and next" }
            @match v.line.kind {
                LineKind::Ladder => {
                    @let current = oncall::oncall_in(&v.periods, now);
                    p #oncall-now {
                        "On call now: primary " strong { (v.people.name_opt(current.primary)) }
                        ", secondary " strong { (v.people.name_opt(current.secondary)) } "."
                    }
                    p #oncall-next {
                        @match oncall::next_oncall_change(&v.periods, now) {
                            Some((at, next)) => {
                                "Next: from " (local(at, &tz)) ", primary " strong { (v.people.name_opt(next.primary)) }
                                ", secondary " strong { (v.people.name_opt(next.secondary)) } "."
                            }
                            None => { "No change scheduled." }
                        }
                    }
                }
                LineKind::Shift => {
                    @let current = on_shift(&v.shifts, &v.overrides, &tz, v.now);
                    p #onshift-now { "On shift now: " strong { (v.people.names(&current)) } "." }
                    p #onshift-next {
                        @match oncall::next_shift_change(&v.shifts, &v.overrides, &tz, v.now) {
                            Some((at, next)) => {
                                "Next: from " (local(at.as_millisecond(), &tz)) ", " strong { (v.people.names(&next)) } "."
                            }
                            None => { "No change in the coming week." }
                        }
                    }
                }
            }
        }
    }
}

const SETTINGS: &str = "settings";

fn settings(session: &Session, v: &LineView, failure: Option<&Failure>) -> Markup {
    let line = &v.line;
    let f = Failure::of(failure, SETTINGS);
    let admin = session.role.allows(Role::Admin);
    let bh = &line.business_hours;
    let days: Vec<String> = match f {
        Some(f) => fields_named(&f.fields, "weekday")
            .map(str::to_string)
            .collect(),
        None => bh.weekdays.iter().map(u8::to_string).collect(),
    };
    let strategy = typed(f, "ring_strategy", line.ring_strategy.as_str());
    html! {
        section.card #settings {
            h2 { "Settings" }
            @if !admin {
                p.muted { "Only admins and owners change a line's settings." }
            } @else {
                (form_error(f.map(|f| &f.error)))
                form.grid method="post" action=(v.href()) {
                    (csrf(session))
                    div { label for="name" { "Name" }
                        input #name name="name" required value=(typed(f, "name", line.name.clone())) aria-invalid=[invalid(f, "name")]; }
                    div { label for="phone_number" { "Number" }
                        input #phone_number name="phone_number" value=(typed(f, "phone_number", line.phone_number.clone())) aria-invalid=[invalid(f, "phone_number")]; }
                    div { label for="time_zone" { "Time zone" }
                        input #time_zone name="time_zone" value=(typed(f, "time_zone", line.time_zone.name())) aria-invalid=[invalid(f, "time_zone")]; }
                    div { label for="kind" { "Kind" } (kind_select(&typed(f, "kind", line.kind.as_str()))) }
                    div { label for="business_start" { "Business hours start" }
                        input #business_start name="business_start" value=(typed(f, "business_start", format_hhmm(bh.start_minute))) aria-invalid=[invalid(f, "business_start")]; }
                    div { label for="business_end" { "Business hours end" }
                        input #business_end name="business_end" value=(typed(f, "business_end", format_hhmm(bh.end_minute))) aria-invalid=[invalid(f, "business_end")]; }
                    div.wide { label { "Business days" }
                        span.days {
                            @for d in 1..=7u8 {
                                label.check { input type="checkbox" name="weekday" value=(d) checked[days.contains(&d.to_string())]; (&weekday_name(d)[..3]) }
                            }
                        }
                    }
                    div { label for="holidays" { "Holidays (comma separated)" }
                        input #holidays name="holidays" placeholder="2026-12-25" value=(typed(f, "holidays", bh.holidays.join(", "))) aria-invalid=[invalid(f, "holidays")]; }
                    div { label for="ring_strategy" { "Several on shift" }
                        select #ring_strategy name="ring_strategy" {
                            @for s in [RingStrategy::Sequential, RingStrategy::Simultaneous] {
                                option value=(s.as_str()) selected[s.as_str() == strategy] {
                                    @match s { RingStrategy::Sequential => "ring one after another", RingStrategy::Simultaneous => "ring all at once" }
                                }
                            }
                        }
                    }
                    div { label for="ring_timeout_secs" { "Ring timeout (s)" }
                        input #ring_timeout_secs name="ring_timeout_secs" type="number" value=(typed(f, "ring_timeout_secs", line.ring_timeout_secs.to_string())) aria-invalid=[invalid(f, "ring_timeout_secs")]; }
                    div { label for="notify_emails" { "Voicemail emails (comma separated)" }
                        input #notify_emails name="notify_emails" value=(typed(f, "notify_emails", line.notify_emails.join(", "))) aria-invalid=[invalid(f, "notify_emails")]; }
                    div { label for="reminder_time" { "Daily reminder at" }
                        input #reminder_time name="reminder_time" value=(typed(f, "reminder_time", format_hhmm(line.reminder_minute))) aria-invalid=[invalid(f, "reminder_time")]; }
                    div { button type="submit" { "Save settings" } }
                }
            }
        }
    }
}

pub fn kind_select(selected: &str) -> Markup {
    html! {
        select #kind name="kind" {
            option value="shift" selected[selected == "shift"] { "shift line (volunteer group)" }
            option value="ladder" selected[selected == "ladder"] { "ladder line (on-call escalation)" }
        }
    }
}

fn split_list(raw: &str) -> Vec<String> {
    raw.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn hhmm(fields: &Fields, name: &str) -> Result<Option<u16>, AppError> {
    let raw = field(fields, name).trim();
    if raw.is_empty() {
        return Ok(None);
    }
    parse_hhmm(raw)
        .map(Some)
        .ok_or_else(|| AppError::field(name, format!("'{raw}' is not a time like 09:00")))
}

/// A line form's fields as the API's `LineInput` (validated by its `validate`).
pub fn line_input(fields: &Fields) -> Result<LineInput, AppError> {
    let kind: LineKind = field(fields, "kind")
        .parse()
        .map_err(|_| AppError::field("kind", "choose shift or ladder"))?;
    let optional =
        |name: &str| Some(field(fields, name).trim().to_string()).filter(|s| !s.is_empty());
    let mut hours = BusinessHours::weekdays_8_to_6();
    if fields.iter().any(|(k, _)| k == "business_start") {
        hours.start_minute = hhmm(fields, "business_start")?.unwrap_or(hours.start_minute);
        hours.end_minute = hhmm(fields, "business_end")?.unwrap_or(hours.end_minute);
        if hours.start_minute >= hours.end_minute {
            return Err(AppError::field("business_end", "must be after the start"));
        }
        hours.weekdays = fields_named(fields, "weekday")
            .map(|d| {
                d.trim()
                    .parse()
                    .map_err(|_| AppError::field("weekday", "use 1 (Monday) to 7 (Sunday)"))
            })
            .collect::<Result<_, _>>()?;
        hours.holidays = split_list(field(fields, "holidays"));
        // Named as the form names them (the API's names are business_hours.*).
        hours.validate().map_err(|(name, message)| {
            let name = match name {
                "weekdays" => "weekday",
                "end_minute" => "business_end",
                other => other,
            };
            AppError::field(name, message)
        })?;
    }
    let ring_timeout_secs = match optional("ring_timeout_secs") {
        None => None,
        Some(raw) => Some(raw.parse().map_err(|_| {
            AppError::field(
                "ring_timeout_secs",
                format!("'{raw}' is not a number of seconds"),
            )
        })?),
    };
    let ring_strategy =
        match optional("ring_strategy") {
            None => None,
            Some(raw) => Some(raw.parse::<RingStrategy>().map_err(|_| {
                AppError::field("ring_strategy", "choose sequential or simultaneous")
            })?),
        };
    Ok(LineInput {
        name: field(fields, "name").to_string(),
        kind,
        phone_number: field(fields, "phone_number").to_string(),
        time_zone: optional("time_zone"),
        business_hours: Some(hours),
        ring_strategy,
        ring_timeout_secs,
        notify_emails: split_list(field(fields, "notify_emails")),
        reminder_time: optional("reminder_time"),
    })
}

/// Saves the settings form (admins and owners).
pub async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<LineId>,
    Form(fields): Form<Fields>,
) -> Result<Response, UiError> {
    user.check_csrf(field(&fields, "_csrf"))?;
    user.require(Role::Admin)?;
    let org = user.0.org;
    lines::find_line(&state.db, org, id)
        .await
        .map_err(|e| user.refuse(e))?;
    let saved = match line_input(&fields).and_then(LineInput::validate) {
        Ok(settings) => {
            match lines::update_line(&state.db, org, id, &settings, state.clock.now_ms()).await {
                Ok(line) => crate::hotline::after_line_saved(&state, org, &line)
                    .await
                    .map(|()| line),
                Err(e) => Err(e.into()),
            }
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("/hotline/lines/{id}#settings"))),
        Err(e) => refused(&state, &user, id, SETTINGS, e, fields).await,
    }
}
