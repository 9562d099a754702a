//! What an inbound text says about consent. A message that is exactly one of the carriers'
//! keywords (`twilio::opt_out`: any case, surrounding spaces ignored) opts out, opts back in
//! or asks for help, and Twilio itself answers it, so we must not answer again (a second
//! "you are unsubscribed" is what error 21610 punishes). A keyword with a trailing full stop or
//! exclamation mark ("Stop.") is no keyword to Twilio but plainly the same request: we act on
//! it and send the one confirmation ourselves. Anything else that reads like a request to
//! stop ("please stop texting me") is flagged for a person to review: US rules (FCC, 47 CFR
//! 64.1200(a)(10)) give ten business days to honour a revocation made by any reasonable means.

use jiff::civil::{Date, Weekday};
use jiff::{Timestamp, ToSpan as _};
use twilio::opt_out::{self, Keyword};

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
        /// The carrier refused a send because the number had opted out with it (error 21610).
        Carrier = "carrier",
    }
}

crate::text_enum! {
    /// The channel a consent applies to.
    pub enum Channel {
        Sms = "sms",
        Voice = "voice",
    }
}

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

/// What an inbound text asks for, and whether the carrier has already answered it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply {
    pub kind: ReplyKind,
    /// Twilio answered the keyword itself; we record it and send nothing.
    pub carrier_answered: bool,
}

/// Classifies an inbound text's body sent to our number `to`. Twilio answers its keywords on
/// long codes and toll-free numbers, but not on a short code outside a Messaging Service
/// (there the sender of the keyword must be answered by us).
pub fn classify_to(body: &str, to: &str) -> Reply {
    let mut reply = classify(body);
    if crate::telephony::pacing::number_kind(to) == crate::telephony::pacing::NumberKind::ShortCode
    {
        reply.carrier_answered = false;
    }
    reply
}

/// Classifies an inbound text's body.
pub fn classify(body: &str) -> Reply {
    let kind_of = |k: Keyword| match k {
        Keyword::OptOut => ReplyKind::OptOut,
        Keyword::OptIn => ReplyKind::OptIn,
        Keyword::Help => ReplyKind::Help,
    };
    if let Some(k) = opt_out::classify(body) {
        return Reply {
            kind: kind_of(k),
            carrier_answered: true,
        };
    }
    let kind = match opt_out::classify(body.trim().trim_end_matches(['.', '!', '?'])) {
        Some(k) => kind_of(k),
        None => {
            let lower = body.to_lowercase();
            if REVIEW_WORDS.iter().any(|w| lower.contains(w)) {
                ReplyKind::Review
            } else {
                ReplyKind::Other
            }
        }
    };
    Reply {
        kind,
        carrier_answered: false,
    }
}

/// The longest note kept with a consent change made by hand.
pub const NOTE_CHARS: usize = 500;

/// A hand-made change's note: trimmed, at most [`NOTE_CHARS`], blank is none.
pub fn clean_note(note: Option<&str>) -> Result<Option<String>, crate::error::Invalid> {
    let Some(note) = note else { return Ok(None) };
    let note = crate::limits::text("note", note, NOTE_CHARS)?;
    Ok(Some(note).filter(|n| !n.is_empty()))
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
    fn a_keyword_counts_only_as_the_whole_message_and_the_carrier_answers_exact_ones() {
        use ReplyKind::*;
        let cases = [
            ("STOP", OptOut, true),
            ("  stop  ", OptOut, true),
            ("stopall", OptOut, true),
            ("cancel", OptOut, true),
            ("end", OptOut, true),
            ("quit", OptOut, true),
            ("revoke", OptOut, true),
            ("optout", OptOut, true),
            ("unsubscribe", OptOut, true),
            ("start", OptIn, true),
            ("YES", OptIn, true),
            ("unstop", OptIn, true),
            ("help", Help, true),
            ("Info", Help, true),
            // Not a keyword to Twilio, the same request to us: we answer it.
            ("Stop.", OptOut, false),
            ("Unsubscribe!", OptOut, false),
            ("Help?", Help, false),
            ("info.", Help, false),
            ("please stop texting me", Review, false),
            ("Remove me from this list", Review, false),
            ("don't text me again", Review, false),
            ("yes please, see you friday", Other, false),
            ("", Other, false),
            ("sto p", Other, false),
        ];
        for (body, kind, carrier_answered) in cases {
            let expected = Reply {
                kind,
                carrier_answered,
            };
            assert_eq!(classify(body), expected, "{body:?}");
        }
    }

    #[test]
    fn on_a_short_code_the_carrier_answers_no_keyword() {
        let on_short = classify_to("HELP", "12345");
        assert_eq!(
            (on_short.kind, on_short.carrier_answered),
            (ReplyKind::Help, false)
        );
        let on_long = classify_to("HELP", "+12125550100");
        assert!(on_long.carrier_answered);
        assert!(!classify_to("STOP", "123456").carrier_answered);
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
