//! `serve --demo`: sample data in organisation `default`, so a new user sees every page work:
//! the hotline's demo lines and people (see `hotline::demo`) and the organisation's numbers.

use crate::accounts::numbers::NewPhoneNumber;
use crate::accounts::{self};
use crate::app::AppState;

/// Seeds the demo data into `default`. Idempotent: what is already there is left alone.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let org = accounts::store::find_org_by_slug(&state.db, "default")
        .await?
        .map(|o| o.id);
    let Some(org) = org else {
        anyhow::bail!("organisation 'default' is missing")
    };
    crate::hotline::demo::seed(state, org).await?;
    let now = state.clock.now_ms();
    for (e164, friendly_name, purpose) in DEMO_NUMBERS {
        let new = NewPhoneNumber {
            e164: e164.to_string(),
            friendly_name: friendly_name.to_string(),
            purpose: purpose.to_string(),
        };
        match accounts::numbers::add_number(&state.db, org, &new, now).await {
            Ok(_) | Err(crate::error::StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

const DEMO_NUMBERS: &[(&str, &str, &str)] = &[
    (
        crate::hotline::demo::LADDER_LINE,
        "Field Service Emergency",
        "hotline line",
    ),
    (
        crate::hotline::demo::COMMUNITY_LINE,
        "Community Line",
        "hotline line",
    ),
    ("+15005550006", "Campaign caller", "campaign"),
];
