//! Twilio protocol.
