//! Hotline types and the rules that decide who gets a call. No I/O: every rule takes its
//! inputs (people, shifts, ladder, attempts) and the current instant as values.

pub mod feed;
pub mod hours;
pub mod ical;
pub mod ladder;
pub mod shifts;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use hours::BusinessHours;
pub use ladder::{Decision, LadderStep, StepKind, Target};
pub use shifts::{Override, Shift};

/// A line is a volunteer group routed by shift, or an emergency line walking a ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    Shift,
    Ladder,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Shift => "shift",
            LineKind::Ladder => "ladder",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [LineKind::Shift, LineKind::Ladder]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// On a shift line where several people share an hour: ring them in turn, or all at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RingStrategy {
    Sequential,
    Simultaneous,
}

impl RingStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            RingStrategy::Sequential => "sequential",
            RingStrategy::Simultaneous => "simultaneous",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [RingStrategy::Sequential, RingStrategy::Simultaneous]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Which ladder applies: chosen once, when the incident starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Hours {
    Business,
    After,
}

impl Hours {
    pub fn as_str(self) -> &'static str {
        match self {
            Hours::Business => "business",
            Hours::After => "after",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Hours::Business, Hours::After]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// An incident's lifecycle: open (walking the ladder) → answered → completed, or exhausted
/// when nobody answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum IncidentStatus {
    Open,
    Answered,
    Completed,
    Exhausted,
}

impl IncidentStatus {
    pub const ALL: [IncidentStatus; 4] = [
        IncidentStatus::Open,
        IncidentStatus::Answered,
        IncidentStatus::Completed,
        IncidentStatus::Exhausted,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Open => "open",
            IncidentStatus::Answered => "answered",
            IncidentStatus::Completed => "completed",
            IncidentStatus::Exhausted => "exhausted",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The result of one attempt to reach a person (seed 003's `call_attempts.result`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AttemptResult {
    Dialing,
    Answered,
    NoAnswer,
    Busy,
    Failed,
}

impl AttemptResult {
    pub const ALL: [AttemptResult; 5] = [
        AttemptResult::Dialing,
        AttemptResult::Answered,
        AttemptResult::NoAnswer,
        AttemptResult::Busy,
        AttemptResult::Failed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptResult::Dialing => "dialing",
            AttemptResult::Answered => "answered",
            AttemptResult::NoAnswer => "no-answer",
            AttemptResult::Busy => "busy",
            AttemptResult::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// The reasons `attempt-failed` accepts.
    pub fn parse_failure(s: &str) -> Option<Self> {
        Self::parse(s).filter(|r| {
            matches!(
                r,
                AttemptResult::NoAnswer | AttemptResult::Busy | AttemptResult::Failed
            )
        })
    }
}

/// Someone calls may route to, as the rules see them.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub person_id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub role: crate::accounts::Role,
    pub available: bool,
    pub active: bool,
}

impl Candidate {
    /// Seed 003's exclusions, less "already attempted" (which depends on the incident).
    pub fn reachable(&self) -> bool {
        self.available && self.active && self.phone.is_some()
    }
}
