//! A small RFC 5545 writer: content lines ending in CRLF, folded at 75 octets (never inside
//! a UTF-8 character), and TEXT values escaped (`\\`, `;`, `,`, newlines).

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};

/// An iCalendar object being written.
#[derive(Default)]
pub struct Ical {
    out: String,
}

impl Ical {
    /// Writes `name:value` as is (the caller escaped TEXT values with [`text`]).
    pub fn prop(&mut self, name: &str, value: &str) -> &mut Self {
        fold_into(&mut self.out, &format!("{name}:{value}"));
        self
    }

    pub fn begin(&mut self, component: &str) -> &mut Self {
        self.prop("BEGIN", component)
    }

    pub fn end(&mut self, component: &str) -> &mut Self {
        self.prop("END", component)
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Escapes a TEXT value (RFC 5545 section 3.3.11).
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A UTC DATE-TIME: `20260302T190000Z`.
pub fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// A local DATE-TIME for use with `;TZID=`: `20260303T090000`.
pub fn local(dt: DateTime) -> String {
    dt.strftime("%Y%m%dT%H%M%S").to_string()
}

fn offset(o: Offset) -> String {
    let secs = o.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.unsigned_abs();
    format!("{sign}{:02}{:02}", secs / 3600, secs / 60 % 60)
}

/// A VTIMEZONE for `tz` listing its transitions from `from` to `until` (each an observance
/// with its own DTSTART), or one fixed observance for a zone without transitions.
pub fn vtimezone(ical: &mut Ical, name: &str, tz: &TimeZone, from: Timestamp, until: Timestamp) {
    ical.begin("VTIMEZONE").prop("TZID", &text(name));
    let mut before = tz.to_offset(from);
    let mut any = false;
    for t in tz.following(from).take_while(|t| t.timestamp() <= until) {
        let kind = if t.dst().is_dst() {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        // DTSTART of an observance is the local time just before it, in the old offset.
        let start = t.timestamp().to_zoned(TimeZone::fixed(before)).datetime();
        ical.begin(kind)
            .prop("DTSTART", &local(start))
            .prop("TZOFFSETFROM", &offset(before))
            .prop("TZOFFSETTO", &offset(t.offset()))
            .prop("TZNAME", &text(t.abbreviation()))
            .end(kind);
        before = t.offset();
        any = true;
    }
    if !any {
        ical.begin("STANDARD")
            .prop("DTSTART", "19700101T000000")
            .prop("TZOFFSETFROM", &offset(before))
            .prop("TZOFFSETTO", &offset(before))
            .end("STANDARD");
    }
    ical.end("VTIMEZONE");
}

/// Appends `line` + CRLF, folding so no physical line exceeds 75 octets.
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_escape_backslash_semicolon_comma_and_newline() {
        assert_eq!(text("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let mut ical = Ical::default();
        let long = "é".repeat(100);
        ical.prop("SUMMARY", &long);
        let out = ical.finish();
        assert!(out.ends_with("\r\n"));
        for physical in out.split("\r\n") {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{long}\r\n"));
    }

    #[test]
    fn a_time_zone_lists_its_transitions_with_offsets() {
        let mut ical = Ical::default();
        let tz = TimeZone::get("America/New_York").unwrap();
        vtimezone(
            &mut ical,
            "America/New_York",
            &tz,
            "2026-01-01T00:00:00Z".parse().unwrap(),
            "2026-12-31T00:00:00Z".parse().unwrap(),
        );
        let out = ical.finish();
        assert!(out.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nEND:DAYLIGHT\r\n"), "{out}");
        assert!(out.contains("BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\n"), "{out}");
    }
}
