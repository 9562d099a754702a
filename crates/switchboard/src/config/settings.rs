//! The table of every setting: its key in `switchboard.toml`, its environment variable, whether
//! it is secret, and what it means (`print-config`, the README and the config tests read it).

/// One configurable setting: its key in `switchboard.toml` and its environment variable.
pub struct Setting {
    pub key: &'static str,
    pub env: &'static str,
    pub secret: bool,
    pub help: &'static str,
}

const fn setting(key: &'static str, env: &'static str, help: &'static str) -> Setting {
    Setting {
        key,
        env,
        secret: false,
        help,
    }
}

const fn secret(key: &'static str, env: &'static str, help: &'static str) -> Setting {
    Setting {
        key,
        env,
        secret: true,
        help,
    }
}

/// Every setting, in the order `print-config` and the README list them.
#[rustfmt::skip]
pub const SETTINGS: &[Setting] = &[
    setting("listen", "SWITCHBOARD_LISTEN", "address the HTTP server binds"),
    setting("data_dir", "SWITCHBOARD_DATA_DIR", "folder for the SQLite database and files"),
    secret("database_url", "DATABASE_URL", "sqlite:PATH or postgres://..."),
    setting("public_url", "SWITCHBOARD_PUBLIC_URL", "base URL Twilio reaches"),
    setting("telephony", "SWITCHBOARD_TELEPHONY", "simulated | live"),
    setting("twilio_account_sid", "TWILIO_ACCOUNT_SID", "Twilio account SID"),
    setting("twilio_api_base_url", "TWILIO_API_BASE_URL", "where live mode sends REST requests (default https://api.twilio.com)"),
    secret("twilio_auth_token", "TWILIO_AUTH_TOKEN", "Twilio auth token"),
    setting("sim_listen", "SWITCHBOARD_SIM_LISTEN", "where the embedded simulator listens"),
    setting("sim_speed", "SWITCHBOARD_SIM_SPEED", "simulator speed-up: rings and speech N times faster"),
    secret("webhook_secret", "WEBHOOK_SECRET", "shared secret for Studio-facing APIs"),
    secret("metrics_token", "SWITCHBOARD_METRICS_TOKEN", "bearer token /metrics requires; unset: loopback clients only"),
    secret("smtp_url", "SMTP_URL", "smtp://user:pass@host:port; absent: outbox"),
    setting("email_from", "SWITCHBOARD_EMAIL_FROM", "sender address of outgoing email"),
    setting("clock", "SWITCHBOARD_CLOCK", "RFC 3339 instant the clock starts at"),
    setting("log_format", "SWITCHBOARD_LOG_FORMAT", "text | json"),
    secret("admin_password", "SWITCHBOARD_ADMIN_PASSWORD", "first owner's password"),
    setting("workers", "SWITCHBOARD_WORKERS", "job workers in this process"),
    setting("sqlite_busy_timeout_ms", "SWITCHBOARD_SQLITE_BUSY_TIMEOUT_MS", "how long a SQLite write waits for another process's lock"),
    setting("http_header_timeout_secs", "SWITCHBOARD_HTTP_HEADER_TIMEOUT_SECS", "seconds a client may take to send a request's header"),
    setting("http_body_timeout_secs", "SWITCHBOARD_HTTP_BODY_TIMEOUT_SECS", "seconds a client may take to send a request's body"),
    setting("http_idle_timeout_secs", "SWITCHBOARD_HTTP_IDLE_TIMEOUT_SECS", "seconds a kept-alive connection may wait for its next request"),
    setting("http_max_connections", "SWITCHBOARD_HTTP_MAX_CONNECTIONS", "connections the server holds at once"),
    setting("trusted_proxies", "SWITCHBOARD_TRUSTED_PROXIES", "addresses of reverse proxies whose X-Forwarded-For names the client, comma-separated"),
    setting("calls_per_second", "SWITCHBOARD_CALLS_PER_SECOND", "outbound calls a second per Twilio account (default 1)"),
    setting("texts_per_second", "SWITCHBOARD_TEXTS_PER_SECOND", "texts a second per long-code sender number (default 1)"),
    setting("toll_free_texts_per_second", "SWITCHBOARD_TOLL_FREE_TEXTS_PER_SECOND", "texts a second per toll-free sender (default 3)"),
    setting("short_code_texts_per_second", "SWITCHBOARD_SHORT_CODE_TEXTS_PER_SECOND", "texts a second per short code (default 100)"),
    setting("quiet_hours", "SWITCHBOARD_QUIET_HOURS", "when recipients may be texted or called, in their own zone (default 08:00-21:00)"),
    setting("outbox_lease_secs", "SWITCHBOARD_OUTBOX_LEASE_SECS", "seconds an outbox claim lasts before a text whose sender died is looked up at Twilio (default 60)"),
    setting("import_max_bytes", "SWITCHBOARD_IMPORT_MAX_BYTES", "largest CSV file an upload may send to a contacts import (default 536870912, 512 MiB)"),
];
