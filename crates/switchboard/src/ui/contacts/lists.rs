//! The lists: each with its live count, the form that creates one (a smart list's filter can
//! be previewed before saving), and a list's page with its members a page at a time and its
//! filter in words.

use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::{bad, note, pager};
use crate::accounts::Role;
use crate::accounts::store::Session;
use crate::app::AppState;
use crate::contacts::model::contact::Contact;
use crate::contacts::model::filter::Filter;
use crate::contacts::model::list::{ListInput, ListKind};
use crate::contacts::store::contacts::Page;
use crate::contacts::store::lists as store;
use crate::http::AppError;
use crate::ids::{ContactId, ListId};
use crate::ui::layout::{FieldError, csrf, form_error, page, when};
use crate::ui::web::{UiError, User, field_error, see_other};

/// Members per page, and contacts a preview names.
const PAGE: i64 = 50;
const PREVIEW: i64 = 5;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts/lists", get(index).post(create))
        .route("/contacts/lists/{id}", get(show))
        .route("/contacts/lists/{id}/remove", post(remove_member))
        .route("/contacts/lists/{id}/delete", post(delete))
}

#[derive(Clone, Default, Deserialize)]
#[serde(default)]
struct ListForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    name: String,
    kind: String,
    filter: String,
    /// Set by the "Preview" button: count, do not save.
    preview: Option<String>,
}

impl ListForm {
    fn to_input(&self) -> Result<ListInput, AppError> {
        let kind: ListKind = self
            .kind
            .parse()
            .map_err(|_| AppError::field("kind", "choose static or smart"))?;
        let filter = match (kind, self.filter.trim()) {
            (ListKind::Static, _) | (_, "") => None,
            (_, text) => Some(
                serde_json::from_str(text)
                    .map_err(|e| AppError::field("filter", format!("is not JSON: {e}")))?,
            ),
        };
        Ok(ListInput {
            name: self.name.clone(),
            kind,
            filter,
        })
    }
}

async fn index(State(state): State<AppState>, User(session): User) -> Result<Markup, UiError> {
    lists_page(&state, &session, &ListForm::default(), None, None).await
}

async fn create(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<ListForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Manager)?;
    let org = user.0.org;
    let outcome = async {
        if form.preview.is_some() {
            let json = form
                .to_input()?
                .filter
                .ok_or_else(|| AppError::field("filter", "write a filter to preview"))?;
            let filter = Filter::parse(&json)?;
            return Ok(Err(store::preview(&state.db, org, &filter, PREVIEW).await?));
        }
        let valid = form.to_input()?.validate()?;
        Ok(Ok(store::create_list(
            &state.db,
            org,
            &valid,
            state.clock.now_ms(),
        )
        .await?))
    }
    .await;
    match outcome {
        Ok(Ok(list)) => Ok(see_other(&format!("/contacts/lists/{}", list.id))),
        Ok(Err(preview)) => Ok(lists_page(&state, &user.0, &form, None, Some(&preview))
            .await?
            .into_response()),
        Err(err) => {
            let (status, error) = field_error(err)?;
            Ok((
                status,
                lists_page(&state, &user.0, &form, Some(&error), None).await?,
            )
                .into_response())
        }
    }
}

async fn lists_page(
    state: &AppState,
    session: &Session,
    form: &ListForm,
    error: Option<&FieldError>,
    preview: Option<&Page<Contact>>,
) -> Result<Markup, UiError> {
    let mut rows = Vec::new();
    for list in store::lists(&state.db, session.org).await? {
        let count = store::count(&state.db, session.org, &list).await?;
        rows.push((list, count));
    }
    let smart = form.kind == "smart";
    let body = html! {
        nav.subnav {
            a href="/contacts" { "Contacts" }
            a.current href="/contacts/lists" { "Lists" }
        }
        @if rows.is_empty() { p.muted { "No lists yet." } }
        @else {
            table #lists {
                thead { tr { th { "Name" } th { "Kind" } th { "Contacts now" } th { "Who is on it" } } }
                tbody { @for (l, count) in &rows { tr {
                    td { a href=(format!("/contacts/lists/{}", l.id)) { (l.name) } }
                    td { (l.kind) }
                    td.count { (count) }
                    td { @match &l.filter_words { Some(w) => (w), None => "the contacts added to it" } }
                } } }
            }
        }
        @if session.role.allows(Role::Manager) {
            h2 { "Create a list" }
            (form_error(error.filter(|e| !["name", "kind", "filter"].contains(&e.field.as_deref().unwrap_or("")))))
            @if let Some(p) = preview {
                p.notice role="status" #preview {
                    (p.total) " contacts match now"
                    @if !p.items.is_empty() { ", such as " (p.items.iter().map(Contact::display_name).collect::<Vec<_>>().join(", ")) }
                    "."
                }
            }
            form.grid method="post" action="/contacts/lists" {
                (csrf(session))
                div { label for="name" { "Name" }
                    input id="name" name="name" value=(form.name) aria-invalid=[bad(error, "name")]; (note(error, "name")) }
                div { label for="kind" { "Kind" }
                    select id="kind" name="kind" {
                        option value="static" selected[!smart] { "Static: the contacts you add" }
                        option value="smart" selected[smart] { "Smart: the contacts a filter matches, whenever it is used" }
                    } (note(error, "kind")) }
                div.wide { label for="filter" { "Filter (smart lists; see the contacts guide)" }
                    textarea id="filter" name="filter" rows="4" aria-invalid=[bad(error, "filter")]
                        placeholder=r#"{"all": [{"field": "tag", "op": "equals", "value": "volunteer"}]}"# { (form.filter) }
                    (note(error, "filter")) }
                div {
                    button type="submit" { "Create list" } " "
                    button.secondary type="submit" name="preview" value="1" { "Preview the count" }
                }
            }
        }
    };
    Ok(page("Lists", session, "/contacts", body))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Paging {
    offset: i64,
}

async fn show(
    State(state): State<AppState>,
    User(session): User,
    Path(id): Path<ListId>,
    Query(q): Query<Paging>,
) -> Result<Markup, UiError> {
    let list = store::get_list(&state.db, session.org, id).await?;
    let members = store::members(&state.db, session.org, &list, q.offset.max(0), PAGE).await?;
    let removable = list.kind == ListKind::Static && session.role.allows(Role::Agent);
    let base = format!("/contacts/lists/{id}");
    let body = html! {
        dl.facts {
            dt { "Kind" } dd { (list.kind) }
            dt { "Who is on it" } dd #filter { @match &list.filter_words {
                Some(w) => { "Contacts where " (w) " (worked out each time the list is used)" }
                None => "The contacts added to it",
            } }
            dt { "Contacts now" } dd #count { (members.total) }
            dt { "Created" } dd { (when(list.created_at)) }
        }
        table #members {
            thead { tr { th { "Name" } th { "Phone" } th { "Time zone" } @if removable { th {} } } }
            tbody { @for c in &members.items { tr {
                td { a href=(format!("/contacts/{}", c.id)) { (c.display_name()) } }
                td { (c.primary_phone().unwrap_or("—")) }
                td { (c.zone.name.as_deref().unwrap_or("unknown")) }
                @if removable { td {
                    form.inline method="post" action=(format!("{base}/remove")) {
                        (csrf(&session))
                        input type="hidden" name="contact" value=(c.id);
                        button.secondary.small type="submit" { "Remove" }
                    }
                } }
            } } }
        }
        (pager(&base, members.total, members.offset, members.limit, members.items.len()))
        @if session.role.allows(Role::Manager) {
            form.inline method="post" action=(format!("{base}/delete")) {
                (csrf(&session))
                button.secondary type="submit" { "Delete this list (its contacts stay)" }
            }
        }
        p { a href="/contacts/lists" { "← All lists" } }
    };
    Ok(page(&list.name, &session, "/contacts", body))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct MemberForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    contact: Option<ContactId>,
}

async fn remove_member(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<ListId>,
    Form(form): Form<MemberForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Agent)?;
    let contact = form
        .contact
        .ok_or_else(|| user.refuse(AppError::field("contact", "choose a contact")))?;
    store::remove_members(&state.db, user.0.org, id, &[contact]).await?;
    Ok(see_other(&format!("/contacts/lists/{id}")))
}

async fn delete(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<ListId>,
    Form(form): Form<MemberForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Manager)?;
    store::delete_list(&state.db, user.0.org, id).await?;
    Ok(see_other("/contacts/lists"))
}
