//! Contacts: the people outside the organisation that its jobs call and text, their lists,
//! their consent per number and channel, and the quiet hours that protect them.

pub mod api;
pub mod model;
pub mod store;
