//! DispatchSettings: how fast calls leave an account and texts leave a sender number. A pure rule, the
//! generic cell rate algorithm (GCRA): each pace keeps one instant, the earliest time its next
//! send may go (its theoretical arrival time), so the state is one value per account or
//! number, easy to hold in one database row and to share between server processes. Sends are
//! spread evenly, one every `interval`, never in bursts.

use jiff::{SignedDuration, Timestamp};

/// A rate: one send every `interval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub interval: SignedDuration,
}

/// A rate that is not a positive number of sends a second, or more than any sender allows.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0} a second is not a rate: give a number between 0.001 and 1000")]
pub struct BadRate(pub f64);

impl Rate {
    /// Twilio's default for a long code's texts and an account's calls.
    pub const ONE_A_SECOND: Rate = Rate {
        interval: SignedDuration::from_secs(1),
    };

    /// Longest and shortest intervals a rate may have: one send in 1,000 s, 1,000 a second.
    const SLOWEST: f64 = 0.001;
    const FASTEST: f64 = 1000.0;

    /// `per_second` sends a second (fractions allowed: 0.5 is one every two seconds).
    pub fn per_second(per_second: f64) -> Result<Rate, BadRate> {
        if !(Rate::SLOWEST..=Rate::FASTEST).contains(&per_second) {
            return Err(BadRate(per_second));
        }
        let nanos = (1e9 / per_second).round() as i64;
        Ok(Rate {
            interval: SignedDuration::from_nanos(nanos),
        })
    }

    pub fn sends_per_second(&self) -> f64 {
        1.0 / self.interval.as_secs_f64()
    }
}

/// The kinds of sender number, which carriers let send at different rates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberKind {
    LongCode,
    TollFree,
    ShortCode,
}

/// The North American toll-free area codes.
const TOLL_FREE_AREA_CODES: &[&str] = &["800", "833", "844", "855", "866", "877", "888"];

/// The kind of a sender: a short code is 5 or 6 digits with no `+`; a toll-free number is
/// +1 with a toll-free area code; anything else is a long code.
pub fn number_kind(sender: &str) -> NumberKind {
    if !sender.starts_with('+') && (5..=6).contains(&sender.len()) {
        return NumberKind::ShortCode;
    }
    match sender.strip_prefix("+1") {
        Some(rest) if TOLL_FREE_AREA_CODES.iter().any(|a| rest.starts_with(a)) => {
            NumberKind::TollFree
        }
        _ => NumberKind::LongCode,
    }
}

/// A pace's one stored value: the earliest instant its next send may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pace {
    pub next_at: Timestamp,
}

impl Pace {
    pub fn new() -> Pace {
        Pace {
            next_at: Timestamp::UNIX_EPOCH,
        }
    }

    /// Takes the next slot at or after `now`: when the send may go, and the pace after it.
    pub fn take(self, rate: Rate, now: Timestamp) -> (Timestamp, Pace) {
        let at = self.next_at.max(now);
        let next_at = at.checked_add(rate.interval).unwrap_or(Timestamp::MAX);
        (at, Pace { next_at })
    }

    /// When `queued` sends waiting behind this pace will all have gone, starting at `now`:
    /// the answer to "how long until this queue drains?".
    pub fn drained_at(self, rate: Rate, queued: u64, now: Timestamp) -> Timestamp {
        if queued == 0 {
            return now;
        }
        let start = self.next_at.max(now);
        let nanos = rate
            .interval
            .as_nanos()
            .saturating_mul(i128::from(queued - 1));
        let span = SignedDuration::from_nanos(i64::try_from(nanos).unwrap_or(i64::MAX));
        start.checked_add(span).unwrap_or(Timestamp::MAX)
    }
}

impl Default for Pace {
    fn default() -> Pace {
        Pace::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn sends_are_spread_one_interval_apart_never_in_a_burst() {
        let rate = Rate::per_second(2.0).unwrap();
        let now = t("2026-03-02T19:00:00Z");
        let mut pace = Pace::new();
        let mut slots = Vec::new();
        for _ in 0..4 {
            let (at, next) = pace.take(rate, now);
            slots.push(at);
            pace = next;
        }
        let expected: Vec<Timestamp> = ["00", "00.5", "01", "01.5"]
            .iter()
            .map(|s| t(&format!("2026-03-02T19:00:{s}Z")))
            .collect();
        assert_eq!(slots, expected);
    }

    #[test]
    fn an_idle_pace_does_not_save_up_a_burst() {
        let rate = Rate::per_second(1.0).unwrap();
        let (_, pace) = Pace::new().take(rate, t("2026-03-02T19:00:00Z"));
        // An hour later, the next two sends still go one second apart.
        let later = t("2026-03-02T20:00:00Z");
        let (first, pace) = pace.take(rate, later);
        let (second, _) = pace.take(rate, later);
        assert_eq!(first, later);
        assert_eq!(second, t("2026-03-02T20:00:01Z"));
    }

    #[test]
    fn the_queue_drains_at_the_rate() {
        let rate = Rate::per_second(100.0).unwrap();
        let now = t("2026-03-02T19:00:00Z");
        assert_eq!(Pace::new().drained_at(rate, 0, now), now);
        assert_eq!(Pace::new().drained_at(rate, 1, now), now);
        assert_eq!(
            Pace::new().drained_at(rate, 10_001, now),
            t("2026-03-02T19:01:40Z")
        );
        // A pace already booked until later starts from there.
        let busy = Pace {
            next_at: t("2026-03-02T19:00:10Z"),
        };
        assert_eq!(busy.drained_at(rate, 101, now), t("2026-03-02T19:00:11Z"));
    }

    #[test]
    fn a_sender_is_a_short_code_toll_free_or_long_code() {
        assert_eq!(number_kind("12345"), NumberKind::ShortCode);
        assert_eq!(number_kind("123456"), NumberKind::ShortCode);
        assert_eq!(number_kind("+18885550100"), NumberKind::TollFree);
        assert_eq!(number_kind("+18335550100"), NumberKind::TollFree);
        assert_eq!(number_kind("+12125550100"), NumberKind::LongCode);
        assert_eq!(number_kind("+448005550100"), NumberKind::LongCode);
    }

    #[test]
    fn a_rate_must_be_positive_and_bounded() {
        assert_eq!(
            Rate::per_second(3.0).unwrap().interval,
            SignedDuration::from_nanos(333_333_333)
        );
        assert!((Rate::per_second(0.5).unwrap().sends_per_second() - 0.5).abs() < 1e-9);
        for bad in [0.0, -1.0, 5000.0, f64::NAN] {
            assert!(Rate::per_second(bad).is_err(), "{bad}");
        }
    }
}
