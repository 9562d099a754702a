//! The organisation's phone numbers on the settings page (admins): each with its owner by name
//! (a hotline line, linked), a way to give a free number to a line or release it, add and
//! remove. The steps are `telephony::numbers`'s, shared with the API.

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{FieldError, csrf, form_error, when};
use super::settings::SettingsPage;
use super::web::{UiError, User, field_error, see_other};
use crate::accounts::store::Session;
use crate::accounts::{Role, store};
use crate::app::AppState;
use crate::hotline::store::lines;
use crate::http::AppError;
use crate::ids::{LineId, OrgId};
use crate::telephony::numbers::api::{NumberJson, OwnerJson, with_names};
use crate::telephony::numbers::{self, NewPhoneNumber, Owner, OwnerKind};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/numbers", post(add))
        .route("/settings/numbers/{id}/remove", post(remove))
        .route("/settings/numbers/{id}/owner", post(give))
        .route("/settings/numbers/{id}/release", post(release))
}

/// The numbers with their owners' names, and the lines a free number can be given to.
pub struct NumbersView {
    pub numbers: Vec<NumberJson>,
    pub lines: Vec<(LineId, String)>,
}

pub async fn load(state: &AppState, org: OrgId) -> Result<NumbersView, UiError> {
    let list = numbers::store::list(&state.db, org).await?;
    let lines = lines::list_lines(&state.db, org).await?;
    Ok(NumbersView {
        numbers: with_names(&state.owners, org, list).await?,
        lines: lines.into_iter().map(|l| (l.id, l.name)).collect(),
    })
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct NumberForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    e164: String,
    friendly_name: String,
}

/// The settings page again, with `err` shown above the numbers (and `form` refilled).
async fn refused(
    state: &AppState,
    session: &Session,
    err: AppError,
    form: NumberForm,
) -> Result<Response, UiError> {
    let (status, error) = field_error(err)?;
    let org = store::find_org(&state.db, session.org).await?;
    let view = load(state, session.org).await?;
    let mut page = SettingsPage::new(session, &org, &view);
    page.number_form = form;
    page.number_error = Some(error);
    Ok((status, page.render()).into_response())
}

async fn add(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<NumberForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let new = NewPhoneNumber {
        e164: form.e164.clone(),
        friendly_name: form.friendly_name.clone(),
    };
    let added = match new.validate() {
        Ok(new) => {
            let (keys, owners) = (&state.signing_keys, &state.owners);
            numbers::register(&state.services, keys, owners, user.0.org, &new)
                .await
                .map_err(AppError::from)
        }
        Err(e) => Err(e.into()),
    };
    match added {
        Ok(_) => Ok(see_other("/settings#numbers")),
        Err(err) => refused(&state, &user.0, err, form).await,
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

async fn remove(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    numbers::unregister(&state.services, &state.signing_keys, user.0.org, id).await?;
    Ok(see_other("/settings#numbers"))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GiveForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    /// The hotline line to give the number to.
    line: String,
}

async fn give(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<GiveForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let given = match form.line.trim().parse::<i64>() {
        Ok(line) => {
            let owner = Owner {
                kind: OwnerKind::HotlineLine,
                id: line,
            };
            numbers::give(&state.services, &state.owners, user.0.org, id, owner)
                .await
                .map_err(AppError::from)
        }
        Err(_) => Err(AppError::field("line", "choose a hotline line")),
    };
    match given {
        Ok(_) => Ok(see_other("/settings#numbers")),
        Err(err) => refused(&state, &user.0, err, NumberForm::default()).await,
    }
}

async fn release(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    numbers::release(&state.services, &state.owners, user.0.org, id).await?;
    Ok(see_other("/settings#numbers"))
}

/// An owner by name, linked to its page when it has one.
fn owner_cell(owner: Option<&OwnerJson>) -> Markup {
    html! {
        @match owner {
            None => span.muted { "No owner: calls hear \"not in service\", texts go to the " a href="/inbox" { "inbox" } },
            Some(o) => {
                (o.kind.label()) " "
                @match (o.kind, o.name.as_deref()) {
                    (OwnerKind::HotlineLine, Some(name)) => a href=(format!("/hotline/lines/{}", o.id)) { (name) },
                    (_, Some(name)) => (name),
                    (_, None) => span.muted { "(gone)" },
                }
            }
        }
    }
}

pub fn numbers_section(
    session: &Session,
    view: &NumbersView,
    form: &NumberForm,
    error: Option<&FieldError>,
) -> Markup {
    html! {
        section.card id="numbers" {
            h2 { "Phone numbers" }
            p.muted { "Each number serves one owner or none. Texts to every number are in the " a href="/inbox" { "inbox" } "." }
            (form_error(error))
            @if view.numbers.is_empty() {
                p.muted { "No numbers yet. Add the Twilio numbers this organisation uses." }
            } @else {
                table #phone-numbers {
                    thead { tr { th { "Number" } th { "Name" } th { "Owner" } th { "Added" } th {} } }
                    tbody {
                        @for n in &view.numbers {
                            tr {
                                td { code { (n.e164) } }
                                td { (n.friendly_name) }
                                td.owner { (owner_cell(n.owner.as_ref())) }
                                td { (when(n.created_at)) }
                                td {
                                    @if n.owner.is_some() {
                                        form.inline method="post" action=(format!("/settings/numbers/{}/release", n.id)) {
                                            (csrf(session))
                                            button.secondary.small type="submit" { "Release" }
                                        }
                                    } @else if !view.lines.is_empty() {
                                        form.inline method="post" action=(format!("/settings/numbers/{}/owner", n.id)) {
                                            (csrf(session))
                                            select name="line" aria-label=(format!("Hotline line for {}", n.e164)) {
                                                @for (id, name) in &view.lines { option value=(id) { (name) } }
                                            }
                                            button.small type="submit" { "Give to line" }
                                        }
                                    }
                                    form.inline method="post" action=(format!("/settings/numbers/{}/remove", n.id)) {
                                        (csrf(session))
                                        button.secondary.small type="submit" { "Remove" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Add a number" }
            form.grid method="post" action="/settings/numbers" {
                (csrf(session))
                div { label for="e164" { "Number (E.164)" }
                    input id="e164" name="e164" type="tel" required placeholder="+14155551234" value=(form.e164)
                        aria-invalid=[error.is_some_and(|e| e.is_about("e164")).then_some("true")]; }
                div { label for="friendly_name" { "Friendly name" }
                    input id="friendly_name" name="friendly_name" value=(form.friendly_name); }
                div { button type="submit" { "Add number" } }
            }
        }
    }
}
