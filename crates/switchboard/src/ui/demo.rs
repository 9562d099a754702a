//! `serve --demo`: sample data in organisation `default`, so a new user sees every page work.

use crate::accounts::numbers::NewPhoneNumber;
use crate::accounts::{self, NewPerson, OrgId, Role};
use crate::app::AppState;
use crate::http::AppError;

/// Seeds the demo people and phone numbers. Idempotent: people already there (by email) and
/// numbers already registered are left alone.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let org = accounts::store::find_org_by_slug(&state.db, "default")
        .await?
        .map(|o| OrgId(o.id));
    let Some(org) = org else {
        anyhow::bail!("organisation 'default' is missing")
    };
    let existing = accounts::store::list_people(&state.db, org).await?;
    let now = state.clock.now_ms();
    for (name, email, phone, role) in DEMO_PEOPLE {
        if existing.iter().any(|p| p.email.as_deref() == Some(*email)) {
            continue;
        }
        let new = NewPerson {
            name: name.to_string(),
            email: Some(email.to_string()),
            phone: Some(phone.to_string()),
            role: *role,
            available: true,
            active: true,
        };
        accounts::store::create_person(&state.db, org, &new, None, now).await?;
    }
    for (e164, friendly_name, purpose) in DEMO_NUMBERS {
        let new = NewPhoneNumber {
            e164: e164.to_string(),
            friendly_name: friendly_name.to_string(),
            purpose: purpose.to_string(),
        };
        match accounts::numbers::add_number(&state.db, org, &new, now).await {
            Ok(_) | Err(AppError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

const DEMO_NUMBERS: &[(&str, &str, &str)] = &[
    ("+15005550006", "Community Line", "hotline line"),
    ("+15005550010", "Campaign caller", "campaign"),
];

const DEMO_PEOPLE: &[(&str, &str, &str, Role)] = &[
    (
        "Ada Lovelace",
        "ada@example.org",
        "+15005550111",
        Role::Agent,
    ),
    (
        "Grace Hopper",
        "grace@example.org",
        "+15005550112",
        Role::Agent,
    ),
    (
        "Alan Turing",
        "alan@example.org",
        "+15005550113",
        Role::Admin,
    ),
];
