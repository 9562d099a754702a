//! RFC 2822 dates, the format of every `date_*` field in Twilio's 2010-04-01 API
//! (`Tue, 31 Aug 2010 20:36:28 +0000`). Small enough to write here rather than pull in a
//! date library for one format; Switchboard's own time handling uses jiff.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats a time as Twilio does, always in UTC (`+0000`), whole seconds.
pub fn rfc2822(ts: SystemTime) -> String {
    let secs = match ts.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let d = before.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            -whole - i64::from(d.subsec_nanos() > 0)
        }
    };
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = WEEKDAYS[usize::try_from((days + 4).rem_euclid(7)).unwrap_or(0)];
    format!(
        "{weekday}, {day:02} {} {year:04} {:02}:{:02}:{:02} +0000",
        MONTHS[usize::try_from(month - 1).unwrap_or(0)],
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60,
    )
}

/// Why a date is not RFC 2822.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not an RFC 2822 date: {reason}")]
pub struct TimeParseError {
    pub input: String,
    pub reason: &'static str,
}

/// Parses `[Day, ]DD Mon YYYY HH:MM[:SS] zone` where zone is `±hhmm`, `GMT`, `UT` or `Z`.
pub fn parse_rfc2822(input: &str) -> Result<SystemTime, TimeParseError> {
    let fail = |reason| TimeParseError {
        input: input.to_owned(),
        reason,
    };
    let rest = match input.split_once(',') {
        Some((weekday, rest)) if WEEKDAYS.contains(&weekday.trim()) => rest,
        Some(_) => return Err(fail("unknown weekday")),
        None => input,
    };
    let parts: Vec<&str> = rest.split_whitespace().collect();
    let [day, month, year, clock, zone] = parts.as_slice() else {
        return Err(fail("expected day, month, year, time and zone"));
    };
    let day: i64 = day.parse().map_err(|_| fail("bad day"))?;
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(month))
        .ok_or_else(|| fail("unknown month"))?;
    let year: i64 = year.parse().map_err(|_| fail("bad year"))?;
    let mut clock_parts = clock.split(':').map(str::parse::<i64>);
    let hour = clock_parts
        .next()
        .and_then(Result::ok)
        .ok_or_else(|| fail("bad hour"))?;
    let minute = clock_parts
        .next()
        .and_then(Result::ok)
        .ok_or_else(|| fail("bad minute"))?;
    let second = match clock_parts.next() {
        None => 0,
        Some(Ok(second)) => second,
        Some(Err(_)) => return Err(fail("bad second")),
    };
    let month = i64::try_from(month).unwrap_or(0) + 1;
    if !(1..=days_in_month(year, month)).contains(&day)
        || !(0..24).contains(&hour)
        || !(0..60).contains(&minute)
        || !(0..=60).contains(&second)
        || clock_parts.next().is_some()
    {
        return Err(fail("field out of range"));
    }
    let offset = zone_offset_seconds(zone).ok_or_else(|| fail("unknown zone"))?;
    let secs =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Ok(match u64::try_from(secs) {
        Ok(after) => UNIX_EPOCH + Duration::from_secs(after),
        Err(_) => UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs()),
    })
}

fn zone_offset_seconds(zone: &str) -> Option<i64> {
    if ["GMT", "UT", "UTC", "Z"].contains(&zone) {
        return Some(0);
    }
    let (sign, digits) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits[2..].parse().ok()?;
    Some(sign * (hours * 3600 + minutes * 60))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01: the inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn rfc2822_formats_twilio_documentation_example() {
        assert_eq!(
            rfc2822(at(1_283_286_988)),
            "Tue, 31 Aug 2010 20:36:28 +0000"
        );
    }

    #[test]
    fn rfc2822_formats_epoch_and_leap_day() {
        assert_eq!(rfc2822(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc2822(at(1_709_164_800)),
            "Thu, 29 Feb 2024 00:00:00 +0000"
        );
    }

    #[test]
    fn rfc2822_formats_times_before_epoch() {
        assert_eq!(
            rfc2822(UNIX_EPOCH - Duration::from_secs(1)),
            "Wed, 31 Dec 1969 23:59:59 +0000"
        );
    }

    #[test]
    fn rfc2822_drops_subseconds() {
        assert_eq!(
            rfc2822(at(1_283_286_988) + Duration::from_millis(999)),
            "Tue, 31 Aug 2010 20:36:28 +0000"
        );
    }

    #[test]
    fn parse_rfc2822_inverts_format_over_many_days() {
        for step in 0..2_000u64 {
            let ts = at(step * 7_919_999);
            assert_eq!(parse_rfc2822(&rfc2822(ts)), Ok(ts));
        }
    }

    #[test]
    fn parse_rfc2822_applies_zone_offset() {
        assert_eq!(
            parse_rfc2822("Tue, 31 Aug 2010 22:36:28 +0200"),
            Ok(at(1_283_286_988))
        );
        assert_eq!(
            parse_rfc2822("31 Aug 2010 20:36:28 GMT"),
            Ok(at(1_283_286_988))
        );
        assert_eq!(
            parse_rfc2822("31 Aug 2010 20:36 -0000"),
            Ok(at(1_283_286_960))
        );
    }

    #[test]
    fn parse_rfc2822_rejects_malformed_dates() {
        for bad in [
            "",
            "yesterday",
            "Tue, 31 Foo 2010 20:36:28 +0000",
            "Tue, 31 Feb 2010 20:36:28 +0000",
            "Tue, 31 Aug 2010 24:00:00 +0000",
            "Tue, 31 Aug 2010 20:36:28 +00",
            "Tue, 31 Aug 2010 20:36:28",
            "Xyz, 31 Aug 2010 20:36:28 +0000",
            "Tue, 31 Aug 2010 20:36:28:01 +0000",
        ] {
            assert!(parse_rfc2822(bad).is_err(), "{bad:?}");
        }
    }
}
