//! What can go wrong talking to Twilio's REST API.

use crate::resources::ApiErrorBody;

/// A REST call that did not produce the expected resource.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Twilio answered with its error body, e.g. 21211 invalid `To` number.
    #[error("Twilio error {code} (HTTP {status}): {message}")]
    Api {
        status: u16,
        code: u32,
        message: String,
        more_info: String,
    },
    /// The request did not get an HTTP answer (connection, TLS, timeout). Carries no secrets:
    /// credentials travel in a header, never in the URL.
    #[error("HTTP request to Twilio failed: {0}")]
    Http(#[source] reqwest::Error),
    /// Twilio answered, but not with JSON of the expected shape.
    #[error("cannot read Twilio's HTTP {status} answer: {message} (body starts {body:?})")]
    Decode {
        status: u16,
        message: String,
        /// The first 200 characters of the body.
        body: String,
    },
    /// The client is misconfigured or was given an argument it cannot send.
    #[error("Twilio client configuration: {0}")]
    Config(String),
}

impl Error {
    /// Twilio's error code, when Twilio sent one.
    pub fn code(&self) -> Option<u32> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The HTTP status of Twilio's answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::Decode { status, .. } => Some(*status),
            Error::Http(err) => err.status().map(|s| s.as_u16()),
            Error::Config(_) => None,
        }
    }

    pub(crate) fn decode(status: u16, message: impl ToString, body: &[u8]) -> Self {
        Error::Decode {
            status,
            message: message.to_string(),
            body: String::from_utf8_lossy(body).chars().take(200).collect(),
        }
    }
}

impl From<ApiErrorBody> for Error {
    fn from(body: ApiErrorBody) -> Self {
        Error::Api {
            status: body.status,
            code: body.code,
            message: body.message,
            more_info: body.more_info,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_exposes_code_and_status() {
        let err = Error::from(ApiErrorBody::new(400, 21211, "bad To"));
        assert_eq!(err.code(), Some(21211));
        assert_eq!(err.status(), Some(400));
        assert_eq!(err.to_string(), "Twilio error 21211 (HTTP 400): bad To");
    }

    #[test]
    fn decode_error_keeps_only_the_start_of_the_body() {
        let err = Error::decode(502, "expected value", "x".repeat(500).as_bytes());
        assert_eq!(err.code(), None);
        assert_eq!(err.status(), Some(502));
        assert!(matches!(err, Error::Decode { ref body, .. } if body.len() == 200));
    }

    #[test]
    fn config_error_has_no_code_or_status() {
        let err = Error::Config("bad".into());
        assert_eq!((err.code(), err.status()), (None, None));
    }
}
