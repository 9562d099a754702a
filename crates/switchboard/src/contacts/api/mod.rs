//! The contacts' native API (Bearer, organisation-scoped, in the OpenAPI document).

pub mod consent;
pub mod imports;

use axum::Router;

use crate::services::Services;

pub fn router() -> Router<Services> {
    Router::new()
        .merge(consent::router())
        .merge(imports::router())
}
