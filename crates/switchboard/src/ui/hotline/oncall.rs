//! "Who is on call now and next": pure functions over the roster and an instant, so the
//! page only loads, calls and renders.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::hotline::model::ladder::OnCall;
use crate::hotline::model::shifts::on_shift;
use crate::hotline::model::{Override, Shift};
use crate::hotline::store::roster::OnCallPeriod;
use crate::ids::PersonId;

/// Who is on call at `at`: the ladder's own rule, so the page agrees with the ladder.
pub use crate::hotline::store::roster::oncall_in;

pub fn next_oncall_change(periods: &[OnCallPeriod], now: i64) -> Option<(i64, OnCall)> {
    let current = oncall_in(periods, now);
    let mut bounds: Vec<i64> = periods
        .iter()
        .flat_map(|p| [p.starts_at, p.ends_at])
        .filter(|b| *b > now)
        .collect();
    bounds.sort_unstable();
    bounds.dedup();
    bounds
        .into_iter()
        .map(|b| (b, oncall_in(periods, b)))
        .find(|(_, pair)| *pair != current)
}

/// The first instant within eight days after `now` when the people on shift change, and who
/// is on shift from then. Only shift and override edges (and midnights, where dated
/// overrides begin) can change the answer, so only those are tried.
pub fn next_shift_change(
    shifts: &[Shift],
    overrides: &[Override],
    tz: &TimeZone,
    now: Timestamp,
) -> Option<(Timestamp, Vec<PersonId>)> {
    let current = on_shift(shifts, overrides, tz, now);
    let mut minutes: Vec<u16> = shifts
        .iter()
        .flat_map(|s| [s.start_minute, s.end_minute])
        .chain(
            overrides
                .iter()
                .flat_map(|o| [o.start_minute, o.end_minute]),
        )
        .chain([0])
        .filter(|m| *m < 24 * 60)
        .collect();
    minutes.sort_unstable();
    minutes.dedup();
    let today = now.to_zoned(tz.clone()).date();
    for d in 0..=8i64 {
        let Ok(date) = today.checked_add(d.days()) else {
            continue;
        };
        for m in &minutes {
            let civil = date.at((m / 60) as i8, (m % 60) as i8, 0, 0);
            let Ok(at) = civil.to_zoned(tz.clone()) else {
                continue;
            };
            let at = at.timestamp();
            if at <= now {
                continue;
            }
            let who = on_shift(shifts, overrides, tz, at);
            if who != current {
                return Some((at, who));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(id: i64, primary: i64, starts_at: i64, ends_at: i64) -> OnCallPeriod {
        OnCallPeriod {
            id,
            primary_person_id: Some(PersonId::new(primary)),
            secondary_person_id: None,
            starts_at,
            ends_at,
        }
    }

    fn someone(id: i64) -> Option<PersonId> {
        Some(PersonId::new(id))
    }

    #[test]
    fn the_next_on_call_change_skips_boundaries_that_change_nothing() {
        let periods = [
            period(1, 10, 0, 100),
            period(2, 10, 100, 200),
            period(3, 20, 200, 300),
            period(4, 30, 150, 160),
        ];
        assert_eq!(oncall_in(&periods, 50).primary, someone(10));
        assert_eq!(oncall_in(&periods, 155).primary, someone(30), "a swap wins");
        let (at, pair) = next_oncall_change(&periods, 50).unwrap();
        assert_eq!((at, pair.primary), (150, someone(30)));
        let (at, pair) = next_oncall_change(&periods, 210).unwrap();
        assert_eq!((at, pair.primary), (300, None));
        assert!(next_oncall_change(&periods, 400).is_none());
    }

    #[test]
    fn the_next_shift_change_is_the_next_edge_in_the_lines_time_zone() {
        let tz = TimeZone::get("America/New_York").unwrap();
        let shift = |id, person: i64, weekday, from: u16, to: u16| Shift {
            id,
            person_id: PersonId::new(person),
            weekday,
            start_minute: from * 60,
            end_minute: to * 60,
        };
        let shifts = [shift(1, 7, 1, 9, 17), shift(2, 8, 1, 17, 21)];
        // Monday 2026-03-02 14:00 New York: Vera (7) until 17:00, then Victor (8).
        let now: Timestamp = "2026-03-02T19:00:00Z".parse().unwrap();
        let (at, who) = next_shift_change(&shifts, &[], &tz, now).unwrap();
        assert_eq!(at, "2026-03-02T22:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(who, vec![PersonId::new(8)]);
        let (at, who) = next_shift_change(&shifts, &[], &tz, at).unwrap();
        assert_eq!(at, "2026-03-03T02:00:00Z".parse::<Timestamp>().unwrap());
        assert!(who.is_empty());
        let (at, who) = next_shift_change(&shifts, &[], &tz, at).unwrap();
        assert_eq!(at, "2026-03-09T13:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(who, vec![PersonId::new(7)], "next Monday 09:00 EDT");
    }
}
