//! People: the table, the add form, the availability toggle, and the role rules the people
//! pages share. Editing one person lives in `person.rs`.

use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{FieldError, csrf, form_error, page, yes_no};
use super::web::{UiError, User, field_error, from_htmx, see_other};
use crate::accounts::store::Session;
use crate::accounts::{NewPerson, Person, PersonPatch, Role, rules, store};
use crate::app::AppState;
use crate::http::AppError;
use crate::ids::PersonId;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/people", get(list).post(add))
        .route("/people/{id}/available", post(toggle_available))
        .merge(super::person::router())
}

/// May the signed-in user add a person (`target` None) or change `target` to `role`? The
/// rule the API asks too ([`rules::may_change`]).
pub fn may_change(actor: &Session, target: Option<&Person>, role: Role) -> Result<(), AppError> {
    rules::may_change(&actor.actor(), target, role)
}

/// The role picker, offering only roles up to the user's own.
pub fn role_select(actor: Role, selected: Role) -> Markup {
    html! {
        select id="role" name="role" {
            @for r in Role::ALL.iter().rev().copied().filter(|r| *r <= actor) {
                option value=(r.as_str()) selected[r == selected] { (r.as_str()) }
            }
        }
    }
}

pub fn parse_role(raw: &str) -> Result<Role, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::field("role", format!("'{raw}' is not a role")))
}

#[derive(Deserialize)]
struct Added {
    added: Option<PersonId>,
}

async fn list(
    State(state): State<AppState>,
    User(session): User,
    Query(q): Query<Added>,
) -> Result<Markup, UiError> {
    let people = store::list_people(&state.db, session.org).await?;
    let added = q.added.and_then(|id| people.iter().find(|p| p.id == id));
    let notice = added.map(|p| format!("Added {}.", p.name));
    Ok(people_page(
        &session,
        &people,
        &AddForm::default(),
        None,
        notice,
    ))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct AddForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    name: String,
    email: String,
    phone: String,
    role: String,
    available: Option<String>,
}

impl AddForm {
    fn to_new(&self) -> Result<NewPerson, AppError> {
        let optional = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        NewPerson {
            name: self.name.clone(),
            email: optional(&self.email),
            phone: optional(&self.phone),
            role: parse_role(&self.role)?,
            available: self.available.is_some(),
            active: true,
        }
        .validate()
        .map_err(AppError::from)
    }
}

async fn add(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<AddForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let session = &user.0;
    let created = match form.to_new() {
        Ok(new) => match may_change(session, None, new.role) {
            Ok(()) => {
                let now = state.clock.now_ms();
                store::create_person(&state.db, session.org, &new, None, now)
                    .await
                    .map_err(AppError::from)
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match created {
        Ok(person) => Ok(see_other(&format!("/people?added={}", person.id))),
        Err(err) => {
            let (status, error) = field_error(err)?;
            let people = store::list_people(&state.db, session.org).await?;
            let page = people_page(session, &people, &form, Some(&error), None);
            Ok((status, page).into_response())
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Flips a person's availability. With htmx the new row comes back; without, the table.
async fn toggle_available(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<PersonId>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    let session = &user.0;
    let person = store::find_person(&state.db, session.org, id).await?;
    may_change(session, Some(&person), person.role).map_err(|e| user.refuse(e))?;
    let patch = PersonPatch {
        available: Some(!person.available),
        ..PersonPatch::default()
    };
    let now = state.clock.now_ms();
    let person = store::update_person(&state.db, session.org, id, &patch, now).await?;
    if from_htmx(&headers) {
        return Ok(person_row(session, &person).into_response());
    }
    Ok(see_other("/people"))
}

fn people_page(
    session: &Session,
    people: &[Person],
    form: &AddForm,
    error: Option<&FieldError>,
    notice: Option<String>,
) -> Markup {
    let admin = session.role.allows(Role::Admin);
    let body = html! {
        @if let Some(n) = notice { p.notice role="status" { (n) } }
        table #people {
            thead { tr {
                th { "Name" } th { "Email" } th { "Phone" } th { "Role" }
                th { "Available" } th { "Active" } th { "Login" } th {}
            } }
            tbody { @for p in people { (person_row(session, p)) } }
        }
        @if admin {
            h2 { "Add a person" }
            (form_error(error))
            (add_form(session, form, error))
        } @else {
            p.muted { "Only admins and owners add or change people." }
        }
    };
    page("People", session, "/people", body)
}

fn add_form(session: &Session, form: &AddForm, error: Option<&FieldError>) -> Markup {
    let bad = |f: &str| error.is_some_and(|e| e.is_about(f)).then_some("true");
    let role = form.role.parse().unwrap_or(Role::Agent);
    let available = form.available.is_some() || form.csrf.is_empty();
    html! {
        form.grid method="post" action="/people" {
            (csrf(session))
            div { label for="name" { "Name" }
                input id="name" name="name" required value=(form.name) aria-invalid=[bad("name")]; }
            div { label for="email" { "Email" }
                input id="email" name="email" type="email" value=(form.email) aria-invalid=[bad("email")]; }
            div { label for="phone" { "Phone" }
                input id="phone" name="phone" type="tel" placeholder="+14155551234" value=(form.phone) aria-invalid=[bad("phone")]; }
            div { label for="role" { "Role" } (role_select(session.role, role)) }
            div { label.check { input type="checkbox" name="available" value="on" checked[available]; " Available" } }
            div { button type="submit" { "Add person" } }
        }
    }
}

/// One table row; also the fragment the htmx availability toggle swaps in.
fn person_row(session: &Session, p: &Person) -> Markup {
    let can_change = may_change(session, Some(p), p.role).is_ok();
    html! {
        tr id=(format!("person-{}", p.id)) {
            td { a href=(format!("/people/{}", p.id)) { (p.name) } }
            td { (p.email.as_deref().unwrap_or("—")) }
            td { (p.phone.as_deref().unwrap_or("—")) }
            td { (p.role) }
            td.available { (yes_no(p.available)) }
            td { (yes_no(p.active)) }
            td { (yes_no(p.has_login)) }
            td {
                @if can_change {
                    @let action = format!("/people/{}/available", p.id);
                    form.inline method="post" action=(action) hx-post=(action)
                        hx-target="closest tr" hx-swap="outerHTML" {
                        (csrf(session))
                        button.secondary.small type="submit" {
                            @if p.available { "Make unavailable" } @else { "Make available" }
                        }
                    }
                }
            }
        }
    }
}
