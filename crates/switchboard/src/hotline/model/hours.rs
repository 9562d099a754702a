//! Business hours: weekdays, a start and end time, a time zone, holidays.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Hours;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BusinessHours {
    /// ISO weekdays, 1 = Monday ... 7 = Sunday.
    pub weekdays: Vec<u8>,
    /// Minutes after midnight, local time: start inclusive, end exclusive.
    pub start_minute: u16,
    pub end_minute: u16,
    /// Dates (YYYY-MM-DD, local) that are after hours all day.
    pub holidays: Vec<String>,
}

impl BusinessHours {
    /// Monday to Friday, 08:00 to 18:00 (the on-call routing API's demo line).
    pub fn weekdays_8_to_6() -> Self {
        Self {
            weekdays: vec![1, 2, 3, 4, 5],
            start_minute: 8 * 60,
            end_minute: 18 * 60,
            holidays: Vec::new(),
        }
    }

    /// Whether `now` falls in business hours in time zone `tz`.
    pub fn classify(&self, tz: &TimeZone, now: Timestamp) -> Hours {
        let local = now.to_zoned(tz.clone());
        let weekday = local.weekday().to_monday_one_offset() as u8;
        let date = local.date().to_string();
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        let open = self.weekdays.contains(&weekday)
            && !self.holidays.contains(&date)
            && minute >= self.start_minute
            && minute < self.end_minute;
        if open { Hours::Business } else { Hours::After }
    }

    /// Checks the values a client sent; the error names the field.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        use crate::limits;
        if self.weekdays.iter().any(|d| !(1..=7).contains(d)) {
            return Err(("weekdays", "use 1 (Monday) to 7 (Sunday)".into()));
        }
        let day = |d: &u8| format!("day {d}");
        limits::list("weekdays", &self.weekdays, 7, "days", day, |a, b| a == b)
            .map_err(|e| ("weekdays", e.message))?;
        if self.start_minute >= self.end_minute || self.end_minute > 24 * 60 {
            return Err((
                "end_minute",
                "must be after start_minute and at most 1440".into(),
            ));
        }
        let show = |h: &String| format!("'{h}'");
        limits::list(
            "holidays",
            &self.holidays,
            limits::HOLIDAYS,
            "holidays",
            show,
            |a, b| a == b,
        )
        .map_err(|e| ("holidays", e.message))?;
        for h in &self.holidays {
            let date = h
                .parse::<Date>()
                .map_err(|_| ("holidays", format!("'{h}' is not a date like 2026-12-25")))?;
            limits::date_in_range("holidays", date).map_err(|e| ("holidays", e.message))?;
        }
        Ok(())
    }
}

/// Parses a weekday's English name (`Monday`, case-insensitive) into 1..=7.
pub fn weekday_number(name: &str) -> Option<u8> {
    let days = [
        ("monday", Weekday::Monday),
        ("tuesday", Weekday::Tuesday),
        ("wednesday", Weekday::Wednesday),
        ("thursday", Weekday::Thursday),
        ("friday", Weekday::Friday),
        ("saturday", Weekday::Saturday),
        ("sunday", Weekday::Sunday),
    ];
    let lower = name.to_ascii_lowercase();
    days.iter()
        .find(|(n, _)| *n == lower)
        .map(|(_, d)| d.to_monday_one_offset() as u8)
}

pub fn weekday_name(n: u8) -> &'static str {
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    .get(usize::from(n.max(1) - 1))
    .copied()
    .unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn business_hours_are_read_in_the_lines_time_zone() {
        let hours = BusinessHours::weekdays_8_to_6();
        let ny = TimeZone::get("America/New_York").unwrap();
        let cases = [
            (
                "2026-03-02T13:00:00Z",
                Hours::Business,
                "Monday 08:00 EST opens",
            ),
            ("2026-03-02T12:59:00Z", Hours::After, "Monday 07:59 EST"),
            ("2026-03-02T22:59:00Z", Hours::Business, "Monday 17:59 EST"),
            (
                "2026-03-02T23:00:00Z",
                Hours::After,
                "Monday 18:00 EST closes",
            ),
            ("2026-03-07T15:00:00Z", Hours::After, "Saturday"),
            (
                "2026-03-09T12:30:00Z",
                Hours::Business,
                "Monday 08:30 EDT after the DST change",
            ),
        ];
        for (instant, expected, why) in cases {
            assert_eq!(hours.classify(&ny, at(instant)), expected, "{why}");
        }
    }

    #[test]
    fn a_holiday_is_after_hours_all_day() {
        let mut hours = BusinessHours::weekdays_8_to_6();
        hours.holidays.push("2026-12-25".into());
        let ny = TimeZone::get("America/New_York").unwrap();
        assert_eq!(
            hours.classify(&ny, at("2026-12-25T15:00:00Z")),
            Hours::After
        );
        assert_eq!(
            hours.classify(&ny, at("2026-12-24T15:00:00Z")),
            Hours::Business
        );
    }

    #[test]
    fn invalid_business_hours_name_the_field() {
        let mut hours = BusinessHours::weekdays_8_to_6();
        hours.weekdays.push(8);
        assert_eq!(hours.validate().unwrap_err().0, "weekdays");
        let mut hours = BusinessHours::weekdays_8_to_6();
        hours.end_minute = hours.start_minute;
        assert_eq!(hours.validate().unwrap_err().0, "end_minute");
        let mut hours = BusinessHours::weekdays_8_to_6();
        hours.holidays.push("Christmas".into());
        assert_eq!(hours.validate().unwrap_err().0, "holidays");
    }

    #[test]
    fn weekday_names_are_english_and_case_insensitive() {
        assert_eq!(weekday_number("Monday"), Some(1));
        assert_eq!(weekday_number("sunday"), Some(7));
        assert_eq!(weekday_number("Funday"), None);
        assert_eq!(weekday_name(3), "Wednesday");
    }
}
