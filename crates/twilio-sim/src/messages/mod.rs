//! Texts: outbound sending with its status lifecycle, inbound delivery to the app, and the
//! scripted recipients' replies and link clicks.

mod inbound;
mod outbound;
mod people;
pub mod text;

pub use inbound::deliver_inbound;
pub use outbound::{OutboundText, create, price_for};
