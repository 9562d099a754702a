//! A number's consent (`/consent`, `/consent/{phone}`): look a number up, see where it stands
//! on texts and calls and every change with its source, and opt it out or back in by hand
//! (source `dashboard`; post/redirect/get). Opting out takes an agent; opting back in
//! overrides the person's word, so it takes a manager, as in the API.

use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{FieldError, csrf, form_error, page};
use super::web::{UiError, User, see_other};
use crate::accounts::Role;
use crate::accounts::store::Session;
use crate::app::AppState;
use crate::contacts::api::consent::Consent;
use crate::contacts::model::consent::{Channel, ConsentSource, clean_note};
use crate::contacts::store::consent::{self, ConsentEvent};
use crate::http::AppError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/consent", get(lookup))
        .route("/consent/{phone}", get(show).post(change))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Lookup {
    phone: String,
}

/// The look-up form; with `?phone=`, the number's page (or the form with what is wrong).
async fn lookup(user: User, Query(q): Query<Lookup>) -> Result<Response, UiError> {
    user.require(Role::Agent)?;
    if q.phone.trim().is_empty() {
        return Ok(lookup_page(&user.0, "", None).into_response());
    }
    match crate::telephony::parse_e164(&q.phone) {
        Ok(e164) => Ok(see_other(&number_path(&e164))),
        Err(message) => {
            let error = FieldError {
                field: Some("phone".into()),
                message,
            };
            let page = lookup_page(&user.0, &q.phone, Some(&error));
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn number_path(e164: &str) -> String {
    format!("/consent/{}", e164.replace('+', "%2B"))
}

fn lookup_form(session: &Session, typed: &str, error: Option<&FieldError>) -> Markup {
    html! {
        (form_error(error))
        form.grid method="get" action="/consent" {
            div { label for="phone" { "Phone number" }
                input id="phone" name="phone" required placeholder="+14155550100" value=(typed); }
            div { button type="submit" { "Look up" } }
        }
        @if session.role.allows(Role::Manager) {
            p.muted { a href="/outbox" { "The outbox" } " shows what is waiting to be sent." }
        }
    }
}

fn lookup_page(session: &Session, typed: &str, error: Option<&FieldError>) -> Markup {
    let body = html! {
        p.muted {
            "Who said STOP, and when. Texts and calls are never sent to a number whose latest "
            "change on that channel is an opt-out."
        }
        (lookup_form(session, typed, error))
    };
    page("Consent", session, "/outbox", body)
}

async fn show(
    State(state): State<AppState>,
    user: User,
    Path(phone): Path<String>,
) -> Result<Markup, UiError> {
    user.require(Role::Agent)?;
    let phone = crate::contacts::api::consent::parse_phone(&phone)?;
    let events = consent::history(&state.db, user.0.org, &phone)
        .await
        .map_err(AppError::from)?;
    Ok(number_page(
        &user.0,
        &Consent::from_events(phone, &events),
        None,
    ))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ChangeForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    channel: String,
    opted_in: String,
    note: String,
}

async fn change(
    State(state): State<AppState>,
    user: User,
    Path(phone): Path<String>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    let phone = crate::contacts::api::consent::parse_phone(&phone)?;
    let opted_in = match form.opted_in.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::field("opted_in", "must be true or false").into()),
    };
    user.require(if opted_in { Role::Manager } else { Role::Agent })?;
    let channel: Channel = form
        .channel
        .parse()
        .map_err(|_| AppError::field("channel", "must be sms or voice"))?;
    let event = match clean_note(Some(&form.note)) {
        Ok(note) => ConsentEvent {
            phone: phone.clone(),
            channel,
            opted_in,
            source: ConsentSource::Dashboard,
            note,
            created_at: state.clock.now_ms(),
        },
        Err(invalid) => {
            let events = consent::history(&state.db, user.0.org, &phone)
                .await
                .map_err(AppError::from)?;
            let error = FieldError {
                field: Some(invalid.field),
                message: invalid.message,
            };
            let page = number_page(&user.0, &Consent::from_events(phone, &events), Some(&error));
            return Ok((axum::http::StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    consent::record(&state.db, user.0.org, &event)
        .await
        .map_err(AppError::from)?;
    Ok(see_other(&number_path(&phone)))
}

fn number_page(session: &Session, c: &Consent, error: Option<&FieldError>) -> Markup {
    let may_opt_in = session.role.allows(Role::Manager);
    let body = html! {
        (lookup_form(session, "", None))
        h2 { (c.phone) }
        table #consent-now {
            thead { tr { th { "Channel" } th { "Now" } th { "Since" } th { "Source" } } }
            tbody {
                @for (name, ch) in [("Texts", &c.sms), ("Calls", &c.voice)] {
                    tr {
                        td { (name) }
                        td { @if ch.opted_in { "may be contacted" } @else { strong { "opted out" } } }
                        td { (ch.since.as_deref().unwrap_or("—")) }
                        td { (ch.source.map(|s| s.to_string()).unwrap_or_else(|| "—".into())) }
                    }
                }
            }
        }
        h3 { "Change by hand" }
        (form_error(error))
        form.grid method="post" action=(number_path(&c.phone)) {
            (csrf(session))
            div { label for="channel" { "Channel" }
                select id="channel" name="channel" {
                    option value="sms" { "Texts" }
                    option value="voice" { "Calls" }
                }
            }
            div { label for="opted_in" { "Change" }
                select id="opted_in" name="opted_in" {
                    option value="false" { "Opt out" }
                    @if may_opt_in { option value="true" { "Opt back in" } }
                }
            }
            div { label for="note" { "Note (why)" } input id="note" name="note" maxlength="500"; }
            div { button type="submit" { "Record" } }
        }
        h3 { "History" }
        @if c.history.is_empty() {
            p.muted { "No change recorded: this number never opted out." }
        } @else {
            table #consent-history {
                thead { tr { th { "When (UTC)" } th { "Channel" } th { "Change" } th { "Source" } th { "Note" } } }
                tbody {
                    @for e in c.history.iter().rev() {
                        tr {
                            td { (e.at) }
                            td { (e.channel) }
                            td { @if e.opted_in { "opted in" } @else { "opted out" } }
                            td { (e.source) }
                            td { (e.note.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    };
    page("Consent", session, "/outbox", body)
}
