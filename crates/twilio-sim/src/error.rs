//! Errors of the embedding API.

/// Why the simulator refused to do something asked through the embedding or control API.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The number is not one of the account's IncomingPhoneNumbers.
    #[error(
        "{0} is not one of the account's phone numbers; create it with POST IncomingPhoneNumbers.json"
    )]
    UnknownNumber(String),
    /// The number exists but has no URL for this kind of traffic.
    #[error("{number} has no {what} URL configured")]
    NoUrl { number: String, what: &'static str },
    /// A value was unacceptable.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}
