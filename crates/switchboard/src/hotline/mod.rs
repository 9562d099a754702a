//! Hotline: volunteer lines routed by shift and emergency lines that escalate through an
//! on-call ladder.
//!
//! - `model/`: the rules, as pure functions over values and a clock: who is on shift, which
//!   rung of the ladder is next, and the incident's state machine (`model::incident`).
//! - `store/`: the SQL.
//! - `desk/`: every change to an incident, applied in batches through the state machine.
//! - `http/`: webhooks, the on-call routing API, the native API and the views.
//! - `twiml.rs`: the voice responses. `jobs/`: reminders and the voicemail deadline.

pub mod demo;
pub mod desk;
pub mod http;
pub mod input;
pub mod jobs;
pub mod model;
pub mod notices;
pub mod numbers;
pub mod provision;
pub mod rostering;
pub mod store;
pub mod studio_flow;
pub mod twiml;

use axum::extract::FromRef;

use crate::accounts::OrgId;
use crate::http::AppResult;
use crate::http::idempotency::Answers;
use crate::services::Services;
use crate::telephony::SigningKeys;

pub use http::router;

/// The hotline's state: the shared services, the incident desk, the keys webhooks are
/// checked with and the answers kept for Twilio's retries. Its routes take it as their
/// state; handlers pick parts with `FromRef`.
#[derive(Clone, FromRef)]
pub struct Hotline {
    pub services: Services,
    pub desk: desk::Desk,
    pub keys: SigningKeys,
    pub answers: Answers,
}

impl Hotline {
    /// Starts the incident desk.
    pub fn start(
        services: &Services,
        keys: &SigningKeys,
        answers: &Answers,
    ) -> anyhow::Result<Hotline> {
        let desk = desk::Desk::start(
            &services.db,
            services.clock.clone(),
            services.jobs_wake.clone(),
        )?;
        Ok(Hotline {
            services: services.clone(),
            desk,
            keys: keys.clone(),
            answers: answers.clone(),
        })
    }
}

/// What follows every save of a line, from the API or the dashboard: its reminder schedule
/// moves with it, it owns its number when that is registered and free, and in simulated mode
/// its number is pointed at our voice webhook.
pub async fn after_line_saved(
    state: &Services,
    org: OrgId,
    line: &store::lines::Line,
) -> AppResult<()> {
    jobs::reminders::sync_line(state, org, line).await?;
    numbers::claim_own_number(state, org, line).await?;
    provision::after_save(state, line).await;
    Ok(())
}
