//! Typed parameters of the webhooks Twilio sends: voice requests, status callbacks, `<Dial>`,
//! `<Gather>` and `<Record>` actions, recordings, transcriptions and messages.
//!
//! Each struct reads a form with `from_pairs` (or serde, e.g. axum's `Form`), writes it back with
//! `to_pairs` (what the simulator sends), and keeps every parameter it has no field for in
//! `extra`: Twilio adds parameters over time and they must never make a webhook fail. An optional
//! parameter sent empty reads as `None`.

pub(crate) mod fields;
mod messaging;
mod voice;

pub use messaging::{InboundMessage, MessageStatusCallback};
pub use voice::{
    CallStatusCallback, DialAction, GatherAction, RecordAction, RecordingStatus, Transcription,
    VoiceRequest,
};

/// One media item of an inbound MMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// `MediaUrl{N}`.
    pub url: String,
    /// `MediaContentType{N}`, e.g. `image/jpeg`.
    pub content_type: Option<String>,
}

/// A webhook form that lacks a parameter or has one that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("webhook parameter {field} is missing")]
    Missing { field: &'static str },
    #[error("webhook parameter {field}={value:?} is invalid: {reason}")]
    Invalid {
        field: &'static str,
        value: String,
        reason: String,
    },
}

impl WebhookError {
    /// The Twilio parameter name at fault.
    pub fn field(&self) -> &'static str {
        match self {
            WebhookError::Missing { field } | WebhookError::Invalid { field, .. } => field,
        }
    }
}

#[cfg(test)]
mod tests;
