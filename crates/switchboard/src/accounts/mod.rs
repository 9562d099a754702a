//! Organisations, people (staff, volunteers, technicians), API tokens, passwords and sessions.

pub mod api;
pub mod model;
pub mod outbound;
pub mod rules;
pub mod secrets;
pub mod signin;
pub mod store;

pub use model::{NewPerson, Org, OrgId, Person, PersonPatch, Role};
