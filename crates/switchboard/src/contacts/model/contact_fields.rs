//! The checks of each of a contact's values (phones, custom fields, tags, time zone), with no
//! I/O; `contact` puts them together into a valid contact.

use serde_json::{Map, Value};
use twilio::e164::E164;

use super::contact::{
    FIELD_KEY_CHARS, FIELD_TEXT_CHARS, FIELDS, FIELDS_BYTES, PHONES, PhoneInput, TAG_CHARS, TAGS,
    ZONE_CHARS,
};
use crate::error::Invalid;
use crate::limits;
use crate::zone::Zone;

/// A text that is blank counts as absent.
pub(super) fn optional(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}

/// An IANA zone name, checked against jiff's time zone database.
pub fn time_zone(name: &str) -> Result<Zone, Invalid> {
    let name = limits::text("time_zone", name, ZONE_CHARS)?;
    Zone::parse(&name).map_err(|e| Invalid::new("time_zone", e.to_string()))
}

/// The numbers in E.164, the primary first; at most one marked primary, none twice.
pub(super) fn phones(input: &[PhoneInput], country: Option<&str>) -> Result<Vec<String>, Invalid> {
    let country = match optional(country) {
        Some(c) if c.trim().len() == 2 && c.trim().chars().all(|c| c.is_ascii_alphabetic()) => {
            c.trim().to_ascii_uppercase()
        }
        Some(c) => {
            return Err(Invalid::new(
                "country",
                format!("'{c}' is not a two-letter country code such as US or GB"),
            ));
        }
        None => "US".to_string(),
    };
    if input.len() > PHONES {
        return Err(Invalid::new("phones", format!("at most {PHONES} phones")));
    }
    if input.iter().filter(|p| p.parts().1).count() > 1 {
        return Err(Invalid::new("phones", "only one phone can be primary"));
    }
    let mut out: Vec<String> = Vec::with_capacity(input.len());
    for phone in input {
        let (raw, primary) = phone.parts();
        let raw = limits::text("phones", raw, limits::PHONE_CHARS)?;
        let number = E164::parse(&raw, Some(&country))
            .map_err(|e| Invalid::new("phones", e.to_string()))?
            .as_str()
            .to_string();
        if out.contains(&number) {
            return Err(Invalid::new("phones", format!("{number} appears twice")));
        }
        if primary {
            out.insert(0, number);
        } else {
            out.push(number);
        }
    }
    Ok(out)
}

/// Custom fields: keys of letters, digits and `_`; values text, numbers or true/false.
pub(super) fn fields(input: &Map<String, Value>) -> Result<String, Invalid> {
    if input.len() > FIELDS {
        return Err(Invalid::new("fields", format!("at most {FIELDS} fields")));
    }
    let mut clean = Map::new();
    for (key, value) in input {
        field_key(key)?;
        let value = match value {
            Value::String(s) => {
                Value::String(limits::text(&format!("fields.{key}"), s, FIELD_TEXT_CHARS)?)
            }
            Value::Number(_) | Value::Bool(_) => value.clone(),
            _ => {
                return Err(Invalid::new(
                    format!("fields.{key}"),
                    "must be text, a number, or true or false",
                ));
            }
        };
        clean.insert(key.clone(), value);
    }
    let json = Value::Object(clean).to_string();
    if json.len() > FIELDS_BYTES {
        return Err(Invalid::new(
            "fields",
            format!("must be at most {FIELDS_BYTES} bytes as JSON"),
        ));
    }
    Ok(json)
}

/// A custom field's key: 1 to 40 ASCII letters, digits and underscores.
pub fn field_key(key: &str) -> Result<(), Invalid> {
    let ok = (1..=FIELD_KEY_CHARS).contains(&key.len())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(
            "fields",
            format!(
                "'{key}' is not a field name: use 1 to {FIELD_KEY_CHARS} letters, digits and _"
            ),
        ))
    }
}

/// Tags: 1 to 60 characters without commas, each once (ignoring case), sorted.
pub(super) fn tags(input: &[String]) -> Result<Vec<String>, Invalid> {
    if input.len() > TAGS {
        return Err(Invalid::new("tags", format!("at most {TAGS} tags")));
    }
    let mut out: Vec<String> = Vec::with_capacity(input.len());
    for raw in input {
        let tag = limits::text("tags", raw, TAG_CHARS)?;
        if tag.is_empty() || tag.contains(',') {
            return Err(Invalid::new(
                "tags",
                format!("'{tag}' is not a tag: 1 to {TAG_CHARS} characters, no commas"),
            ));
        }
        if out.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
            return Err(Invalid::new("tags", format!("{tag} appears twice")));
        }
        out.push(tag);
    }
    out.sort();
    Ok(out)
}
