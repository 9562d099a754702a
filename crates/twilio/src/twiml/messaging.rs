//! Messaging TwiML: `<Message>` replies and `<Redirect>`.

use super::TwimlError;
use super::element::{Element, parse_document, write_document};
use super::voice::{Redirect, option_setters};
use crate::Method;

/// A messaging `<Response>`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MessagingResponse {
    pub verbs: Vec<MessagingVerb>,
}

/// One messaging verb.
#[derive(Debug, Clone, PartialEq)]
pub enum MessagingVerb {
    Message(Message),
    Redirect(Redirect),
}

/// `<Message>`: a reply text, optionally with media. `to`/`from` default to the inbound's
/// `From`/`To`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    pub to: Option<String>,
    pub from: Option<String>,
    pub body: String,
    /// Status callback URL for the reply.
    pub action: Option<String>,
    pub method: Option<Method>,
    pub media: Vec<String>,
}

impl Message {
    pub fn new(body: impl Into<String>) -> Self {
        Self {
            body: body.into(),
            ..Self::default()
        }
    }

    /// Attaches a media URL (MMS).
    #[must_use]
    pub fn media(mut self, url: impl Into<String>) -> Self {
        self.media.push(url.into());
        self
    }

    fn to_element(&self) -> Element {
        let mut el = Element::new("Message");
        el.attr("to", &self.to);
        el.attr("from", &self.from);
        el.attr("action", &self.action);
        el.attr("method", &self.method);
        if self.media.is_empty() {
            el.text = self.body.clone();
        } else {
            if !self.body.is_empty() {
                el.children.push(Element::with_text("Body", &self.body));
            }
            for url in &self.media {
                el.children.push(Element::with_text("Media", url));
            }
        }
        el
    }

    fn from_element(el: &Element) -> Result<Self, TwimlError> {
        let mut body = el.trimmed_text();
        let mut media = Vec::new();
        for child in &el.children {
            child.expect_no_children()?;
            match child.name.as_str() {
                "Body" => body.push_str(&child.trimmed_text()),
                "Media" => media.push(child.trimmed_text()),
                _ => return Err(el.unknown_child(child)),
            }
        }
        Ok(Self {
            to: el.string_attr("to"),
            from: el.string_attr("from"),
            body,
            action: el.string_attr("action"),
            method: el.parse_attr("method")?,
            media,
        })
    }
}
option_setters!(Message {
    to: String,
    from: String,
    action: String,
    method: Method
});

impl MessagingResponse {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a `<Message>`; accepts a `Message` or plain text.
    #[must_use]
    pub fn message(mut self, message: impl Into<Message>) -> Self {
        self.verbs.push(MessagingVerb::Message(message.into()));
        self
    }

    /// Appends a `<Redirect>`; accepts a `Redirect` or a URL.
    #[must_use]
    pub fn redirect(mut self, redirect: impl Into<Redirect>) -> Self {
        self.verbs.push(MessagingVerb::Redirect(redirect.into()));
        self
    }

    /// The document Twilio expects, with an XML declaration.
    pub fn to_xml(&self) -> String {
        let mut root = Element::new("Response");
        root.children = self
            .verbs
            .iter()
            .map(|verb| match verb {
                MessagingVerb::Message(message) => message.to_element(),
                MessagingVerb::Redirect(redirect) => redirect.to_element(),
            })
            .collect();
        write_document(&root)
    }

    /// Reads a messaging TwiML document.
    pub fn parse(xml: &str) -> Result<Self, TwimlError> {
        let root = parse_document(xml)?;
        if root.name != "Response" {
            return Err(TwimlError::NotAResponse { found: root.name });
        }
        root.expect_no_text()?;
        let verbs = root
            .children
            .iter()
            .map(|child| match child.name.as_str() {
                "Message" => Message::from_element(child).map(MessagingVerb::Message),
                "Redirect" => Redirect::from_element(child).map(MessagingVerb::Redirect),
                _ => Err(root.unknown_child(child)),
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { verbs })
    }
}

impl From<&str> for Message {
    fn from(body: &str) -> Self {
        Message::new(body)
    }
}
impl From<String> for Message {
    fn from(body: String) -> Self {
        Message::new(body)
    }
}
