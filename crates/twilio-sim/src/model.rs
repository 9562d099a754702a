//! The simulator's records: calls, messages, phone numbers and recordings, with their lifecycles.

use jiff::Timestamp;

pub use twilio::resources::{CallStatus, MessageStatus};

/// One call leg.
#[derive(Clone, Debug)]
pub struct CallRecord {
    pub sid: String,
    pub parent_call_sid: Option<String>,
    pub from: String,
    pub to: String,
    /// `outbound-api`, `inbound` or `outbound-dial`.
    pub direction: &'static str,
    pub status: CallStatus,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
    pub start_time: Option<Timestamp>,
    pub end_time: Option<Timestamp>,
    pub duration: Option<u64>,
    pub answered_by: Option<String>,
    pub price: Option<String>,
    pub phone_number_sid: Option<String>,
    pub queue_time_ms: u64,
}

/// One text, inbound or outbound.
#[derive(Clone, Debug)]
pub struct MessageRecord {
    pub sid: String,
    pub from: String,
    pub to: String,
    pub body: String,
    /// `outbound-api`, `outbound-reply` or `inbound`.
    pub direction: &'static str,
    pub status: MessageStatus,
    pub num_segments: u32,
    pub num_media: u32,
    pub price: Option<String>,
    pub error_code: Option<u32>,
    pub error_message: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
    pub date_sent: Option<Timestamp>,
}

/// One of the account's phone numbers and where its calls and texts go.
#[derive(Clone, Debug, Default)]
pub struct NumberRecord {
    pub sid: String,
    pub phone_number: String,
    pub friendly_name: String,
    pub voice_url: Option<String>,
    pub voice_method: String,
    pub voice_fallback_url: Option<String>,
    pub voice_fallback_method: String,
    pub status_callback: Option<String>,
    pub status_callback_method: String,
    pub sms_url: Option<String>,
    pub sms_method: String,
    pub sms_fallback_url: Option<String>,
    pub sms_fallback_method: String,
    pub date_created: Option<Timestamp>,
    pub date_updated: Option<Timestamp>,
}

/// A recording made by `<Record>`.
#[derive(Clone, Debug)]
pub struct RecordingRecord {
    pub sid: String,
    pub call_sid: String,
    pub duration: u64,
    pub date_created: Timestamp,
    /// What the party said (served back as the transcription).
    pub words: String,
}
