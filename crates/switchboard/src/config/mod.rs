//! Effective configuration: defaults, then an optional `switchboard.toml`, then the environment.
//!
//! Every setting has one name in the file (snake_case) and one in the environment (the variable
//! in [`SETTINGS`]). A bad value stops start-up with a message naming where it came from.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use url::Url;

mod http;
mod outbound;
mod raw;
mod settings;

pub use http::HttpLimits;
pub use outbound::OutboundSettings;
pub use settings::{SETTINGS, Setting};

use raw::{Raw, invalid, parse, read_file, value};

/// A value that must never be printed: `Debug` and `Display` show `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How Switchboard reaches Twilio: the real API, or the simulator started in-process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TelephonyMode {
    Live,
    Simulated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// May hold a password, so it is a [`Secret`].
    pub database_url: Secret,
    /// The base URL Twilio reaches; webhook signatures are checked against it.
    pub public_url: Url,
    pub telephony: TelephonyMode,
    pub twilio_account_sid: String,
    /// Where live mode sends REST requests: Twilio's API, a standalone `switchboard sim serve`,
    /// or a Twilio-compatible provider.
    pub twilio_api_base_url: Url,
    pub twilio_auth_token: Secret,
    /// Where the embedded simulator listens (port 0: an ephemeral loopback port).
    pub sim_listen: SocketAddr,
    /// How much faster than real time the embedded simulator runs rings, speech and waits.
    pub sim_speed: f64,
    pub webhook_secret: Option<Secret>,
    /// The bearer token `/metrics` requires; unset, it answers loopback clients only.
    pub metrics_token: Option<Secret>,
    pub smtp_url: Option<Secret>,
    pub email_from: String,
    /// When set, the clock starts at this instant and runs forward in real time.
    pub clock_start: Option<Timestamp>,
    pub log_format: LogFormat,
    pub admin_password: Option<Secret>,
    pub workers: usize,
    /// How long a SQLite write waits for another process's lock on the same file (this
    /// process's own writers queue at its write gate and never wait here).
    pub sqlite_busy_timeout: std::time::Duration,
    /// The HTTP server's timeouts and connection cap.
    pub http: HttpLimits,
    /// Reverse proxies whose `X-Forwarded-For` names the client (sign-in limits count by it).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub outbound: OutboundSettings,
    /// The largest CSV an upload may send to a contacts import, in bytes.
    pub import_max_bytes: u64,
}

/// Credentials the simulator uses when none are configured. Not secret: they only open a
/// simulator on loopback.
pub const SIM_ACCOUNT_SID: &str = "AC00000000000000000000000000000000";
pub const SIM_AUTH_TOKEN: &str = "simulated-auth-token";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{source_name}: {message}")]
    Invalid {
        source_name: String,
        message: String,
    },
    #[error("cannot read config file {path}: {message}")]
    File { path: PathBuf, message: String },
}

impl Config {
    /// Loads defaults, then `file` (if any), then the environment as given by `env`.
    pub fn load(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut raw = Raw::default();
        if let Some(path) = file {
            read_file(path, &mut raw)?;
        }
        for s in SETTINGS {
            if let Some(v) = env(s.env).filter(|v| !v.is_empty()) {
                raw.values.insert(s.key, (v, s.env.to_string()));
            }
        }
        Self::from_raw(&raw)
    }

    /// Loads from the process environment and `SWITCHBOARD_CONFIG` / `--config`.
    pub fn from_process(file: Option<&Path>) -> Result<Config, ConfigError> {
        let env_file = std::env::var_os("SWITCHBOARD_CONFIG").map(PathBuf::from);
        let file = file.map(Path::to_path_buf).or(env_file);
        Self::load(file.as_deref(), &|k| std::env::var(k).ok())
    }

    fn from_raw(raw: &Raw) -> Result<Config, ConfigError> {
        let listen: SocketAddr = parse(raw, "listen", "127.0.0.1:8080", |v| {
            v.parse()
                .map_err(|_| format!("'{v}' is not an address like 127.0.0.1:8080"))
        })?;
        let data_dir = PathBuf::from(value(raw, "data_dir").unwrap_or("./data"));
        let default_db = format!("sqlite:{}", data_dir.join("switchboard.db").display());
        let database_url = parse(raw, "database_url", &default_db, |v| {
            if v.starts_with("sqlite:")
                || v.starts_with("postgres://")
                || v.starts_with("postgresql://")
            {
                Ok(Secret::new(v))
            } else {
                Err(format!(
                    "'{}' must start with sqlite: or postgres://",
                    redact_url(v)
                ))
            }
        })?;
        let default_public = format!("http://{listen}");
        let public_url = parse(raw, "public_url", &default_public, |v| {
            let url = Url::parse(v).map_err(|e| format!("'{v}' is not a URL ({e})"))?;
            match url.scheme() {
                "http" | "https" => Ok(url),
                other => Err(format!("scheme '{other}' must be http or https")),
            }
        })?;
        let twilio_api_base_url =
            parse(raw, "twilio_api_base_url", "https://api.twilio.com", |v| {
                let url = Url::parse(v).map_err(|e| format!("'{v}' is not a URL ({e})"))?;
                match url.scheme() {
                    "http" | "https" => Ok(url),
                    other => Err(format!("scheme '{other}' must be http or https")),
                }
            })?;
        let account_sid = value(raw, "twilio_account_sid").map(str::to_string);
        let auth_token = value(raw, "twilio_auth_token").map(Secret::new);
        let default_mode = if account_sid.is_some() && auth_token.is_some() {
            "live"
        } else {
            "simulated"
        };
        let telephony = parse(raw, "telephony", default_mode, |v| match v {
            "live" => Ok(TelephonyMode::Live),
            "simulated" => Ok(TelephonyMode::Simulated),
            _ => Err(format!("'{v}' must be simulated or live")),
        })?;
        if telephony == TelephonyMode::Live && (account_sid.is_none() || auth_token.is_none()) {
            return Err(invalid(
                raw,
                "telephony",
                "live needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
            ));
        }
        if let Some(sid) = &account_sid
            && !(sid.len() == 34
                && sid.starts_with("AC")
                && sid[2..].chars().all(|c| c.is_ascii_hexdigit()))
        {
            return Err(invalid(
                raw,
                "twilio_account_sid",
                "must be AC followed by 32 hex digits",
            ));
        }
        let sim_listen = parse(raw, "sim_listen", "127.0.0.1:0", |v| {
            v.parse()
                .map_err(|_| format!("'{v}' is not an address like 127.0.0.1:0"))
        })?;
        let sim_speed = parse(raw, "sim_speed", "1", |v| match v.parse::<f64>() {
            Ok(n) if (0.1..=1000.0).contains(&n) => Ok(n),
            _ => Err(format!("'{v}' must be a number from 0.1 to 1000")),
        })?;
        let smtp_url = match value(raw, "smtp_url") {
            Some(v) => {
                let url = Url::parse(v)
                    .map_err(|e| invalid(raw, "smtp_url", &format!("not a URL ({e})")))?;
                if !matches!(url.scheme(), "smtp" | "smtps") {
                    return Err(invalid(raw, "smtp_url", "scheme must be smtp or smtps"));
                }
                Some(Secret::new(v))
            }
            None => None,
        };
        let clock_start = match value(raw, "clock") {
            Some(v) => Some(v.parse::<Timestamp>().map_err(|e| {
                invalid(
                    raw,
                    "clock",
                    &format!("'{v}' is not an RFC 3339 instant like 2026-03-02T14:00:00Z ({e})"),
                )
            })?),
            None => None,
        };
        let log_format = parse(raw, "log_format", "text", |v| match v {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(format!("'{v}' must be text or json")),
        })?;
        let workers = parse(raw, "workers", "2", |v| match v.parse::<usize>() {
            Ok(n) if (1..=64).contains(&n) => Ok(n),
            _ => Err(format!("'{v}' must be a whole number from 1 to 64")),
        })?;
        let sqlite_busy_timeout = parse(raw, "sqlite_busy_timeout_ms", "10000", |v| {
            match v.parse::<u64>() {
                Ok(ms) if ms <= 600_000 => Ok(std::time::Duration::from_millis(ms)),
                _ => Err(format!("'{v}' must be milliseconds from 0 to 600000")),
            }
        })?;
        let import_max_bytes = parse(
            raw,
            "import_max_bytes",
            &crate::contacts::import::file::DEFAULT_MAX_BYTES.to_string(),
            |v| match v.parse::<u64>() {
                Ok(n) if (1024..=1 << 36).contains(&n) => Ok(n),
                _ => Err(format!(
                    "'{v}' must be a number of bytes from 1024 to 68719476736"
                )),
            },
        )?;
        Ok(Config {
            listen,
            data_dir,
            database_url,
            public_url,
            telephony,
            twilio_account_sid: account_sid.unwrap_or_else(|| SIM_ACCOUNT_SID.to_string()),
            twilio_api_base_url,
            twilio_auth_token: auth_token.unwrap_or_else(|| Secret::new(SIM_AUTH_TOKEN)),
            sim_listen,
            sim_speed,
            webhook_secret: value(raw, "webhook_secret").map(Secret::new),
            metrics_token: value(raw, "metrics_token").map(Secret::new),
            smtp_url,
            email_from: value(raw, "email_from")
                .unwrap_or("Switchboard <switchboard@localhost>")
                .to_string(),
            clock_start,
            log_format,
            admin_password: value(raw, "admin_password").map(Secret::new),
            workers,
            sqlite_busy_timeout,
            http: HttpLimits::from_raw(raw)?,
            trusted_proxies: http::trusted_proxies(raw)?,
            outbound: OutboundSettings::from_raw(raw)?,
            import_max_bytes,
        })
    }

    /// The effective configuration as `(env var, value)` rows, secrets redacted.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let mut rows = self.describe_core();
        rows.extend(self.http.describe());
        let proxies: Vec<String> = self.trusted_proxies.iter().map(|a| a.to_string()).collect();
        rows.push(("SWITCHBOARD_TRUSTED_PROXIES", proxies.join(",")));
        rows.extend(self.outbound.describe());
        rows.push((
            "SWITCHBOARD_IMPORT_MAX_BYTES",
            self.import_max_bytes.to_string(),
        ));
        rows
    }

    fn describe_core(&self) -> Vec<(&'static str, String)> {
        let shown = |s: &Option<Secret>| match s {
            Some(_) => "<redacted>".to_string(),
            None => "(unset)".to_string(),
        };
        vec![
            ("SWITCHBOARD_LISTEN", self.listen.to_string()),
            ("SWITCHBOARD_DATA_DIR", self.data_dir.display().to_string()),
            ("DATABASE_URL", redact_url(self.database_url.expose())),
            ("SWITCHBOARD_PUBLIC_URL", self.public_url.to_string()),
            (
                "SWITCHBOARD_TELEPHONY",
                format!("{:?}", self.telephony).to_lowercase(),
            ),
            ("TWILIO_ACCOUNT_SID", self.twilio_account_sid.clone()),
            ("TWILIO_API_BASE_URL", self.twilio_api_base_url.to_string()),
            ("TWILIO_AUTH_TOKEN", "<redacted>".to_string()),
            ("SWITCHBOARD_SIM_LISTEN", self.sim_listen.to_string()),
            ("SWITCHBOARD_SIM_SPEED", self.sim_speed.to_string()),
            ("WEBHOOK_SECRET", shown(&self.webhook_secret)),
            ("SWITCHBOARD_METRICS_TOKEN", shown(&self.metrics_token)),
            (
                "SMTP_URL",
                self.smtp_url
                    .as_ref()
                    .map_or("(unset: email goes to the outbox)".into(), |s| {
                        redact_url(s.expose())
                    }),
            ),
            ("SWITCHBOARD_EMAIL_FROM", self.email_from.clone()),
            (
                "SWITCHBOARD_CLOCK",
                self.clock_start
                    .map_or("(real time)".into(), |t| t.to_string()),
            ),
            (
                "SWITCHBOARD_LOG_FORMAT",
                format!("{:?}", self.log_format).to_lowercase(),
            ),
            ("SWITCHBOARD_ADMIN_PASSWORD", shown(&self.admin_password)),
            ("SWITCHBOARD_WORKERS", self.workers.to_string()),
            (
                "SWITCHBOARD_SQLITE_BUSY_TIMEOUT_MS",
                self.sqlite_busy_timeout.as_millis().to_string(),
            ),
        ]
    }

    /// How this process opens SQLite connections.
    pub fn sqlite_settings(&self) -> crate::db::SqliteSettings {
        crate::db::SqliteSettings {
            busy_timeout: self.sqlite_busy_timeout,
            ..crate::db::SqliteSettings::default()
        }
    }

    /// The public URL of `path` (which starts with `/`), as Twilio will request it.
    pub fn public_url_for(&self, path: &str) -> String {
        format!("{}{}", self.public_url.as_str().trim_end_matches('/'), path)
    }
}

/// Hides the password of a URL such as `postgres://user:pass@host/db`.
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("redacted"));
            url.to_string()
        }
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests;
