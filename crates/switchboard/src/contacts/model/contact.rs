//! A contact as the API and dashboard see it, and the rules its values must keep: names,
//! phones (E.164, exactly one primary), email, an explicit IANA time zone, custom fields,
//! tags and the record's source. [`ContactInput::validate`] turns what a client sent into a
//! [`ValidContact`] or an [`Invalid`] naming the field; nothing is stored that has not passed
//! through it. No I/O.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

pub use super::contact_fields::{field_key, time_zone};
use super::contact_fields::{fields, optional, phones, tags};
use super::zones::zone_of_number;
use crate::error::Invalid;
use crate::ids::ContactId;
use crate::limits;
use crate::zone::Zone;

/// First and last names, each.
pub const NAME_CHARS: usize = 100;
/// Phones per contact.
pub const PHONES: usize = 10;
/// Tags per contact, and the characters of one.
pub const TAGS: usize = 50;
pub const TAG_CHARS: usize = 60;
/// Custom fields per contact, the characters of a key and of a text value, and the size of
/// the whole object as stored (JSON).
pub const FIELDS: usize = 50;
pub const FIELD_KEY_CHARS: usize = 40;
pub const FIELD_TEXT_CHARS: usize = 500;
pub const FIELDS_BYTES: usize = 8192;
/// Where a record came from ("api", "dashboard", "import: members.csv").
pub const SOURCE_CHARS: usize = 60;
/// An IANA zone name.
pub const ZONE_CHARS: usize = 64;

/// One of a contact's numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ContactPhone {
    /// E.164, e.g. +14155551234.
    pub number: String,
    pub primary: bool,
}

crate::text_enum! {
    /// Where a contact's effective time zone comes from.
    pub enum ZoneSource {
        /// The contact's own `time_zone`.
        Contact = "contact",
        /// The country of its primary number, which has a single zone.
        Number = "number",
        /// Neither: rules use the campaign's or organisation's zone.
        Unknown = "unknown",
    }
}

/// The zone the rules use for a contact, and where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct EffectiveZone {
    pub name: Option<String>,
    pub from: ZoneSource,
}

/// The contact's own zone when it has one, else its primary number's country's when that
/// country has one zone ([`super::zones`] lists them), else unknown.
pub fn effective_zone(own: Option<&str>, primary_phone: Option<&str>) -> EffectiveZone {
    if let Some(own) = own {
        return EffectiveZone {
            name: Some(own.to_string()),
            from: ZoneSource::Contact,
        };
    }
    match primary_phone.and_then(zone_of_number) {
        Some(zone) => EffectiveZone {
            name: Some(zone.name().to_string()),
            from: ZoneSource::Number,
        },
        None => EffectiveZone {
            name: None,
            from: ZoneSource::Unknown,
        },
    }
}

/// A stored contact.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Contact {
    pub id: ContactId,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    /// The primary number first.
    pub phones: Vec<ContactPhone>,
    /// The contact's own IANA zone, if it has one.
    pub time_zone: Option<String>,
    /// The zone quiet hours and call windows use, and where it came from.
    pub zone: EffectiveZone,
    /// Custom fields: text, numbers and true/false.
    #[schema(value_type = Object)]
    pub fields: Map<String, Value>,
    pub tags: Vec<String>,
    pub source: String,
    /// Epoch milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

impl Contact {
    /// The primary number, if the contact has any.
    pub fn primary_phone(&self) -> Option<&str> {
        self.phones
            .iter()
            .find(|p| p.primary)
            .map(|p| p.number.as_str())
    }

    /// What a person reads: the name, else the email, else the number.
    pub fn display_name(&self) -> String {
        display_name(
            &self.first_name,
            &self.last_name,
            self.email.as_deref(),
            self.primary_phone(),
        )
    }
}

/// "Ada Lovelace", or the email or number when the contact has no name.
pub fn display_name(first: &str, last: &str, email: Option<&str>, phone: Option<&str>) -> String {
    let name = format!("{first} {last}").trim().to_string();
    if !name.is_empty() {
        return name;
    }
    email.or(phone).unwrap_or("(no name)").to_string()
}

/// A phone as a client sends it: the number alone (`"+442071838750"`), or with whether it is
/// the primary one. With none marked primary, the first is.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum PhoneInput {
    Number(String),
    Marked {
        number: String,
        #[serde(default)]
        primary: bool,
    },
}

impl PhoneInput {
    pub(super) fn parts(&self) -> (&str, bool) {
        match self {
            PhoneInput::Number(n) => (n, false),
            PhoneInput::Marked { number, primary } => (number, *primary),
        }
    }
}

/// A contact as a client sends it (create, or the whole of a replacement).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    pub email: Option<String>,
    #[serde(default)]
    pub phones: Vec<PhoneInput>,
    /// The country of numbers written without `+` (two letters); default US.
    pub country: Option<String>,
    /// An IANA zone such as Europe/London; absent when the number's country decides.
    pub time_zone: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub fields: Map<String, Value>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Where the record came from; default: how it arrived (api, dashboard).
    pub source: Option<String>,
}

/// A contact's values after every rule has passed: ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidContact {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    /// E.164, the primary first.
    pub phones: Vec<String>,
    pub time_zone: Option<Zone>,
    /// The custom fields as stored (a JSON object).
    pub fields_json: String,
    /// Sorted, each once.
    pub tags: Vec<String>,
    pub source: String,
}

impl ContactInput {
    /// Checks every value; `default_source` is used when the client names none.
    pub fn validate(&self, default_source: &str) -> Result<ValidContact, Invalid> {
        let first_name = limits::text("first_name", &self.first_name, NAME_CHARS)?;
        let last_name = limits::text("last_name", &self.last_name, NAME_CHARS)?;
        let email = optional(self.email.as_deref())
            .map(crate::accounts::model::clean_email)
            .transpose()?;
        let phones = phones(&self.phones, self.country.as_deref())?;
        let time_zone = optional(self.time_zone.as_deref())
            .map(time_zone)
            .transpose()?;
        if first_name.is_empty() && last_name.is_empty() && email.is_none() && phones.is_empty() {
            return Err(Invalid::new(
                "first_name",
                "a contact needs a name, an email or a phone",
            ));
        }
        let source = limits::text(
            "source",
            self.source.as_deref().unwrap_or(default_source),
            SOURCE_CHARS,
        )?;
        if source.is_empty() {
            return Err(Invalid::new("source", "must not be empty"));
        }
        Ok(ValidContact {
            first_name,
            last_name,
            email,
            phones,
            time_zone,
            fields_json: fields(&self.fields)?,
            tags: tags(&self.tags)?,
            source,
        })
    }
}

/// A change to some of a contact's values; absent ones stay. A blank `email` or `time_zone`
/// removes it; `phones`, `tags` and `fields` replace the whole set.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phones: Option<Vec<PhoneInput>>,
    pub country: Option<String>,
    pub time_zone: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub fields: Option<Map<String, Value>>,
    pub tags: Option<Vec<String>>,
    pub source: Option<String>,
}

impl ContactPatch {
    /// The whole contact after the change, to validate as a new one would be.
    pub fn apply(self, current: &Contact) -> ContactInput {
        let phones = current
            .phones
            .iter()
            .map(|p| PhoneInput::Marked {
                number: p.number.clone(),
                primary: p.primary,
            })
            .collect();
        ContactInput {
            first_name: self
                .first_name
                .unwrap_or_else(|| current.first_name.clone()),
            last_name: self.last_name.unwrap_or_else(|| current.last_name.clone()),
            email: self.email.or_else(|| current.email.clone()),
            phones: self.phones.unwrap_or(phones),
            country: self.country,
            time_zone: self.time_zone.or_else(|| current.time_zone.clone()),
            fields: self.fields.unwrap_or_else(|| current.fields.clone()),
            tags: self.tags.unwrap_or_else(|| current.tags.clone()),
            source: Some(self.source.unwrap_or_else(|| current.source.clone())),
        }
    }
}

#[cfg(test)]
#[path = "contact_tests.rs"]
mod tests;
