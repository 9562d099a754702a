//! A hotline line: a Twilio number that rings people by shift, or walks an on-call ladder.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{BusinessHours, Hours, LineKind, RingStrategy};
use crate::ids::LineId;
use crate::zone::Zone;

/// A hotline line as the API shows it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Line {
    pub id: LineId,
    pub name: String,
    pub kind: LineKind,
    /// The Twilio number callers dial (E.164).
    pub phone_number: String,
    /// IANA time zone of shifts, business hours and reminders.
    pub time_zone: Zone,
    pub business_hours: BusinessHours,
    pub ring_strategy: RingStrategy,
    /// Ring timeout for each person on a shift line.
    pub ring_timeout_secs: u32,
    /// Who gets voicemail emails.
    pub notify_emails: Vec<String>,
    /// Local time of the daily shift reminder email, minutes after midnight.
    pub reminder_minute: u16,
    /// Next index in the rotating pool (carries over between incidents).
    pub pool_position: i64,
    pub created_at: i64,
}

impl Line {
    /// Which ladder applies at `now` (business hours or after).
    pub fn hours_at(&self, now: jiff::Timestamp) -> Hours {
        self.business_hours.classify(self.time_zone.tz(), now)
    }

    /// Whether a walk rings everyone it may at once: a shift line set to simultaneous.
    pub fn rings_all(&self) -> bool {
        self.kind == LineKind::Shift && self.ring_strategy == RingStrategy::Simultaneous
    }
}

/// The settings of a line, validated (see `input.rs`).
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct LineSettings {
    pub name: String,
    pub kind: LineKind,
    pub phone_number: String,
    pub time_zone: Zone,
    pub business_hours: BusinessHours,
    pub ring_strategy: RingStrategy,
    pub ring_timeout_secs: u32,
    pub notify_emails: Vec<String>,
    pub reminder_minute: u16,
}
