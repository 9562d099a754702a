//! Quiet hours: the part of the day, in the recipient's own time zone, when the organisation
//! may text or call them (08:00-21:00 unless the organisation sets its own). A pure rule over
//! an instant and a zone; the outbox asks it when it claims a row, and every text carries a
//! `ValidityPeriod` that ends when the recipient's window closes, so a queue backed up at the
//! carrier cannot deliver at night.

use jiff::civil::{Date, Time};
use jiff::{Timestamp, ToSpan as _};

use crate::zone::Zone;

/// The longest `ValidityPeriod` Twilio accepts, in seconds.
pub const MAX_VALIDITY_SECS: i64 = 36_000;

/// The daily window in which a recipient may be reached, in their local time: from `opens`
/// (inclusive) to `closes` (exclusive). A window whose `closes` is before `opens` runs past
/// midnight (22:00-06:00 for night shifts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    pub opens: Time,
    pub closes: Time,
}

/// A window that opens and closes at the same minute: it would never let anything out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the window opens and closes at the same time ({0}); give two different times")]
pub struct EmptyWindow(pub Time);

impl Default for QuietHours {
    /// 08:00-21:00.
    fn default() -> QuietHours {
        QuietHours {
            opens: Time::constant(8, 0, 0, 0),
            closes: Time::constant(21, 0, 0, 0),
        }
    }
}

impl QuietHours {
    pub fn new(opens: Time, closes: Time) -> Result<QuietHours, EmptyWindow> {
        if opens == closes {
            return Err(EmptyWindow(opens));
        }
        Ok(QuietHours { opens, closes })
    }

    fn crosses_midnight(&self) -> bool {
        self.closes < self.opens
    }

    /// Whether a recipient in `zone` may be reached at `at`.
    pub fn allows(&self, zone: &Zone, at: Timestamp) -> bool {
        let local = at.to_zoned(zone.tz().clone()).time();
        if self.crosses_midnight() {
            local >= self.opens || local < self.closes
        } else {
            local >= self.opens && local < self.closes
        }
    }

    /// `at` itself when the window is open, else the next instant it opens. On a day whose
    /// opening time does not exist (a daylight-saving gap), it is moved forward by the gap's
    /// length, as calendars do: 02:30 on a day that skips from 02:00 to 03:00 is 03:30.
    pub fn next_open(&self, zone: &Zone, at: Timestamp) -> Timestamp {
        if self.allows(zone, at) {
            return at;
        }
        let today = at.to_zoned(zone.tz().clone()).date();
        [today, tomorrow(today)]
            .into_iter()
            .map(|day| instant(zone, day, self.opens))
            .find(|&t| t > at)
            .unwrap_or(at)
    }

    /// When the window that is open at `at` closes; `None` when it is closed at `at`.
    pub fn closes_after(&self, zone: &Zone, at: Timestamp) -> Option<Timestamp> {
        if !self.allows(zone, at) {
            return None;
        }
        let today = at.to_zoned(zone.tz().clone()).date();
        [today, tomorrow(today)]
            .into_iter()
            .map(|day| instant(zone, day, self.closes))
            .find(|&t| t > at)
    }

    /// The `ValidityPeriod` of a text sent at `at`: the seconds until the recipient's window
    /// closes, at most [`MAX_VALIDITY_SECS`] and at least 1; `None` when the window is closed
    /// (the text must not be sent now).
    pub fn validity_secs(&self, zone: &Zone, at: Timestamp) -> Option<i64> {
        let closes = self.closes_after(zone, at)?;
        let secs = closes.as_second() - at.as_second();
        Some(secs.clamp(1, MAX_VALIDITY_SECS))
    }
}

fn tomorrow(day: Date) -> Date {
    day.checked_add(1.day()).unwrap_or(day)
}

/// `time` on `day` in `zone`; a time in a gap moves forward by the gap (jiff's compatible
/// rule), a time that occurs twice is the first.
fn instant(zone: &Zone, day: Date, time: Time) -> Timestamp {
    day.to_datetime(time)
        .to_zoned(zone.tz().clone())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ny() -> Zone {
        Zone::parse("America/New_York").unwrap()
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn hm(h: i8, m: i8) -> Time {
        Time::constant(h, m, 0, 0)
    }

    #[test]
    fn the_default_window_is_eight_to_nine_in_the_recipients_zone() {
        let q = QuietHours::default();
        let cases = [
            ("2026-03-02T12:59:59Z", false), // 07:59:59 in New York
            ("2026-03-02T13:00:00Z", true),  // 08:00
            ("2026-03-03T01:59:59Z", true),  // 20:59:59
            ("2026-03-03T02:00:00Z", false), // 21:00
        ];
        for (at, allowed) in cases {
            assert_eq!(q.allows(&ny(), t(at)), allowed, "{at}");
        }
        let london = Zone::parse("Europe/London").unwrap();
        assert!(q.allows(&london, t("2026-03-02T13:00:00Z")));
        assert!(!q.allows(&london, t("2026-03-02T21:30:00Z")));
    }

    #[test]
    fn a_closed_window_opens_at_the_next_opening_today_or_tomorrow() {
        let q = QuietHours::default();
        // 06:00 in New York: today at 08:00.
        assert_eq!(
            q.next_open(&ny(), t("2026-03-02T11:00:00Z")),
            t("2026-03-02T13:00:00Z")
        );
        // 22:00 in New York: tomorrow at 08:00.
        assert_eq!(
            q.next_open(&ny(), t("2026-03-03T03:00:00Z")),
            t("2026-03-03T13:00:00Z")
        );
        // Open now: now.
        let now = t("2026-03-02T15:00:00Z");
        assert_eq!(q.next_open(&ny(), now), now);
    }

    #[test]
    fn the_window_follows_daylight_saving_time() {
        let q = QuietHours::default();
        // 2026-03-08: New York springs forward; 08:00 EDT is 12:00 UTC.
        assert_eq!(
            q.next_open(&ny(), t("2026-03-08T06:00:00Z")),
            t("2026-03-08T12:00:00Z")
        );
        // A window opening at 02:30, inside the gap (02:00 EST -> 03:00 EDT), opens an hour
        // later by the clock: 03:30 EDT (07:30 UTC).
        let q = QuietHours::new(hm(2, 30), hm(5, 0)).unwrap();
        assert_eq!(
            q.next_open(&ny(), t("2026-03-08T05:00:00Z")),
            t("2026-03-08T07:30:00Z")
        );
    }

    #[test]
    fn a_window_may_run_past_midnight() {
        let q = QuietHours::new(hm(22, 0), hm(6, 0)).unwrap();
        assert!(q.allows(&ny(), t("2026-03-03T04:00:00Z"))); // 23:00
        assert!(q.allows(&ny(), t("2026-03-03T10:00:00Z"))); // 05:00
        assert!(!q.allows(&ny(), t("2026-03-02T17:00:00Z"))); // 12:00
        assert_eq!(
            q.closes_after(&ny(), t("2026-03-03T04:00:00Z")),
            Some(t("2026-03-03T11:00:00Z"))
        );
        assert_eq!(
            QuietHours::new(hm(9, 0), hm(9, 0)),
            Err(EmptyWindow(hm(9, 0)))
        );
    }

    #[test]
    fn a_text_is_valid_until_the_window_closes_at_most_ten_hours() {
        let q = QuietHours::default();
        // 20:00 in New York: one hour left.
        assert_eq!(
            q.validity_secs(&ny(), t("2026-03-03T01:00:00Z")),
            Some(3600)
        );
        // 08:00: thirteen hours left, capped at 36,000 s.
        assert_eq!(
            q.validity_secs(&ny(), t("2026-03-02T13:00:00Z")),
            Some(MAX_VALIDITY_SECS)
        );
        // 20:59:59.5 rounds to at least one second.
        assert_eq!(q.validity_secs(&ny(), t("2026-03-03T01:59:59.5Z")), Some(1));
        // Closed: no text now.
        assert_eq!(q.validity_secs(&ny(), t("2026-03-03T03:00:00Z")), None);
    }
}
