//! The contacts table: search by name, email or number, a page at a time; links to add a
//! contact, to the lists, and to the CSV import.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use maud::{Markup, html};
use serde::Deserialize;

use super::pager;
use crate::app::AppState;
use crate::contacts::store::contacts::{self as store, Search};
use crate::ui::layout::page;
use crate::ui::web::{UiError, User};

/// Contacts per page.
const PAGE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/contacts", get(table))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct TableQuery {
    q: String,
    offset: i64,
}

async fn table(
    State(state): State<AppState>,
    User(session): User,
    Query(query): Query<TableQuery>,
) -> Result<Markup, UiError> {
    let text = crate::limits::text("q", &query.q, 200)?;
    let search = Search {
        text: Some(text.clone()).filter(|t| !t.is_empty()),
        offset: query.offset.max(0),
        limit: PAGE,
        ..Search::default()
    };
    let found = store::search(&state.db, session.org, &search).await?;
    let base = if text.is_empty() {
        "/contacts".to_string()
    } else {
        format!(
            "/contacts?q={}",
            url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
        )
    };
    let body = html! {
        nav.subnav {
            a.current href="/contacts" { "Contacts" }
            a href="/contacts/lists" { "Lists" }
            a href="/contacts/new" { "Add a contact" }
            // The CSV import's page: built by the import work (issue 15, CSV import).
            a href="/contacts/import" { "Import from CSV" }
        }
        form.inline method="get" action="/contacts" role="search" {
            label for="q" { "Search" }
            input id="q" name="q" type="search" value=(text) placeholder="name, email or number";
            button type="submit" { "Search" }
        }
        table #contacts {
            thead { tr { th { "Name" } th { "Phone" } th { "Email" } th { "Time zone" } th { "Tags" } } }
            tbody {
                @for c in &found.items {
                    tr {
                        td { a href=(format!("/contacts/{}", c.id)) { (c.display_name()) } }
                        td { (c.primary_phone().unwrap_or("—")) }
                        td { (c.email.as_deref().unwrap_or("—")) }
                        td { (c.zone.name.as_deref().unwrap_or("unknown")) }
                        td { (c.tags.join(", ")) }
                    }
                }
            }
        }
        (pager(&base, found.total, found.offset, found.limit, found.items.len()))
    };
    Ok(page("Contacts", &session, "/contacts", body))
}
