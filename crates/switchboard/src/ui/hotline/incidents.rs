//! Incidents: the filtered list, and one incident's timeline (attempts, the audit trail,
//! voicemail), which refreshes itself every two seconds while the incident is live.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{People, clock_time, subnav};
use crate::app::AppState;
use crate::hotline::model::IncidentStatus;
use crate::hotline::store::incidents::{self, Event, Incident, IncidentFilter, StoredAttempt};
use crate::hotline::store::lines::{self, Line};
use crate::http::AppError;
use crate::ids::IncidentId;
use crate::ids::LineId;
use crate::ui::layout::{FieldError, form_error, page, when, when_opt};
use crate::ui::web::{UiError, User};

/// How many incidents the list shows.
const LIMIT: i64 = 200;
/// An open incident older than this has lost its caller; stop refreshing its timeline.
const LIVE_FOR_MS: i64 = 30 * 60 * 1000;

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Filter {
    line: String,
    status: String,
}

impl Filter {
    fn parse(&self) -> Result<IncidentFilter, AppError> {
        let line_id = match self.line.trim() {
            "" => None,
            raw => Some(
                raw.parse()
                    .map_err(|_| AppError::field("line", format!("'{raw}' is not a line")))?,
            ),
        };
        let status = match self.status.trim() {
            "" => None,
            raw => Some(raw.parse::<IncidentStatus>().map_err(|_| {
                AppError::field(
                    "status",
                    format!("'{raw}' is not open, answered, completed or exhausted"),
                )
            })?),
        };
        Ok(IncidentFilter {
            line_id,
            status,
            limit: LIMIT,
            ..IncidentFilter::default()
        })
    }
}

pub fn status_badge(status: IncidentStatus) -> Markup {
    html! { span class=(format!("state incident-{status}")) { (status) } }
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<Filter>,
) -> Result<Response, UiError> {
    let org = user.0.org;
    let all_lines = lines::list_lines(&state.db, org).await?;
    let (status, error, found) = match q.parse() {
        Ok(filter) => (
            StatusCode::OK,
            None,
            incidents::list(&state.db, org, &filter).await?,
        ),
        Err(AppError::BadRequest { field, message }) => (
            StatusCode::BAD_REQUEST,
            Some(FieldError { field, message }),
            Vec::new(),
        ),
        Err(e) => return Err(user.refuse(e)),
    };
    let line_name = |id: LineId| {
        all_lines
            .iter()
            .find(|l| l.id == id)
            .map_or("?", |l| l.name.as_str())
    };
    let body = html! {
        (subnav("/hotline/incidents"))
        form.filters method="get" action="/hotline/incidents" {
            label for="line" { "Line" }
            select #line name="line" {
                option value="" { "all lines" }
                @for l in &all_lines { option value=(l.id) selected[q.line == l.id.to_string()] { (l.name) } }
            }
            label for="status" { "Status" }
            select #status name="status" {
                option value="" { "any status" }
                @for s in IncidentStatus::ALL { option value=(s.as_str()) selected[q.status == s.as_str()] { (s.as_str()) } }
            }
            button.secondary type="submit" { "Filter" }
        }
        (form_error(error.as_ref()))
        @if found.is_empty() {
            p.muted { "No incidents." }
        } @else {
            table #incidents {
                thead { tr { th { "#" } th { "Line" } th { "Caller" } th { "Status" } th { "Hours" } th { "Started" } th { "Answered by" } th { "Duration" } } }
                tbody {
                    @for i in &found {
                        tr id=(format!("incident-{}", i.id)) {
                            td { a href=(format!("/hotline/incidents/{}", i.id)) { "#" (i.id) } }
                            td { (line_name(i.line_id)) }
                            td { (i.caller_phone) }
                            td { (status_badge(i.status)) }
                            td { (i.hours) }
                            td { (when(i.created_at)) }
                            td { (i.answered_phone.as_deref().unwrap_or("—")) }
                            td { @match i.duration_secs { Some(d) => { (d) " s" }, None => "—" } }
                        }
                    }
                }
            }
        }
    };
    Ok((status, page("Incidents", &user.0, "/hotline", body)).into_response())
}

/// Everything the timeline shows.
struct Loaded {
    incident: Incident,
    line: Line,
    attempts: Vec<StoredAttempt>,
    events: Vec<Event>,
    people: People,
}

async fn load(state: &AppState, user: &User, id: IncidentId) -> Result<Loaded, UiError> {
    let org = user.0.org;
    let incident = incidents::find(&state.db, org, id)
        .await
        .map_err(|e| user.refuse(e))?;
    Ok(Loaded {
        line: lines::find_line(&state.db, org, incident.line_id).await?,
        attempts: incidents::attempts(&state.db, org, id).await?,
        events: incidents::events(&state.db, org, id).await?,
        people: People::load(state, org).await?,
        incident,
    })
}

/// Still worth refreshing: ringing people, connected, or waiting for a voicemail.
fn live(i: &Incident, now: i64) -> bool {
    let finished = match i.status {
        IncidentStatus::Open | IncidentStatus::Answered => false,
        IncidentStatus::Completed => true,
        IncidentStatus::Exhausted => i.ended_at.is_some() || i.transcript.is_some(),
    };
    !finished && now - i.created_at < LIVE_FOR_MS
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<IncidentId>,
) -> Result<Markup, UiError> {
    let l = load(&state, &user, id).await?;
    let body = html! {
        (subnav(""))
        p.lead {
            a href=(format!("/hotline/lines/{}", l.line.id)) { (l.line.name) } " · " (l.line.phone_number)
        }
        (render_timeline(&l, state.clock.now_ms()))
    };
    Ok(page(&format!("Incident #{id}"), &user.0, "/hotline", body))
}

/// The fragment htmx polls.
pub async fn timeline(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<IncidentId>,
) -> Result<Markup, UiError> {
    let l = load(&state, &user, id).await?;
    Ok(render_timeline(&l, state.clock.now_ms()))
}

fn render_timeline(l: &Loaded, now: i64) -> Markup {
    let i = &l.incident;
    let is_live = live(i, now);
    let poll = format!("/hotline/incidents/{}/timeline", i.id);
    let answered_by = i.answered_person_id.map(|p| l.people.name(p));
    html! {
        div #timeline hx-get=[is_live.then_some(poll.as_str())] hx-trigger=[is_live.then_some("every 2s")] hx-swap=[is_live.then_some("outerHTML")]
            data-live=(is_live) {
            dl.facts {
                dt { "Status" } dd #incident-status { (status_badge(i.status)) @if is_live { " " span.muted.live { "live" } } }
                dt { "Caller" } dd { (i.caller_phone) }
                dt { "Ladder" } dd { (i.hours) " hours" }
                dt { "Call" } dd { code { (i.call_sid.as_deref().unwrap_or("—")) } }
                dt { "Started" } dd { (when(i.created_at)) }
                dt { "Answered" } dd {
                    (when_opt(i.answered_at))
                    @if let Some(phone) = &i.answered_phone { " by " (answered_by.clone().unwrap_or_default()) " " (phone) }
                }
                dt { "Ended" } dd { (when_opt(i.ended_at)) @if let Some(d) = i.duration_secs { " · " (d) " s call" } }
            }
            @if i.voicemail_url.is_some() || i.transcript.is_some() {
                section.card #voicemail {
                    h2 { "Voicemail" }
                    @if let Some(url) = &i.voicemail_url {
                        audio controls src=(format!("{url}.mp3")) preload="none" {}
                        @if let Some(s) = i.voicemail_secs { p.muted { (s) " seconds" } }
                    }
                    @if let Some(t) = &i.transcript { blockquote.transcript { (t) } } @else { p.muted { "Transcript pending." } }
                }
            }
            h2 { "Attempts" }
            @if l.attempts.is_empty() { p.muted { "Nobody has been rung yet." } } @else {
                table #attempts {
                    thead { tr { th { "#" } th { "Step" } th { "Person" } th { "Phone" } th { "Result" } th { "Rang at" } th { "Ended" } } }
                    tbody {
                        @for (n, a) in l.attempts.iter().map(|a| &a.attempt).enumerate() {
                            tr.attempt {
                                td { (n + 1) }
                                td { code { (a.step) } }
                                td { (a.person_name) }
                                td { (a.phone) }
                                td { span class=(format!("state attempt-{}", a.result)) { (a.result) } }
                                td { (clock_time(a.started_at)) }
                                td { @match a.ended_at { Some(e) => { (clock_time(e)) " (" (((e - a.started_at) as f64 / 1000.0).round()) " s)" }, None => "—" } }
                            }
                        }
                    }
                }
            }
            h2 { "Timeline" }
            ol.timeline #events {
                li { span.t { (clock_time(i.created_at)) } " Incident opened: " (i.caller_phone) " called " (l.line.name) " (" (i.hours) " hours)" }
                @for e in &l.events {
                    li { span.t { (clock_time(e.created_at)) } " " strong { (e.kind) } " " code.detail { (compact(&e.detail)) } }
                }
                @if let Some(at) = i.answered_at {
                    li.good { span.t { (clock_time(at)) } " Answered by " (answered_by.clone().unwrap_or_else(|| i.answered_phone.clone().unwrap_or_default())) }
                }
                @match i.status {
                    IncidentStatus::Completed => li.good { span.t { (i.ended_at.map(clock_time).unwrap_or_default()) } " Completed" @if let Some(d) = i.duration_secs { " after a " (d) " s call" } },
                    IncidentStatus::Exhausted => li.bad { span.t { (i.ended_at.map(clock_time).unwrap_or_default()) } " Exhausted: nobody answered" },
                    _ => {}
                }
            }
            p.muted { "Times are UTC." }
        }
    }
}

/// An event's JSON detail on one line.
fn compact(detail: &str) -> String {
    serde_json::from_str::<serde_json::Value>(detail)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| detail.to_string())
}
