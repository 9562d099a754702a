//! Twilio protocol for Switchboard: webhook signatures, TwiML, REST resources and client, webhook
//! parameters, E.164 numbers, SMS segments and opt-out keywords.
//!
//! This crate knows how Twilio speaks and nothing about Switchboard's business. The simulator
//! (`twilio-sim`) and the server both build on it, so a shape is written down once.

pub mod client;
pub mod e164;
pub mod opt_out;
pub mod resources;
pub mod segments;
pub mod signature;
pub mod twiml;
pub mod webhook;

mod method;
pub use method::{InvalidMethod, Method};
