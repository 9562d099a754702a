//! Twilio-facing routes of the telephony shell: call and message status callbacks, signed
//! with the token of the organisation their URL names (`TwilioRequest` reads `org` first),
//! and inbound calls (`numbers::dispatch`) and texts (`inbound`) to the organisation's numbers,
//! signed with the token of the organisation owning `To` and handed to the number's owner.

use axum::Router;
use axum::extract::{FromRef, Query, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde::Deserialize;
use twilio::webhook::{CallStatusCallback, MessageStatusCallback};

use super::ledger;
use crate::accounts::OrgId;
use crate::http::AppResult;
use crate::http::idempotency::Answers;
use crate::http::twilio_signature::{TwilioRequest, twilio_routes};
use crate::services::Services;
use crate::telephony::SigningKeys;
use crate::telephony::numbers::{Owners, VOICE_INBOUND_PATH};

pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Services: FromRef<S>,
    SigningKeys: FromRef<S>,
    Answers: FromRef<S>,
    Owners: FromRef<S>,
{
    twilio_routes(
        Router::new()
            .route("/twilio/calls/status", post(call_status))
            .route("/twilio/messages/status", post(message_status))
            .route(super::inbound::INBOUND_PATH, post(super::inbound::inbound))
            .route(VOICE_INBOUND_PATH, post(super::numbers::dispatch::voice)),
    )
}

/// The organisation is part of the callback URL we gave Twilio, and so covered by the signature.
#[derive(Deserialize)]
struct OrgParam {
    org: OrgId,
}

async fn call_status(
    State(state): State<Services>,
    Query(q): Query<OrgParam>,
    req: TwilioRequest,
) -> AppResult<StatusCode> {
    let cb = CallStatusCallback::from_pairs(&req.params)?;
    let applied =
        ledger::apply_call_callback(&state.db, q.org, &cb, &req.params, state.clock.now_ms())
            .await?;
    tracing::debug!(call.sid = cb.call_sid, status = %cb.call_status, ?applied, "call status callback");
    Ok(StatusCode::NO_CONTENT)
}

async fn message_status(
    State(state): State<Services>,
    Query(q): Query<OrgParam>,
    req: TwilioRequest,
) -> AppResult<StatusCode> {
    let cb = MessageStatusCallback::from_pairs(&req.params)?;
    let applied =
        ledger::apply_message_callback(&state.db, q.org, &cb, &req.params, state.clock.now_ms())
            .await?;
    tracing::debug!(message.sid = cb.message_sid, status = %cb.message_status, ?applied, "message status callback");
    Ok(StatusCode::NO_CONTENT)
}
