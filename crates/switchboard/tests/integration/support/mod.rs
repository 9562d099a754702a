//! Test support: the `TestApp` harness, an SMTP sink.

pub mod smtp;
mod test_app;

pub use test_app::{TestApp, TestDb, TestOptions};
