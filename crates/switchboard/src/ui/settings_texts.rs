//! Settings → texts and calls (admins): the organisation's answer to HELP and INFO and its
//! quiet hours (post/redirect/get). Blank fields keep the defaults: a help text naming the
//! organisation, and the installation's quiet hours.

use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{FieldError, csrf, form_error, page};
use super::web::{UiError, User, field_error, see_other};
use crate::accounts::Role;
use crate::accounts::outbound::{self, HELP_TEXT_CHARS, OutboundSettings, format_hh_mm, store};
use crate::accounts::store::Session;
use crate::app::AppState;
use crate::http::AppError;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/texts", get(show).post(save))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct TextsForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    help_text: String,
    help_contact: String,
    quiet_hours_start: String,
    quiet_hours_end: String,
}

impl TextsForm {
    fn of(s: &OutboundSettings) -> TextsForm {
        TextsForm {
            help_text: s.help_text.clone().unwrap_or_default(),
            help_contact: s.help_contact.clone().unwrap_or_default(),
            quiet_hours_start: s
                .quiet_hours
                .map(|q| format_hh_mm(q.opens))
                .unwrap_or_default(),
            quiet_hours_end: s
                .quiet_hours
                .map(|q| format_hh_mm(q.closes))
                .unwrap_or_default(),
            ..TextsForm::default()
        }
    }
}

async fn show(State(state): State<AppState>, user: User) -> Result<Markup, UiError> {
    user.require(Role::Admin)?;
    let (name, settings) = store::load(&state.db, user.0.org).await?;
    let installation = state.config.outbound.quiet_hours;
    Ok(texts_page(
        &user.0,
        &name,
        &settings,
        &TextsForm::of(&settings),
        installation,
        None,
    ))
}

async fn save(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<TextsForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let org = user.0.org;
    let cleaned = outbound::clean(
        &form.help_text,
        &form.help_contact,
        &form.quiet_hours_start,
        &form.quiet_hours_end,
    );
    match cleaned {
        Ok(settings) => {
            store::save(&state.db, org, &settings).await?;
            Ok(see_other("/settings/texts"))
        }
        Err(invalid) => {
            let (status, error) = field_error(AppError::from(invalid))?;
            let (name, settings) = store::load(&state.db, org).await?;
            let installation = state.config.outbound.quiet_hours;
            let page = texts_page(&user.0, &name, &settings, &form, installation, Some(&error));
            Ok((status, page).into_response())
        }
    }
}

fn texts_page(
    session: &Session,
    org_name: &str,
    saved: &OutboundSettings,
    form: &TextsForm,
    installation: (jiff::civil::Time, jiff::civil::Time),
    error: Option<&FieldError>,
) -> Markup {
    let (opens, closes) = (format_hh_mm(installation.0), format_hh_mm(installation.1));
    let body = html! {
        p { a href="/settings" { "← Settings" } " · " a href="/consent" { "Consent" } " · " a href="/outbox" { "Outbox" } }
        section.card {
            h2 { "Answer to HELP and INFO" }
            p.muted {
                "Sent now: " q #help-now { (saved.help_reply(org_name)) }
            }
            p.muted {
                "Twilio answers an exact HELP or INFO on long codes and toll-free numbers itself "
                "(with its own words, or the HELP reply you set in a Messaging Service's Advanced "
                "Opt-Out): Switchboard then stays silent, so nobody gets two answers. It answers "
                "where Twilio does not, such as \"Help?\" or \"info.\"."
            }
            (form_error(error))
            form.grid method="post" action="/settings/texts" {
                (csrf(session))
                div { label for="help_text" { "Help text (blank: the default below)" }
                    textarea id="help_text" name="help_text" maxlength=(HELP_TEXT_CHARS) rows="3" { (form.help_text) }
                    small.muted { "At most " (HELP_TEXT_CHARS) " characters on one line. Default: \"" (org_name) ": reply STOP to unsubscribe.\" and the contact below." }
                }
                div { label for="help_contact" { "Contact for the default text" }
                    input id="help_contact" name="help_contact" maxlength="100" placeholder="help@example.org or 555-0100" value=(form.help_contact); }
                h3 { "Quiet hours" }
                p.muted { "Texts and calls go only between these times in the recipient's own zone. Blank: the installation's " (opens) "-" (closes) "." }
                div { label for="quiet_hours_start" { "From (HH:MM)" }
                    input id="quiet_hours_start" name="quiet_hours_start" placeholder=(opens) value=(form.quiet_hours_start); }
                div { label for="quiet_hours_end" { "Until (HH:MM)" }
                    input id="quiet_hours_end" name="quiet_hours_end" placeholder=(closes) value=(form.quiet_hours_end); }
                div { button type="submit" { "Save" } }
            }
        }
    };
    page("Texts and calls", session, "/settings", body)
}
