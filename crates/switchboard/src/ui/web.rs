//! What every dashboard handler shares: the signed-in user (or a redirect to /login), the
//! CSRF check, and errors answered as HTML pages instead of JSON.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::layout::{FieldError, bare_page, page};
use crate::accounts::Role;
use crate::accounts::store::Session;
use crate::app::AppState;
use crate::http::AppError;
use crate::http::auth::SessionUser;

/// A signed-in dashboard user. Visitors without a live session are sent to /login.
pub struct User(pub Session);

impl FromRequestParts<AppState> for User {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match SessionUser::from_request_parts(parts, state).await {
            Ok(SessionUser(session)) => Ok(User(session)),
            Err(AppError::Unauthorized(_)) => Err(Redirect::to("/login").into_response()),
            Err(other) => Err(UiError::from(other).into_response()),
        }
    }
}

impl User {
    /// Refuses (403, with the navigation) unless the user's role allows `needed`.
    pub fn require(&self, needed: Role) -> Result<(), UiError> {
        if self.0.role.allows(needed) {
            Ok(())
        } else {
            Err(self.refuse(AppError::Forbidden("your role does not allow that")))
        }
    }

    /// Checks the synchronizer token a form sent back; a stale or forged form is a 403.
    pub fn check_csrf(&self, sent: &str) -> Result<(), UiError> {
        SessionUser(self.0.clone())
            .check_csrf(sent)
            .map_err(|e| self.refuse(e))
    }

    /// An error page that keeps this user's navigation.
    pub fn refuse(&self, err: impl Into<AppError>) -> UiError {
        UiError {
            session: Some(Box::new(self.0.clone())),
            err: err.into(),
        }
    }
}

/// A handler error shown as an HTML page with the error's status.
pub struct UiError {
    session: Option<Box<Session>>,
    err: AppError,
}

impl From<AppError> for UiError {
    fn from(err: AppError) -> Self {
        UiError { session: None, err }
    }
}

impl From<crate::error::StoreError> for UiError {
    fn from(err: crate::error::StoreError) -> Self {
        UiError::from(AppError::from(err))
    }
}

impl From<crate::error::Invalid> for UiError {
    fn from(err: crate::error::Invalid) -> Self {
        UiError::from(AppError::from(err))
    }
}

impl From<anyhow::Error> for UiError {
    fn from(err: anyhow::Error) -> Self {
        AppError::Internal(err).into()
    }
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let status = self.err.status();
        let message = match &self.err {
            AppError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "page failed unexpectedly");
                "Something went wrong on our side; the server log has the details.".to_string()
            }
            other => other.to_string(),
        };
        let title = match status {
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::NOT_FOUND => "Not found",
            s if s.is_client_error() => "Cannot do that",
            _ => "Error",
        };
        let body = html! {
            p.error role="alert" { (message) }
            p { a href="/" { "Back to the overview" } }
        };
        let markup = match &self.session {
            Some(session) => page(title, session, "", body),
            None => bare_page(title, body),
        };
        (status, markup).into_response()
    }
}

/// Splits a form-input error (shown inline with the form re-rendered) from anything else
/// (shown as an error page).
pub fn field_error(err: AppError) -> Result<(StatusCode, FieldError), UiError> {
    let status = err.status();
    match err {
        AppError::BadRequest { field, message } | AppError::Conflict { field, message } => {
            Ok((status, FieldError { field, message }))
        }
        other => Err(other.into()),
    }
}

/// True when htmx sent the request (it then wants a fragment, not a redirect).
pub fn from_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// After a successful form post: back to `to` with a GET (post/redirect/get).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}
