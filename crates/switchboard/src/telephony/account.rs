//! Which Twilio account an organisation's calls and texts go through: its own, when it has
//! set both an account SID and an auth token in Settings, else the installation's
//! (`TWILIO_ACCOUNT_SID`). The one place that picks the REST client: the outbox's dispatch,
//! its reconciliation and its call pace ('calls:<account sid>') all ask here, as do
//! `place_call` and `send_text`. Every client talks to the same base URL (Twilio's,
//! `TWILIO_API_BASE_URL`, or the embedded simulator); only the account differs.

use std::collections::HashMap;
use std::sync::Mutex;

use twilio::client::Client;

use crate::ids::OrgId;
use crate::services::Services;
use crate::with_db;

/// The account a send goes through, and a client signed in to it.
#[derive(Clone, Debug)]
pub struct Account {
    pub sid: String,
    pub client: Client,
    /// The organisation's own account (not the installation's).
    pub own: bool,
}

/// The clients of organisations' own accounts, by account SID and token: building a client
/// sets up TLS, so it is done once per account, not once per send. A std Mutex: held for a
/// map lookup, never across an await.
#[derive(Default)]
pub struct AccountClients(Mutex<HashMap<(String, String), Client>>);

impl AccountClients {
    fn get_or_build(&self, base: &Client, sid: &str, token: &str) -> anyhow::Result<Client> {
        let key = (sid.to_string(), crate::accounts::secrets::token_hash(token));
        let mut map = self
            .0
            .lock()
            .map_err(|_| anyhow::anyhow!("the account clients' lock is poisoned"))?;
        if let Some(client) = map.get(&key) {
            return Ok(client.clone());
        }
        let mut config = base.config().clone();
        config.account_sid = sid.to_string();
        config.auth_token = token.to_string();
        let client = Client::new(config)?;
        map.insert(key, client.clone());
        Ok(client)
    }
}

/// The account `org`'s calls and texts go through.
pub async fn account_for(services: &Services, org: OrgId) -> anyhow::Result<Account> {
    let sql = "SELECT twilio_account_sid, twilio_auth_token FROM organisations WHERE id = $1";
    let found: Option<(Option<String>, Option<String>)> =
        with_db!(&services.db, p => sqlx::query_as(sql).bind(org).fetch_optional(p).await)?;
    let telephony = &services.telephony;
    match found {
        Some((Some(sid), Some(token))) if !sid.is_empty() && !token.is_empty() => {
            let client =
                telephony
                    .account_clients
                    .get_or_build(telephony.client(), &sid, &token)?;
            Ok(Account {
                sid,
                client,
                own: true,
            })
        }
        _ => Ok(Account {
            sid: services.config.twilio_account_sid.clone(),
            client: telephony.client().clone(),
            own: false,
        }),
    }
}
