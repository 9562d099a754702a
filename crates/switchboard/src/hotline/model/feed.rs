//! A person's calendar feed as values: weekly shifts as recurring events in the line's time
//! zone, days changed by overrides as dated events (with the recurring ones excluded), and
//! on-call periods as UTC events. No I/O: the caller loads the rosters and passes the clock.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan as _};

use super::ical::{self, Ical};
use super::shifts::{Override, Shift, shifts_of_person_on};
use crate::ids::{LineId, PersonId};
use crate::zone::Zone;

/// How far ahead dated events (overrides, on-call periods) are listed.
pub const HORIZON_DAYS: i64 = 60;

/// An on-call period of one line, as the feed needs it.
pub struct OnCallSpan {
    pub id: i64,
    pub primary: Option<PersonId>,
    pub secondary: Option<PersonId>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// One line's roster, as the feed needs it.
pub struct LineRoster {
    pub line_id: LineId,
    pub name: String,
    pub time_zone: Zone,
    pub shifts: Vec<Shift>,
    pub overrides: Vec<Override>,
    pub oncall: Vec<OnCallSpan>,
}

/// The whole feed of `person_id` (`host` makes UIDs globally unique).
pub fn person_feed(
    person_id: PersonId,
    person_name: &str,
    host: &str,
    rosters: &[LineRoster],
    now: Timestamp,
) -> String {
    let mut cal = Ical::default();
    cal.begin("VCALENDAR")
        .prop("VERSION", "2.0")
        .prop("PRODID", "-//Switchboard//Hotline calendar//EN")
        .prop("CALSCALE", "GREGORIAN")
        .prop("METHOD", "PUBLISH")
        .prop(
            "X-WR-CALNAME",
            &ical::text(&format!("Shifts of {person_name}")),
        );
    let horizon = now + SignedDuration::from_hours(24 * HORIZON_DAYS);
    let mut zones: Vec<&str> = Vec::new();
    for r in rosters {
        let involved = r.shifts.iter().any(|s| s.person_id == person_id)
            || r.overrides.iter().any(|o| o.person_id == person_id);
        if involved && !zones.contains(&r.time_zone.name()) {
            let from = now - SignedDuration::from_hours(24 * 366);
            ical::vtimezone(
                &mut cal,
                r.time_zone.name(),
                r.time_zone.tz(),
                from,
                horizon + SignedDuration::from_hours(24 * 366),
            );
            zones.push(r.time_zone.name());
        }
    }
    let stamp = ical::utc(now);
    for r in rosters {
        shift_events(&mut cal, person_id, host, &stamp, r, r.time_zone.tz(), now);
        oncall_events(&mut cal, person_id, host, &stamp, r, now, horizon);
    }
    cal.end("VCALENDAR");
    cal.finish()
}

const BYDAY: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

fn at(date: Date, minute: u16) -> DateTime {
    // 24:00 is midnight of the next day.
    let (date, minute) = if minute >= 24 * 60 {
        (date.tomorrow().unwrap_or(date), 0)
    } else {
        (date, minute)
    };
    date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0)
}

fn weekday(date: Date) -> u8 {
    date.weekday().to_monday_one_offset() as u8
}

fn shift_events(
    cal: &mut Ical,
    person: PersonId,
    host: &str,
    stamp: &str,
    r: &LineRoster,
    tz: &TimeZone,
    now: Timestamp,
) {
    let mine: Vec<&Shift> = r.shifts.iter().filter(|s| s.person_id == person).collect();
    let today = now.to_zoned(tz.clone()).date();
    let days: Vec<Date> = (0..HORIZON_DAYS)
        .filter_map(|n| today.checked_add(n.days()).ok())
        .collect();
    // The dates where overrides make this person's day differ from their weekly pattern.
    let changed: Vec<Date> = days
        .iter()
        .copied()
        .filter(|d| {
            shifts_of_person_on(&r.shifts, &r.overrides, person, *d)
                != shifts_of_person_on(&r.shifts, &[], person, *d)
        })
        .collect();
    let tzid = ical::text(r.time_zone.name());
    // Weekly shifts with the same hours become one event recurring on several weekdays.
    let mut groups: Vec<((u16, u16), Vec<u8>)> = Vec::new();
    for s in &mine {
        match groups
            .iter_mut()
            .find(|(k, _)| *k == (s.start_minute, s.end_minute))
        {
            Some((_, wd)) if !wd.contains(&s.weekday) => wd.push(s.weekday),
            Some(_) => {}
            None => groups.push(((s.start_minute, s.end_minute), vec![s.weekday])),
        }
    }
    for ((start, end), mut weekdays) in groups {
        weekdays.sort_unstable();
        let Some(first) = (0..7)
            .filter_map(|n| today.checked_add(n.days()).ok())
            .find(|d| weekdays.contains(&weekday(*d)))
        else {
            continue;
        };
        let byday: Vec<&str> = weekdays
            .iter()
            .map(|w| BYDAY[usize::from(*w - 1)])
            .collect();
        cal.begin("VEVENT")
            .prop(
                "UID",
                &format!("shift-{}-{person}-{start}-{end}@{host}", r.line_id),
            )
            .prop("DTSTAMP", stamp)
            .prop(
                &format!("DTSTART;TZID={tzid}"),
                &ical::local(at(first, start)),
            )
            .prop(&format!("DTEND;TZID={tzid}"), &ical::local(at(first, end)))
            .prop("RRULE", &format!("FREQ=WEEKLY;BYDAY={}", byday.join(",")))
            .prop("SUMMARY", &ical::text(&format!("Shift: {}", r.name)));
        for d in changed
            .iter()
            .filter(|d| weekdays.contains(&weekday(**d)) && **d >= first)
        {
            cal.prop(&format!("EXDATE;TZID={tzid}"), &ical::local(at(*d, start)));
        }
        cal.end("VEVENT");
    }
    for d in changed {
        for (start, end) in shifts_of_person_on(&r.shifts, &r.overrides, person, d) {
            cal.begin("VEVENT")
                .prop(
                    "UID",
                    &format!("shift-{}-{person}-{d}-{start}@{host}", r.line_id),
                )
                .prop("DTSTAMP", stamp)
                .prop(&format!("DTSTART;TZID={tzid}"), &ical::local(at(d, start)))
                .prop(&format!("DTEND;TZID={tzid}"), &ical::local(at(d, end)))
                .prop(
                    "SUMMARY",
                    &ical::text(&format!("Shift (changed): {}", r.name)),
                )
                .end("VEVENT");
        }
    }
}

fn oncall_events(
    cal: &mut Ical,
    person: PersonId,
    host: &str,
    stamp: &str,
    r: &LineRoster,
    now: Timestamp,
    horizon: Timestamp,
) {
    for p in r
        .oncall
        .iter()
        .filter(|p| p.ends_at > now && p.starts_at < horizon)
    {
        for (role, who) in [("primary", p.primary), ("secondary", p.secondary)] {
            if who != Some(person) {
                continue;
            }
            cal.begin("VEVENT")
                .prop("UID", &format!("oncall-{}-{role}@{host}", p.id))
                .prop("DTSTAMP", stamp)
                .prop("DTSTART", &ical::utc(p.starts_at))
                .prop("DTEND", &ical::utc(p.ends_at))
                .prop(
                    "SUMMARY",
                    &ical::text(&format!("On call ({role}): {}", r.name)),
                )
                .end("VEVENT");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vera_weekdays() -> Vec<Shift> {
        (1..=5)
            .map(|d| Shift {
                id: i64::from(d),
                person_id: PersonId::new(11),
                weekday: d,
                start_minute: 540,
                end_minute: 1020,
            })
            .collect()
    }

    fn roster(overrides: Vec<Override>) -> LineRoster {
        LineRoster {
            line_id: LineId::new(2),
            name: "Community Line, East; \\ side".into(),
            time_zone: Zone::parse("America/New_York").unwrap(),
            shifts: vera_weekdays(),
            overrides,
            oncall: vec![OnCallSpan {
                id: 9,
                primary: Some(PersonId::new(11)),
                secondary: Some(PersonId::new(12)),
                starts_at: "2026-03-02T13:00:00Z".parse().unwrap(),
                ends_at: "2026-03-09T13:00:00Z".parse().unwrap(),
            }],
        }
    }

    fn unfold(s: &str) -> String {
        s.replace("\r\n ", "")
    }

    const MONDAY_2PM: &str = "2026-03-02T19:00:00Z";

    #[test]
    fn weekly_shifts_recur_on_their_weekdays_in_the_line_time_zone() {
        let feed = unfold(&person_feed(
            PersonId::new(11),
            "Vera",
            "sb.test",
            &[roster(vec![])],
            MONDAY_2PM.parse().unwrap(),
        ));
        assert!(
            feed.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"),
            "{feed}"
        );
        assert!(
            feed.contains("DTSTART;TZID=America/New_York:20260302T090000\r\n"),
            "{feed}"
        );
        assert!(feed.contains("DTEND;TZID=America/New_York:20260302T170000\r\n"));
        assert!(feed.contains("RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\n"));
        assert!(feed.contains("SUMMARY:Shift: Community Line\\, East\\; \\\\ side\r\n"));
        assert!(feed.contains("BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"));
        assert!(feed.contains("SUMMARY:On call (primary): Community Line"));
        assert!(!feed.contains("EXDATE"));
        assert!(feed.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn a_day_covered_by_someone_else_is_excluded_from_the_recurrence() {
        let tuesday: Date = "2026-03-03".parse().unwrap();
        let cover = Override {
            id: 1,
            person_id: PersonId::new(13),
            replaces_person_id: Some(PersonId::new(11)),
            starts_on: tuesday,
            ends_on: tuesday,
            start_minute: 0,
            end_minute: 1440,
        };
        let now = MONDAY_2PM.parse().unwrap();
        let vera = unfold(&person_feed(
            PersonId::new(11),
            "Vera",
            "sb.test",
            &[roster(vec![cover.clone()])],
            now,
        ));
        assert!(
            vera.contains("EXDATE;TZID=America/New_York:20260303T090000\r\n"),
            "{vera}"
        );
        assert!(!vera.contains("Shift (changed)"));
        let wendy = unfold(&person_feed(
            PersonId::new(13),
            "Wendy",
            "sb.test",
            &[roster(vec![cover])],
            now,
        ));
        assert!(wendy.contains("DTSTART;TZID=America/New_York:20260303T090000\r\nDTEND;TZID=America/New_York:20260303T170000\r\nSUMMARY:Shift (changed)"), "{wendy}");
        assert!(!wendy.contains("RRULE"));
    }
}
