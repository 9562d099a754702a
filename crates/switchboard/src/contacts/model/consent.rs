//! What an inbound text says about consent. A message that is exactly one of the carriers'
//! keywords (any case, surrounding spaces and a trailing full stop or exclamation mark
//! ignored) opts out, opts back in or asks for help, as Twilio's own handling does. Anything
//! else that reads like a request to stop ("please stop texting me") is flagged for a person
//! to review: US rules (FCC, 47 CFR 64.1200(a)(10)) give ten business days to honour a
//! revocation made by any reasonable means.

use jiff::civil::{Date, Weekday};
use jiff::{Timestamp, ToSpan as _};

use crate::zone::Zone;

crate::text_enum! {
    /// What a reply does to the sender's consent.
    pub enum ReplyKind {
        OptOut = "opt-out",
        OptIn = "opt-in",
        Help = "help",
        /// Not a keyword, but it may be a request to stop: a person decides.
        Review = "review",
        Other = "other",
    }
}

crate::text_enum! {
    /// Where a consent change came from, kept in the consent ledger.
    pub enum ConsentSource {
        Keyword = "keyword",
        Reply = "reply",
        Dashboard = "dashboard",
        Api = "api",
        IvrKey = "ivr-key",
        Import = "import",
    }
}

crate::text_enum! {
    /// The channel a consent applies to.
    pub enum Channel {
        Sms = "sms",
        Voice = "voice",
    }
}

/// Keywords that opt out when they are the whole message.
pub const OPT_OUT_KEYWORDS: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
];
/// Keywords that opt back in.
pub const OPT_IN_KEYWORDS: &[&str] = &["START", "YES", "UNSTOP"];
/// Keywords that ask for the organisation's help text.
pub const HELP_KEYWORDS: &[&str] = &["HELP", "INFO"];

/// Words that, inside a longer message, suggest a request to stop.
const REVIEW_WORDS: &[&str] = &[
    "stop",
    "unsubscribe",
    "remove",
    "opt out",
    "optout",
    "opt-out",
    "don't text",
    "dont text",
    "do not text",
    "no more",
    "leave me alone",
];

/// Classifies an inbound text's body.
pub fn classify(body: &str) -> ReplyKind {
    let word = body
        .trim()
        .trim_end_matches(['.', '!'])
        .trim()
        .to_ascii_uppercase();
    let is = |list: &[&str]| list.contains(&word.as_str());
    if is(OPT_OUT_KEYWORDS) {
        ReplyKind::OptOut
    } else if is(OPT_IN_KEYWORDS) {
        ReplyKind::OptIn
    } else if is(HELP_KEYWORDS) {
        ReplyKind::Help
    } else {
        let lower = body.to_lowercase();
        if REVIEW_WORDS.iter().any(|w| lower.contains(w)) {
            ReplyKind::Review
        } else {
            ReplyKind::Other
        }
    }
}

/// The business days (Monday to Friday) a flagged revocation may wait before it must be
/// honoured.
pub const REVOCATION_BUSINESS_DAYS: i64 = 10;

/// The last day, in `zone`, by which a revocation received at `received` must be honoured:
/// ten business days after the day it arrived. Weekends do not count; public holidays are
/// counted as business days, which only makes the deadline earlier.
pub fn revocation_deadline(received: Timestamp, zone: &Zone) -> Date {
    let mut day = received.to_zoned(zone.tz().clone()).date();
    let mut left = REVOCATION_BUSINESS_DAYS;
    while left > 0 {
        day = day.checked_add(1.day()).unwrap_or(day);
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keyword_counts_only_as_the_whole_message_in_any_case() {
        let cases = [
            ("STOP", ReplyKind::OptOut),
            ("  stop  ", ReplyKind::OptOut),
            ("Stop.", ReplyKind::OptOut),
            ("stopall", ReplyKind::OptOut),
            ("Unsubscribe!", ReplyKind::OptOut),
            ("cancel", ReplyKind::OptOut),
            ("end", ReplyKind::OptOut),
            ("quit", ReplyKind::OptOut),
            ("revoke", ReplyKind::OptOut),
            ("optout", ReplyKind::OptOut),
            ("start", ReplyKind::OptIn),
            ("YES", ReplyKind::OptIn),
            ("unstop", ReplyKind::OptIn),
            ("help", ReplyKind::Help),
            ("Info", ReplyKind::Help),
            ("please stop texting me", ReplyKind::Review),
            ("Remove me from this list", ReplyKind::Review),
            ("don't text me again", ReplyKind::Review),
            ("yes please, see you friday", ReplyKind::Other),
            ("", ReplyKind::Other),
            ("sto p", ReplyKind::Other),
        ];
        for (body, kind) in cases {
            assert_eq!(classify(body), kind, "{body:?}");
        }
    }

    #[test]
    fn a_revocation_must_be_honoured_within_ten_business_days() {
        let ny = Zone::parse("America/New_York").unwrap();
        // Monday 2026-03-02, afternoon in New York: two weeks later, Monday 2026-03-16.
        let monday: Timestamp = "2026-03-02T19:00:00Z".parse().unwrap();
        assert_eq!(
            revocation_deadline(monday, &ny),
            jiff::civil::date(2026, 3, 16)
        );
        // Saturday 2026-03-07: ten business days from Monday 9th end on Friday 20th.
        let saturday: Timestamp = "2026-03-07T15:00:00Z".parse().unwrap();
        assert_eq!(
            revocation_deadline(saturday, &ny),
            jiff::civil::date(2026, 3, 20)
        );
        // 02:00 UTC on Tuesday is still Monday evening in New York.
        let late: Timestamp = "2026-03-03T02:00:00Z".parse().unwrap();
        assert_eq!(
            revocation_deadline(late, &ny),
            jiff::civil::date(2026, 3, 16)
        );
    }
}
