//! The integration suite: the whole application in-process over real HTTP, one fresh database
//! per test (SQLite, or PostgreSQL when SWITCHBOARD_TEST_DATABASE_URL is set).

mod support;

mod accounts;
mod browser;
mod cli;
mod contacts;
mod contacts_import;
mod dashboard;
mod email;
mod fleet;
mod hardening_input;
mod hardening_server;
mod hardening_signin;
mod hardening_webhooks;
mod hotline_calendar;
mod hotline_dashboard;
mod hotline_desk;
mod hotline_idempotency;
mod hotline_reminders;
mod hotline_studio;
mod hotline_studio_flow;
mod hotline_voice;
mod jobs;
mod migrations;
mod numbers;
mod ops;
mod outbox;
mod telephony;
