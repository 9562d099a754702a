//! Settings (admins): the organisation's name, its own Twilio account and public URL, and its
//! phone numbers (their handlers live in `numbers.rs`). The auth token is write-only.

use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{FieldError, csrf, form_error, page};
use super::numbers::{NumberForm, NumbersView, numbers_section};
use super::web::{UiError, User, field_error};
use crate::accounts::model::clean_name;
use crate::accounts::store::Session;
use crate::accounts::{Org, Role, store};
use crate::app::AppState;
use crate::http::AppError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(show).post(save))
        .merge(super::numbers::router())
        .merge(super::settings_texts::router())
}

async fn show(State(state): State<AppState>, user: User) -> Result<Response, UiError> {
    user.require(Role::Admin)?;
    let session = &user.0;
    let org = store::find_org(&state.db, session.org).await?;
    let numbers = super::numbers::load(&state, session.org).await?;
    Ok(SettingsPage::new(session, &org, &numbers)
        .render()
        .into_response())
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    name: String,
    twilio_account_sid: String,
    twilio_auth_token: String,
    clear_auth_token: Option<String>,
    public_url: String,
}

/// Settings as the store takes them. `auth_token`: None keeps the saved one, Some("") clears.
#[derive(Debug, PartialEq)]
struct OrgSettings {
    name: String,
    account_sid: Option<String>,
    auth_token: Option<String>,
    public_url: Option<String>,
}

impl SettingsForm {
    fn clean(&self) -> Result<OrgSettings, AppError> {
        let optional = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let account_sid = optional(&self.twilio_account_sid);
        if let Some(sid) = &account_sid {
            let hex = sid.strip_prefix("AC").unwrap_or("");
            if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(AppError::field(
                    "twilio_account_sid",
                    "an account SID is AC followed by 32 hexadecimal digits",
                ));
            }
        }
        let public_url = optional(&self.public_url);
        if let Some(u) = &public_url {
            crate::limits::text("public_url", u, crate::limits::URL_CHARS)?;
            let ok = url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !ok {
                return Err(AppError::field(
                    "public_url",
                    "must be an http:// or https:// URL, e.g. https://phones.example.org",
                ));
            }
        }
        let auth_token = match self.clear_auth_token {
            Some(_) => Some(String::new()),
            None => optional(&self.twilio_auth_token),
        };
        if let Some(token) = auth_token.as_deref().filter(|t| !t.is_empty())
            && !is_auth_token(token)
        {
            return Err(AppError::field(
                "twilio_auth_token",
                "an auth token is 32 hexadecimal digits in lower case, as Twilio's console shows it",
            ));
        }
        Ok(OrgSettings {
            name: clean_name(&self.name)?,
            account_sid,
            auth_token,
            public_url,
        })
    }
}

/// Twilio's form of an auth token: 32 lowercase hexadecimal digits.
fn is_auth_token(token: &str) -> bool {
    token.len() == 32
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

async fn save(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<SettingsForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let session = &user.0;
    let result = match form.clean() {
        Ok(s) => store::update_org_settings(
            &state.db,
            session.org,
            &s.name,
            s.account_sid.as_deref(),
            s.auth_token.as_deref(),
            s.public_url.as_deref(),
        )
        .await
        .map_err(AppError::from),
        Err(e) => Err(e),
    };
    let org = store::find_org(&state.db, session.org).await?;
    let numbers = super::numbers::load(&state, session.org).await?;
    let mut page = SettingsPage::new(session, &org, &numbers);
    let status = match result {
        Ok(()) => {
            // The organisation's webhooks are checked with its new token from now on.
            state.signing_keys.reload().await?;
            page.notice = Some("Settings saved.");
            StatusCode::OK
        }
        Err(err) => {
            let (status, error) = field_error(err)?;
            page.settings_error = Some(error);
            page.draft = Some(form);
            status
        }
    };
    Ok((status, page.render()).into_response())
}

/// Everything the settings page shows; handlers fill in what their form produced.
pub struct SettingsPage<'a> {
    session: &'a Session,
    org: &'a Org,
    numbers: &'a NumbersView,
    pub notice: Option<&'static str>,
    /// What the user typed, shown again when the settings form was refused.
    pub draft: Option<SettingsForm>,
    pub settings_error: Option<FieldError>,
    pub number_form: NumberForm,
    pub number_error: Option<FieldError>,
}

impl<'a> SettingsPage<'a> {
    pub fn new(session: &'a Session, org: &'a Org, numbers: &'a NumbersView) -> Self {
        SettingsPage {
            session,
            org,
            numbers,
            notice: None,
            draft: None,
            settings_error: None,
            number_form: NumberForm::default(),
            number_error: None,
        }
    }

    pub fn render(&self) -> Markup {
        let org = self.org;
        let (name, sid, url) = match &self.draft {
            Some(d) => (
                d.name.clone(),
                d.twilio_account_sid.clone(),
                d.public_url.clone(),
            ),
            None => (
                org.name.clone(),
                org.twilio_account_sid.clone().unwrap_or_default(),
                org.public_url.clone().unwrap_or_default(),
            ),
        };
        let token_set = org
            .twilio_auth_token
            .as_deref()
            .is_some_and(|t| !t.is_empty());
        let body = html! {
            @if let Some(n) = self.notice { p.notice role="status" { (n) } }
            p { a href="/tokens" { "API tokens" } span.muted { " — for scripts and integrations calling /api/v1" } }
            p { a href="/settings/texts" { "Texts and calls" } span.muted { " — the answer to HELP, quiet hours; " } a href="/consent" { "consent" } }
            section.card {
                h2 { "Organisation and Twilio account" }
                (form_error(self.settings_error.as_ref()))
                form.grid method="post" action="/settings" {
                    (csrf(self.session))
                    div { label for="name" { "Organisation name" }
                        input id="name" name="name" required value=(name); }
                    div { label for="twilio_account_sid" { "Twilio account SID" }
                        input id="twilio_account_sid" name="twilio_account_sid" placeholder="AC…" value=(sid); }
                    div { label for="public_url" { "Public URL" }
                        input id="public_url" name="public_url" type="url" placeholder="https://phones.example.org" value=(url); }
                    div {
                        label for="twilio_auth_token" {
                            "Twilio auth token (" span #token-state { @if token_set { "set" } @else { "not set" } } ")"
                        }
                        // Write-only: the saved token is never sent back to the browser.
                        input id="twilio_auth_token" name="twilio_auth_token" type="password"
                            autocomplete="off" placeholder="empty keeps the saved token";
                        small.muted { "32 lowercase hex digits. Webhooks about this organisation's numbers are then accepted only when signed with it." }
                    }
                    div { label.check { input type="checkbox" name="clear_auth_token" value="on"; " Remove the saved token" } }
                    div { button type="submit" { "Save settings" } }
                }
            }
            (numbers_section(self.session, self.numbers, &self.number_form, self.number_error.as_ref()))
        };
        page("Settings", self.session, "/settings", body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(sid: &str, token: &str, url: &str) -> SettingsForm {
        SettingsForm {
            name: " Community Line ".into(),
            twilio_account_sid: sid.into(),
            twilio_auth_token: token.into(),
            public_url: url.into(),
            ..SettingsForm::default()
        }
    }

    #[test]
    fn an_empty_token_keeps_the_saved_one_and_blank_fields_clear() {
        let s = form("", "", "").clean().unwrap();
        assert_eq!(s.name, "Community Line");
        assert_eq!(
            (s.account_sid, s.auth_token, s.public_url),
            (None, None, None)
        );
        let token = "0123456789abcdef".repeat(2);
        let s = form(&format!("AC{}", "a1".repeat(16)), &token, "https://x.org")
            .clean()
            .unwrap();
        assert_eq!(s.auth_token.as_deref(), Some(token.as_str()));
    }

    #[test]
    fn bad_account_sids_and_urls_name_their_field() {
        for (f, field) in [
            (form("AC123", "", ""), "twilio_account_sid"),
            (form("", "", "ftp://x.org"), "public_url"),
            (form("", "", "not a url"), "public_url"),
            (form("", "secret", ""), "twilio_auth_token"),
            (form("", &"A".repeat(32), ""), "twilio_auth_token"),
        ] {
            let err = f.clean().unwrap_err();
            assert!(matches!(err, AppError::BadRequest { field: Some(ref x), .. } if x == field));
        }
    }
}
