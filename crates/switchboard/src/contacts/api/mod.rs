//! The contacts' native API (`/api/v1/...`, Bearer tokens, organisation-scoped): one file per
//! resource, each with its own router; [`router`] merges them.

pub mod consent;
pub mod contacts;
pub mod imports;
pub mod lists;

use axum::Router;

use crate::services::Services;

pub fn router() -> Router<Services> {
    Router::new()
        .merge(consent::router())
        .merge(imports::router())
        .merge(contacts::router())
        .merge(lists::router())
}
