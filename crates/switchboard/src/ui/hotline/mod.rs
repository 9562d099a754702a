//! The hotline dashboard: the lines, each line's week grid of shifts, who is on call now and
//! next, the ladder and pool editors, incidents with a live timeline, metrics with a chart,
//! and (in simulated mode) a button that rings a line through the simulator.

mod incidents;
mod ladder;
mod line;
mod lines;
mod metrics;
mod my_calendar;
mod oncall;
mod roster;
mod simulate;

use std::collections::HashMap;

use axum::Router;
use axum::routing::{get, post};
use jiff::tz::TimeZone;
use maud::{Markup, html};

use super::layout::FieldError;
use crate::accounts::OrgId;
use crate::app::AppState;
use crate::hotline::model::Candidate;
use crate::hotline::store::roster as roster_store;
use crate::http::AppResult;
use crate::ids::PersonId;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/calendar", get(my_calendar::show))
        .route("/me/calendar/rotate", post(my_calendar::rotate))
        .route("/hotline", get(lines::list).post(lines::create))
        .route("/hotline/lines/{id}", get(line::show).post(line::update))
        .route("/hotline/lines/{id}/shifts", post(roster::add_shift))
        .route(
            "/hotline/lines/{id}/shifts/{item}/delete",
            post(roster::remove_shift),
        )
        .route("/hotline/lines/{id}/overrides", post(roster::add_override))
        .route(
            "/hotline/lines/{id}/overrides/{item}/delete",
            post(roster::remove_override),
        )
        .route("/hotline/lines/{id}/oncall", post(roster::add_oncall))
        .route(
            "/hotline/lines/{id}/oncall/{item}/delete",
            post(roster::remove_oncall),
        )
        .route(
            "/hotline/lines/{id}/ladders/{hours}",
            post(ladder::save_ladder),
        )
        .route("/hotline/lines/{id}/pool", post(ladder::save_pool))
        .route("/hotline/lines/{id}/simulate", post(simulate::place))
        .route("/hotline/calls/{sid}", get(simulate::wait))
        .route("/hotline/lines/{id}/metrics", get(metrics::show))
        .route("/hotline/incidents", get(incidents::list))
        .route("/hotline/incidents/{id}", get(incidents::show))
        .route("/hotline/incidents/{id}/timeline", get(incidents::timeline))
}

/// The organisation's people by id, for names in grids, selects and timelines.
pub struct People(Vec<Candidate>);

impl People {
    pub async fn load(state: &AppState, org: OrgId) -> AppResult<People> {
        Ok(People(roster_store::candidates(&state.db, org).await?))
    }

    pub fn all(&self) -> &[Candidate] {
        &self.0
    }

    pub fn name(&self, id: PersonId) -> String {
        self.0
            .iter()
            .find(|c| c.person_id == id)
            .map_or_else(|| format!("person {id}"), |c| c.name.clone())
    }

    pub fn name_opt(&self, id: Option<PersonId>) -> String {
        id.map_or_else(|| "nobody".to_string(), |id| self.name(id))
    }

    pub fn names(&self, ids: &[PersonId]) -> String {
        if ids.is_empty() {
            return "nobody".to_string();
        }
        ids.iter()
            .map(|id| self.name(*id))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn map(&self) -> HashMap<PersonId, &str> {
        self.0
            .iter()
            .map(|c| (c.person_id, c.name.as_str()))
            .collect()
    }

    /// A person picker; `blank` adds an empty first choice labelled with it.
    pub fn select(&self, name: &str, id: &str, selected: &str, blank: Option<&str>) -> Markup {
        html! {
            select name=(name) id=(id) {
                @if let Some(label) = blank { option value="" { (label) } }
                @for c in &self.0 {
                    @let v = c.person_id.to_string();
                    option value=(v) selected[v == selected] { (c.name) }
                }
            }
        }
    }
}

/// A form post as its raw fields, in order (repeated names allowed), so a refused form is
/// re-rendered with exactly what was typed.
pub type Fields = Vec<(String, String)>;

pub fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

pub fn fields_named<'a>(fields: &'a Fields, name: &'a str) -> impl Iterator<Item = &'a str> {
    fields
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A refused form: which form, what was wrong, what was typed.
pub struct Failure {
    pub form: &'static str,
    pub error: FieldError,
    pub fields: Fields,
}

impl Failure {
    /// The failure, if it belongs to `form`.
    pub fn of<'a>(failure: Option<&'a Failure>, form: &str) -> Option<&'a Failure> {
        failure.filter(|f| f.form == form)
    }
}

/// What a form field shows: what was typed when its form was refused, else `default`.
pub fn typed(failure: Option<&Failure>, name: &str, default: impl Into<String>) -> String {
    match failure {
        Some(f) => field(&f.fields, name).to_string(),
        None => default.into(),
    }
}

/// `aria-invalid` for the field a refused form is about.
pub fn invalid(failure: Option<&Failure>, name: &str) -> Option<&'static str> {
    failure.filter(|f| f.error.is_about(name)).map(|_| "true")
}

/// An epoch-millisecond instant in the line's time zone: "Mon 2026-03-02 14:00 EST".
pub fn local(ms: i64, tz: &TimeZone) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t
            .to_zoned(tz.clone())
            .strftime("%a %Y-%m-%d %H:%M %Z")
            .to_string(),
        Err(_) => "?".to_string(),
    }
}

/// An epoch-millisecond instant to the second, UTC: "19:00:04".
pub fn clock_time(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t.strftime("%H:%M:%S").to_string(),
        Err(_) => "?".to_string(),
    }
}

/// The sub-navigation of the hotline pages.
pub fn subnav(current: &str) -> Markup {
    html! {
        nav.subnav aria-label="Hotline" {
            @for (href, label) in [("/hotline", "Lines"), ("/hotline/incidents", "Incidents")] {
                a href=(href) class=[(href == current).then_some("current")] { (label) }
            }
        }
    }
}
