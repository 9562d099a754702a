//! One error type for every handler, answered as `{"error": {"code", "message", "field"?}}`.
//!
//! Bad input is a 4xx that names the field and the problem. Anything unexpected is logged with
//! its cause chain and answered with an opaque 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    BadRequest {
        field: Option<String>,
        message: String,
    },
    /// A well-formed request whose value cannot be used (a path segment that is no phone
    /// number): 422 naming the field.
    #[error("{message}")]
    Unprocessable { field: String, message: String },
    #[error("authentication required")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    Conflict {
        field: Option<String>,
        message: String,
    },
    #[error("too many requests; try again in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest {
            field: None,
            message: message.into(),
        }
    }

    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Conflict {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { .. } => "bad_request",
            AppError::Unprocessable { .. } => "unprocessable",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict { .. } => "conflict",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Internal(_) => "internal",
        }
    }
}

impl From<crate::error::Invalid> for AppError {
    fn from(e: crate::error::Invalid) -> Self {
        AppError::BadRequest {
            field: Some(e.field),
            message: e.message,
        }
    }
}

impl From<crate::error::StoreError> for AppError {
    fn from(e: crate::error::StoreError) -> Self {
        use crate::error::StoreError;
        match e {
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Conflict { field, message } => AppError::Conflict {
                field: Some(field),
                message,
            },
            StoreError::Invalid(invalid) => invalid.into(),
            StoreError::Db(e) => e.into(),
            StoreError::Other(e) => AppError::Internal(e),
        }
    }
}

/// A webhook whose parameters are missing or malformed: 400 naming the parameter.
impl From<twilio::webhook::WebhookError> for AppError {
    fn from(e: twilio::webhook::WebhookError) -> Self {
        AppError::field(e.field(), e.to_string())
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        AppError::Internal(anyhow::Error::new(err).context("database"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            AppError::Internal(err) => {
                tracing::error!(error = format!("{err:#}"), "request failed unexpectedly");
                "internal error; the server log has the details".to_string()
            }
            AppError::Unauthorized(why) => format!("authentication required: {why}"),
            other => other.to_string(),
        };
        let field = match &self {
            AppError::BadRequest { field, .. } | AppError::Conflict { field, .. } => field.clone(),
            AppError::Unprocessable { field, .. } => Some(field.clone()),
            _ => None,
        };
        let mut body = json!({ "code": self.code(), "message": message });
        if let Some(field) = field {
            body["field"] = json!(field);
        }
        let mut response = (status, Json(json!({ "error": body }))).into_response();
        if let AppError::TooManyRequests { retry_after_secs } = self
            && let Ok(v) = retry_after_secs.to_string().parse()
        {
            response.headers_mut().insert("retry-after", v);
        }
        response
    }
}

/// Extracts the field a serde error is about: "missing field `name`", "unknown field `x`", or
/// the path serde_json reports for a bad value.
pub fn serde_field(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_field_finds_the_backticked_name() {
        assert_eq!(
            serde_field("missing field `name` at line 1 column 2").as_deref(),
            Some("name")
        );
        assert_eq!(serde_field("invalid type: string"), None);
    }

    #[tokio::test]
    async fn internal_errors_are_opaque_and_bad_requests_name_the_field() {
        let r = AppError::Internal(anyhow::anyhow!("secret detail")).into_response();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("secret detail"));
        let r = AppError::field("phone", "not a phone number").into_response();
        let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["field"], "phone");
        assert_eq!(v["error"]["code"], "bad_request");
    }
}
