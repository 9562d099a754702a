//! An organisation's outbound settings: the text that answers HELP and INFO, and the quiet
//! hours its texts and calls keep in the recipient's zone. Pure rules here (the default help
//! text, checking what an admin typed); the SQL is in `store`.

pub mod store;

use jiff::civil::Time;

use crate::contacts::model::quiet_hours::QuietHours;
use crate::error::Invalid;

/// The longest help text: two SMS segments of GSM-7.
pub const HELP_TEXT_CHARS: usize = 320;
/// The longest contact line added to the default help text.
pub const HELP_CONTACT_CHARS: usize = 100;

/// What an organisation set; `None` is the default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboundSettings {
    /// Its own answer to HELP and INFO.
    pub help_text: Option<String>,
    /// A phone, email or web address the default help text ends with.
    pub help_contact: Option<String>,
    /// Its own quiet hours; `None` keeps the installation's.
    pub quiet_hours: Option<QuietHours>,
}

impl OutboundSettings {
    /// The answer to HELP and INFO: the organisation's own text, else "<name>: reply STOP to
    /// unsubscribe." with its contact line, cut to [`HELP_TEXT_CHARS`].
    pub fn help_reply(&self, org_name: &str) -> String {
        if let Some(text) = &self.help_text {
            return text.clone();
        }
        let mut text = format!("{org_name}: reply STOP to unsubscribe.");
        if let Some(contact) = &self.help_contact {
            text.push_str(&format!(" Help: {contact}"));
        }
        text.chars().take(HELP_TEXT_CHARS).collect()
    }

    /// The quiet hours to keep: the organisation's, else `installation`'s.
    pub fn quiet_hours_or(&self, installation: QuietHours) -> QuietHours {
        self.quiet_hours.unwrap_or(installation)
    }
}

/// The settings as typed: blank fields mean the default; quiet hours are both given or both
/// blank.
pub fn clean(
    help_text: &str,
    help_contact: &str,
    start: &str,
    end: &str,
) -> Result<OutboundSettings, Invalid> {
    let optional = |field: &str, value: &str, max: usize| -> Result<Option<String>, Invalid> {
        let value = crate::limits::text(field, value, max)?;
        Ok(Some(value).filter(|v| !v.is_empty()))
    };
    let quiet_hours = match (start.trim(), end.trim()) {
        ("", "") => None,
        (s, e) => {
            let opens = hh_mm("quiet_hours_start", s)?;
            let closes = hh_mm("quiet_hours_end", e)?;
            Some(
                QuietHours::new(opens, closes)
                    .map_err(|e| Invalid::new("quiet_hours_end", e.to_string()))?,
            )
        }
    };
    Ok(OutboundSettings {
        help_text: optional("help_text", help_text, HELP_TEXT_CHARS)?,
        help_contact: optional("help_contact", help_contact, HELP_CONTACT_CHARS)?,
        quiet_hours,
    })
}

/// A local time written HH:MM (24-hour, two digits each).
pub fn hh_mm(field: &str, value: &str) -> Result<Time, Invalid> {
    let bad = || {
        Invalid::new(
            field,
            format!("'{value}' is not a time: write HH:MM, e.g. 08:00"),
        )
    };
    let (h, m) = value.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: i8 = h.parse().map_err(|_| bad())?;
    let m: i8 = m.parse().map_err(|_| bad())?;
    Time::new(h, m, 0, 0).map_err(|_| bad())
}

/// `time` as HH:MM.
pub fn format_hh_mm(time: Time) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_help_text_names_the_organisation_and_its_contact() {
        let mut s = OutboundSettings::default();
        assert_eq!(
            s.help_reply("Harbour Tenants"),
            "Harbour Tenants: reply STOP to unsubscribe."
        );
        s.help_contact = Some("help@harbour.org".into());
        assert_eq!(
            s.help_reply("Harbour Tenants"),
            "Harbour Tenants: reply STOP to unsubscribe. Help: help@harbour.org"
        );
        s.help_text = Some("Call 555-0100 for help.".into());
        assert_eq!(s.help_reply("Harbour Tenants"), "Call 555-0100 for help.");
        let long = "x".repeat(400);
        assert_eq!(
            OutboundSettings::default()
                .help_reply(&long)
                .chars()
                .count(),
            HELP_TEXT_CHARS
        );
    }

    #[test]
    fn quiet_hours_are_two_different_hh_mm_times_or_none() {
        let s = clean("", "", "09:30", "20:00").unwrap();
        let q = s.quiet_hours.unwrap();
        assert_eq!(
            (format_hh_mm(q.opens), format_hh_mm(q.closes)),
            ("09:30".into(), "20:00".into())
        );
        assert_eq!(clean(" ", "", "", "").unwrap(), OutboundSettings::default());
        let cases = [
            ("9:00", "21:00", "quiet_hours_start"),
            ("08:00", "24:00", "quiet_hours_end"),
            ("08:60", "21:00", "quiet_hours_start"),
            ("08:00", "", "quiet_hours_end"),
            ("08h00", "21:00", "quiet_hours_start"),
            ("08:00", "08:00", "quiet_hours_end"),
        ];
        for (start, end, field) in cases {
            let err = clean("", "", start, end).unwrap_err();
            assert_eq!(err.field, field, "{start}-{end}");
        }
    }

    #[test]
    fn a_help_text_over_320_characters_is_refused() {
        let err = clean(&"a".repeat(321), "", "", "").unwrap_err();
        assert_eq!(err.field, "help_text");
        assert!(clean(&"a".repeat(320), "", "", "").is_ok());
        assert_eq!(
            clean("", &"a".repeat(101), "", "").unwrap_err().field,
            "help_contact"
        );
    }
}
