//! The dashboard: server-rendered pages (maud), assets embedded in the binary, no CDN.
//! One file per page area; every page needs a session and every form carries `_csrf`
//! (`/login`'s too), is taken only from the site's own origin, and every response carries the
//! security headers (`guard.rs`).

mod consent;
mod contacts;
pub mod demo;
mod guard;
mod hotline;
mod imports;
mod inbox;
mod jobs;
mod layout;
mod login;
mod numbers;
mod outbox;
mod outbox_sends;
mod overview;
mod people;
mod person;
mod placeholders;
mod settings;
mod settings_texts;
mod tokens;
mod web;

use axum::Router;

use crate::app::AppState;

pub fn router(state: &AppState) -> Router<AppState> {
    let pages = Router::new()
        .merge(login::router())
        .merge(overview::router())
        .merge(placeholders::router())
        .merge(hotline::router())
        .merge(people::router())
        .merge(settings::router())
        .merge(tokens::router())
        .merge(outbox::router())
        .merge(inbox::router())
        .merge(consent::router())
        .merge(contacts::router())
        .merge(imports::router())
        .merge(jobs::router());
    guard::protect(guard::no_store(pages).merge(layout::assets_router()), state)
}

/// The dashboard's uploads, which take their own body limit (see `app::router`).
pub fn uploads(state: &AppState) -> Router<AppState> {
    guard::protect(guard::no_store(imports::uploads()), state)
}
