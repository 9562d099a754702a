//! The hotline's background work: daily shift reminders, and the voicemail that is sent
//! without a transcript when none arrives in time.

pub mod reminders;
pub mod voicemail;
