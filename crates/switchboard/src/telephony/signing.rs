//! The auth tokens a webhook may be signed with: the configured account's, and each
//! organisation's own Twilio account's. Loaded at start and reloaded when an organisation
//! changes its settings; read on every webhook.

use std::sync::{Arc, RwLock};

use crate::db::Db;
use crate::services::Services;

/// The organisations' own auth tokens (the configured one is in `Config`). A std RwLock: read
/// briefly, never held across an await.
#[derive(Clone, Default)]
pub struct SigningKeys(Arc<RwLock<Vec<String>>>);

impl SigningKeys {
    pub async fn load(db: &Db) -> anyhow::Result<SigningKeys> {
        let keys = SigningKeys::default();
        keys.reload(db).await?;
        Ok(keys)
    }

    /// Reads the organisations' tokens again (after one changed).
    pub async fn reload(&self, db: &Db) -> anyhow::Result<()> {
        let tokens = crate::accounts::store::org_auth_tokens(db).await?;
        if let Ok(mut keys) = self.0.write() {
            *keys = tokens;
        }
        Ok(())
    }

    /// Whether `signed_with` holds for any token a webhook may be signed with: the configured
    /// one first, then each organisation's own.
    pub fn any(&self, services: &Services, signed_with: impl Fn(&str) -> bool) -> bool {
        signed_with(services.config.twilio_auth_token.expose())
            || self
                .0
                .read()
                .is_ok_and(|keys| keys.iter().any(|t| signed_with(t)))
    }
}
