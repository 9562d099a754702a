//! One person: edit role, phone, availability and whether they are active; set their password
//! so they can sign in.

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{FieldError, csrf, form_error, page, when, yes_no};
use super::people::{may_change, parse_role, role_select};
use super::web::{UiError, User, field_error, see_other};
use crate::accounts::store::Session;
use crate::accounts::{Person, PersonPatch, Role, rules, secrets, store};
use crate::app::AppState;
use crate::http::AppError;
use crate::ids::PersonId;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/people/{id}", get(show).post(save))
        .route("/people/{id}/password", post(set_password))
}

async fn show(
    State(state): State<AppState>,
    User(session): User,
    Path(id): Path<PersonId>,
) -> Result<Markup, UiError> {
    let person = store::find_person(&state.db, session.org, id).await?;
    Ok(person_page(&session, &person, None, None))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct EditForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    phone: String,
    role: String,
    available: Option<String>,
    active: Option<String>,
}

impl EditForm {
    fn to_patch(&self) -> Result<PersonPatch, AppError> {
        let phone = Some(self.phone.trim().to_string()).filter(|p| !p.is_empty());
        PersonPatch {
            phone,
            role: Some(parse_role(&self.role)?),
            available: Some(self.available.is_some()),
            active: Some(self.active.is_some()),
            ..PersonPatch::default()
        }
        .validate()
        .map_err(AppError::from)
    }
}

async fn save(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<PersonId>,
    Form(form): Form<EditForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let session = &user.0;
    let person = store::find_person(&state.db, session.org, id).await?;
    let saved = match form.to_patch() {
        Ok(patch) => match rules::may_edit(&session.actor(), &person, &patch) {
            Ok(()) => {
                let now = state.clock.now_ms();
                store::update_person(&state.db, session.org, id, &patch, now)
                    .await
                    .map_err(AppError::from)
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(see_other("/people")),
        Err(AppError::Forbidden(why)) => Err(user.refuse(AppError::Forbidden(why))),
        Err(err) => {
            let (status, error) = field_error(err)?;
            Ok((status, person_page(session, &person, Some(&error), None)).into_response())
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    password: String,
}

async fn set_password(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<PersonId>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let session = &user.0;
    let person = store::find_person(&state.db, session.org, id).await?;
    may_change(session, Some(&person), person.role).map_err(|e| user.refuse(e))?;
    if let Some(message) = secrets::password_problem(&form.password) {
        let error = FieldError {
            field: Some("password".into()),
            message,
        };
        let page = person_page(session, &person, Some(&error), None);
        return Ok((axum::http::StatusCode::BAD_REQUEST, page).into_response());
    }
    // Argon2 is deliberately slow: hash off the async workers.
    let password = form.password;
    let hash = tokio::task::spawn_blocking(move || secrets::hash_password(&password))
        .await
        .map_err(anyhow::Error::from)??;
    let now = state.clock.now_ms();
    if let Err(err) =
        store::set_password(&state.db, session.org, id, &hash, Some(session), now).await
    {
        let (status, error) = field_error(err.into())?;
        return Ok((status, person_page(session, &person, Some(&error), None)).into_response());
    }
    let person = Person {
        has_login: true,
        ..person
    };
    let notice = format!("{} can now sign in with that password.", person.name);
    Ok(person_page(session, &person, None, Some(&notice)).into_response())
}

fn person_page(
    session: &Session,
    p: &Person,
    error: Option<&FieldError>,
    notice: Option<&str>,
) -> Markup {
    let can_change = may_change(session, Some(p), p.role).is_ok();
    let action = format!("/people/{}", p.id);
    let body = html! {
        @if let Some(n) = notice { p.notice role="status" { (n) } }
        (form_error(error))
        dl.facts {
            dt { "Email" } dd { (p.email.as_deref().unwrap_or("—")) }
            dt { "Can sign in" } dd { (yes_no(p.has_login)) }
            dt { "Added" } dd { (when(p.created_at)) }
            dt { "Last changed" } dd { (when(p.updated_at)) }
        }
        @if can_change {
            h2 { "Edit" }
            form.grid method="post" action=(action) {
                (csrf(session))
                div { label for="phone" { "Phone" }
                    input id="phone" name="phone" type="tel" value=(p.phone.as_deref().unwrap_or("")); }
                div { label for="role" { "Role" } (role_select(session.role, p.role)) }
                div { label.check { input type="checkbox" name="available" value="on" checked[p.available]; " Available" } }
                div { label.check { input type="checkbox" name="active" value="on" checked[p.active]; " Active" } }
                div { button type="submit" { "Save" } }
            }
            h2 { "Sign-in password" }
            form.grid method="post" action=(format!("{action}/password")) {
                (csrf(session))
                div { label for="password" { "New password" }
                    input id="password" name="password" type="password" autocomplete="new-password"
                        placeholder=(format!("at least {} characters", secrets::MIN_PASSWORD_LEN))
                        minlength=(secrets::MIN_PASSWORD_LEN)
                        maxlength=(secrets::MAX_PASSWORD_LEN) required; }
                div { button type="submit" { "Set password" } }
            }
        } @else {
            p.muted { "Your role does not allow changing this person." }
        }
        p { a href="/people" { "← All people" } }
    };
    page(&p.name, session, "/people", body)
}
