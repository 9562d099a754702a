//! The header names an import recognises without a mapping ("First Name", "Mobile", "E-mail"),
//! compared as their words so case, spaces, `_` and `-` do not matter, and the custom-field key
//! any other header becomes. `docs/contacts-import.md` lists the names.

use super::model::{FIELD_KEY_CHARS, Field};
use crate::error::Invalid;

/// A custom field's key: trimmed, lower-cased, spaces and punctuation turned into `_`.
pub fn custom_key(raw: &str) -> Result<String, Invalid> {
    let key = words(raw).join("_");
    if key.is_empty() || key.chars().count() > FIELD_KEY_CHARS {
        return Err(Invalid::new(
            "mapping",
            format!(
                "custom field '{raw}' needs a name of 1 to {FIELD_KEY_CHARS} letters or digits"
            ),
        ));
    }
    Ok(key)
}

/// The words of a header: lower-case runs of letters and digits ("E-mail" → ["e", "mail"]).
fn words(header: &str) -> Vec<String> {
    header
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Header names recognised without a mapping (compared as their words, so case, spaces, `_`
/// and `-` do not matter). `docs/contacts-import.md` lists them.
const RECOGNISED: &[(&[&str], Field)] = &[
    (
        &[
            "first name",
            "first",
            "firstname",
            "given name",
            "forename",
            "fname",
        ],
        Field::FirstName,
    ),
    (
        &[
            "last name",
            "last",
            "lastname",
            "surname",
            "family name",
            "lname",
        ],
        Field::LastName,
    ),
    (
        &["name", "full name", "fullname", "contact name"],
        Field::Name,
    ),
    (
        &[
            "phone",
            "phone number",
            "mobile",
            "mobile phone",
            "mobile number",
            "cell",
            "cell phone",
            "cellphone",
            "telephone",
            "tel",
            "msisdn",
            "primary phone",
            "phone 1",
            "phone1",
        ],
        Field::Phone,
    ),
    (
        &[
            "phone 2",
            "phone2",
            "phone 3",
            "phone3",
            "other phone",
            "home phone",
            "work phone",
            "secondary phone",
            "landline",
            "business phone",
        ],
        Field::OtherPhone,
    ),
    (&["phones", "other phones"], Field::Phones),
    (
        &["email", "e mail", "email address", "e mail address", "mail"],
        Field::Email,
    ),
    (&["time zone", "timezone", "tz", "zone"], Field::TimeZone),
    (&["tags", "tag", "labels", "groups"], Field::Tags),
    (
        &["opt out", "opted out", "optout", "unsubscribed"],
        Field::OptOut {
            sms: true,
            voice: true,
        },
    ),
    (
        &["sms opt out", "opt out sms"],
        Field::OptOut {
            sms: true,
            voice: false,
        },
    ),
    (
        &["voice opt out", "opt out voice"],
        Field::OptOut {
            sms: false,
            voice: true,
        },
    ),
    (&["id", "contact id"], Field::Ignore),
];

/// The field a header names by itself: a recognised name, `field:<key>`, or else a custom
/// field named after the header (`None` for an empty header).
pub fn recognise(header: &str) -> Option<Field> {
    if let Some(key) = header.trim().strip_prefix("field:") {
        return custom_key(key).ok().map(Field::Custom);
    }
    let spoken = words(header).join(" ");
    if spoken.is_empty() {
        return None;
    }
    RECOGNISED
        .iter()
        .find(|(names, _)| names.contains(&spoken.as_str()))
        .map(|(_, field)| field.clone())
        .or_else(|| custom_key(header).ok().map(Field::Custom))
}
