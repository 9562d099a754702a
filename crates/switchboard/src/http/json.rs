//! A `Json` extractor whose rejections are [`AppError`]s naming the field at fault.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{AppError, serde_field};

pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(rejection) => Err(rejection_to_error(rejection)),
        }
    }
}

fn rejection_to_error(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::JsonDataError(e) => {
            // The inner serde message is the useful part: "missing field `to`" etc.
            let inner = std::error::Error::source(&e)
                .map(ToString::to_string)
                .unwrap_or_else(|| e.body_text());
            let field = inner
                .split(": ")
                .next()
                .filter(|p| !p.contains(' '))
                .map(str::to_string);
            let field = field.or_else(|| serde_field(&inner));
            AppError::BadRequest {
                field,
                message: format!("invalid request body: {inner}"),
            }
        }
        JsonRejection::JsonSyntaxError(e) => {
            AppError::bad_request(format!("request body is not valid JSON: {}", e.body_text()))
        }
        JsonRejection::MissingJsonContentType(_) => {
            AppError::bad_request("expected a JSON body with Content-Type: application/json")
        }
        other => AppError::bad_request(other.body_text()),
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}
