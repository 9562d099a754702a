//! Hotline: volunteer lines routed by shift (seed 001) and emergency lines that escalate
//! through an on-call ladder (seed 003).

pub mod api;
pub mod calendar;
pub mod demo;
pub mod desk;
pub mod escalation;
pub mod input;
pub mod model;
pub mod notices;
pub mod provision;
pub mod reminders;
pub mod rostering;
pub mod store;
pub mod studio;
pub mod studio_flow;
pub mod twiml;
pub mod voice;
pub mod voicemail;
pub mod volunteers;

use axum::Router;

use crate::accounts::OrgId;
use crate::app::AppState;
use crate::http::AppResult;

/// What follows every save of a line, from the API or the dashboard: its reminder schedule
/// moves with it, and in simulated mode its number is pointed at our voice webhook.
pub async fn after_line_saved(
    state: &AppState,
    org: OrgId,
    line: &store::lines::Line,
) -> AppResult<()> {
    reminders::sync_line(state, org, line).await?;
    provision::after_save(state, line).await;
    Ok(())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(api::router())
        .merge(studio::router())
        .merge(calendar::router())
        .merge(voice::router())
        .merge(voicemail::router())
        .merge(volunteers::router())
}
