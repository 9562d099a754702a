//! Points a number's webhooks at us through Twilio's IncomingPhoneNumbers REST API (the
//! simulator's in simulated mode). [`point`] is the one way any job sets a number's URLs (the
//! hotline's `provision.rs` uses it for a line's own number); [`provision`] gives an owned or
//! released number its URLs.
//!
//! Every registered number, owned or not, points at the same two webhooks: voice at
//! [`VOICE_INBOUND_PATH`], texts at [`INBOUND_PATH`]; the owner decides what they answer, so
//! giving a number to someone else or releasing it changes no URL, only the voice status
//! callback (the owner's job may want its own). Live: the number must already be in the
//! account (we never buy one). Simulated: the simulator forgets its numbers on restart, so a
//! missing number is created.

use anyhow::Context as _;
use twilio::Method;
use twilio::client::IncomingPhoneNumberParams;
use twilio::resources::IncomingPhoneNumber;

use super::VOICE_INBOUND_PATH;
use super::registry::Owners;
use super::store::{self, PhoneNumber};
use crate::config::TelephonyMode;
use crate::ids::OrgId;
use crate::services::Services;
use crate::telephony::inbound::INBOUND_PATH;

/// Sets the URLs `params` names on the account's number `e164`; creates the number (named
/// `friendly_name`) in simulated mode when the simulator does not have it.
pub async fn point(
    state: &Services,
    e164: &str,
    friendly_name: &str,
    params: IncomingPhoneNumberParams,
) -> anyhow::Result<()> {
    let client = state.telephony.client();
    let page = client
        .list_incoming_phone_numbers(Some(e164))
        .await
        .with_context(|| format!("cannot list the number {e164}"))?;
    match page
        .incoming_phone_numbers
        .iter()
        .find(|n| n.phone_number == e164)
    {
        Some(number) if points_as(number, &params) => {}
        Some(number) => {
            client
                .update_incoming_phone_number(&number.sid, &params)
                .await
                .with_context(|| format!("cannot update the number {e164}"))?;
        }
        None if state.telephony.mode == TelephonyMode::Simulated => {
            let create = IncomingPhoneNumberParams {
                phone_number: Some(e164.to_string()),
                friendly_name: Some(friendly_name.to_string()),
                ..params
            };
            client
                .create_incoming_phone_number(&create)
                .await
                .with_context(|| format!("cannot add the number {e164}"))?;
        }
        None => anyhow::bail!(
            "{e164} is not a number of this Twilio account; buy it first, then save again"
        ),
    }
    Ok(())
}

/// Whether `number` already has every URL `params` sets.
fn points_as(number: &IncomingPhoneNumber, params: &IncomingPhoneNumberParams) -> bool {
    let same = |wanted: &Option<String>, has: &Option<String>| {
        wanted.is_none() || wanted.as_deref() == has.as_deref().filter(|u| !u.is_empty())
    };
    same(&params.voice_url, &number.voice_url)
        && same(&params.status_callback, &number.status_callback)
        && same(&params.sms_url, &number.sms_url)
}

/// The URLs a registered number gets: the two inbound webhooks, and the voice status callback
/// its owner's job asks for (else the call ledger's, naming the organisation).
pub fn urls(
    state: &Services,
    owners: &Owners,
    org: OrgId,
    n: &PhoneNumber,
) -> IncomingPhoneNumberParams {
    let status = n
        .owner
        .and_then(|o| owners.job(o.kind))
        .and_then(|job| job.call_status_path())
        .map_or_else(|| format!("/twilio/calls/status?org={org}"), str::to_string);
    IncomingPhoneNumberParams {
        voice_url: Some(state.config.public_url_for(VOICE_INBOUND_PATH)),
        voice_method: Some(Method::Post),
        status_callback: Some(state.config.public_url_for(&status)),
        status_callback_method: Some(Method::Post),
        sms_url: Some(state.config.public_url_for(INBOUND_PATH)),
        sms_method: Some(Method::Post),
        ..IncomingPhoneNumberParams::default()
    }
}

/// Points `n` at the inbound webhooks.
pub async fn provision(
    state: &Services,
    owners: &Owners,
    org: OrgId,
    n: &PhoneNumber,
) -> anyhow::Result<()> {
    point(
        state,
        &n.e164,
        &n.friendly_name,
        urls(state, owners, org, n),
    )
    .await?;
    tracing::info!(
        number = n.e164,
        owner = ?n.owner,
        "The number points at the inbound webhooks."
    );
    Ok(())
}

/// After a number was registered, or got or lost its owner: in simulated mode, provision it,
/// logging (not failing on) a number that cannot be. (Live numbers are pointed once, in
/// Twilio's console: their voice and SMS URLs never change with the owner.)
pub async fn after_change(state: &Services, owners: &Owners, org: OrgId, n: &PhoneNumber) {
    if state.telephony.mode == TelephonyMode::Simulated
        && let Err(e) = provision(state, owners, org, n).await
    {
        tracing::warn!(
            number = n.e164,
            error = format!("{e:#}"),
            "The number could not be provisioned."
        );
    }
}

/// At start in simulated mode: the simulator starts empty, so point every registered number
/// at us again (after the hotline's own provisioning, which this overrides for its lines'
/// registered numbers).
pub async fn provision_all_simulated(state: &Services, owners: &Owners) -> anyhow::Result<()> {
    if state.telephony.mode != TelephonyMode::Simulated {
        return Ok(());
    }
    for org in store::orgs_with_numbers(&state.db).await? {
        for n in store::list(&state.db, org).await? {
            after_change(state, owners, org, &n).await;
        }
    }
    Ok(())
}
