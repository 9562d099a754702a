//! TwiML: the XML documents a webhook answers with, as typed values that write and parse.
//!
//! Build with [`VoiceResponse::new`] and its fluent methods, send [`VoiceResponse::to_xml`] with
//! [`CONTENT_TYPE`]. The simulator runs [`VoiceResponse::parse`] on what a webhook returns, so
//! parsing maps back into exactly the same types: `parse(to_xml(x)) == x` holds for every value
//! whose texts have no leading or trailing whitespace (parsing trims element text, as Twilio does).
//!
//! Parsing is strict about elements (an unknown verb or child is an error naming it, as Twilio
//! answers invalid TwiML with error 12100) and lenient about attributes (unknown ones are ignored;
//! known ones with a bad value are errors).

mod element;
mod messaging;
mod voice;
mod voice_verbs;
mod voice_xml;

pub use messaging::{Message, MessagingResponse, MessagingVerb};
pub use voice::{
    Dial, DialTarget, Gather, GatherChild, Number, Pause, Play, Record, Redirect, Reject, Say,
    Verb, VoiceResponse,
};

pub use crate::Method;

/// The `Content-Type` a TwiML answer is served with.
pub const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// Twilio's error code for a document that is not valid TwiML.
pub const INVALID_TWIML_CODE: u32 = 12100;

/// Why a document is not TwiML we understand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwimlError {
    /// The document is not well-formed XML.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// The root element is not `<Response>`.
    #[error("the root element must be <Response>, found <{found}>")]
    NotAResponse { found: String },
    /// An element this crate does not know, or one in a place it is not allowed.
    #[error("<{element}> is not allowed inside <{parent}>")]
    UnknownElement { element: String, parent: String },
    /// A known attribute whose value cannot be read.
    #[error("<{element} {attribute}={value:?}> is invalid: {reason}")]
    InvalidAttribute {
        element: String,
        attribute: String,
        value: String,
        reason: String,
    },
    /// Text inside an element that only holds other elements.
    #[error("<{element}> may not contain text, found {text:?}")]
    UnexpectedText { element: String, text: String },
    /// An element that needs text (a URL, a number) has none.
    #[error("<{element}> needs {what}")]
    MissingContent { element: String, what: &'static str },
}

impl TwimlError {
    /// The Twilio error code a call would fail with: always 12100, invalid TwiML.
    pub fn code(&self) -> u32 {
        INVALID_TWIML_CODE
    }
}

#[cfg(test)]
mod tests;
