//! Twilio simulator.
