//! The facade through which every job places calls and sends texts (crates/twilio underneath),
//! and the ledger of calls and messages fed by Twilio's status callbacks.

pub mod http;

use crate::config::TelephonyMode;

/// Placeholder until the protocol crate lands: see the next commit.
pub struct Telephony {
    pub mode: TelephonyMode,
}

impl Telephony {
    pub fn new(mode: TelephonyMode) -> Self {
        Self { mode }
    }

    pub async fn shutdown(&self) {}
}

/// Normalises a phone number to E.164 (default region US), or says what is wrong with it.
pub fn parse_e164(input: &str) -> Result<String, String> {
    let trimmed = input.trim();
    let digits: String = trimmed.chars().filter(|c| c.is_ascii_digit()).collect();
    if trimmed.starts_with('+') && (8..=15).contains(&digits.len()) {
        Ok(format!("+{digits}"))
    } else {
        Err(format!(
            "'{trimmed}' is not a phone number in E.164 form like +14155551234"
        ))
    }
}
