//! The outbox: every outbound call and text is first a row written in its owner's own
//! transaction, then dispatched by workers, so that nothing is lost and nothing is sent twice.
//! `model` holds the rules (the row's lifecycle, what a claimed row does).

pub mod api;
pub mod dispatch;
pub mod eta;
pub mod jobs;
pub mod model;
pub mod queue;
pub mod queue_api;
mod reconcile;
pub mod store;

#[cfg(test)]
mod tests;
