//! What API clients send about who is on when: shifts, overrides, on-call periods and
//! rotations. Every error names the field at fault.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::hotline::model::hours::weekday_number;
use crate::hotline::model::shifts::parse_hhmm;
use crate::hotline::model::{Override, Shift};
use crate::hotline::store::roster::OnCallPeriod;
use crate::http::AppError;
use crate::ids::PersonId;
use crate::limits;
use crate::zone::Zone;

fn span(start: &str, end: &str) -> Result<(u16, u16), AppError> {
    let s = parse_hhmm(start)
        .ok_or_else(|| AppError::field("start", format!("'{start}' is not a time like 09:00")))?;
    let e = parse_hhmm(end)
        .ok_or_else(|| AppError::field("end", format!("'{end}' is not a time like 17:00")))?;
    if s >= e {
        return Err(AppError::field(
            "end",
            "must be after start (split an overnight shift in two)",
        ));
    }
    Ok((s, e))
}

/// A weekly shift: `weekday` is an English name (`Monday`) or 1-7.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShift {
    pub person_id: PersonId,
    #[schema(value_type = String, example = "Monday")]
    pub weekday: serde_json::Value,
    #[schema(example = "09:00")]
    pub start: String,
    #[schema(example = "17:00")]
    pub end: String,
}

impl NewShift {
    pub fn validate(self) -> Result<Shift, AppError> {
        let weekday = match &self.weekday {
            serde_json::Value::String(name) => weekday_number(name),
            serde_json::Value::Number(n) => {
                n.as_u64().filter(|d| (1..=7).contains(d)).map(|d| d as u8)
            }
            _ => None,
        }
        .ok_or_else(|| {
            AppError::field(
                "weekday",
                "use a day name like Monday, or 1 (Monday) to 7 (Sunday)",
            )
        })?;
        let (start_minute, end_minute) = span(&self.start, &self.end)?;
        Ok(Shift {
            id: 0,
            person_id: self.person_id,
            weekday,
            start_minute,
            end_minute,
        })
    }
}

/// Someone covers a date range, for one person or for everyone on shift.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOverride {
    pub person_id: PersonId,
    pub replaces_person_id: Option<PersonId>,
    #[schema(example = "2026-03-02")]
    pub starts_on: String,
    #[schema(example = "2026-03-08")]
    pub ends_on: String,
    /// Default 00:00.
    pub start: Option<String>,
    /// Default 24:00.
    pub end: Option<String>,
}

impl NewOverride {
    pub fn validate(self) -> Result<Override, AppError> {
        let date = |field: &str, v: &str| {
            let d = v.parse::<Date>().map_err(|_| {
                AppError::field(field, format!("'{v}' is not a date like 2026-03-02"))
            })?;
            Ok::<_, AppError>(limits::date_in_range(field, d)?)
        };
        let starts_on = date("starts_on", &self.starts_on)?;
        let ends_on = date("ends_on", &self.ends_on)?;
        if ends_on < starts_on {
            return Err(AppError::field("ends_on", "must not be before starts_on"));
        }
        let (start_minute, end_minute) = span(
            self.start.as_deref().unwrap_or("00:00"),
            self.end.as_deref().unwrap_or("24:00"),
        )?;
        if self.replaces_person_id == Some(self.person_id) {
            return Err(AppError::field(
                "replaces_person_id",
                "a person cannot cover for themselves",
            ));
        }
        Ok(Override {
            id: 0,
            person_id: self.person_id,
            replaces_person_id: self.replaces_person_id,
            starts_on,
            ends_on,
            start_minute,
            end_minute,
        })
    }
}

fn instant(field: &str, v: &str) -> Result<Timestamp, AppError> {
    let t = v.parse::<Timestamp>().map_err(|_| {
        AppError::field(
            field,
            format!("'{v}' is not an RFC 3339 instant like 2026-03-02T09:00:00-05:00"),
        )
    })?;
    Ok(limits::instant_in_range(field, t)?)
}

/// An explicit on-call period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOnCall {
    pub primary_person_id: Option<PersonId>,
    pub secondary_person_id: Option<PersonId>,
    pub starts_at: String,
    pub ends_at: String,
}

impl NewOnCall {
    pub fn validate(self) -> Result<OnCallPeriod, AppError> {
        let starts_at = instant("starts_at", &self.starts_at)?;
        let ends_at = instant("ends_at", &self.ends_at)?;
        if ends_at <= starts_at {
            return Err(AppError::field("ends_at", "must be after starts_at"));
        }
        if self.primary_person_id.is_none() && self.secondary_person_id.is_none() {
            return Err(AppError::field(
                "primary_person_id",
                "name at least a primary or a secondary",
            ));
        }
        if self.primary_person_id.is_some() && self.primary_person_id == self.secondary_person_id {
            return Err(AppError::field(
                "secondary_person_id",
                "must be someone other than the primary",
            ));
        }
        Ok(OnCallPeriod {
            id: 0,
            primary_person_id: self.primary_person_id,
            secondary_person_id: self.secondary_person_id,
            starts_at: starts_at.as_millisecond(),
            ends_at: ends_at.as_millisecond(),
        })
    }
}

/// A weekly rotation: week k's primary is `people[k % n]` and its secondary the next person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    pub people: Vec<PersonId>,
    /// When the first week starts (the hand-over time every week, local to the line).
    pub starts_at: String,
    pub weeks: u32,
}

impl Rotation {
    pub fn periods(&self, time_zone: &Zone) -> Result<Vec<OnCallPeriod>, AppError> {
        if self.people.is_empty() {
            return Err(AppError::field("people", "name at least one person"));
        }
        // Each person once, so nobody is their own secondary in any week.
        limits::list(
            "people",
            &self.people,
            limits::PEOPLE_IN_TURN,
            "people",
            |p| format!("person {p}"),
            |a, b| a == b,
        )?;
        if !(1..=104).contains(&self.weeks) {
            return Err(AppError::field("weeks", "must be from 1 to 104"));
        }
        let start = instant("starts_at", &self.starts_at)?.to_zoned(time_zone.tz().clone());
        let n = self.people.len();
        (0..self.weeks as usize)
            .map(|k| {
                // Weeks are added in local time, so the hand-over stays at the same wall-clock
                // time across DST changes.
                let from = start
                    .checked_add((k as i64).weeks())
                    .map_err(|_| AppError::field("weeks", "too far in the future"))?;
                let to = start
                    .checked_add((k as i64 + 1).weeks())
                    .map_err(|_| AppError::field("weeks", "too far in the future"))?;
                Ok(OnCallPeriod {
                    id: 0,
                    primary_person_id: Some(self.people[k % n]),
                    secondary_person_id: (n > 1).then(|| self.people[(k + 1) % n]),
                    starts_at: from.timestamp().as_millisecond(),
                    ends_at: to.timestamp().as_millisecond(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weekly_rotation_hands_over_at_the_same_local_time_across_dst() {
        let r = Rotation {
            people: [1, 2, 3].map(PersonId::new).to_vec(),
            starts_at: "2026-03-02T09:00:00-05:00".into(),
            weeks: 2,
        };
        let periods = r
            .periods(&Zone::parse("America/New_York").unwrap())
            .unwrap();
        let id = |n| Some(PersonId::new(n));
        assert_eq!(periods[0].primary_person_id, id(1));
        assert_eq!(periods[0].secondary_person_id, id(2));
        assert_eq!(periods[1].primary_person_id, id(2));
        assert_eq!(periods[1].secondary_person_id, id(3));
        let second_start: Timestamp = "2026-03-09T09:00:00-04:00".parse().unwrap();
        assert_eq!(
            periods[1].starts_at,
            second_start.as_millisecond(),
            "09:00 EDT after the change"
        );
        assert_eq!(periods[0].ends_at, periods[1].starts_at);
    }

    #[test]
    fn shift_input_accepts_day_names_or_numbers_and_names_bad_fields() {
        let ok = NewShift {
            person_id: PersonId::new(1),
            weekday: serde_json::json!("Tuesday"),
            start: "09:00".into(),
            end: "17:30".into(),
        };
        let shift = ok.validate().unwrap();
        assert_eq!(
            (shift.weekday, shift.start_minute, shift.end_minute),
            (2, 540, 1050)
        );
        let bad_day = NewShift {
            person_id: PersonId::new(1),
            weekday: serde_json::json!(8),
            start: "09:00".into(),
            end: "10:00".into(),
        };
        assert!(
            matches!(bad_day.validate(), Err(AppError::BadRequest { field: Some(f), .. }) if f == "weekday")
        );
        let backwards = NewShift {
            person_id: PersonId::new(1),
            weekday: serde_json::json!(1),
            start: "22:00".into(),
            end: "02:00".into(),
        };
        assert!(
            matches!(backwards.validate(), Err(AppError::BadRequest { field: Some(f), .. }) if f == "end")
        );
    }
}
