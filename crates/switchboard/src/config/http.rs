//! The HTTP server's limits: how long a client may take over each part of a request, and how
//! many connections the server holds at once (see `http::serve`, which applies them).

use std::time::Duration;

use super::ConfigError;
use super::raw::{Raw, parse};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HttpLimits {
    /// A request's header must arrive within this: from the connection's start for its first
    /// request, from the first byte of each later one.
    pub header_timeout: Duration,
    /// A request's body must arrive within this, from the end of its header.
    pub body_timeout: Duration,
    /// A kept-alive connection may wait this long for its next request; a client that stops
    /// reading a response for this long is disconnected too.
    pub idle_timeout: Duration,
    /// Connections held at once; past it a new connection is closed at once.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
        }
    }
}

impl HttpLimits {
    pub(super) fn from_raw(raw: &Raw) -> Result<HttpLimits, ConfigError> {
        let d = HttpLimits::default();
        let max_connections = parse(
            raw,
            "http_max_connections",
            &d.max_connections.to_string(),
            |v| match v.parse::<usize>() {
                Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
                _ => Err(format!("'{v}' must be a whole number from 1 to 1000000")),
            },
        )?;
        Ok(HttpLimits {
            header_timeout: seconds(raw, "http_header_timeout_secs", d.header_timeout)?,
            body_timeout: seconds(raw, "http_body_timeout_secs", d.body_timeout)?,
            idle_timeout: seconds(raw, "http_idle_timeout_secs", d.idle_timeout)?,
            max_connections,
        })
    }

    /// `print-config` rows.
    pub(super) fn describe(&self) -> [(&'static str, String); 4] {
        let secs = |d: Duration| d.as_secs_f64().to_string();
        [
            (
                "SWITCHBOARD_HTTP_HEADER_TIMEOUT_SECS",
                secs(self.header_timeout),
            ),
            (
                "SWITCHBOARD_HTTP_BODY_TIMEOUT_SECS",
                secs(self.body_timeout),
            ),
            (
                "SWITCHBOARD_HTTP_IDLE_TIMEOUT_SECS",
                secs(self.idle_timeout),
            ),
            (
                "SWITCHBOARD_HTTP_MAX_CONNECTIONS",
                self.max_connections.to_string(),
            ),
        ]
    }
}

/// A timeout in seconds, fractions allowed (tests use 0.2), from 0.1 to an hour.
fn seconds(raw: &Raw, key: &str, default: Duration) -> Result<Duration, ConfigError> {
    parse(
        raw,
        key,
        &default.as_secs_f64().to_string(),
        |v| match v.parse::<f64>() {
            Ok(s) if (0.1..=3600.0).contains(&s) => Ok(Duration::from_secs_f64(s)),
            _ => Err(format!(
                "'{v}' must be a number of seconds from 0.1 to 3600"
            )),
        },
    )
}

/// `SWITCHBOARD_TRUSTED_PROXIES`: the addresses of reverse proxies in front of the server,
/// comma-separated. Only a request from one of them has its `X-Forwarded-For` believed.
pub(super) fn trusted_proxies(raw: &Raw) -> Result<Vec<std::net::IpAddr>, ConfigError> {
    parse(raw, "trusted_proxies", "", |v| {
        v.split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse()
                    .map_err(|_| format!("'{a}' is not an IP address like 127.0.0.1 or ::1"))
            })
            .collect()
    })
}
