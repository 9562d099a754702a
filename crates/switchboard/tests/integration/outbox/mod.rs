//! The outbox's store on a real database: an idempotency key sends once, a row is claimed by
//! one worker, a lapsed claim is taken over, and a pace hands out slots one interval apart to
//! every caller.

mod api;
mod consent_api;
mod dashboard;
mod dispatch;
mod help;
mod inbound;
mod org_account;
mod queue;
mod store;
