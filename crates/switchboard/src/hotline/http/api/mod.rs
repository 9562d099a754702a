//! The native hotline API (`/api/v1/hotline/...`, Bearer tokens, organisation-scoped), one
//! file per resource.

mod incidents;
mod ladders;
mod lines;
mod roster;

use axum::Router;
use axum::routing::{delete, get, put};

pub use incidents::*;
pub use ladders::*;
pub use lines::*;
pub use roster::*;

pub fn router() -> Router<crate::hotline::Hotline> {
    Router::new()
        .route("/api/v1/hotline/lines", get(list_lines).post(create_line))
        .route(
            "/api/v1/hotline/lines/{id}",
            get(get_line).put(update_line).delete(delete_line),
        )
        .route(
            "/api/v1/hotline/lines/{id}/shifts",
            get(list_shifts).post(add_shift),
        )
        .route(
            "/api/v1/hotline/lines/{id}/shifts/{shift}",
            delete(delete_shift),
        )
        .route(
            "/api/v1/hotline/lines/{id}/overrides",
            get(list_overrides).post(add_override),
        )
        .route(
            "/api/v1/hotline/lines/{id}/overrides/{item}",
            delete(delete_override),
        )
        .route(
            "/api/v1/hotline/lines/{id}/oncall",
            get(list_oncall).post(add_oncall),
        )
        .route(
            "/api/v1/hotline/lines/{id}/oncall/rotation",
            axum::routing::post(add_rotation),
        )
        .route(
            "/api/v1/hotline/lines/{id}/oncall/{period}",
            delete(delete_oncall),
        )
        .route("/api/v1/hotline/lines/{id}/ladders", get(get_ladders))
        .route(
            "/api/v1/hotline/lines/{id}/ladders/{hours}",
            put(set_ladder),
        )
        .route(
            "/api/v1/hotline/lines/{id}/pool",
            get(get_pool).put(set_pool),
        )
        .route("/api/v1/hotline/lines/{id}/metrics", get(metrics))
        .route("/api/v1/hotline/incidents", get(list_incidents))
        .route("/api/v1/hotline/incidents/{id}", get(get_incident))
}
