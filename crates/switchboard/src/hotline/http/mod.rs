//! The hotline's HTTP side: the native voice flow's webhooks, the on-call routing API for
//! Studio, the voicemail webhooks, the volunteer and calendar views, and the native API.
//! Handlers read the request, hand one command to the desk (or read the store), and answer.

pub mod api;
pub mod calendar;
pub mod studio;
mod studio_request;
pub mod voice;
pub mod voicemail;
pub mod volunteers;

use axum::Router;

use super::desk::DeskError;
use super::model::incident::Refusal;
use crate::http::AppError;

pub fn router() -> Router<crate::hotline::Hotline> {
    Router::new()
        .merge(api::router())
        .merge(studio::router())
        .merge(calendar::router())
        .merge(voice::router())
        .merge(voicemail::router())
        .merge(volunteers::router())
}

impl From<DeskError> for AppError {
    fn from(e: DeskError) -> AppError {
        match e {
            DeskError::Refused(refusal @ Refusal::AlreadyAnswered(_)) => {
                AppError::conflict("incidentId", refusal.to_string())
            }
            DeskError::Store(e) => e.into(),
            DeskError::Stopped => {
                AppError::Internal(anyhow::anyhow!("the incident desk has stopped"))
            }
        }
    }
}
