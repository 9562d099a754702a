//! The facade through which every job places calls and sends texts (crates/twilio underneath),
//! and the ledger of calls and messages fed by Twilio's status callbacks.
//!
//! One code path for both modes: `live` points the REST client at api.twilio.com; `simulated`
//! starts the simulator in-process on loopback and points the same client at it. Either way
//! every request and callback crosses real HTTP with real signatures.

pub mod account;
pub mod http;
pub mod inbound;
pub mod ledger;
pub mod numbers;
mod outbound;
pub mod outbox;
pub mod pacing;
mod signing;

pub use outbound::{Owner, place_call, place_call_on, send_text, send_text_on};
pub use signing::SigningKeys;

use anyhow::Context as _;
use twilio::client::{Client, ClientConfig};
use twilio::e164::E164;

use crate::config::{Config, TelephonyMode};

pub struct Telephony {
    pub mode: TelephonyMode,
    client: Client,
    sim: Option<SimRuntime>,
    /// The clients of organisations' own Twilio accounts (`account::account_for`).
    pub(crate) account_clients: account::AccountClients,
}

/// The embedded simulator and its server task.
pub struct SimRuntime {
    pub simulator: twilio_sim::Simulator,
    pub base_url: String,
    server: tokio::sync::Mutex<Option<twilio_sim::SimServer>>,
}

impl Telephony {
    /// Live telephony, or the simulator started on `SWITCHBOARD_SIM_LISTEN`.
    pub async fn start(config: &Config) -> anyhow::Result<Telephony> {
        crate::services::install_crypto_provider();
        match config.telephony {
            TelephonyMode::Live => {
                let mut cfg = ClientConfig::new(
                    config.twilio_account_sid.clone(),
                    config.twilio_auth_token.expose(),
                );
                cfg.base_url = config.twilio_api_base_url.to_string();
                Ok(Telephony {
                    mode: TelephonyMode::Live,
                    client: Client::new(cfg)?,
                    sim: None,
                    account_clients: Default::default(),
                })
            }
            TelephonyMode::Simulated => {
                let sim_config = twilio_sim::SimConfig {
                    account_sid: config.twilio_account_sid.clone(),
                    auth_token: config.twilio_auth_token.expose().to_string(),
                    speed: config.sim_speed,
                    ..twilio_sim::SimConfig::default()
                };
                let (simulator, server) =
                    twilio_sim::Simulator::bind(sim_config, config.sim_listen)
                        .await
                        .with_context(|| {
                            format!(
                                "cannot start the simulator on {} (SWITCHBOARD_SIM_LISTEN)",
                                config.sim_listen
                            )
                        })?;
                let base_url = server.base_url();
                let mut cfg = ClientConfig::new(
                    config.twilio_account_sid.clone(),
                    config.twilio_auth_token.expose(),
                );
                cfg.base_url = base_url.clone();
                tracing::info!(
                    sim = base_url,
                    "simulated telephony: Twilio simulator started"
                );
                let sim = SimRuntime {
                    simulator,
                    base_url,
                    server: tokio::sync::Mutex::new(Some(server)),
                };
                Ok(Telephony {
                    mode: TelephonyMode::Simulated,
                    client: Client::new(cfg)?,
                    sim: Some(sim),
                    account_clients: Default::default(),
                })
            }
        }
    }

    /// A facade that must never be asked to call out (one-shot admin commands).
    pub fn offline(config: &Config) -> anyhow::Result<Telephony> {
        crate::services::install_crypto_provider();
        let mut cfg = ClientConfig::new(
            config.twilio_account_sid.clone(),
            config.twilio_auth_token.expose(),
        );
        cfg.base_url = "http://127.0.0.1:9".to_string();
        Ok(Telephony {
            mode: config.telephony,
            client: Client::new(cfg)?,
            sim: None,
            account_clients: Default::default(),
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The embedded simulator, in simulated mode.
    pub fn sim(&self) -> Option<&SimRuntime> {
        self.sim.as_ref()
    }

    pub async fn shutdown(&self) {
        if let Some(sim) = &self.sim
            && let Some(server) = sim.server.lock().await.take()
        {
            server.shutdown().await;
        }
    }
}

/// What taking a number that is already taken answers, whoever has it (this organisation or
/// another): the same words either way, so nobody learns where another organisation's
/// numbers are.
pub fn number_unavailable(number: &str) -> String {
    format!("{number} is not available; choose a different number")
}

/// Normalises a phone number to E.164 (default region US), or says what is wrong with it.
pub fn parse_e164(input: &str) -> Result<String, String> {
    // A control character is refused, not dropped (the parser skips what is not a digit);
    // the length check keeps a megabyte from reaching the parser.
    crate::limits::text("phone", input, crate::limits::PHONE_CHARS).map_err(|e| e.message)?;
    E164::parse(input, Some("US"))
        .map(|n| n.as_str().to_string())
        .map_err(|e| format!("'{}': {e}", input.trim()))
}
