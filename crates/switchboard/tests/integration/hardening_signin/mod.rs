//! Issue 14, sign-in and accounts: a sign-in email belongs to one person in the installation,
//! one authorisation rule protects the owner from API tokens and sessions alike, and sign-in
//! holds up (limits per client address, equal work for unknown emails, sessions ended by a new
//! password, same-origin forms, security headers).

mod emails;
mod forms;
mod limits;
mod owner;
mod sessions;

use switchboard::accounts::{self, NewPerson, OrgId, Role};
use switchboard::ids::PersonId;

use crate::support::TestApp;

/// Adds a person with `role`, `email` and (when given) a password to `org`, as the CLI does.
pub async fn person_with_login(
    app: &TestApp,
    org: OrgId,
    email: &str,
    role: Role,
    password: Option<&str>,
) -> PersonId {
    let hash = password.map(|p| accounts::secrets::hash_password(p).unwrap());
    let new = NewPerson {
        name: format!("Person {email}"),
        email: Some(email.into()),
        phone: None,
        role,
        available: true,
        active: true,
    };
    accounts::store::create_person(&app.state.db, org, &new, hash.as_deref(), 0)
        .await
        .unwrap()
        .id
}

/// The id of the default organisation's owner.
pub async fn owner_id(app: &TestApp) -> PersonId {
    accounts::store::list_people(&app.state.db, app.org)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.role == Role::Owner)
        .expect("an owner")
        .id
}
