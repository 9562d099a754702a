//! The organisation's numbers and who owns each: a hotline line, a call-tool campaign, a
//! dialer campaign, a texting sender, or nobody. Inbound calls (`dispatch`) and texts
//! (`telephony::inbound`) to a number go to its owner's job through the registry the jobs fill
//! at start (`registry`); a number nobody owns is "not in service" and its texts stay in the
//! inbox.
//!
//! - `model.rs`: the owner kinds and the rule "a number has at most one owner".
//! - `store.rs`: the SQL. `provision.rs`: the number's URLs at Twilio (or the simulator).
//! - `api.rs`: `/api/v1/phone-numbers`. The functions below are the steps the API and the
//!   dashboard share: each checks, stores, then tells Twilio and the signing keys.

pub mod api;
pub mod dispatch;
pub mod model;
pub mod provision;
pub mod registry;
pub mod store;

pub use model::{Assignment, NewPhoneNumber, Owner, OwnerKind};
pub use registry::{Inbound, OwnerJob, Owners};
pub use store::PhoneNumber;

use crate::error::{StoreError, StoreResult};
use crate::ids::OrgId;
use crate::services::Services;
use crate::telephony::SigningKeys;

/// The voice URL of every registered number.
pub const VOICE_INBOUND_PATH: &str = "/twilio/voice/inbound";

/// Registers a validated number; when a job's record already uses it (a line saved with that
/// number), that record becomes its owner. In simulated mode the number is provisioned, owned
/// or not (a rehearsal call to a number nobody owns hears "not in service").
pub async fn register(
    services: &Services,
    keys: &SigningKeys,
    owners: &Owners,
    org: OrgId,
    new: &NewPhoneNumber,
) -> StoreResult<PhoneNumber> {
    let added = store::add(&services.db, org, new, services.clock.now_ms()).await?;
    // A number not answered before may be cached as nobody's, or as another organisation's
    // that removed it: ask the database next time.
    keys.forget_number(&added.e164);
    let number = match owners.claimant(org, &added.e164).await? {
        Some(owner) => store::give(&services.db, org, added.id, owner).await?.0,
        None => added,
    };
    provision::after_change(services, owners, org, &number).await;
    Ok(number)
}

/// Removes the organisation's number `id`.
pub async fn unregister(
    services: &Services,
    keys: &SigningKeys,
    org: OrgId,
    id: i64,
) -> StoreResult<PhoneNumber> {
    let removed = store::remove(&services.db, org, id).await?;
    keys.forget_number(&removed.e164);
    Ok(removed)
}

/// Gives number `id` to `owner`, which must exist in `org`: a 409 naming the current owner
/// when someone else has it; the same answer when `owner` already has it.
pub async fn give(
    services: &Services,
    owners: &Owners,
    org: OrgId,
    id: i64,
    owner: Owner,
) -> StoreResult<PhoneNumber> {
    // A number of another organisation is not found, whatever the owner.
    store::find(&services.db, org, id).await?;
    let label = owner.kind.label();
    if owners.job(owner.kind).is_none() {
        return Err(StoreError::invalid(
            "kind",
            format!("there are no {label}s in this version yet to give a number to"),
        ));
    }
    if owners.name_of(org, owner).await?.is_none() {
        return Err(StoreError::invalid(
            "id",
            format!("there is no {label} {} in this organisation", owner.id),
        ));
    }
    match store::give(&services.db, org, id, owner).await? {
        (number, Assignment::Assigned) => {
            tracing::info!(number = number.e164, owner = ?owner, "The number has an owner.");
            provision::after_change(services, owners, org, &number).await;
            Ok(number)
        }
        (number, Assignment::Unchanged) => Ok(number),
        (number, Assignment::Taken(current)) => {
            let name = owners.name_of(org, current).await?;
            Err(StoreError::conflict(
                "owner",
                model::taken_message(&number.e164, current, name.as_deref()),
            ))
        }
    }
}

/// Takes number `id` from its owner: it answers "not in service" from now on, and its texts
/// stay in the inbox. Releasing a number without an owner changes nothing.
pub async fn release(
    services: &Services,
    owners: &Owners,
    org: OrgId,
    id: i64,
) -> StoreResult<PhoneNumber> {
    let (number, had) = store::release(&services.db, org, id).await?;
    if had.is_some() {
        tracing::info!(number = number.e164, owner = ?had, "The number was released.");
        provision::after_change(services, owners, org, &number).await;
    }
    Ok(number)
}
