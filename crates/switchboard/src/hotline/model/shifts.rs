//! Who holds the shift: weekly shifts by weekday and time, and one-off overrides by date.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::PersonId;

/// A weekly shift: `person_id` answers the line on `weekday` from `start_minute` to
/// `end_minute` (local time; an overnight shift is two shifts).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Shift {
    pub id: i64,
    pub person_id: PersonId,
    /// 1 = Monday ... 7 = Sunday.
    pub weekday: u8,
    pub start_minute: u16,
    pub end_minute: u16,
}

impl Shift {
    pub fn covers(&self, weekday: u8, minute: u16) -> bool {
        self.weekday == weekday && self.start_minute <= minute && minute < self.end_minute
    }
}

/// Someone else covers from `starts_on` to `ends_on` (local dates, inclusive), during
/// `start_minute..end_minute` of each day: in place of `replaces_person_id`, or of everyone on
/// shift when that is empty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Override {
    pub id: i64,
    pub person_id: PersonId,
    pub replaces_person_id: Option<PersonId>,
    #[schema(value_type = String, example = "2026-03-02")]
    pub starts_on: Date,
    #[schema(value_type = String, example = "2026-03-08")]
    pub ends_on: Date,
    pub start_minute: u16,
    pub end_minute: u16,
}

impl Override {
    pub fn covers(&self, date: Date, minute: u16) -> bool {
        self.starts_on <= date
            && date <= self.ends_on
            && self.start_minute <= minute
            && minute < self.end_minute
    }
}

/// The people on shift at `now` on a line in time zone `tz`, in ring order (earliest shift
/// start first, then by id), overrides applied.
pub fn on_shift(
    shifts: &[Shift],
    overrides: &[Override],
    tz: &TimeZone,
    now: Timestamp,
) -> Vec<PersonId> {
    let local = now.to_zoned(tz.clone());
    let weekday = local.weekday().to_monday_one_offset() as u8;
    let minute = local.hour() as u16 * 60 + local.minute() as u16;
    let base = on_shift_weekly(shifts, weekday, minute);
    apply_overrides(base, overrides, local.date(), minute)
}

/// The people whose weekly shift covers `weekday` at `minute` (no overrides: those are dated).
pub fn on_shift_weekly(shifts: &[Shift], weekday: u8, minute: u16) -> Vec<PersonId> {
    let mut covering: Vec<&Shift> = shifts
        .iter()
        .filter(|s| s.covers(weekday, minute))
        .collect();
    covering.sort_by_key(|s| (s.start_minute, s.person_id));
    let mut people: Vec<PersonId> = Vec::new();
    for s in covering {
        if !people.contains(&s.person_id) {
            people.push(s.person_id);
        }
    }
    people
}

/// The people on shift during any minute of `hour` on `weekday` (the volunteer line's volunteers view).
pub fn on_shift_in_hour(shifts: &[Shift], weekday: u8, hour: u8) -> Vec<PersonId> {
    let from = u16::from(hour) * 60;
    let mut covering: Vec<&Shift> = shifts
        .iter()
        .filter(|s| s.weekday == weekday && s.start_minute < from + 60 && from < s.end_minute)
        .collect();
    covering.sort_by_key(|s| (s.start_minute, s.person_id));
    let mut people: Vec<PersonId> = Vec::new();
    for s in covering {
        if !people.contains(&s.person_id) {
            people.push(s.person_id);
        }
    }
    people
}

fn apply_overrides(
    mut people: Vec<PersonId>,
    overrides: &[Override],
    date: Date,
    minute: u16,
) -> Vec<PersonId> {
    let active: Vec<&Override> = overrides
        .iter()
        .filter(|o| o.covers(date, minute))
        .collect();
    if let Some(whole) = active.iter().find(|o| o.replaces_person_id.is_none()) {
        people = vec![whole.person_id];
    }
    for o in active.iter().filter(|o| o.replaces_person_id.is_some()) {
        if let Some(slot) = people.iter().position(|p| Some(*p) == o.replaces_person_id) {
            people[slot] = o.person_id;
        }
    }
    let mut seen = Vec::new();
    people.retain(|p| {
        let fresh = !seen.contains(p);
        seen.push(*p);
        fresh
    });
    people
}

/// The local (start, end) minutes `person_id` is on shift on `date`, overrides applied: for
/// reminders ("your shifts tomorrow") and the calendar feed.
pub fn shifts_of_person_on(
    shifts: &[Shift],
    overrides: &[Override],
    person_id: PersonId,
    date: Date,
) -> Vec<(u16, u16)> {
    let weekday = date.weekday().to_monday_one_offset() as u8;
    let mut spans: Vec<(u16, u16)> = Vec::new();
    // Walk the day in minutes where the answer can change: every shift and override boundary.
    let mut cuts: Vec<u16> = vec![0, 24 * 60];
    for s in shifts.iter().filter(|s| s.weekday == weekday) {
        cuts.extend([s.start_minute, s.end_minute]);
    }
    for o in overrides
        .iter()
        .filter(|o| o.starts_on <= date && date <= o.ends_on)
    {
        cuts.extend([o.start_minute, o.end_minute]);
    }
    cuts.sort_unstable();
    cuts.dedup();
    for w in cuts.windows(2) {
        let (from, to) = (w[0], w[1]);
        let people = apply_overrides(
            on_shift_weekly(shifts, weekday, from),
            overrides,
            date,
            from,
        );
        if people.contains(&person_id) {
            match spans.last_mut() {
                Some(last) if last.1 == from => last.1 = to,
                _ => spans.push((from, to)),
            }
        }
    }
    spans
}

/// Parses "HH:MM" (00:00 to 24:00) into minutes after midnight.
pub fn parse_hhmm(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

pub fn format_hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shift(id: i64, person_id: i64, weekday: u8, from: &str, to: &str) -> Shift {
        Shift {
            id,
            person_id: PersonId::new(person_id),
            weekday,
            start_minute: parse_hhmm(from).unwrap(),
            end_minute: parse_hhmm(to).unwrap(),
        }
    }

    fn community_line() -> Vec<Shift> {
        let mut shifts = Vec::new();
        for day in 1..=5 {
            shifts.push(shift(day as i64, 11, day, "09:00", "17:00"));
            shifts.push(shift(10 + day as i64, 12, day, "17:00", "21:00"));
        }
        shifts.push(shift(20, 13, 6, "10:00", "16:00"));
        shifts.push(shift(21, 13, 7, "10:00", "16:00"));
        shifts
    }

    fn nums(people: Vec<PersonId>) -> Vec<i64> {
        people.into_iter().map(PersonId::get).collect()
    }

    fn ny() -> TimeZone {
        TimeZone::get("America/New_York").unwrap()
    }

    #[test]
    fn the_person_on_shift_depends_on_local_weekday_and_time() {
        let shifts = community_line();
        let cases = [
            ("2026-03-02T14:00:00Z", vec![11], "Monday 09:00 EST: Vera"),
            ("2026-03-02T22:00:00Z", vec![12], "Monday 17:00 EST: Victor"),
            (
                "2026-03-03T02:00:00Z",
                Vec::new(),
                "Monday 21:00 EST: nobody",
            ),
            (
                "2026-03-07T16:00:00Z",
                vec![13],
                "Saturday 11:00 EST: Wendy",
            ),
            (
                "2026-03-07T21:00:00Z",
                Vec::new(),
                "Saturday 16:00 EST: nobody",
            ),
        ];
        for (at, expected, why) in cases {
            assert_eq!(
                nums(on_shift(&shifts, &[], &ny(), at.parse().unwrap())),
                expected,
                "{why}"
            );
        }
    }

    #[test]
    fn people_sharing_an_hour_ring_in_order_of_shift_start() {
        let shifts = vec![
            shift(1, 30, 1, "10:00", "12:00"),
            shift(2, 20, 1, "09:00", "12:00"),
            shift(3, 10, 1, "10:00", "11:00"),
        ];
        assert_eq!(
            nums(on_shift_weekly(&shifts, 1, 10 * 60 + 30)),
            vec![20, 10, 30]
        );
    }

    #[test]
    fn an_override_replaces_one_person_or_everyone_for_its_dates() {
        let shifts = community_line();
        let monday: Date = "2026-03-02".parse().unwrap();
        let instead_of_vera = Override {
            id: 1,
            person_id: PersonId::new(99),
            replaces_person_id: Some(PersonId::new(11)),
            starts_on: monday,
            ends_on: monday,
            start_minute: 0,
            end_minute: 1440,
        };
        let at = "2026-03-02T15:00:00Z".parse().unwrap();
        assert_eq!(
            nums(on_shift(
                &shifts,
                std::slice::from_ref(&instead_of_vera),
                &ny(),
                at
            )),
            vec![99]
        );
        let tuesday = "2026-03-03T15:00:00Z".parse().unwrap();
        assert_eq!(
            nums(on_shift(
                &shifts,
                std::slice::from_ref(&instead_of_vera),
                &ny(),
                tuesday
            )),
            vec![11],
            "the override is dated"
        );
        let everyone = Override {
            replaces_person_id: None,
            person_id: PersonId::new(77),
            start_minute: 20 * 60,
            end_minute: 24 * 60,
            ..instead_of_vera
        };
        let evening = "2026-03-03T01:30:00Z".parse().unwrap(); // Monday 20:30 EST
        assert_eq!(
            nums(on_shift(&shifts, &[everyone], &ny(), evening)),
            vec![77]
        );
    }

    #[test]
    fn the_volunteers_in_an_hour_include_shifts_starting_inside_it() {
        let shifts = vec![
            shift(1, 1, 1, "09:30", "10:00"),
            shift(2, 2, 1, "08:00", "09:00"),
        ];
        assert_eq!(nums(on_shift_in_hour(&shifts, 1, 9)), vec![1]);
        assert_eq!(nums(on_shift_in_hour(&shifts, 1, 8)), vec![2]);
        assert_eq!(nums(on_shift_in_hour(&shifts, 2, 9)), Vec::<i64>::new());
    }

    #[test]
    fn a_persons_shifts_on_a_date_merge_adjacent_spans_and_honour_overrides() {
        let mut shifts = community_line();
        shifts.push(shift(30, 11, 1, "17:00", "18:00"));
        let monday: Date = "2026-03-02".parse().unwrap();
        assert_eq!(
            shifts_of_person_on(&shifts, &[], PersonId::new(11), monday),
            vec![(540, 1080)]
        );
        let cover = Override {
            id: 1,
            person_id: PersonId::new(11),
            replaces_person_id: Some(PersonId::new(12)),
            starts_on: monday,
            ends_on: monday,
            start_minute: 0,
            end_minute: 1440,
        };
        assert_eq!(
            shifts_of_person_on(&shifts, &[cover], PersonId::new(11), monday),
            vec![(540, 1260)]
        );
    }

    #[test]
    fn times_parse_as_hh_mm() {
        assert_eq!(parse_hhmm("09:30"), Some(570));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        assert_eq!(parse_hhmm("24:01"), None);
        assert_eq!(parse_hhmm("9"), None);
        assert_eq!(format_hhmm(570), "09:30");
    }
}
