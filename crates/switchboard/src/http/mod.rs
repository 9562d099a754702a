//! HTTP plumbing shared by every module: the error type, JSON and form extractors that name
//! bad fields, authentication, the Twilio-signature check, request metrics, and the server's
//! accept loop with its timeouts and connection cap.

pub mod auth;
pub mod error;
pub mod flow;
pub mod idempotency;
pub mod json;
pub mod metrics;
pub mod serve;
pub mod studio;
pub mod twilio_signature;
pub mod twiml;

pub use auth::{ApiCaller, SESSION_COOKIE};
pub use error::{AppError, AppResult};
pub use json::Json;
