//! Twilio-facing routes of the telephony shell: call and message status callbacks.

use axum::Router;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
