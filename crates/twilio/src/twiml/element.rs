//! A small untyped XML tree between the typed TwiML values and quick-xml, in both directions.
//!
//! Writing and parsing go through the same [`Element`] so the typed code only maps fields to
//! attributes; escaping, entity references and well-formedness live here once.

use std::fmt::Display;
use std::str::FromStr;

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::TwimlError;

/// One XML element: its name, attributes in document order, its text and its child elements.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..Self::default()
        }
    }

    pub fn with_text(name: &str, text: &str) -> Self {
        Self {
            name: name.to_owned(),
            text: text.to_owned(),
            ..Self::default()
        }
    }

    /// Adds `name="value"` when the value is present.
    pub fn attr<T: Display>(&mut self, name: &str, value: &Option<T>) {
        if let Some(value) = value {
            self.attrs.push((name.to_owned(), value.to_string()));
        }
    }

    /// The attribute's raw value, if present.
    pub fn raw_attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The attribute parsed as `T`; an unparsable value is an error naming element and attribute.
    pub fn parse_attr<T>(&self, name: &str) -> Result<Option<T>, TwimlError>
    where
        T: FromStr,
        T::Err: Display,
    {
        self.raw_attr(name)
            .map(|raw| {
                raw.trim()
                    .parse::<T>()
                    .map_err(|err| self.invalid(name, raw, err.to_string()))
            })
            .transpose()
    }

    /// A `true`/`false` attribute (case-insensitive, as Twilio reads it).
    pub fn bool_attr(&self, name: &str) -> Result<Option<bool>, TwimlError> {
        self.raw_attr(name)
            .map(|raw| match raw.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(self.invalid(name, raw, "expected true or false".to_owned())),
            })
            .transpose()
    }

    /// A string attribute, kept as written.
    pub fn string_attr(&self, name: &str) -> Option<String> {
        self.raw_attr(name).map(str::to_owned)
    }

    /// The element's text with surrounding whitespace removed.
    pub fn trimmed_text(&self) -> String {
        self.text.trim().to_owned()
    }

    /// Errors if the element holds text other than whitespace.
    pub fn expect_no_text(&self) -> Result<(), TwimlError> {
        if self.text.trim().is_empty() {
            Ok(())
        } else {
            Err(TwimlError::UnexpectedText {
                element: self.name.clone(),
                text: self.trimmed_text(),
            })
        }
    }

    /// Errors if the element has child elements.
    pub fn expect_no_children(&self) -> Result<(), TwimlError> {
        match self.children.first() {
            None => Ok(()),
            Some(child) => Err(self.unknown_child(child)),
        }
    }

    pub fn unknown_child(&self, child: &Element) -> TwimlError {
        TwimlError::UnknownElement {
            element: child.name.clone(),
            parent: self.name.clone(),
        }
    }

    fn invalid(&self, attribute: &str, value: &str, reason: String) -> TwimlError {
        TwimlError::InvalidAttribute {
            element: self.name.clone(),
            attribute: attribute.to_owned(),
            value: value.to_owned(),
            reason,
        }
    }
}

/// Serialises `root` as a UTF-8 XML document with a declaration and escaped text and attributes.
pub(crate) fn write_document(root: &Element) -> String {
    let mut writer = Writer::new(Vec::new());
    // Writing into a Vec cannot fail; the results are io::Result only because of the trait.
    let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    write_element(&mut writer, root);
    String::from_utf8(writer.into_inner()).unwrap_or_default()
}

fn write_element(writer: &mut Writer<Vec<u8>>, element: &Element) {
    let mut start = BytesStart::new(element.name.as_str());
    for (name, value) in &element.attrs {
        start.push_attribute((name.as_str(), value.as_str()));
    }
    if element.text.is_empty() && element.children.is_empty() {
        let _ = writer.write_event(Event::Empty(start));
        return;
    }
    let _ = writer.write_event(Event::Start(start));
    if !element.text.is_empty() {
        let _ = writer.write_event(Event::Text(BytesText::new(&element.text)));
    }
    for child in &element.children {
        write_element(writer, child);
    }
    let _ = writer.write_event(Event::End(BytesEnd::new(element.name.as_str())));
}

/// Parses a whole XML document into its root element.
pub(crate) fn parse_document(xml: &str) -> Result<Element, TwimlError> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader.read_event().map_err(|err| malformed(&reader, err))?;
        match event {
            Event::Start(start) => stack.push(start_element(&reader, &start)?),
            Event::Empty(start) => {
                let element = start_element(&reader, &start)?;
                attach(&mut stack, &mut root, element)?;
            }
            Event::End(_) => {
                // The reader has already checked that the end tag matches the open one.
                let element = stack
                    .pop()
                    .ok_or_else(|| TwimlError::Xml("closing tag without opening tag".into()))?;
                attach(&mut stack, &mut root, element)?;
            }
            Event::Text(text) => {
                let text = text.decode().map_err(|err| malformed(&reader, err))?;
                push_text(&mut stack, &text)?;
            }
            Event::CData(data) => {
                let text = data.decode().map_err(|err| malformed(&reader, err))?;
                push_text(&mut stack, &text)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference
                    .resolve_char_ref()
                    .map_err(|err| malformed(&reader, err))?
                {
                    Some(ch) => ch.to_string(),
                    None => {
                        let name = reference.decode().map_err(|err| malformed(&reader, err))?;
                        resolve_predefined_entity(&name)
                            .ok_or_else(|| {
                                TwimlError::Xml(format!("unknown entity reference &{name};"))
                            })?
                            .to_owned()
                    }
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(TwimlError::Xml(format!("<{}> is never closed", open.name)));
    }
    root.ok_or_else(|| TwimlError::Xml("document has no root element".into()))
}

fn start_element(reader: &Reader<&[u8]>, start: &BytesStart<'_>) -> Result<Element, TwimlError> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut element = Element::new(&name);
    for attr in start.attributes() {
        let attr = attr.map_err(|err| malformed(reader, err))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let value = attr
            .decode_and_unescape_value(reader.decoder())
            .map_err(|err| malformed(reader, err))?;
        element.attrs.push((key, value.into_owned()));
    }
    Ok(element)
}

fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    element: Element,
) -> Result<(), TwimlError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None if root.is_none() => *root = Some(element),
        None => {
            return Err(TwimlError::Xml(
                "document has more than one root element".into(),
            ));
        }
    }
    Ok(())
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), TwimlError> {
    match stack.last_mut() {
        Some(element) => element.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => return Err(TwimlError::Xml("text outside the root element".into())),
    }
    Ok(())
}

fn malformed(reader: &Reader<&[u8]>, err: impl Display) -> TwimlError {
    TwimlError::Xml(format!("{err} (at byte {})", reader.error_position()))
}
