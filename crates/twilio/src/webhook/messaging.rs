//! Messaging webhooks: an inbound text and a sent text's status callback.

use super::Media;
use super::fields::webhook_params;
use crate::resources::MessageStatus;

webhook_params! {
    /// The request to a number's messaging URL for an incoming text.
    InboundMessage {
        message_sid: String = "MessageSid",
        sms_sid: Option<String> = "SmsSid",
        account_sid: String = "AccountSid",
        messaging_service_sid: Option<String> = "MessagingServiceSid",
        from: String = "From",
        to: String = "To",
        /// May be empty for a media-only message.
        body: String = "Body",
        num_media: Option<u32> = "NumMedia",
        num_segments: Option<u32> = "NumSegments",
        /// From `MediaUrl{N}` / `MediaContentType{N}`.
        media: Vec<Media> = "MediaUrl",
    }
}

webhook_params! {
    /// A sent message's `StatusCallback`.
    MessageStatusCallback {
        message_sid: String = "MessageSid",
        message_status: MessageStatus = "MessageStatus",
        account_sid: Option<String> = "AccountSid",
        sms_sid: Option<String> = "SmsSid",
        sms_status: Option<String> = "SmsStatus",
        messaging_service_sid: Option<String> = "MessagingServiceSid",
        from: Option<String> = "From",
        to: Option<String> = "To",
        /// Set for `failed` and `undelivered`, e.g. 30003 unreachable.
        error_code: Option<u32> = "ErrorCode",
        api_version: Option<String> = "ApiVersion",
    }
}
