//! What API clients send, and its validation: every error names the field at fault.

use crate::zone::Zone;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::accounts::model::clean_email;
use crate::hotline::model::ladder::{DEFAULT_TIMEOUT_SECS, LadderStep, StepKind};
use crate::hotline::model::shifts::parse_hhmm;
use crate::hotline::model::{BusinessHours, LineKind, RingStrategy};
use crate::hotline::store::lines::LineSettings;
use crate::http::AppError;
use crate::limits;

mod schedule;

pub use schedule::{NewOnCall, NewOverride, NewShift, Rotation};

/// A line to create or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    pub name: String,
    pub kind: LineKind,
    /// The Twilio number callers dial.
    pub phone_number: String,
    /// IANA time zone (default America/New_York).
    pub time_zone: Option<String>,
    /// Default Monday-Friday 08:00-18:00.
    pub business_hours: Option<BusinessHours>,
    pub ring_strategy: Option<RingStrategy>,
    /// Seconds each volunteer rings on a shift line (default 30).
    pub ring_timeout_secs: Option<u32>,
    #[serde(default)]
    pub notify_emails: Vec<String>,
    /// Local time of the daily reminder, "HH:MM" (default 18:00).
    pub reminder_time: Option<String>,
}

impl LineInput {
    pub fn validate(self) -> Result<LineSettings, AppError> {
        let name = crate::accounts::model::clean_name(&self.name)?;
        let phone_number = crate::telephony::parse_e164(&self.phone_number)
            .map_err(|e| AppError::field("phone_number", e))?;
        let time_zone = Zone::parse(self.time_zone.as_deref().unwrap_or("America/New_York"))
            .map_err(|e| AppError::field("time_zone", e.to_string()))?;
        let business_hours = self
            .business_hours
            .unwrap_or_else(BusinessHours::weekdays_8_to_6);
        business_hours
            .validate()
            .map_err(|(field, msg)| AppError::field(format!("business_hours.{field}"), msg))?;
        let ring_timeout_secs = self.ring_timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS);
        if !(5..=120).contains(&ring_timeout_secs) {
            return Err(AppError::field(
                "ring_timeout_secs",
                "must be from 5 to 120 seconds",
            ));
        }
        let notify_emails = notify_emails(&self.notify_emails)?;
        let reminder_minute = match self.reminder_time.as_deref() {
            None => 18 * 60,
            Some(t) => parse_hhmm(t).filter(|m| *m < 24 * 60).ok_or_else(|| {
                AppError::field("reminder_time", format!("'{t}' is not a time like 18:00"))
            })?,
        };
        Ok(LineSettings {
            name,
            kind: self.kind,
            phone_number,
            time_zone,
            business_hours,
            ring_strategy: self.ring_strategy.unwrap_or(RingStrategy::Sequential),
            ring_timeout_secs,
            notify_emails,
            reminder_minute,
        })
    }
}

/// A line's voicemail addresses: at most [`limits::NOTIFY_EMAILS`], each valid and once.
fn notify_emails(raw: &[String]) -> Result<Vec<String>, AppError> {
    let field = "notify_emails";
    if raw.len() > limits::NOTIFY_EMAILS {
        let max = limits::NOTIFY_EMAILS;
        return Err(AppError::field(field, format!("at most {max} addresses")));
    }
    let emails = raw
        .iter()
        .map(|e| clean_email(e).map_err(|e| AppError::field(field, e.message)))
        .collect::<Result<Vec<_>, _>>()?;
    let show = |e: &String| format!("'{e}'");
    limits::list(
        field,
        &emails,
        limits::NOTIFY_EMAILS,
        "addresses",
        show,
        |a, b| a == b,
    )?;
    Ok(emails)
}

/// A ladder must have steps, sane timeouts, and each kind at most once.
pub fn validate_ladder(steps: &[LadderStep]) -> Result<(), AppError> {
    if steps.is_empty() {
        return Err(AppError::field("steps", "a ladder needs at least one step"));
    }
    for (i, s) in steps.iter().enumerate() {
        if !(5..=120).contains(&s.timeout_secs) {
            return Err(AppError::field(
                format!("[{i}].timeout_secs"),
                "must be from 5 to 120 seconds",
            ));
        }
        if s.kind == StepKind::RotatingPool && !(1..=20).contains(&s.pool_size) {
            return Err(AppError::field(
                format!("[{i}].pool_size"),
                "must be from 1 to 20",
            ));
        }
        if steps[..i].iter().any(|o| o.kind == s.kind) {
            return Err(AppError::field(
                format!("[{i}].kind"),
                format!("{} appears twice", s.kind.as_str()),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ladder_with_a_repeated_step_or_silly_timeout_is_refused() {
        let step = |kind, timeout_secs| LadderStep {
            kind,
            timeout_secs,
            pool_size: 3,
        };
        assert!(validate_ladder(&[step(StepKind::Admin, 30), step(StepKind::Manager, 30)]).is_ok());
        assert!(validate_ladder(&[]).is_err());
        assert!(validate_ladder(&[step(StepKind::Admin, 1)]).is_err());
        assert!(validate_ladder(&[step(StepKind::Admin, 30), step(StepKind::Admin, 20)]).is_err());
    }
}
