//! The limits on what Switchboard stores, in one place, and the small checks every
//! validation shares. `docs/limits.md` lists each stored field with its limit; a value past
//! one is refused with an [`Invalid`] naming the field, never cut short or cleaned silently.

use jiff::Timestamp;
use jiff::civil::{Date, date};

use crate::error::Invalid;

/// Names: people, organisations, lines, API tokens.
pub const NAME_CHARS: usize = 200;
/// A phone number's friendly name.
pub const LABEL_CHARS: usize = 100;
/// An email address (RFC 5321's limit on a path), and its part before the `@`.
pub const EMAIL_CHARS: usize = 254;
pub const EMAIL_LOCAL_CHARS: usize = 64;
/// A phone number as typed, spaces and punctuation included.
pub const PHONE_CHARS: usize = 32;
/// A URL (an organisation's public URL).
pub const URL_CHARS: usize = 2048;
/// A text field of a Studio request (a call SID, a reason).
pub const STUDIO_TEXT_CHARS: usize = 256;
/// A Studio request's body, which the incident's audit trail keeps.
pub const STUDIO_BODY_BYTES: usize = 64 * 1024;
/// A line's voicemail notification addresses.
pub const NOTIFY_EMAILS: usize = 10;
/// A line's holidays.
pub const HOLIDAYS: usize = 200;
/// The people of a weekly rotation or of a rotating pool.
pub const PEOPLE_IN_TURN: usize = 100;
/// A call's duration as reported by Studio, in seconds (a day).
pub const CALL_SECS: i64 = 86_400;
/// Dates and instants: from the first day of 2000 to the last of 2100.
pub const FIRST_DATE: Date = date(2000, 1, 1);
pub const LAST_DATE: Date = date(2100, 12, 31);

/// A single-line text: trimmed, without control characters, at most `max` characters.
/// Blank is allowed (the caller says whether it may be).
pub fn text(field: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Invalid::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    no_control(field, value)?;
    Ok(value.to_string())
}

/// Refuses control characters (NUL, escape, line breaks...): they are never dropped silently.
pub fn no_control(field: &str, value: &str) -> Result<(), Invalid> {
    match value.chars().find(|c| c.is_control()) {
        Some(c) => Err(Invalid::new(
            field,
            format!(
                "must not contain control characters (found U+{:04X})",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

/// A date between [`FIRST_DATE`] and [`LAST_DATE`].
pub fn date_in_range(field: &str, d: Date) -> Result<Date, Invalid> {
    if d < FIRST_DATE || d > LAST_DATE {
        return Err(Invalid::new(field, range_message()));
    }
    Ok(d)
}

/// An instant within [`FIRST_DATE`] and [`LAST_DATE`] (UTC).
pub fn instant_in_range(field: &str, t: Timestamp) -> Result<Timestamp, Invalid> {
    date_in_range(field, t.to_zoned(jiff::tz::TimeZone::UTC).date())?;
    Ok(t)
}

fn range_message() -> String {
    format!("must be between {FIRST_DATE} and {LAST_DATE}")
}

/// A list of at most `max` items, none twice (`same` says when two are the same; the
/// message names the repeated one with `show`).
pub fn list<T>(
    field: &str,
    items: &[T],
    max: usize,
    what: &str,
    show: impl Fn(&T) -> String,
    same: impl Fn(&T, &T) -> bool,
) -> Result<(), Invalid> {
    if items.len() > max {
        return Err(Invalid::new(field, format!("at most {max} {what}")));
    }
    for (i, item) in items.iter().enumerate() {
        if items[..i].iter().any(|earlier| same(earlier, item)) {
            return Err(Invalid::new(field, format!("{} appears twice", show(item))));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_refuses_control_characters_and_excess() {
        assert_eq!(text("name", "  Ada  ", 10).unwrap(), "Ada");
        let nul = text("name", "Ada\u{0}", 10).unwrap_err();
        assert_eq!(nul.field, "name");
        assert!(nul.message.contains("U+0000"), "{}", nul.message);
        assert!(text("name", "a\nb", 10).is_err());
        assert!(text("name", "ééééé", 5).is_ok(), "characters, not bytes");
        assert!(text("name", "abcdef", 5).is_err());
    }

    #[test]
    fn dates_run_from_2000_to_2100() {
        assert!(date_in_range("d", date(2000, 1, 1)).is_ok());
        assert!(date_in_range("d", date(2100, 12, 31)).is_ok());
        assert!(date_in_range("d", date(0, 1, 1)).is_err());
        assert!(date_in_range("d", date(2101, 1, 1)).is_err());
        let t: Timestamp = "1999-12-31T23:59:59Z".parse().unwrap();
        assert!(instant_in_range("t", t).is_err());
    }

    #[test]
    fn a_list_is_short_and_has_no_repeats() {
        let show = |n: &u8| n.to_string();
        assert!(list("days", &[1, 2, 3], 7, "days", show, |a, b| a == b).is_ok());
        let long = list("days", &[1; 8], 7, "days", show, |a, b| a == b).unwrap_err();
        assert_eq!(long.message, "at most 7 days");
        let twice = list("days", &[1, 2, 1], 7, "days", show, |a, b| a == b).unwrap_err();
        assert_eq!(twice.message, "1 appears twice");
    }
}
