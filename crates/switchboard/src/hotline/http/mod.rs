//! The hotline's HTTP side: the native voice flow's webhooks, the on-call routing API for
//! Studio, the voicemail webhooks, the volunteer and calendar views, and the native API.
//! Handlers read the request, hand one command to the desk (or read the store), and answer.

pub mod api;
pub mod calendar;
pub mod input;
pub mod studio;
pub mod voice;
pub mod voicemail;
pub mod volunteers;

use axum::Router;
use serde_json::Value;

use super::desk::{Desk, DeskError, Outcome, Request, Target};
use super::model::incident::{Command, Refusal};
use crate::http::AppError;
use crate::ids::OrgId;

pub fn router() -> Router<crate::hotline::Hotline> {
    Router::new()
        .merge(api::router())
        .merge(studio::router())
        .merge(calendar::router())
        .merge(voice::router())
        .merge(voicemail::router())
        .merge(volunteers::router())
}

/// Hands `command` for `target` to the incident desk; `request` is what the audit trail keeps.
pub(crate) async fn submit(
    desk: &Desk,
    org: Option<OrgId>,
    target: Target,
    command: Command,
    request: &Value,
) -> Result<Outcome, DeskError> {
    let request = Request {
        org,
        target,
        command,
        request: request.to_string(),
    };
    desk.submit(request).await
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
