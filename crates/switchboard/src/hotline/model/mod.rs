//! Hotline types and the rules that decide who gets a call. No I/O: every rule takes its
//! inputs (people, shifts, ladder, attempts) and the current instant as values.

pub mod feed;
#[cfg(test)]
mod fixtures;
pub mod hours;
pub mod ical;
pub mod incident;
pub mod ladder;
pub mod line;
pub mod roster;
pub mod shifts;
pub mod voicemail;

pub use hours::BusinessHours;
pub use ladder::{Decision, LadderStep, StepKind, Target};
pub use shifts::{Override, Shift};

crate::text_enum! {
    /// A line is a volunteer group routed by shift, or an emergency line walking a ladder.
    pub enum LineKind {
        Shift = "shift",
        Ladder = "ladder",
    }
}

crate::text_enum! {
    /// On a shift line where several people share an hour: ring them in turn, or all at once.
    pub enum RingStrategy {
        Sequential = "sequential",
        Simultaneous = "simultaneous",
    }
}

crate::text_enum! {
    /// Which ladder applies: chosen once, when the incident starts.
    pub enum Hours {
        Business = "business",
        After = "after",
    }
}

crate::text_enum! {
    /// An incident's lifecycle: open (walking the line) → answered → completed, or exhausted
    /// when nobody was left to ring. See [`incident`] for the transitions.
    pub enum IncidentStatus {
        Open = "open",
        Answered = "answered",
        Completed = "completed",
        Exhausted = "exhausted",
    }
}

crate::text_enum! {
    /// The result of one attempt to reach a person (the on-call routing API's `call_attempts.result`).
    pub enum AttemptResult {
        Dialing = "dialing",
        Answered = "answered",
        NoAnswer = "no-answer",
        Busy = "busy",
        Failed = "failed",
    }
}

impl AttemptResult {
    /// The reasons `attempt-failed` accepts.
    pub fn parse_failure(s: &str) -> Option<Self> {
        s.parse::<Self>().ok().filter(|r| {
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
    pub person_id: crate::ids::PersonId,
    pub name: String,
    pub phone: Option<String>,
    pub role: crate::accounts::Role,
    pub available: bool,
    pub active: bool,
}

impl Candidate {
    /// The on-call routing API's exclusions, less "already attempted" (which depends on the incident).
    pub fn reachable(&self) -> bool {
        self.available && self.active && self.phone.is_some()
    }
}
