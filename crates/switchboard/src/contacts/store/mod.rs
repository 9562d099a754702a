//! The contacts' SQL.

pub mod consent;
