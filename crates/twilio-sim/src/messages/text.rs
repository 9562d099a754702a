//! Text rules from the twilio crate, in the shapes the simulator uses.

pub use twilio::opt_out::{Keyword, classify as keyword};

/// How many SMS segments `body` takes (GSM-7 160/153, UCS-2 70/67).
pub fn segments(body: &str) -> u32 {
    twilio::segments::count(body).segments.max(1)
}
