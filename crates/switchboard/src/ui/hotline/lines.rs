//! /hotline: every line with who takes its calls right now, and the form that creates one.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::line::{kind_select, line_input};
use super::{Failure, Fields, People, field, invalid, oncall, subnav, typed};
use crate::accounts::Role;
use crate::accounts::store::Session;
use crate::app::AppState;
use crate::hotline::input::LineInput;
use crate::hotline::model::shifts::on_shift;
use crate::hotline::model::{Hours, LineKind};
use crate::hotline::store::lines::{self, Line};
use crate::hotline::store::roster;
use crate::ui::layout::{csrf, form_error, page};
use crate::ui::web::{UiError, User, field_error, see_other};

/// A line with who takes its calls now.
struct Row {
    line: Line,
    now: String,
    hours: Hours,
}

async fn rows(state: &AppState, user: &User) -> Result<Vec<Row>, UiError> {
    let org = user.0.org;
    let people = People::load(state, org).await?;
    let now = state.clock.now();
    let mut rows = Vec::new();
    for line in lines::list_lines(&state.db, org).await? {
        let who = match line.kind {
            LineKind::Ladder => {
                let periods = roster::oncall_periods(&state.db, org, line.id).await?;
                let pair = oncall::oncall_in(&periods, now.as_millisecond());
                format!(
                    "on call: {} (primary), {} (secondary)",
                    people.name_opt(pair.primary),
                    people.name_opt(pair.secondary)
                )
            }
            LineKind::Shift => {
                let shifts = roster::shifts(&state.db, org, line.id).await?;
                let overrides = roster::overrides(&state.db, org, line.id).await?;
                let ids = on_shift(&shifts, &overrides, line.time_zone.tz(), now);
                format!("on shift: {}", people.names(&ids))
            }
        };
        rows.push(Row {
            hours: line.hours_at(state.clock.now()),
            now: who,
            line,
        });
    }
    Ok(rows)
}

pub async fn list(State(state): State<AppState>, user: User) -> Result<Markup, UiError> {
    let rows = rows(&state, &user).await?;
    Ok(render(&user.0, &rows, None))
}

const CREATE: &str = "create";

fn render(session: &Session, rows: &[Row], failure: Option<&Failure>) -> Markup {
    let f = Failure::of(failure, CREATE);
    let body = html! {
        (subnav("/hotline"))
        @if rows.is_empty() {
            p.muted { "No lines yet." }
        } @else {
            table #lines {
                thead { tr { th { "Line" } th { "Kind" } th { "Number" } th { "Time zone" } th { "Now" } th { "Hours" } th {} } }
                tbody {
                    @for r in rows {
                        tr id=(format!("line-{}", r.line.id)) {
                            td { a href=(format!("/hotline/lines/{}", r.line.id)) { (r.line.name) } }
                            td { span class=(format!("kind kind-{}", r.line.kind.as_str())) { (r.line.kind.as_str()) } }
                            td { (r.line.phone_number) }
                            td { (r.line.time_zone) }
                            td.who-now { (r.now) }
                            td { span class=(format!("hours hours-{}", r.hours.as_str())) {
                                @match r.hours { Hours::Business => "business hours", Hours::After => "after hours" }
                            } }
                            td { a href=(format!("/hotline/lines/{}/metrics", r.line.id)) { "Metrics" } }
                        }
                    }
                }
            }
        }
        @if session.role.allows(Role::Admin) {
            h2 { "Add a line" }
            (form_error(f.map(|f| &f.error)))
            form.grid #add-line method="post" action="/hotline" {
                (csrf(session))
                div { label for="name" { "Name" }
                    input #name name="name" required value=(typed(f, "name", "")) aria-invalid=[invalid(f, "name")]; }
                div { label for="kind" { "Kind" } (kind_select(&typed(f, "kind", "shift"))) }
                div { label for="phone_number" { "Twilio number" }
                    input #phone_number name="phone_number" type="tel" placeholder="+15005550300" required value=(typed(f, "phone_number", "")) aria-invalid=[invalid(f, "phone_number")]; }
                div { label for="time_zone" { "Time zone" }
                    input #time_zone name="time_zone" value=(typed(f, "time_zone", "America/New_York")) aria-invalid=[invalid(f, "time_zone")]; }
                div { button type="submit" { "Add line" } }
            }
            p.muted { "A new line starts with business hours Monday to Friday 08:00-18:00 and the on-call routing API's two default ladders; change them on its page." }
        } @else {
            p.muted { "Only admins and owners add lines." }
        }
    };
    page("Hotline", session, "/hotline", body)
}

pub async fn create(
    State(state): State<AppState>,
    user: User,
    Form(fields): Form<Fields>,
) -> Result<Response, UiError> {
    user.check_csrf(field(&fields, "_csrf"))?;
    user.require(Role::Admin)?;
    let created = match line_input(&fields).and_then(LineInput::validate) {
        Ok(settings) => {
            match lines::create_line(&state.db, user.0.org, &settings, state.clock.now_ms()).await {
                Ok(line) => crate::hotline::after_line_saved(&state, user.0.org, &line)
                    .await
                    .map(|()| line),
                Err(e) => Err(e.into()),
            }
        }
        Err(e) => Err(e),
    };
    match created {
        Ok(line) => Ok(see_other(&format!("/hotline/lines/{}", line.id))),
        Err(e) => {
            let (status, error) = field_error(e)?;
            let rows = rows(&state, &user).await?;
            let failure = Failure {
                form: CREATE,
                error,
                fields,
            };
            Ok((status, render(&user.0, &rows, Some(&failure))).into_response())
        }
    }
}
