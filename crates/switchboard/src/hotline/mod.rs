//! Hotline: volunteer lines routed by shift (seed 001) and emergency lines that escalate
//! through an on-call ladder (seed 003).

pub mod model;
pub mod store;
