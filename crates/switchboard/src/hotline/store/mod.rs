//! SQL for the hotline. Every function takes the organisation and filters by it.

pub mod batch;
pub mod feeds;
pub mod incidents;
pub mod lines;
pub mod reminders;
pub mod roster;
pub mod voicemail;
