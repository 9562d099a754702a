//! One contact: its numbers, its zone and where that came from, its fields, tags and lists;
//! the form that edits it (or adds a new one), with each error next to its field and
//! post/redirect/get on success; putting it on a static list; deleting it.

use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{bad, note};
use crate::accounts::Role;
use crate::accounts::store::Session;
use crate::app::AppState;
use crate::contacts::model::contact::{
    Contact, ContactInput, PhoneInput, ValidContact, ZoneSource,
};
use crate::contacts::model::list::{ContactList, ListKind};
use crate::contacts::store::{contacts as store, lists};
use crate::http::AppError;
use crate::ids::{ContactId, ListId};
use crate::ui::layout::{FieldError, csrf, form_error, page, when};
use crate::ui::web::{UiError, User, field_error, see_other};

/// The source of contacts added from the dashboard.
const SOURCE: &str = "dashboard";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts/new", get(new).post(create))
        .route("/contacts/{id}", get(show).post(save))
        .route("/contacts/{id}/delete", post(delete))
        .route("/contacts/{id}/lists", post(add_to_list))
}

/// The edit form as typed: numbers one a line (the first is the primary), tags separated by
/// commas, custom fields as a JSON object.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
struct ContactForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    first_name: String,
    last_name: String,
    email: String,
    phones: String,
    time_zone: String,
    tags: String,
    fields: String,
}

impl ContactForm {
    fn of(c: &Contact) -> ContactForm {
        let phones: Vec<&str> = c.phones.iter().map(|p| p.number.as_str()).collect();
        ContactForm {
            csrf: String::new(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone().unwrap_or_default(),
            phones: phones.join("\n"),
            time_zone: c.time_zone.clone().unwrap_or_default(),
            tags: c.tags.join(", "),
            fields: if c.fields.is_empty() {
                String::new()
            } else {
                Value::Object(c.fields.clone()).to_string()
            },
        }
    }

    /// The contact's values, checked as the API checks them; `source` is kept on an edit.
    fn to_valid(&self, source: &str) -> Result<ValidContact, AppError> {
        Ok(self.to_input(source)?.validate(source)?)
    }

    fn to_input(&self, source: &str) -> Result<ContactInput, AppError> {
        let fields = match self.fields.trim() {
            "" => Map::new(),
            text => match serde_json::from_str(text) {
                Ok(Value::Object(map)) => map,
                _ => {
                    return Err(AppError::field(
                        "fields",
                        "must be a JSON object such as {\"shirt\": \"L\"}",
                    ));
                }
            },
        };
        Ok(ContactInput {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: Some(self.email.clone()),
            phones: self
                .phones
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| PhoneInput::Number(l.to_string()))
                .collect(),
            country: None,
            time_zone: Some(self.time_zone.clone()),
            fields,
            tags: self
                .tags
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            source: Some(source.to_string()),
        })
    }
}

async fn new(User(session): User) -> Markup {
    new_page(&session, &ContactForm::default(), None)
}

fn new_page(session: &Session, form: &ContactForm, error: Option<&FieldError>) -> Markup {
    page(
        "Add a contact",
        session,
        "/contacts",
        edit_form(session, "/contacts/new", form, error, "Add contact"),
    )
}

async fn create(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<ContactForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Agent)?;
    let org = user.0.org;
    let created = match form.to_valid(SOURCE) {
        Ok(valid) => store::create(&state.db, org, &valid, state.clock.now_ms())
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match created {
        Ok(contact) => Ok(see_other(&format!("/contacts/{}", contact.id))),
        Err(err) => {
            let (status, error) = field_error(err)?;
            Ok((status, new_page(&user.0, &form, Some(&error))).into_response())
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Shown {
    saved: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    User(session): User,
    Path(id): Path<ContactId>,
    Query(shown): Query<Shown>,
) -> Result<Markup, UiError> {
    let contact = store::get(&state.db, session.org, id).await?;
    let notice = shown.saved.map(|_| "Saved.");
    contact_page(
        &state,
        &session,
        &contact,
        &ContactForm::of(&contact),
        None,
        notice,
    )
    .await
}

async fn save(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<ContactId>,
    Form(form): Form<ContactForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Agent)?;
    let org = user.0.org;
    let contact = store::get(&state.db, org, id).await?;
    let saved = match form.to_valid(&contact.source) {
        Ok(valid) => store::update(&state.db, org, id, &valid, state.clock.now_ms())
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("/contacts/{id}?saved=1"))),
        Err(err) => {
            let (status, error) = field_error(err)?;
            let page = contact_page(&state, &user.0, &contact, &form, Some(&error), None).await?;
            Ok((status, page).into_response())
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    list: Option<ListId>,
}

async fn delete(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<ContactId>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Manager)?;
    store::delete(&state.db, user.0.org, id).await?;
    Ok(see_other("/contacts"))
}

async fn add_to_list(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<ContactId>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Agent)?;
    let list = form
        .list
        .ok_or_else(|| user.refuse(AppError::field("list", "choose a list")))?;
    lists::add_members(&state.db, user.0.org, list, &[id], state.clock.now_ms()).await?;
    Ok(see_other(&format!("/contacts/{id}")))
}

/// "Europe/London, from the number's country", "Asia/Tokyo, set on the contact", or unknown.
fn zone_words(c: &Contact) -> String {
    match (c.zone.from, c.zone.name.as_deref()) {
        (ZoneSource::Contact, Some(z)) => format!("{z}, set on the contact"),
        (ZoneSource::Number, Some(z)) => format!(
            "{z}, from the country of {}",
            c.primary_phone().unwrap_or("its number")
        ),
        _ => "Unknown: its number's country has several zones, so the campaign's zone is used"
            .to_string(),
    }
}

async fn contact_page(
    state: &AppState,
    session: &Session,
    c: &Contact,
    form: &ContactForm,
    error: Option<&FieldError>,
    notice: Option<&str>,
) -> Result<Markup, UiError> {
    let on: Vec<ContactList> = lists::lists_of(&state.db, session.org, c.id).await?;
    let statics: Vec<ContactList> = lists::lists(&state.db, session.org)
        .await?
        .into_iter()
        .filter(|l| l.kind == ListKind::Static && !on.iter().any(|o| o.id == l.id))
        .collect();
    let editor = session.role.allows(Role::Agent);
    let body = html! {
        @if let Some(n) = notice { p.notice role="status" { (n) } }
        dl.facts {
            dt { "Phones" }
            dd { @for p in &c.phones { (p.number) @if p.primary { " (primary)" } br; } @if c.phones.is_empty() { "—" } }
            dt { "Email" } dd { (c.email.as_deref().unwrap_or("—")) }
            dt { "Time zone" } dd #zone { (zone_words(c)) }
            dt { "Tags" } dd { @if c.tags.is_empty() { "—" } @else { (c.tags.join(", ")) } }
            dt { "Source" } dd { (c.source) }
            dt { "Added" } dd { (when(c.created_at)) }
            dt { "Last changed" } dd { (when(c.updated_at)) }
        }
        @if !c.fields.is_empty() {
            h2 { "Fields" }
            table #fields { tbody { @for (k, v) in &c.fields {
                tr { th { (k) } td { @match v { Value::String(s) => (s), other => (other.to_string()) } } }
            } } }
        }
        h2 { "Lists" }
        @if on.is_empty() { p.muted { "On no list." } }
        ul #lists { @for l in &on { li { a href=(format!("/contacts/lists/{}", l.id)) { (l.name) } " (" (l.kind) ")" } } }
        @if editor && !statics.is_empty() {
            form.inline method="post" action=(format!("/contacts/{}/lists", c.id)) {
                (csrf(session))
                label for="list" { "Add to list" }
                select id="list" name="list" { @for l in &statics { option value=(l.id) { (l.name) } } }
                button.secondary type="submit" { "Add" }
            }
        }
        @if editor {
            h2 { "Edit" }
            (edit_form(session, &format!("/contacts/{}", c.id), form, error, "Save"))
        }
        @if session.role.allows(Role::Manager) {
            form.inline method="post" action=(format!("/contacts/{}/delete", c.id)) {
                (csrf(session))
                button.secondary type="submit" { "Delete this contact" }
            }
        }
        p { a href="/contacts" { "← All contacts" } }
    };
    Ok(page(&c.display_name(), session, "/contacts", body))
}

fn edit_form(
    session: &Session,
    action: &str,
    f: &ContactForm,
    error: Option<&FieldError>,
    submit: &str,
) -> Markup {
    let named = [
        "first_name",
        "last_name",
        "email",
        "phones",
        "time_zone",
        "tags",
        "fields",
    ];
    let elsewhere = error.filter(|e| {
        !named.iter().any(|n| {
            e.field
                .as_deref()
                .is_some_and(|f| f == *n || f.starts_with("fields."))
        })
    });
    html! {
        (form_error(elsewhere))
        form.grid method="post" action=(action) {
            (csrf(session))
            div { label for="first_name" { "First name" }
                input id="first_name" name="first_name" value=(f.first_name) aria-invalid=[bad(error, "first_name")]; (note(error, "first_name")) }
            div { label for="last_name" { "Last name" }
                input id="last_name" name="last_name" value=(f.last_name) aria-invalid=[bad(error, "last_name")]; (note(error, "last_name")) }
            div { label for="email" { "Email" }
                input id="email" name="email" type="email" value=(f.email) aria-invalid=[bad(error, "email")]; (note(error, "email")) }
            div { label for="phones" { "Phones (one a line, the first is the primary)" }
                textarea id="phones" name="phones" rows="3" aria-invalid=[bad(error, "phones")] { (f.phones) } (note(error, "phones")) }
            div { label for="time_zone" { "Time zone (blank: from the number's country)" }
                input id="time_zone" name="time_zone" value=(f.time_zone) placeholder="Europe/London" aria-invalid=[bad(error, "time_zone")]; (note(error, "time_zone")) }
            div { label for="tags" { "Tags (separated by commas)" }
                input id="tags" name="tags" value=(f.tags) aria-invalid=[bad(error, "tags")]; (note(error, "tags")) }
            div { label for="fields" { "Fields (a JSON object)" }
                textarea id="fields" name="fields" rows="3" placeholder=r#"{"shirt": "L"}"# aria-invalid=[bad(error, "fields")] { (f.fields) }
                (note(error, "fields"))
                @if let Some(e) = error.filter(|e| e.field.as_deref().is_some_and(|f| f.starts_with("fields."))) {
                    span.error role="alert" data-field=[e.field.as_deref()] { (e.field.as_deref().unwrap_or("")) ": " (e.message) }
                }
            }
            div { button type="submit" { (submit) } }
        }
    }
}
