//! The contacts pages: the table with search (`table.rs`), one contact with its edit form
//! (`contact.rs`), and the lists with their live counts (`lists.rs`). The CSV import page
//! (`/contacts/import`) is built beside these by the import work.

mod contact;
mod lists;
mod table;

use axum::Router;
use maud::{Markup, html};

use super::layout::FieldError;
use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(table::router())
        .merge(contact::router())
        .merge(lists::router())
}

/// The error about `field`, next to its input.
fn note(error: Option<&FieldError>, field: &str) -> Markup {
    html! {
        @if let Some(e) = error.filter(|e| e.is_about(field)) {
            span.error role="alert" data-field=(field) id=(format!("{field}-error")) { (e.message) }
        }
    }
}

/// `aria-invalid` for `field`'s input when the error is about it.
fn bad(error: Option<&FieldError>, field: &str) -> Option<&'static str> {
    error.is_some_and(|e| e.is_about(field)).then_some("true")
}

/// "Showing 51-100 of 230" and the links to the pages either side.
fn pager(base: &str, total: i64, offset: i64, limit: i64, shown: usize) -> Markup {
    let sep = if base.contains('?') { '&' } else { '?' };
    html! {
        p.muted.pager {
            @if total == 0 { "None." } @else {
                "Showing " (offset + 1) "–" (offset + shown as i64) " of " (total) ". "
            }
            @if offset > 0 {
                a href=(format!("{base}{sep}offset={}", (offset - limit).max(0))) { "← Previous" } " "
            }
            @if offset + (shown as i64) < total {
                a href=(format!("{base}{sep}offset={}", offset + limit)) { "Next →" }
            }
        }
    }
}
