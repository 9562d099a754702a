//! The simulator handle: configuration, shared state and the embedding API.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::behaviour::{Behaviour, Scenario};
use crate::clock::Clock;
use crate::error::SimError;
use crate::model::CallStatus;
use crate::pacer::Pacer;
use crate::store::{Store, Transcript};

/// How a simulator is set up. `Debug` leaves the auth token out.
#[derive(Clone)]
pub struct SimConfig {
    /// The one account the REST API serves (HTTP Basic user).
    pub account_sid: String,
    /// Its auth token (HTTP Basic password, and the key signing every webhook).
    pub auth_token: String,
    /// How many times faster than real time rings, speech and waits run.
    pub speed: f64,
    /// Outbound calls leaving per virtual second for the account (Twilio's default is 1).
    pub calls_per_second: f64,
    /// Texts leaving per virtual second per sender number.
    pub messages_per_second: f64,
    /// Seeds the behaviour of numbers nobody scripted.
    pub seed: u64,
    /// Scripted numbers.
    pub scenario: Scenario,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            account_sid: "AC00000000000000000000000000000000".to_owned(),
            auth_token: "00000000000000000000000000000000".to_owned(),
            speed: 1.0,
            calls_per_second: 1.0,
            messages_per_second: 1.0,
            seed: 0,
            scenario: Scenario::default(),
        }
    }
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"<redacted>")
            .field("speed", &self.speed)
            .field("calls_per_second", &self.calls_per_second)
            .field("messages_per_second", &self.messages_per_second)
            .field("seed", &self.seed)
            .field("scenario", &self.scenario)
            .finish()
    }
}

/// The shared inside of a [`Simulator`].
pub(crate) struct Inner {
    pub cfg: SimConfig,
    pub clock: Clock,
    pub store: Store,
    pub http: reqwest::Client,
    base_url: RwLock<String>,
    pub call_pacer: Pacer,
    pub message_pacer: Pacer,
    /// Bounds concurrent outgoing webhook requests (and so open sockets) under load.
    pub webhook_slots: Semaphore,
}

impl Inner {
    /// The URL the simulator is reachable at (used in `RecordingUrl` and such).
    pub fn base_url(&self) -> String {
        self.base_url
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The scripted behaviour of a number: set at run time, else the scenario's, else the mix.
    pub fn behaviour_of(&self, number: &str) -> Behaviour {
        if let Some(b) = self.store.lock().behaviours.get(number) {
            return b.clone();
        }
        if let Some(default) = &self.cfg.scenario.default {
            return default.clone();
        }
        let seed = self.cfg.scenario.seed.unwrap_or(self.cfg.seed);
        Behaviour::seeded(seed, number)
    }

    /// The account's relative REST prefix, `/2010-04-01/Accounts/AC...`.
    pub fn account_prefix(&self) -> String {
        format!("/2010-04-01/Accounts/{}", self.cfg.account_sid)
    }
}

/// A running simulator. Cheap to clone: an `Arc` inside.
#[derive(Clone)]
pub struct Simulator {
    pub(crate) inner: Arc<Inner>,
}

impl Simulator {
    /// A simulator with the given configuration (not yet listening: see [`Simulator::bind`]).
    pub fn new(cfg: SimConfig) -> Self {
        // reqwest is built without a default TLS provider; webhooks to https URLs need one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .user_agent("TwilioProxy/1.1")
            .build()
            .unwrap_or_default();
        let store = Store::default();
        store.lock().behaviours.extend(cfg.scenario.numbers.clone());
        let clock = Clock::new(cfg.speed);
        let inner = Inner {
            call_pacer: Pacer::new(cfg.calls_per_second, clock.speed()),
            message_pacer: Pacer::new(cfg.messages_per_second, clock.speed()),
            clock,
            store,
            http,
            base_url: RwLock::new("http://127.0.0.1".to_owned()),
            webhook_slots: Semaphore::new(256),
            cfg,
        };
        Simulator {
            inner: Arc::new(inner),
        }
    }

    /// The REST API (`/2010-04-01/...`) and the control API (`/sim/...`) as one router.
    pub fn router(&self) -> axum::Router {
        crate::rest::router(self.clone()).merge(crate::control::router(self.clone()))
    }

    /// Starts a simulator listening on `addr` (port 0 picks a free port).
    pub async fn bind(
        cfg: SimConfig,
        addr: std::net::SocketAddr,
    ) -> std::io::Result<(Simulator, crate::SimServer)> {
        let sim = Simulator::new(cfg);
        let server = crate::server::SimServer::start(sim.clone(), addr).await?;
        Ok((sim, server))
    }

    /// Tells the simulator the URL it is reachable at, for absolute URLs it hands out
    /// (`RecordingUrl`). [`Simulator::bind`] sets it; call it when mounting [`Simulator::router`].
    pub fn set_base_url(&self, url: &str) {
        *self
            .inner
            .base_url
            .write()
            .unwrap_or_else(|p| p.into_inner()) = url.trim_end_matches('/').to_owned();
    }

    /// Serves another account (an organisation's own Twilio account) beside the configured
    /// one: requests signed in as `sid` with `token` are accepted for `/Accounts/{sid}/...`.
    pub fn add_account(&self, sid: &str, token: &str) {
        let mut store = self.inner.store.lock();
        store
            .extra_accounts
            .insert(sid.to_owned(), token.to_owned());
    }

    /// How many authenticated REST requests named account `sid` in their path.
    pub fn requests_for_account(&self, sid: &str) -> usize {
        let store = self.inner.store.lock();
        store.requests_by_account.get(sid).copied().unwrap_or(0)
    }

    /// The configuration this simulator runs with.
    pub fn config(&self) -> &SimConfig {
        &self.inner.cfg
    }

    /// Scripts the person behind `number` from now on.
    pub fn set_behaviour(&self, number: &str, behaviour: Behaviour) {
        self.inner
            .store
            .lock()
            .behaviours
            .insert(number.to_owned(), behaviour);
    }

    /// The behaviour `number` currently has (scripted, scenario default or seeded mix).
    pub fn behaviour(&self, number: &str) -> Behaviour {
        self.inner.behaviour_of(number)
    }

    /// Someone at `from` calls the account's number `to`; `behaviour` scripts the caller.
    pub async fn place_inbound_call(
        &self,
        from: &str,
        to: &str,
        behaviour: Option<Behaviour>,
    ) -> Result<String, SimError> {
        crate::calls::place_inbound(&self.inner, from, to, behaviour)
    }

    /// Someone at `from` texts `body` to the account's number `to`.
    pub async fn deliver_inbound_message(
        &self,
        from: &str,
        to: &str,
        body: &str,
    ) -> Result<String, SimError> {
        crate::messages::deliver_inbound(&self.inner, from, to, body)
    }

    /// Everything that happened on a call (any leg's SID finds its root call's transcript).
    pub fn transcript(&self, call_sid: &str) -> Option<Transcript> {
        let state = self.inner.store.lock();
        let root = state.leg_root.get(call_sid)?;
        state.transcripts.get(root).cloned()
    }

    /// A text's status changes and the callbacks posted for it, in order.
    pub fn message_events(&self, message_sid: &str) -> Option<Vec<crate::store::TranscriptEvent>> {
        let state = self.inner.store.lock();
        state.messages.get(message_sid)?;
        Some(
            state
                .message_events
                .get(message_sid)
                .cloned()
                .unwrap_or_default(),
        )
    }

    /// The current status of a text.
    pub fn message_status(&self, message_sid: &str) -> Option<crate::model::MessageStatus> {
        self.inner
            .store
            .lock()
            .messages
            .get(message_sid)
            .map(|m| m.status)
    }

    /// The current status of a call leg.
    pub fn call_status(&self, call_sid: &str) -> Option<CallStatus> {
        self.inner
            .store
            .lock()
            .calls
            .get(call_sid)
            .map(|c| c.status)
    }

    /// Waits (real time) until the call ends and returns its final status, or `None` on timeout
    /// or for an unknown SID.
    pub async fn wait_for_call_end(&self, call_sid: &str, timeout: Duration) -> Option<CallStatus> {
        let mut rx = self.inner.store.lock().ends.get(call_sid)?.subscribe();
        let ended = rx.wait_for(|s| s.is_some());
        match tokio::time::timeout(timeout, ended).await {
            Ok(Ok(status)) => *status,
            _ => None,
        }
    }

    /// How many application errors (11200, 12100, ...) each call's transcript holds.
    pub fn transcript_errors(&self) -> Vec<usize> {
        let state = self.inner.store.lock();
        state
            .transcripts
            .values()
            .map(|t| {
                t.events
                    .iter()
                    .filter(|e| matches!(e.kind, crate::store::EventKind::Error { .. }))
                    .count()
            })
            .collect()
    }

    /// Every text and call the account's REST clients created (`outbound-api` and
    /// `outbound-reply`; no inbound ones, no `<Dial>` legs), each in the order created:
    /// what a benchmark counts and times (`GET /sim/outbound`).
    pub fn outbound(
        &self,
    ) -> (
        Vec<crate::model::MessageRecord>,
        Vec<crate::model::CallRecord>,
    ) {
        let state = self.inner.store.lock();
        let messages = state
            .message_order
            .iter()
            .filter_map(|sid| state.messages.get(sid))
            .filter(|m| m.direction.starts_with("outbound"))
            .cloned()
            .collect();
        let calls = state
            .call_order
            .iter()
            .filter_map(|sid| state.calls.get(sid))
            .filter(|c| c.direction == "outbound-api")
            .cloned()
            .collect();
        (messages, calls)
    }

    /// Links scripted people opened: `(number, url, HTTP status)`.
    pub fn link_clicks(&self) -> Vec<(String, String, Option<u16>)> {
        self.inner.store.lock().clicks.clone()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_output_never_shows_the_auth_token() {
        let cfg = super::SimConfig {
            auth_token: "sekrit-token".into(),
            ..super::SimConfig::default()
        };
        assert!(!format!("{cfg:?}").contains("sekrit"));
    }
}
