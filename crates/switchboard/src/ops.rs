//! Operations endpoints: liveness, readiness, Prometheus metrics, the OpenAPI document and
//! Swagger UI (served from the binary, so it works offline).

use std::any::Any;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::app::AppState;
use crate::jobs::{self, JobState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok\n"
}

/// The database answers and every migration is applied.
async fn readyz(State(state): State<AppState>) -> Response {
    if state.db.is_ready().await {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unreachable or migrations pending\n",
        )
            .into_response()
    }
}

/// Prometheus text; see [`crate::http::metrics::scrape_refusal`] for who may read it.
async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let token = state.config.metrics_token.as_ref();
    if let Some(refused) = crate::http::metrics::scrape_refusal(token, request.headers(), peer) {
        return refused.into_response();
    }
    // Job counts are read at scrape time, so every process reports the shared queue.
    if let Ok(counts) = jobs::store::count_by_state(&state.db, None).await {
        for s in JobState::ALL {
            let n = counts
                .iter()
                .find(|(state, _)| state == s)
                .map_or(0, |(_, n)| *n);
            metrics::gauge!("jobs", "state" => s.as_str()).set(n as f64);
        }
    }
    let body = crate::http::metrics::handle().render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// Unknown paths: the JSON error shape, naming the method and path.
pub async fn not_found(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    let message = format!("no route for {method} {}", uri.path());
    let body = serde_json::json!({ "error": { "code": "not_found", "message": message } });
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

/// Answers a panic in a handler with an opaque 500 (the panic itself is logged).
pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown");
    tracing::error!(panic = detail, "a request handler panicked");
    crate::http::AppError::Internal(anyhow::anyhow!("handler panicked")).into_response()
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Switchboard API", description = "Phone and text work on Twilio: hotlines, call tools, dialer, texting."),
    paths(
        crate::accounts::api::list_people,
        crate::accounts::api::create_person,
        crate::accounts::api::get_person,
        crate::accounts::api::update_person,
        crate::accounts::api::delete_person,
        crate::accounts::api::list_tokens,
        crate::accounts::api::create_token,
        crate::accounts::api::revoke_token,
        crate::accounts::api::list_jobs,
        crate::accounts::api::retry_job,
        crate::hotline::http::api::list_lines,
        crate::hotline::http::api::create_line,
        crate::hotline::http::api::get_line,
        crate::hotline::http::api::update_line,
        crate::hotline::http::api::delete_line,
        crate::hotline::http::api::list_shifts,
        crate::hotline::http::api::add_shift,
        crate::hotline::http::api::delete_shift,
        crate::hotline::http::api::list_overrides,
        crate::hotline::http::api::add_override,
        crate::hotline::http::api::delete_override,
        crate::hotline::http::api::list_oncall,
        crate::hotline::http::api::add_oncall,
        crate::hotline::http::api::add_rotation,
        crate::hotline::http::api::delete_oncall,
        crate::hotline::http::api::get_ladders,
        crate::hotline::http::api::set_ladder,
        crate::hotline::http::api::get_pool,
        crate::hotline::http::api::set_pool,
        crate::hotline::http::api::metrics,
        crate::hotline::http::api::list_incidents,
        crate::hotline::http::api::get_incident,
        crate::hotline::http::calendar::get_feed_url,
        crate::hotline::http::calendar::rotate_feed_url,
        crate::telephony::numbers::api::list,
        crate::telephony::numbers::api::add,
        crate::telephony::numbers::api::remove,
        crate::telephony::numbers::api::give,
        crate::telephony::numbers::api::release,
        crate::telephony::outbox::api::send_message,
        crate::telephony::outbox::queue_api::outbox_queues,
        crate::telephony::outbox::queue_api::outbox_items,
        crate::contacts::api::consent::get_consent,
        crate::contacts::api::consent::change_consent,
        crate::contacts::api::imports::import_contacts,
        crate::contacts::api::imports::list_imports,
        crate::contacts::api::imports::get_import,
        crate::contacts::api::imports::export_contacts,
        crate::contacts::api::contacts::search,
        crate::contacts::api::contacts::create,
        crate::contacts::api::contacts::read,
        crate::contacts::api::contacts::update,
        crate::contacts::api::contacts::replace,
        crate::contacts::api::contacts::remove,
        crate::contacts::api::lists::list_lists,
        crate::contacts::api::lists::create_list,
        crate::contacts::api::lists::read_list,
        crate::contacts::api::lists::update_list,
        crate::contacts::api::lists::delete_list,
        crate::contacts::api::lists::list_members,
        crate::contacts::api::lists::add_members,
        crate::contacts::api::lists::remove_members,
        crate::contacts::api::lists::preview,
    ),
    modifiers(&BearerAuth),
    tags((name = "accounts", description = "People and API tokens"), (name = "jobs", description = "The job queue"), (name = "hotline", description = "Shift lines, on-call ladders, incidents"), (name = "telephony", description = "Texts and calls through the outbox"), (name = "contacts", description = "Contacts, lists and CSV imports")),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
