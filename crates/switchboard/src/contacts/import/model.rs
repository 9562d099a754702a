//! Which CSV column fills which contact field, with no I/O. A header is read once: common names
//! ("First Name", "Mobile", "Phone Number", "E-mail") are recognised, any other column becomes
//! a custom field named after it, and an explicit mapping (`Mobile:phone,Dept:field:dept`)
//! overrides both. A header that gives no column of phone numbers is refused as a whole: every
//! contact needs one, so no row of such a file could be imported.

use std::collections::HashSet;

use crate::error::Invalid;

pub use super::headers::{custom_key, recognise};

/// The most columns a file may have.
pub const MAX_COLUMNS: usize = 200;
/// A custom field's key: lower-case letters, digits and `_`.
pub const FIELD_KEY_CHARS: usize = 60;

/// What one column holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    FirstName,
    LastName,
    /// A whole name, split into first and last.
    Name,
    /// The primary phone.
    Phone,
    /// Another phone of the contact.
    OtherPhone,
    /// Several phones in one cell, separated by `;`.
    Phones,
    Email,
    TimeZone,
    /// Tags separated by `;`, `,` or `|`.
    Tags,
    /// Yes means the person opted out on these channels; an import never opts anyone in.
    OptOut {
        sms: bool,
        voice: bool,
    },
    /// A custom field with this key.
    Custom(String),
    Ignore,
}

impl Field {
    /// Reads a field as a mapping names it: `first_name`, `last_name`, `name`, `phone`,
    /// `phone_2`.., `phones`, `email`, `time_zone`, `tags`, `opt_out`, `opt_out_sms`,
    /// `opt_out_voice`, `field:<key>` or `ignore`.
    pub fn parse(spec: &str) -> Result<Field, Invalid> {
        let spec = spec.trim();
        if let Some(key) = spec.strip_prefix("field:") {
            return custom_key(key).map(Field::Custom);
        }
        let field = match spec.to_ascii_lowercase().as_str() {
            "first_name" => Field::FirstName,
            "last_name" => Field::LastName,
            "name" => Field::Name,
            "phone" | "phone_1" => Field::Phone,
            "phones" => Field::Phones,
            "email" => Field::Email,
            "time_zone" => Field::TimeZone,
            "tags" => Field::Tags,
            "opt_out" => Field::OptOut {
                sms: true,
                voice: true,
            },
            "opt_out_sms" => Field::OptOut {
                sms: true,
                voice: false,
            },
            "opt_out_voice" => Field::OptOut {
                sms: false,
                voice: true,
            },
            "ignore" => Field::Ignore,
            other => match other.strip_prefix("phone_").map(str::parse::<u8>) {
                Some(Ok(2..=9)) => Field::OtherPhone,
                _ => {
                    return Err(Invalid::new(
                        "mapping",
                        format!(
                            "'{spec}' is not a contact field: use first_name, last_name, name, phone, \
                             phone_2 to phone_9, phones, email, time_zone, tags, opt_out, opt_out_sms, \
                             opt_out_voice, field:<key> or ignore"
                        ),
                    ));
                }
            },
        };
        Ok(field)
    }

    /// How the field is written in a mapping (and in messages).
    pub fn name(&self) -> String {
        match self {
            Field::FirstName => "first_name".into(),
            Field::LastName => "last_name".into(),
            Field::Name => "name".into(),
            Field::Phone => "phone".into(),
            Field::OtherPhone => "phone_2".into(),
            Field::Phones => "phones".into(),
            Field::Email => "email".into(),
            Field::TimeZone => "time_zone".into(),
            Field::Tags => "tags".into(),
            Field::OptOut {
                sms: true,
                voice: true,
            } => "opt_out".into(),
            Field::OptOut { sms: true, .. } => "opt_out_sms".into(),
            Field::OptOut { .. } => "opt_out_voice".into(),
            Field::Custom(key) => format!("field:{key}"),
            Field::Ignore => "ignore".into(),
        }
    }
}

/// An explicit mapping: `COLUMN:FIELD` pairs separated by commas (`Mobile:phone,Dept:field:dept`).
pub fn parse_mapping(text: &str) -> Result<Vec<(String, Field)>, Invalid> {
    text.split(',')
        .filter(|pair| !pair.trim().is_empty())
        .map(|pair| parse_pair(pair, ':'))
        .collect()
}

/// One `COLUMN<sep>FIELD` pair (the CLI's `--map` writes `COLUMN=FIELD`).
pub fn parse_pair(pair: &str, sep: char) -> Result<(String, Field), Invalid> {
    let (column, field) = pair.split_once(sep).ok_or_else(|| {
        Invalid::new(
            "mapping",
            format!("'{pair}' must be COLUMN{sep}FIELD, e.g. Mobile{sep}phone"),
        )
    })?;
    let column = column.trim();
    if column.is_empty() {
        return Err(Invalid::new("mapping", format!("'{pair}' names no column")));
    }
    Ok((column.to_string(), Field::parse(field)?))
}

/// The header as read: each column's name and field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    pub headers: Vec<String>,
    pub fields: Vec<Field>,
}

/// Reads a header with the explicit `mapping` applied. Refuses a header with no phone column,
/// a mapping naming no column of the header, or two columns for one single-valued field.
pub fn resolve(headers: &[String], mapping: &[(String, Field)]) -> Result<Columns, Invalid> {
    if headers.len() > MAX_COLUMNS {
        return Err(Invalid::new(
            "header",
            format!("has {} columns; at most {MAX_COLUMNS}", headers.len()),
        ));
    }
    for (column, _) in mapping {
        if !headers.iter().any(|h| same_header(h, column)) {
            return Err(Invalid::new(
                "mapping",
                format!(
                    "no column '{column}' in the header ({})",
                    headers.join(", ")
                ),
            ));
        }
    }
    // A column mapped to `phone` is the primary one; recognised ones are then other phones.
    let mapped_phone = mapping.iter().any(|(_, f)| *f == Field::Phone);
    let mut fields: Vec<Field> = headers
        .iter()
        .map(|h| match mapping.iter().find(|(c, _)| same_header(h, c)) {
            Some((_, field)) => field.clone(),
            None => match recognise(h) {
                Some(Field::Phone) if mapped_phone => Field::OtherPhone,
                other => other.unwrap_or(Field::Ignore),
            },
        })
        .collect();
    // Without a column named as the primary phone, the first other phone column is it.
    if !fields.contains(&Field::Phone)
        && let Some(first) = fields.iter_mut().find(|f| **f == Field::OtherPhone)
    {
        *first = Field::Phone;
    }
    // Several columns named like a primary phone ("Phone", "Mobile"): the first is primary.
    let mut seen_phone = false;
    for field in &mut fields {
        if *field == Field::Phone {
            if seen_phone {
                *field = Field::OtherPhone;
            }
            seen_phone = true;
        }
    }
    let columns = Columns {
        headers: headers.to_vec(),
        fields,
    };
    columns.check()?;
    Ok(columns)
}

fn same_header(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl Columns {
    /// One column at most for each single-valued field, and one with phones.
    fn check(&self) -> Result<(), Invalid> {
        let mut seen: HashSet<String> = HashSet::new();
        for (i, field) in self.fields.iter().enumerate() {
            let single = !matches!(field, Field::OtherPhone | Field::Ignore);
            if single && !seen.insert(field.name()) {
                let first = self.fields.iter().position(|f| f == field).unwrap_or(i);
                return Err(Invalid::new(
                    "header",
                    format!(
                        "columns '{}' and '{}' both hold {}: map one of them elsewhere (mapping={}:ignore)",
                        self.headers[first],
                        self.headers[i],
                        field.name(),
                        self.headers[i]
                    ),
                ));
            }
        }
        let has_phone = self
            .fields
            .iter()
            .any(|f| matches!(f, Field::Phone | Field::Phones));
        if !has_phone {
            return Err(Invalid::new(
                "header",
                format!(
                    "no column holds phone numbers (columns: {}): name one Phone, Mobile or Phone Number, \
                     or map one with mapping=COLUMN:phone",
                    self.headers.join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// The column of `field`, if any.
    pub fn position(&self, field: &Field) -> Option<usize> {
        self.fields.iter().position(|f| f == field)
    }
}

/// A running import whose record has not moved for this long stopped with its process (each
/// batch, a few seconds' work at most, moves it).
pub const STALLED_AFTER_MS: i64 = 10 * 60 * 1000;

/// Whether a running import last updated at `updated_at` has stalled by `now`.
pub fn stalled(updated_at: i64, now: i64) -> bool {
    now - updated_at > STALLED_AFTER_MS
}

/// How far through its file an import is, in whole percent (`None` when the size is unknown).
pub fn percent(bytes_read: i64, bytes_total: Option<i64>, finished: bool) -> Option<i64> {
    if finished {
        return Some(100);
    }
    let total = bytes_total.filter(|t| *t > 0)?;
    Some((bytes_read.clamp(0, total) * 100 / total).min(99))
}

/// A default country for national numbers: a two-letter region code (`US`, `GB`).
pub fn country(raw: &str) -> Result<String, Invalid> {
    let code = raw.trim().to_ascii_uppercase();
    let known = code.len() == 2
        && !matches!(
            twilio::e164::E164::parse("0", Some(&code)),
            Err(twilio::e164::E164Error::UnknownRegion(_))
        );
    if !known {
        return Err(Invalid::new(
            "default_country",
            format!(
                "'{}' is not a two-letter country code such as US or GB",
                raw.trim()
            ),
        ));
    }
    Ok(code)
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
