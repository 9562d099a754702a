//! Twilio's 2010-04-01 REST API for one account: Calls, Messages, IncomingPhoneNumbers and
//! Recordings, behind HTTP Basic with the account SID and auth token.

mod calls;
mod error;
mod form;
mod json;
pub mod media;
mod messages;
mod numbers;
mod paging;
mod recordings;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;

use crate::sim::Simulator;
use error::RestError;

/// The REST routes, authenticated.
pub fn router(sim: Simulator) -> Router {
    let account = "/2010-04-01/Accounts/{account}";
    Router::new()
        .route(
            &format!("{account}/Calls.json"),
            get(calls::list).post(calls::create),
        )
        .route(
            &format!("{account}/Calls/{{file}}"),
            get(calls::fetch).post(calls::update),
        )
        .route(
            &format!("{account}/Messages.json"),
            get(messages::list).post(messages::create),
        )
        .route(
            &format!("{account}/Messages/{{file}}"),
            get(messages::fetch),
        )
        .route(
            &format!("{account}/IncomingPhoneNumbers.json"),
            get(numbers::list).post(numbers::create),
        )
        .route(
            &format!("{account}/IncomingPhoneNumbers/{{file}}"),
            get(numbers::fetch)
                .post(numbers::update)
                .delete(numbers::delete),
        )
        .route(
            &format!("{account}/Recordings/{{file}}"),
            get(recordings::fetch),
        )
        .route(
            "/2010-04-01/{*rest}",
            get(not_found).post(not_found).delete(not_found),
        )
        .layer(middleware::from_fn_with_state(sim.clone(), authenticate))
        .with_state(sim)
}

async fn not_found(request: Request) -> RestError {
    RestError::not_found(request.uri().path())
}

/// Recording media is public (as with Twilio's default), everything else needs HTTP Basic.
fn is_public(path: &str) -> bool {
    path.contains("/Recordings/") && !path.ends_with(".json")
}

async fn authenticate(State(sim): State<Simulator>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if is_public(&path) {
        return next.run(request).await;
    }
    let cfg = sim.config();
    let given = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok());
    let Some((user, password)) = given.as_deref().and_then(|g| g.split_once(':')) else {
        return RestError::unauthenticated().into_response();
    };
    let known = if user == cfg.account_sid {
        password == cfg.auth_token
    } else {
        sim.inner
            .store
            .lock()
            .extra_accounts
            .get(user)
            .map(String::as_str)
            == Some(password)
    };
    if !known {
        return RestError::unauthenticated().into_response();
    }
    let account = path.split('/').nth(3).map(|a| a.trim_end_matches(".json"));
    if account.is_some_and(|a| a != user) {
        return RestError::not_found(&path).into_response();
    }
    if let Some(a) = account {
        *sim.inner
            .store
            .lock()
            .requests_by_account
            .entry(a.to_owned())
            .or_default() += 1;
    }
    next.run(request).await
}

/// Splits `CA123.json` into (`CA123`, `json`); a bare SID has no extension.
pub fn split_file(file: &str) -> (&str, &str) {
    file.rsplit_once('.').unwrap_or((file, ""))
}
