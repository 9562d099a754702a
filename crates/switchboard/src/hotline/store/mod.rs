//! SQL for the hotline. Every function takes the organisation and filters by it.

pub mod incidents;
pub mod lines;
pub mod roster;
pub mod voicemail;
