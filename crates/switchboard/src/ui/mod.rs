//! The dashboard: server-rendered pages (maud), assets embedded in the binary, no CDN.

pub mod demo;
mod layout;
mod login;

use axum::Router;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(login::router())
        .merge(layout::assets_router())
}
