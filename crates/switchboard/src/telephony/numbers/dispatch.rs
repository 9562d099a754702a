//! `POST /twilio/voice/inbound`: a call to one of the organisation's numbers, signed with the
//! token of the organisation that has the number (`To`). The number's owner is looked up
//! within that organisation and the call handed to the owner's job (`registry`); a number
//! with no owner, or whose owner's job takes no calls, answers "This number is not in
//! service." and hangs up, with a log line naming the number. Twilio's retries are safe: a
//! repeated `I-Twilio-Idempotency-Token` gets the first answer (`http::idempotency`), and the
//! jobs key what a call starts on its CallSid; the not-in-service answer changes nothing.
//!
//! Texts take the same way from `telephony::inbound` through [`owner_for`] and
//! [`hand_text`].

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use twilio::twiml::VoiceResponse;
use twilio::webhook::VoiceRequest;

use super::model::Owner;
use super::registry::{Inbound, Owners};
use super::store;
use crate::error::StoreResult;
use crate::http::AppResult;
use crate::http::twilio_signature::TwilioRequest;
use crate::http::twiml::Twiml;
use crate::ids::OrgId;
use crate::services::Services;

/// What a caller to a number that serves nothing hears.
pub const NOT_IN_SERVICE: &str = "This number is not in service.";

pub fn not_in_service() -> VoiceResponse {
    VoiceResponse::new().say(NOT_IN_SERVICE).hangup()
}

/// The owner of the organisation's number `to`, if the number is registered and has one.
pub async fn owner_for(services: &Services, org: OrgId, to: &str) -> StoreResult<Option<Owner>> {
    Ok(store::find_by_e164(&services.db, org, to)
        .await?
        .and_then(|n| n.owner))
}

/// Handles a call to one of the organisation's numbers (`telephony::http` routes it).
pub async fn voice(
    State(services): State<Services>,
    State(owners): State<Owners>,
    req: TwilioRequest,
) -> AppResult<Response> {
    let call = VoiceRequest::from_pairs(&req.params)?;
    let Some(org) = req.org() else {
        return Ok(unserved(&call, None));
    };
    let Some(owner) = owner_for(&services, org, &call.to).await? else {
        return Ok(unserved(&call, Some(org)));
    };
    let Some(job) = owners.job(owner.kind) else {
        return Ok(unserved(&call, Some(org)));
    };
    let inbound = Inbound {
        org,
        owner_id: owner.id,
        request: req,
    };
    match job.answer_call(inbound).await {
        Some(answer) => {
            tracing::debug!(call.sid = call.call_sid, number = call.to, owner = ?owner, "An inbound call was handed to its number's owner.");
            Ok(answer)
        }
        None => Ok(unserved(&call, Some(org))),
    }
}

fn unserved(call: &VoiceRequest, org: Option<OrgId>) -> Response {
    tracing::warn!(
        call.sid = call.call_sid,
        number = call.to,
        org = org.map(|o| o.get()),
        "A call reached {}, which serves nothing: it heard \"not in service\".",
        call.to
    );
    Twiml(not_in_service()).into_response()
}

/// Hands a text, already kept in the inbox, to its number's owner; `None` when the number has
/// no owner or the owner's job does not answer texts.
pub async fn hand_text(
    owners: &Owners,
    org: OrgId,
    owner: Option<Owner>,
    req: TwilioRequest,
) -> Option<Response> {
    let owner = owner?;
    let job = owners.job(owner.kind)?;
    let inbound = Inbound {
        org,
        owner_id: owner.id,
        request: req,
    };
    job.answer_text(inbound).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_that_serves_nothing_says_so_and_hangs_up() {
        let xml = not_in_service().to_xml();
        assert!(
            xml.contains("<Say>This number is not in service.</Say><Hangup/>"),
            "{xml}"
        );
    }
}
