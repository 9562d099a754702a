//! Which auth token a webhook must be signed with. A webhook is valid only when signed with
//! the token of the account that owns what it concerns: the organisation's own Twilio account
//! when the organisation has set a token, else the installation's (`TWILIO_AUTH_TOKEN`). So
//! before checking a signature we find whose it should be: our callback URLs carry `org=`
//! (or a hotline `line=`), a number's own webhooks carry the number in `To`, and the rest
//! name their call.
//!
//! Who owns what is kept in memory, because the voice webhook is a hot path: every
//! organisation's own token, every number we answer (the hotline lines' and the registered
//! numbers) and every line. It is loaded at start and again when this process changes a
//! token, and otherwise refreshed in the background at most every [`FRESH_FOR`] (a fleet's
//! other processes change them too); a number or line not seen yet is looked up at once.
//! A stale entry cannot open one organisation's data to another: handlers act only within the
//! organisation whose token the request was checked with.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::config::Secret;
use crate::db::Db;
use crate::error::StoreResult;
use crate::ids::{LineId, OrgId};
use crate::services::Services;
use crate::with_db;

/// How long what was loaded is used before it is loaded again in the background.
const FRESH_FOR: Duration = Duration::from_secs(30);

/// Cheap to clone; every Twilio-facing route reads it.
#[derive(Clone)]
pub struct SigningKeys(Arc<Inner>);

struct Inner {
    db: Db,
    installation: Secret,
    /// A std RwLock: held for a map operation, never across an await.
    known: RwLock<Known>,
    refreshing: AtomicBool,
}

/// What the last load found.
struct Known {
    tokens: HashMap<OrgId, Secret>,
    numbers: HashMap<String, OrgId>,
    lines: HashMap<LineId, OrgId>,
    /// The organisation of the only ladder line, when there is exactly one.
    only_ladder: Option<OrgId>,
    loaded_at: Instant,
}

impl SigningKeys {
    pub async fn load(services: &Services) -> anyhow::Result<SigningKeys> {
        let known = Known::load(&services.db).await?;
        Ok(SigningKeys(Arc::new(Inner {
            db: services.db.clone(),
            installation: services.config.twilio_auth_token.clone(),
            known: RwLock::new(known),
            refreshing: AtomicBool::new(false),
        })))
    }

    /// Loads everything again (after this process changed an organisation's token).
    pub async fn reload(&self) -> StoreResult<()> {
        let known = Known::load(&self.0.db).await?;
        if let Ok(mut k) = self.0.known.write() {
            *k = known;
        }
        Ok(())
    }

    /// Whether `signed_with` holds for the one token that signs `org`'s webhooks: its own, or
    /// the installation's (also for webhooks about nothing we know, `None`).
    pub fn check(&self, org: Option<OrgId>, signed_with: impl FnOnce(&str) -> bool) -> bool {
        self.refresh_when_old();
        let Ok(known) = self.0.known.read() else {
            return false;
        };
        let own = org.and_then(|org| known.tokens.get(&org));
        signed_with(own.unwrap_or(&self.0.installation).expose())
    }

    /// The organisation that answers calls and texts to `number` (E.164).
    pub async fn owner_of_number(&self, number: &str) -> StoreResult<Option<OrgId>> {
        if let Some(org) = self.read(|k| k.numbers.get(number).copied()) {
            return Ok(Some(org));
        }
        // A line's number belongs to the line's organisation, whoever registered it.
        let sql = "SELECT org_id FROM (SELECT org_id, 0 AS pref FROM hotline_lines WHERE phone_number = $1 \
                   UNION ALL SELECT org_id, 1 AS pref FROM phone_numbers WHERE e164 = $1) AS owners \
                   ORDER BY pref LIMIT 1";
        let found: Option<OrgId> = with_db!(&self.0.db, p => sqlx::query_scalar(sql).bind(number).fetch_optional(p).await)?;
        if let (Some(org), Ok(mut known)) = (found, self.0.known.write()) {
            known.numbers.insert(number.to_string(), org);
        }
        Ok(found)
    }

    /// Forgets what is known of `number`, so the next webhook to it asks the database (this
    /// process registered or removed it). Other processes of a fleet learn it at their next
    /// load, at most [`FRESH_FOR`] later.
    pub fn forget_number(&self, number: &str) {
        if let Ok(mut known) = self.0.known.write() {
            known.numbers.remove(number);
        }
    }

    /// The organisation of hotline line `line`.
    pub async fn owner_of_line(&self, line: LineId) -> StoreResult<Option<OrgId>> {
        if let Some(org) = self.read(|k| k.lines.get(&line).copied()) {
            return Ok(Some(org));
        }
        let sql = "SELECT org_id FROM hotline_lines WHERE id = $1";
        let found: Option<OrgId> =
            with_db!(&self.0.db, p => sqlx::query_scalar(sql).bind(line).fetch_optional(p).await)?;
        if let (Some(org), Ok(mut known)) = (found, self.0.known.write()) {
            known.lines.insert(line, org);
        }
        Ok(found)
    }

    /// The organisation of call `call_sid`: the latest hotline incident it opened, else the
    /// call ledger's row. Not kept in memory: only callbacks that name nothing else (a
    /// recording's status, a transcription) ask.
    pub async fn owner_of_call(&self, call_sid: &str) -> StoreResult<Option<OrgId>> {
        let sql = "SELECT org_id FROM (SELECT org_id, 0 AS pref, id FROM incidents WHERE call_sid = $1 \
                   UNION ALL SELECT org_id, 1 AS pref, id FROM calls WHERE sid = $1) AS owners \
                   ORDER BY pref, id DESC LIMIT 1";
        Ok(
            with_db!(&self.0.db, p => sqlx::query_scalar(sql).bind(call_sid).fetch_optional(p).await)?,
        )
    }

    /// The organisation of the installation's only ladder line (a Studio flow that names no
    /// line means that one); `None` when there are none or several.
    pub async fn owner_of_only_ladder(&self) -> StoreResult<Option<OrgId>> {
        if let Some(org) = self.read(|k| k.only_ladder) {
            return Ok(Some(org));
        }
        let sql = "SELECT org_id FROM hotline_lines WHERE kind = 'ladder' LIMIT 2";
        let found: Vec<OrgId> =
            with_db!(&self.0.db, p => sqlx::query_scalar(sql).fetch_all(p).await)?;
        Ok(match found.as_slice() {
            [org] => Some(*org),
            _ => None,
        })
    }

    fn read<T>(&self, f: impl FnOnce(&Known) -> Option<T>) -> Option<T> {
        self.refresh_when_old();
        self.0.known.read().ok().and_then(|k| f(&k))
    }

    /// Starts a load in the background when the last is older than [`FRESH_FOR`]; the
    /// request that noticed goes on with what is known.
    fn refresh_when_old(&self) {
        let old = self
            .0
            .known
            .read()
            .is_ok_and(|k| k.loaded_at.elapsed() > FRESH_FOR);
        if !old || self.0.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let keys = self.clone();
        tokio::spawn(async move {
            if let Err(e) = keys.reload().await {
                tracing::warn!(error = %e, "The webhook signing keys could not be reloaded.");
            }
            keys.0.refreshing.store(false, Ordering::Release);
        });
    }
}

impl Known {
    async fn load(db: &Db) -> StoreResult<Known> {
        let tokens = crate::accounts::store::org_auth_tokens(db).await?;
        let lines = "SELECT id, org_id, phone_number, kind = 'ladder' FROM hotline_lines";
        let lines: Vec<(LineId, OrgId, String, bool)> =
            with_db!(db, p => sqlx::query_as(lines).fetch_all(p).await)?;
        let registered = "SELECT e164, org_id FROM phone_numbers";
        let registered: Vec<(String, OrgId)> =
            with_db!(db, p => sqlx::query_as(registered).fetch_all(p).await)?;
        let mut numbers: HashMap<String, OrgId> = registered.into_iter().collect();
        numbers.extend(lines.iter().map(|(_, org, n, _)| (n.clone(), *org)));
        let ladders: Vec<OrgId> = lines.iter().filter(|l| l.3).map(|l| l.1).collect();
        Ok(Known {
            tokens: tokens
                .into_iter()
                .map(|(org, t)| (org, Secret::new(t)))
                .collect(),
            numbers,
            only_ladder: match ladders.as_slice() {
                [org] => Some(*org),
                _ => None,
            },
            lines: lines.into_iter().map(|(id, org, _, _)| (id, org)).collect(),
            loaded_at: Instant::now(),
        })
    }
}
