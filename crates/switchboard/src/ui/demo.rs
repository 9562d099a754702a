//! `serve --demo`: sample data in organisation `default`, so a new user sees every page work.

use crate::accounts::{self, OrgId};
use crate::app::AppState;

/// Seeds the demo data into `default`. Idempotent.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let org = accounts::store::find_org_by_slug(&state.db, "default")
        .await?
        .map(|o| OrgId(o.id));
    let Some(org) = org else {
        anyhow::bail!("organisation 'default' is missing")
    };
    crate::hotline::demo::seed(state, org).await
}
