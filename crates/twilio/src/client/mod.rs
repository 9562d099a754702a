//! A small async client for the parts of Twilio's REST API Switchboard uses.
//!
//! Requests are form-encoded with HTTP Basic auth (`AccountSid:AuthToken`); answers are JSON
//! shaped like [`crate::resources`]. Safe requests (GET) are retried on 429, 5xx and connection
//! errors with capped exponential backoff; POSTs never are, because Twilio may already have
//! acted on them (a retried create would place a second call).

mod api;
mod error;
mod params;

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use serde::de::DeserializeOwned;

pub use error::Error;
pub use params::{
    CallUpdateStatus, CreateCall, CreateMessage, FormPairs, IncomingPhoneNumberParams, ListCalls,
    ListMessages, UpdateCall,
};

use crate::resources::ApiErrorBody;

/// Results of REST calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where and as whom to talk to Twilio.
#[derive(Clone)]
pub struct ClientConfig {
    /// `https://api.twilio.com`, or the simulator's address.
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: String,
    /// Per request, including reading the answer.
    pub timeout: Duration,
    /// Extra attempts for safe (GET) requests.
    pub max_retries: u32,
    /// First backoff delay; doubles per attempt.
    pub retry_base_delay: Duration,
    /// Longest backoff delay.
    pub retry_max_delay: Duration,
}

impl ClientConfig {
    pub fn new(account_sid: impl Into<String>, auth_token: impl Into<String>) -> Self {
        Self {
            base_url: "https://api.twilio.com".to_owned(),
            account_sid: account_sid.into(),
            auth_token: auth_token.into(),
            timeout: Duration::from_secs(15),
            max_retries: 3,
            retry_base_delay: Duration::from_millis(250),
            retry_max_delay: Duration::from_secs(5),
        }
    }

    /// The delay before retry number `attempt` (0-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(16));
        self.retry_base_delay
            .saturating_mul(factor)
            .min(self.retry_max_delay)
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"[redacted]")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("retry_base_delay", &self.retry_base_delay)
            .field("retry_max_delay", &self.retry_max_delay)
            .finish()
    }
}

/// The REST client. Cheap to clone; clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    config: ClientConfig,
    http: reqwest::Client,
}

impl Client {
    pub fn new(mut config: ClientConfig) -> Result<Self> {
        if config.account_sid.is_empty() || config.auth_token.is_empty() {
            return Err(Error::Config(
                "account SID and auth token are required".into(),
            ));
        }
        let trimmed = config.base_url.trim_end_matches('/');
        if !(trimmed.starts_with("https://") || trimmed.starts_with("http://")) {
            return Err(Error::Config(format!(
                "base_url must start with https:// or http://, got {:?}",
                config.base_url
            )));
        }
        config.base_url = trimmed.to_owned();
        // reqwest is built without a default crypto provider (aws-lc-rs is slow to compile);
        // ring is installed process-wide once. A second install fails harmlessly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(concat!("switchboard-twilio/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| Error::Config(format!("cannot build HTTP client: {err}")))?;
        Ok(Self { config, http })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// `{base}/2010-04-01/Accounts/{AccountSid}/{path}`.
    fn account_url(&self, path: &str) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/{path}",
            self.config.base_url, self.config.account_sid
        )
    }

    /// An absolute URL for a relative `*_page_uri` from a list page.
    fn page_url(&self, uri: &str) -> String {
        format!("{}{uri}", self.config.base_url)
    }

    async fn get<T: DeserializeOwned>(&self, url: &str, query: &FormPairs) -> Result<T> {
        let mut attempt = 0;
        loop {
            let outcome = self
                .http
                .get(url)
                .query(query)
                .basic_auth(&self.config.account_sid, Some(&self.config.auth_token))
                .send()
                .await;
            let retryable = match &outcome {
                Ok(response) => {
                    let status = response.status();
                    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
                }
                Err(err) => err.is_connect() || err.is_timeout() || err.is_request(),
            };
            if retryable && attempt < self.config.max_retries {
                let delay = self.config.backoff(attempt);
                tracing::debug!(url, attempt, ?delay, "retrying Twilio GET");
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            return read(outcome.map_err(Error::Http)?).await;
        }
    }

    async fn post<T: DeserializeOwned>(&self, url: &str, form: &FormPairs) -> Result<T> {
        let response = self
            .http
            .post(url)
            .form(form)
            .basic_auth(&self.config.account_sid, Some(&self.config.auth_token))
            .send()
            .await
            .map_err(Error::Http)?;
        read(response).await
    }
}

/// Decodes a success body as `T`, or an error body as [`Error::Api`].
async fn read<T: DeserializeOwned>(response: reqwest::Response) -> Result<T> {
    let status = response.status();
    let body = response.bytes().await.map_err(Error::Http)?;
    tracing::debug!(http.status = status.as_u16(), "Twilio answered");
    if status.is_success() {
        return serde_json::from_slice(&body)
            .map_err(|err| Error::decode(status.as_u16(), err, &body));
    }
    match serde_json::from_slice::<ApiErrorBody>(&body) {
        Ok(error) => Err(error.into()),
        Err(err) => Err(Error::decode(
            status.as_u16(),
            format!("error answer is not a Twilio error body: {err}"),
            &body,
        )),
    }
}

/// A SID placed in a URL path must be a plain token, so no input can change the path.
fn checked_sid(sid: &str) -> Result<&str> {
    if !sid.is_empty() && sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(sid)
    } else {
        Err(Error::Config(format!("{sid:?} is not a SID")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_debug_redacts_auth_token() {
        let config = ClientConfig::new("AC123", "super-secret-token");
        let debug = format!("{config:?}");
        assert!(!debug.contains("super-secret-token"), "{debug}");
        assert!(debug.contains("[redacted]") && debug.contains("AC123"));
        let client = Client::new(config);
        assert!(!format!("{client:?}").contains("super-secret-token"));
    }

    #[test]
    fn config_defaults_to_twilio_api() {
        let config = ClientConfig::new("AC1", "t");
        assert_eq!(config.base_url, "https://api.twilio.com");
        assert_eq!(config.max_retries, 3);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let config = ClientConfig::new("AC1", "t");
        assert_eq!(config.backoff(0), Duration::from_millis(250));
        assert_eq!(config.backoff(2), Duration::from_secs(1));
        assert_eq!(config.backoff(10), Duration::from_secs(5));
        assert_eq!(config.backoff(u32::MAX), Duration::from_secs(5));
    }

    #[test]
    fn new_rejects_missing_credentials_and_bad_base_url() {
        assert!(matches!(
            Client::new(ClientConfig::new("", "t")),
            Err(Error::Config(_))
        ));
        let mut config = ClientConfig::new("AC1", "t");
        config.base_url = "api.twilio.com".into();
        assert!(matches!(Client::new(config), Err(Error::Config(_))));
    }

    #[test]
    fn new_trims_trailing_slash_of_base_url() {
        let mut config = ClientConfig::new("AC1", "t");
        config.base_url = "http://127.0.0.1:9/".into();
        let client = Client::new(config).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(
            client.account_url("Calls.json"),
            "http://127.0.0.1:9/2010-04-01/Accounts/AC1/Calls.json"
        );
    }

    #[test]
    fn checked_sid_rejects_path_characters() {
        assert!(checked_sid("CA0123abc").is_ok());
        for bad in ["", "../x", "CA1/..", "CA 1", "CA1?x=1"] {
            assert!(checked_sid(bad).is_err(), "{bad:?}");
        }
    }
}
