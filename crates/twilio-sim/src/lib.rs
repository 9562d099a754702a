//! A Twilio-compatible simulator: the 2010-04-01 REST API, a TwiML interpreter that calls the
//! app's webhooks with signed requests, scripted people on the other end of each number, and
//! accelerated virtual time.
//!
//! Embed it with [`Simulator::bind`] (or mount [`Simulator::router`] yourself), point a Twilio
//! client at [`SimServer::base_url`], and script numbers with [`Simulator::set_behaviour`].

pub mod behaviour;
mod calls;
pub mod cli;
pub mod clock;
mod control;
mod error;
mod messages;
pub mod model;
mod pacer;
mod rest;
mod server;
mod sim;
mod store;
mod twiml;
mod webhook;

pub use behaviour::{Behaviour, Outcome, Scenario};
pub use error::SimError;
pub use model::{CallStatus, MessageStatus};
pub use server::SimServer;
pub use sim::{SimConfig, Simulator};
pub use store::{EventKind, Transcript, TranscriptEvent};
