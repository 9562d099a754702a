//! The contacts' native API (`/api/v1/...`, Bearer tokens, organisation-scoped): one file per
//! resource, each with its own router; [`router`] merges them.

pub mod contacts;
pub mod lists;

use axum::Router;

use crate::services::Services;

pub fn router() -> Router<Services> {
    Router::new()
        .merge(contacts::router())
        .merge(lists::router())
}
