//! How long until a queue drains: the answer the outbox API and dashboard give per sender
//! (and per account for calls), and what a job shows as "capacity and ETA" before a launch.
//! A pure rule over the pace, its rate and the queue's shape.
//!
//! The estimate replays the pace (GCRA, `pacing::Pace`) over the queue as if dispatch went on
//! from now: rows that already hold a slot go at that slot (the pace's next free slot is
//! already after them); every other row takes the next free slot at or after the time it is
//! due, so rows waiting for their recipient's window (or a later earliest time) start no
//! sooner than that. The queue arrives grouped (rows due in the same minute, with the group's
//! earliest due time), so a group starts at its first row's time: the estimate may be early
//! by at most the minute's spread, never late. It does not foresee rows skipped at claim time
//! (opted out, expired), provider refusals, or other organisations sharing an account's call
//! pace.

use jiff::{SignedDuration, Timestamp};

use crate::telephony::pacing::{Pace, Rate};

/// A queue's shape, as the store reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Backlog {
    /// The latest slot held by a row that already took one.
    pub held_until: Option<Timestamp>,
    /// Rows still to take a slot: groups of (earliest due time, count), in due order.
    pub waiting: Vec<(Timestamp, u64)>,
}

impl Backlog {
    pub fn len(&self) -> u64 {
        self.waiting.iter().map(|(_, n)| n).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0 && self.held_until.is_none()
    }

    /// Adds `count` rows due at `at` (a launch being planned), keeping the due order.
    pub fn with_extra(mut self, at: Timestamp, count: u64) -> Backlog {
        if count > 0 {
            self.waiting.push((at, count));
            self.waiting.sort_by_key(|(due, _)| *due);
        }
        self
    }
}

/// When the queue's sends go, if dispatch ran from `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drain {
    /// The first send still to take a slot (none when every row holds one).
    pub starts_at: Option<Timestamp>,
    /// The last send.
    pub finishes_at: Timestamp,
}

/// When `backlog` drains through `pace` at `rate`, starting `now`; `None` when it is empty.
pub fn drain(pace: Pace, rate: Rate, backlog: &Backlog, now: Timestamp) -> Option<Drain> {
    let mut free = pace.next_at.max(now);
    let mut starts_at = None;
    let mut finishes_at = backlog.held_until;
    for &(due, count) in &backlog.waiting {
        if count == 0 {
            continue;
        }
        let start = free.max(due);
        starts_at.get_or_insert(start);
        let last = start
            .saturating_add(times(rate, count - 1))
            .unwrap_or(Timestamp::MAX);
        free = start
            .saturating_add(times(rate, count))
            .unwrap_or(Timestamp::MAX);
        finishes_at = Some(finishes_at.map_or(last, |f| f.max(last)));
    }
    finishes_at.map(|finishes_at| Drain {
        starts_at,
        finishes_at,
    })
}

fn times(rate: Rate, n: u64) -> SignedDuration {
    let nanos = rate.interval.as_nanos().saturating_mul(i128::from(n));
    SignedDuration::from_nanos(i64::try_from(nanos).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    const NOW: &str = "2026-03-02T19:00:00Z";

    fn ready(count: u64) -> Backlog {
        Backlog {
            held_until: None,
            waiting: vec![(t(NOW), count)],
        }
    }

    #[test]
    fn three_hundred_texts_at_one_a_second_take_three_hundred_seconds_from_the_next_free_slot() {
        let rate = Rate::ONE_A_SECOND;
        let idle = drain(Pace::new(), rate, &ready(300), t(NOW)).unwrap();
        assert_eq!(idle.starts_at, Some(t(NOW)));
        // The 300th send goes 299 s after the first: the queue is clear 300 s from now.
        assert_eq!(idle.finishes_at, t("2026-03-02T19:04:59Z"));
        // A pace booked ten seconds ahead starts there.
        let busy = Pace {
            next_at: t("2026-03-02T19:00:10Z"),
        };
        let d = drain(busy, rate, &ready(300), t(NOW)).unwrap();
        assert_eq!(d.starts_at, Some(t("2026-03-02T19:00:10Z")));
        assert_eq!(d.finishes_at, t("2026-03-02T19:05:09Z"));
    }

    #[test]
    fn rows_waiting_for_a_window_start_when_it_opens() {
        let rate = Rate::per_second(2.0).unwrap();
        // 10 due now, 10 waiting for 08:00 tomorrow in New York (13:00 UTC).
        let backlog = Backlog {
            held_until: None,
            waiting: vec![(t(NOW), 10), (t("2026-03-03T13:00:00Z"), 10)],
        };
        let d = drain(Pace::new(), rate, &backlog, t(NOW)).unwrap();
        assert_eq!(d.starts_at, Some(t(NOW)));
        assert_eq!(d.finishes_at, t("2026-03-03T13:00:04.5Z"));
        // Only the later rows: the queue starts when the window opens.
        let later = Backlog {
            held_until: None,
            waiting: vec![(t("2026-03-03T13:00:00Z"), 1)],
        };
        let d = drain(Pace::new(), rate, &later, t(NOW)).unwrap();
        assert_eq!(d.starts_at, Some(t("2026-03-03T13:00:00Z")));
        assert_eq!(d.finishes_at, t("2026-03-03T13:00:00Z"));
    }

    #[test]
    fn rows_holding_a_slot_count_and_new_rows_queue_after_them() {
        let rate = Rate::ONE_A_SECOND;
        // Two rows hold slots at +0 s and +1 s: the pace's next free slot is +2 s.
        let pace = Pace {
            next_at: t("2026-03-02T19:00:02Z"),
        };
        let held = Backlog {
            held_until: Some(t("2026-03-02T19:00:01Z")),
            waiting: vec![],
        };
        let d = drain(pace, rate, &held, t(NOW)).unwrap();
        assert_eq!(
            (d.starts_at, d.finishes_at),
            (None, t("2026-03-02T19:00:01Z"))
        );
        let more = held.with_extra(t(NOW), 3);
        let d = drain(pace, rate, &more, t(NOW)).unwrap();
        assert_eq!(d.starts_at, Some(t("2026-03-02T19:00:02Z")));
        assert_eq!(d.finishes_at, t("2026-03-02T19:00:04Z"));
    }

    #[test]
    fn an_empty_queue_has_no_finish() {
        assert_eq!(
            drain(Pace::new(), Rate::ONE_A_SECOND, &Backlog::default(), t(NOW)),
            None
        );
        assert!(Backlog::default().with_extra(t(NOW), 0).is_empty());
    }
}
