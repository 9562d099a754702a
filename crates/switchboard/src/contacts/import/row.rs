//! One CSV row read as a contact, with no I/O: each cell checked against its field's rule and
//! limit, the phones put in E.164 (national numbers read with the import's default country),
//! and two records of one person merged (new non-empty values win). A row that breaks a rule
//! is refused with its line number, the column at fault and why; the other rows still import.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use twilio::e164::E164;

use super::model::{Columns, Field};
use crate::error::Invalid;
use crate::limits::{EMAIL_CHARS, text};
use crate::zone::Zone;

/// A contact's first or last name (the `contacts` table's limit).
pub const NAME_CHARS: usize = 100;
/// A tag (the `contact_tags` table's limit), and the tags one row may give.
pub const TAG_CHARS: usize = 60;
pub const TAGS_PER_ROW: usize = 50;
/// The phones one row may give.
pub const PHONES_PER_ROW: usize = 10;
/// A custom field's value, and all of a contact's custom fields as stored JSON.
pub const FIELD_VALUE_CHARS: usize = 500;
pub const FIELDS_BYTES: usize = 8192;

/// A refused row: its line in the file (the header is line 1), the column, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub field: Option<String>,
    pub reason: String,
}

impl RowError {
    pub fn new(line: u64, field: Option<&str>, reason: impl Into<String>) -> RowError {
        RowError {
            line,
            field: field.map(str::to_string),
            reason: reason.into(),
        }
    }
}

/// A row that passed every rule: a contact to create, or to merge into the one with its phone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Candidate {
    pub line: u64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    /// E.164, the primary first, none twice.
    pub phones: Vec<String>,
    pub tags: Vec<String>,
    pub fields: BTreeMap<String, String>,
    pub opt_out_sms: bool,
    pub opt_out_voice: bool,
}

/// Reads row `cells` (at `line`) under `columns`; `country` reads national numbers.
pub fn read_row(
    columns: &Columns,
    cells: &[&str],
    line: u64,
    country: Option<&str>,
) -> Result<Candidate, RowError> {
    if cells.len() != columns.fields.len() {
        return Err(RowError::new(
            line,
            None,
            format!(
                "has {} columns; the header has {}",
                cells.len(),
                columns.fields.len()
            ),
        ));
    }
    let mut c = Candidate {
        line,
        ..Candidate::default()
    };
    let mut whole_name = None;
    for ((field, header), cell) in columns.fields.iter().zip(&columns.headers).zip(cells) {
        let fail = |e: Invalid| RowError::new(line, Some(header), e.message);
        let cell = text(header, cell, cell_limit(field)).map_err(fail)?;
        if cell.is_empty() {
            continue;
        }
        match field {
            Field::FirstName => c.first_name = cell,
            Field::LastName => c.last_name = cell,
            Field::Name => whole_name = Some(cell),
            Field::Phone | Field::OtherPhone => add_phone(&mut c, &cell, country).map_err(fail)?,
            Field::Phones => {
                for one in cell.split(';').filter(|p| !p.trim().is_empty()) {
                    add_phone(&mut c, one, country).map_err(fail)?;
                }
            }
            Field::Email => c.email = Some(email(&cell).map_err(fail)?),
            Field::TimeZone => {
                let zone = Zone::parse(&cell).map_err(|e| fail(Invalid::new("", e.to_string())))?;
                c.time_zone = Some(zone.name().to_string());
            }
            Field::Tags => c.tags = tags(&cell).map_err(fail)?,
            Field::OptOut { sms, voice } => {
                if yes(&cell).map_err(fail)? {
                    c.opt_out_sms |= sms;
                    c.opt_out_voice |= voice;
                }
            }
            Field::Custom(key) => {
                c.fields.insert(key.clone(), cell);
            }
            Field::Ignore => {}
        }
    }
    if let Some(whole) = whole_name {
        let (first, last) = split_name(&whole);
        if c.first_name.is_empty() {
            c.first_name = first;
        }
        if c.last_name.is_empty() {
            c.last_name = last;
        }
    }
    let phone_header = phone_column(columns);
    if c.phones.is_empty() {
        return Err(RowError::new(line, Some(phone_header), "no phone number"));
    }
    if c.phones.len() > PHONES_PER_ROW {
        return Err(RowError::new(
            line,
            Some(phone_header),
            format!("at most {PHONES_PER_ROW} phones a contact"),
        ));
    }
    if c.first_name.chars().count() > NAME_CHARS || c.last_name.chars().count() > NAME_CHARS {
        return Err(RowError::new(
            line,
            Some("name"),
            format!("first and last names must be at most {NAME_CHARS} characters each"),
        ));
    }
    if fields_json(&c.fields).len() > FIELDS_BYTES {
        return Err(RowError::new(
            line,
            None,
            format!("the custom fields take more than {FIELDS_BYTES} bytes"),
        ));
    }
    Ok(c)
}

/// The longest cell a field takes (a whole name holds two names and a space).
fn cell_limit(field: &Field) -> usize {
    match field {
        Field::FirstName | Field::LastName => NAME_CHARS,
        Field::Name => 2 * NAME_CHARS + 1,
        Field::Phone | Field::OtherPhone => crate::limits::PHONE_CHARS,
        Field::Phones => PHONES_PER_ROW * (crate::limits::PHONE_CHARS + 1),
        Field::Email => EMAIL_CHARS,
        Field::TimeZone => 64,
        Field::Tags => TAGS_PER_ROW * (TAG_CHARS + 1),
        Field::OptOut { .. } => 20,
        Field::Custom(_) | Field::Ignore => FIELD_VALUE_CHARS,
    }
}

fn phone_column(columns: &Columns) -> &str {
    columns
        .position(&Field::Phone)
        .or_else(|| columns.position(&Field::Phones))
        .map_or("phone", |i| columns.headers[i].as_str())
}

fn add_phone(c: &mut Candidate, raw: &str, country: Option<&str>) -> Result<(), Invalid> {
    let e164 = E164::parse(raw, country).map_err(|e| Invalid::new("phone", e.to_string()))?;
    let e164 = e164.as_str();
    if !c.phones.iter().any(|p| p == e164) {
        c.phones.push(e164.to_string());
    }
    Ok(())
}

fn email(cell: &str) -> Result<String, Invalid> {
    crate::accounts::model::clean_email(cell)
}

fn tags(cell: &str) -> Result<Vec<String>, Invalid> {
    let mut tags: Vec<String> = Vec::new();
    for tag in cell.split([';', ',', '|']).map(str::trim) {
        if tag.is_empty() || tags.iter().any(|t| t == tag) {
            continue;
        }
        if tag.chars().count() > TAG_CHARS {
            return Err(Invalid::new(
                "tags",
                format!("tag '{tag}' is longer than {TAG_CHARS} characters"),
            ));
        }
        tags.push(tag.to_string());
    }
    if tags.len() > TAGS_PER_ROW {
        return Err(Invalid::new(
            "tags",
            format!("at most {TAGS_PER_ROW} tags a contact"),
        ));
    }
    Ok(tags)
}

/// An opt-out cell: yes (`yes`, `y`, `true`, `1`, `x`, `opted out`, `stop`) or no (`no`, `n`,
/// `false`, `0`).
fn yes(cell: &str) -> Result<bool, Invalid> {
    match cell.to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "x" | "opted out" | "opted-out" | "stop" => Ok(true),
        "no" | "n" | "false" | "0" => Ok(false),
        other => Err(Invalid::new(
            "opt_out",
            format!("'{other}' must be yes or no"),
        )),
    }
}

/// "Ada Lovelace" → (Ada, Lovelace); "Lovelace, Ada" → (Ada, Lovelace); "Cher" → (Cher, "").
/// The last word is the last name: "Mary Ann Evans" → (Mary Ann, Evans).
pub fn split_name(whole: &str) -> (String, String) {
    let whole = whole.trim();
    if let Some((last, first)) = whole.split_once(',') {
        return (first.trim().to_string(), last.trim().to_string());
    }
    match whole.rsplit_once(char::is_whitespace) {
        Some((first, last)) => (first.trim().to_string(), last.trim().to_string()),
        None => (whole.to_string(), String::new()),
    }
}

/// The custom fields as the `contacts.fields` column stores them.
pub fn fields_json(fields: &BTreeMap<String, String>) -> String {
    serde_json::to_string(fields).unwrap_or_else(|_| "{}".into())
}

impl Candidate {
    /// Takes in a later row with one of this row's phones: its non-empty values win, phones
    /// and tags are added, custom fields merged. Refused (the later row) when the merged
    /// contact would break a limit.
    pub fn absorb(&mut self, later: Candidate) -> Result<(), RowError> {
        let mut merged = self.clone();
        if !later.first_name.is_empty() {
            merged.first_name = later.first_name;
        }
        if !later.last_name.is_empty() {
            merged.last_name = later.last_name;
        }
        merged.email = later.email.or(merged.email);
        merged.time_zone = later.time_zone.or(merged.time_zone);
        for phone in later.phones {
            if !merged.phones.contains(&phone) {
                merged.phones.push(phone);
            }
        }
        for tag in later.tags {
            if !merged.tags.contains(&tag) {
                merged.tags.push(tag);
            }
        }
        merged.fields.extend(later.fields);
        merged.opt_out_sms |= later.opt_out_sms;
        merged.opt_out_voice |= later.opt_out_voice;
        let line = later.line;
        if merged.phones.len() > PHONES_PER_ROW || merged.tags.len() > TAGS_PER_ROW {
            return Err(RowError::new(
                line,
                None,
                format!(
                    "merged with line {}, the contact would have more than {PHONES_PER_ROW} phones or {TAGS_PER_ROW} tags",
                    self.line
                ),
            ));
        }
        if fields_json(&merged.fields).len() > FIELDS_BYTES {
            return Err(too_many_fields(line));
        }
        *self = merged;
        Ok(())
    }
}

fn too_many_fields(line: u64) -> RowError {
    RowError::new(
        line,
        None,
        format!(
            "merged with the contact of the same phone, the custom fields would take more than {FIELDS_BYTES} bytes"
        ),
    )
}

/// A stored contact's values that an import may change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    /// The `fields` column: a JSON object.
    pub fields: String,
}

/// `stored` with `row`'s non-empty values: what the contact becomes when the row merges into
/// it. Custom fields the row does not name are kept.
pub fn merge_stored(stored: &Stored, row: &Candidate) -> Result<Stored, RowError> {
    let mut fields: Map<String, Value> = serde_json::from_str(&stored.fields).unwrap_or_default();
    for (key, value) in &row.fields {
        fields.insert(key.clone(), Value::String(value.clone()));
    }
    let fields = Value::Object(fields).to_string();
    if fields.len() > FIELDS_BYTES {
        return Err(too_many_fields(row.line));
    }
    let pick = |new: &str, old: &str| if new.is_empty() { old } else { new }.to_string();
    Ok(Stored {
        first_name: pick(&row.first_name, &stored.first_name),
        last_name: pick(&row.last_name, &stored.last_name),
        email: row.email.clone().or_else(|| stored.email.clone()),
        time_zone: row.time_zone.clone().or_else(|| stored.time_zone.clone()),
        fields,
    })
}

#[cfg(test)]
#[path = "row_tests.rs"]
mod tests;
