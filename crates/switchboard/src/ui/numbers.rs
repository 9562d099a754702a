//! The organisation's phone numbers on the settings page: list, add, remove (admins).

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
use crate::accounts::numbers::{self, NewPhoneNumber, PhoneNumber};
use crate::accounts::store::Session;
use crate::accounts::{Role, store};
use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/numbers", post(add))
        .route("/settings/numbers/{id}/remove", post(remove))
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct NumberForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    e164: String,
    friendly_name: String,
    purpose: String,
}

async fn add(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<NumberForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let session = &user.0;
    let new = NewPhoneNumber {
        e164: form.e164.clone(),
        friendly_name: form.friendly_name.clone(),
        purpose: form.purpose.clone(),
    };
    let added = match new.validate() {
        Ok(new) => numbers::add_number(&state.db, session.org, &new, state.clock.now_ms())
            .await
            .map_err(crate::http::AppError::from),
        Err(e) => Err(e.into()),
    };
    let Err(err) = added else {
        return Ok(see_other("/settings#numbers"));
    };
    let (status, error) = field_error(err)?;
    let org = store::find_org(&state.db, session.org).await?;
    let list = numbers::list_numbers(&state.db, session.org).await?;
    let mut page = SettingsPage::new(session, &org, &list);
    page.number_form = form;
    page.number_error = Some(error);
    Ok((status, page.render()).into_response())
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
    numbers::remove_number(&state.db, user.0.org, id).await?;
    Ok(see_other("/settings#numbers"))
}

pub fn numbers_section(
    session: &Session,
    list: &[PhoneNumber],
    form: &NumberForm,
    error: Option<&FieldError>,
) -> Markup {
    html! {
        section.card id="numbers" {
            h2 { "Phone numbers" }
            @if list.is_empty() {
                p.muted { "No numbers yet. Add the Twilio numbers this organisation uses." }
            } @else {
                table #phone-numbers {
                    thead { tr { th { "Number" } th { "Name" } th { "Purpose" } th { "Added" } th {} } }
                    tbody {
                        @for n in list {
                            tr {
                                td { code { (n.e164) } }
                                td { (n.friendly_name) }
                                td { (n.purpose) }
                                td { (when(n.created_at)) }
                                td {
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
            (form_error(error))
            form.grid method="post" action="/settings/numbers" {
                (csrf(session))
                div { label for="e164" { "Number (E.164)" }
                    input id="e164" name="e164" type="tel" required placeholder="+14155551234" value=(form.e164)
                        aria-invalid=[error.is_some_and(|e| e.is_about("e164")).then_some("true")]; }
                div { label for="friendly_name" { "Friendly name" }
                    input id="friendly_name" name="friendly_name" value=(form.friendly_name); }
                div { label for="purpose" { "Purpose" }
                    input id="purpose" name="purpose" list="purposes" placeholder="hotline line, campaign, texting" value=(form.purpose);
                    datalist id="purposes" { option value="hotline line"; option value="campaign"; option value="texting"; } }
                div { button type="submit" { "Add number" } }
            }
        }
    }
}
