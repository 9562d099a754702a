//! Switchboard: one self-hosted server for an organisation's phone and text work on Twilio.
//!
//! The library holds everything; `main.rs` only parses the command line and calls [`cli::run`],
//! so tests drive the whole application in-process.

pub mod accounts;
pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod contacts;
pub mod db;
pub mod error;
pub mod hotline;
pub mod http;
pub mod ids;
pub mod jobs;
pub mod limits;
pub mod notify;
pub mod ops;
pub mod services;
pub mod telemetry;
pub mod telephony;
pub mod text_enum;
pub mod ui;
pub mod zone;
