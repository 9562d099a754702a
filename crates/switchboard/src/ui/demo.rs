//! `serve --demo`: sample data in organisation `default`, so a new user sees every page work:
//! the hotline's demo lines and people (see `hotline::demo`) and the organisation's numbers.

use crate::accounts::{self};
use crate::app::AppState;
use crate::telephony::numbers::{self, NewPhoneNumber};

/// Seeds the demo data into `default`. Idempotent: what is already there is left alone.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let org = accounts::store::find_org_by_slug(&state.db, "default")
        .await?
        .map(|o| o.id);
    let Some(org) = org else {
        anyhow::bail!("organisation 'default' is missing")
    };
    crate::hotline::demo::seed(state, org).await?;
    // Registered after the lines, so each line's number becomes that line's.
    for (e164, friendly_name) in DEMO_NUMBERS {
        let new = NewPhoneNumber {
            e164: e164.to_string(),
            friendly_name: friendly_name.to_string(),
        };
        let (keys, owners) = (&state.signing_keys, &state.owners);
        match numbers::register(&state.services, keys, owners, org, &new).await {
            Ok(_) | Err(crate::error::StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The demo's numbers: the two lines' (owned by them), and one with no owner yet.
const DEMO_NUMBERS: &[(&str, &str)] = &[
    (crate::hotline::demo::LADDER_LINE, "Field Service Emergency"),
    (crate::hotline::demo::COMMUNITY_LINE, "Community Line"),
    ("+15005550006", "Campaign caller"),
];
