//! The HTTP method Twilio uses for a callback (`method="GET"` in TwiML, `Method=GET` in REST).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// `GET` or `POST`, the two methods Twilio accepts for webhooks and callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    /// Twilio's default for every callback.
    #[default]
    Post,
}

impl Method {
    /// `"GET"` or `"POST"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was neither `GET` nor `POST`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("method must be GET or POST, got {0:?}")]
pub struct InvalidMethod(pub String);

impl FromStr for Method {
    type Err = InvalidMethod;

    /// Case-insensitive, as Twilio is.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("GET") {
            Ok(Method::Get)
        } else if s.eq_ignore_ascii_case("POST") {
            Ok(Method::Post)
        } else {
            Err(InvalidMethod(s.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_parses_case_insensitively() {
        assert_eq!("get".parse::<Method>(), Ok(Method::Get));
        assert_eq!("Post".parse::<Method>(), Ok(Method::Post));
    }

    #[test]
    fn method_rejects_other_verbs() {
        assert_eq!(
            "PUT".parse::<Method>(),
            Err(InvalidMethod("PUT".to_owned()))
        );
    }

    #[test]
    fn method_displays_uppercase() {
        assert_eq!(Method::Get.to_string(), "GET");
        assert_eq!(Method::Post.as_str(), "POST");
    }
}
