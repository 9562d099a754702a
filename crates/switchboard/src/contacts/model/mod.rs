//! The rules about the people we call and text, with no I/O: consent replies, quiet hours,
//! the time zone a recipient is in.

pub mod consent;
pub mod contact;
pub mod contact_fields;
pub mod filter;
pub mod list;
pub mod quiet_hours;
pub mod zones;
