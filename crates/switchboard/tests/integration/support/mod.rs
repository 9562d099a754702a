//! Test support: the `TestApp` harness, an SMTP sink, a dashboard session over HTTP, and a
//! WebDriver client for a real headless browser.

pub mod browser;
pub mod smtp;
mod test_app;
pub mod web_session;

pub use test_app::{TestApp, TestDb, TestOptions};
