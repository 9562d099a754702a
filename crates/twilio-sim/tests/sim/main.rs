//! Integration tests: the simulator on port 0 driving a tiny TwiML app over real HTTP.

mod calls;
mod cli;
mod client;
mod messages;
mod rest;
mod support;
mod verbs;
