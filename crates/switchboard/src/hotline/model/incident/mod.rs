//! An incident as a pure state machine: one call walking a line, and everything that may
//! happen to it (a webhook of the native voice flow, a request of the on-call routing API, a
//! voicemail callback) as a [`Command`].
//!
//! [`apply`] takes the incident, a command and the [`Situation`] (the line, its roster, the
//! time) and returns the incident afterwards with the [`Effect`]s to carry out (audit events,
//! the pool's move, the voicemail email). No I/O: the store loads the incident, applies the
//! command and writes the result in one transaction.
//!
//! ```text
//!            walk: someone to ring        answered            completed / caller gone
//!   open ──────────────────────────► open ─────────► answered ─────────────────────► completed
//!     │ walk: nobody left                                                         
//!     └──────────────────────────► exhausted ──► voicemail (recording, transcript, one email)
//! ```
//!
//! Every walk is a round; the native flow's dial action names the round it was issued for.
//! Twilio retries webhooks and delivers callbacks late and out of order, so every command is
//! idempotent by construction: a retried webhook for a call already walked, a dial result for
//! an earlier round, a second report of an answer, a failure or an end, a repeated recording
//! or transcription changes nothing and records nothing. Facts that can arrive in either order
//! (an answer and the call's end, a recording and its transcription) reach the same final
//! state whichever comes first.

mod apply;
#[cfg(test)]
mod tests;

pub use apply::apply;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ladder::{PriorAttempt, StepKind};
use super::line::Line;
use super::roster::Roster;
use super::{AttemptResult, Hours, IncidentStatus, LineKind};
use crate::ids::{IncidentId, LineId, PersonId};

crate::text_enum! {
    /// Which rung an attempt was on: a ladder step, or the shift of a shift line.
    pub enum AttemptStep {
        PrimaryOncall = "primary_oncall",
        Secondary = "secondary",
        Admin = "admin",
        Manager = "manager",
        RotatingPool = "rotating_pool",
        Shift = "shift",
    }
}

impl AttemptStep {
    /// The step of a target picked on a line of `kind` at ladder step `step`.
    pub fn of(kind: LineKind, step: StepKind) -> AttemptStep {
        match (kind, step) {
            (LineKind::Shift, _) => AttemptStep::Shift,
            (LineKind::Ladder, StepKind::PrimaryOncall) => AttemptStep::PrimaryOncall,
            (LineKind::Ladder, StepKind::Secondary) => AttemptStep::Secondary,
            (LineKind::Ladder, StepKind::Admin) => AttemptStep::Admin,
            (LineKind::Ladder, StepKind::Manager) => AttemptStep::Manager,
            (LineKind::Ladder, StepKind::RotatingPool) => AttemptStep::RotatingPool,
        }
    }

    /// The ladder step, for the ladder's rules (`None` for a shift).
    pub fn ladder_step(self) -> Option<StepKind> {
        match self {
            AttemptStep::PrimaryOncall => Some(StepKind::PrimaryOncall),
            AttemptStep::Secondary => Some(StepKind::Secondary),
            AttemptStep::Admin => Some(StepKind::Admin),
            AttemptStep::Manager => Some(StepKind::Manager),
            AttemptStep::RotatingPool => Some(StepKind::RotatingPool),
            AttemptStep::Shift => None,
        }
    }
}

crate::text_enum! {
    /// How a voicemail's transcription ended.
    pub enum TranscriptionStatus {
        Completed = "completed",
        Failed = "failed",
    }
}

impl TranscriptionStatus {
    /// Twilio's `TranscriptionStatus`; anything but `completed` counts as failed.
    pub fn from_twilio(s: &str) -> Self {
        if s.eq_ignore_ascii_case("completed") {
            TranscriptionStatus::Completed
        } else {
            TranscriptionStatus::Failed
        }
    }
}

/// An incident's own fields (the on-call routing API's `incidents`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Incident {
    pub id: IncidentId,
    pub line_id: LineId,
    pub caller_phone: String,
    pub call_sid: Option<String>,
    pub status: IncidentStatus,
    /// Which ladder applies, chosen when the incident opened.
    pub hours: Hours,
    /// How many walks there have been; a dial action names the round it was issued in.
    pub round: i64,
    pub answered_person_id: Option<PersonId>,
    pub answered_phone: Option<String>,
    pub duration_secs: Option<i64>,
    pub voicemail_url: Option<String>,
    pub voicemail_sid: Option<String>,
    pub voicemail_secs: Option<i64>,
    pub transcript: Option<String>,
    pub transcription_status: Option<TranscriptionStatus>,
    pub voicemail_emailed_at: Option<i64>,
    pub created_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
}

/// One attempt to reach a person (the on-call routing API's `call_attempts`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Attempt {
    pub round: i64,
    pub step: AttemptStep,
    pub person_id: Option<PersonId>,
    pub person_name: String,
    pub phone: String,
    /// How long this person rings, in seconds.
    pub timeout_secs: i64,
    pub result: AttemptResult,
    pub call_sid: Option<String>,
    pub started_at: i64,
    pub ended_at: Option<i64>,
}

/// What the machine works on: the incident and its attempts, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentState {
    pub incident: Incident,
    pub attempts: Vec<Attempt>,
}

impl IncidentState {
    /// A new call on `line`, before its first walk.
    pub fn open(
        id: IncidentId,
        line: &Line,
        caller_phone: &str,
        call_sid: Option<&str>,
        now: Timestamp,
    ) -> IncidentState {
        IncidentState {
            incident: Incident {
                id,
                line_id: line.id,
                caller_phone: caller_phone.to_string(),
                call_sid: call_sid.map(str::to_string),
                status: IncidentStatus::Open,
                hours: line.hours_at(now),
                round: 0,
                answered_person_id: None,
                answered_phone: None,
                duration_secs: None,
                voicemail_url: None,
                voicemail_sid: None,
                voicemail_secs: None,
                transcript: None,
                transcription_status: None,
                voicemail_emailed_at: None,
                created_at: now.as_millisecond(),
                answered_at: None,
                ended_at: None,
            },
            attempts: Vec::new(),
        }
    }

    /// The attempts of the current round still ringing.
    pub fn ringing(&self) -> impl Iterator<Item = &Attempt> {
        self.attempts
            .iter()
            .filter(|a| a.round == self.incident.round && a.result == AttemptResult::Dialing)
    }

    /// Who has been tried so far, as the ladder sees it.
    pub fn prior_attempts(&self) -> Vec<PriorAttempt> {
        self.attempts
            .iter()
            .map(|a| PriorAttempt {
                person_id: a.person_id,
                step: a.step.ladder_step(),
            })
            .collect()
    }
}

/// The audit event of a new incident: its line, caller, call, hour class and the request
/// that opened it.
pub fn created(state: &IncidentState, line: &Line, request: &str) -> Effect {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Created<'a> {
        line: LineId,
        caller: &'a str,
        call_sid: Option<&'a str>,
        hours: Hours,
        request: Option<&'a serde_json::value::RawValue>,
    }
    let incident = &state.incident;
    let detail = Created {
        line: line.id,
        caller: &incident.caller_phone,
        call_sid: incident.call_sid.as_deref(),
        hours: incident.hours,
        request: serde_json::from_str(request).ok(),
    };
    Effect::Event {
        kind: "created",
        detail: serde_json::to_string(&detail).unwrap_or_else(|_| "null".to_string()),
    }
}

/// Something that happens to an incident. The `request` of [`apply`] is what the audit trail
/// keeps of the webhook or API request that said so.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// The native voice webhook: ring the first people. A retry of a call already walked
    /// changes nothing.
    Incoming,
    /// The routing API's first `next-target` of a call (no `incidentId`): ring the first
    /// person. A retry while that person is still ringing changes nothing; once every attempt
    /// has been reported, it rings the next.
    FirstTarget,
    /// The routing API's `next-target` for an incident: attempts never reported count as no
    /// answer, and the next person is rung.
    NextTarget,
    /// The native flow's `<Dial>` ended. `round` is the round it was issued in.
    DialResult {
        round: Option<i64>,
        outcome: DialOutcome,
        dial_call_sid: Option<String>,
        duration_secs: Option<i64>,
    },
    /// Someone answered at `phone` (the routing API's `answered`, or a whisper's "1").
    Answered {
        phone: String,
        call_sid: Option<String>,
    },
    /// The routing API's `attempt-failed`.
    AttemptFailed {
        phone: String,
        reason: AttemptResult,
        call_sid: Option<String>,
    },
    /// The routing API's `completed`: the call is over.
    Completed { duration_secs: Option<i64> },
    /// The caller's call ended (its final status callback).
    CallEnded,
    /// The person at `phone` pressed 1 after the whisper, on leg `leg_sid`: they take the
    /// call, unless someone else already has.
    WhisperAccepted {
        phone: String,
        leg_sid: Option<String>,
    },
    /// The person at `phone` heard the whisper and did not press 1, on leg `leg_sid`.
    WhisperDeclined {
        phone: String,
        leg_sid: Option<String>,
    },
    /// The caller's voicemail was recorded.
    Recording {
        url: String,
        sid: String,
        secs: Option<i64>,
    },
    /// The voicemail's transcription arrived (or its failure).
    Transcription {
        status: TranscriptionStatus,
        text: Option<String>,
    },
    /// The transcription did not arrive in time: the voicemail goes out without it.
    TranscriptionOverdue,
}

/// How a `<Dial>` ended, as its action reports it (`DialCallStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialOutcome {
    /// Someone took the call and it has ended.
    Bridged,
    /// Nobody took it, for this reason.
    NotTaken(AttemptResult),
}

/// Everything besides the incident that a command may read.
pub struct Situation<'a> {
    pub line: &'a Line,
    pub roster: &'a Roster,
    pub now: Timestamp,
}

/// What the store carries out after writing the incident.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// An audit-trail event; `detail` is JSON.
    Event { kind: &'static str, detail: String },
    /// The line's rotating pool moves on to `position`.
    MovePool { position: i64 },
    /// The voicemail email, to each of `to`.
    Email {
        to: Vec<String>,
        subject: String,
        body: String,
    },
    /// If no transcription has arrived by `at` (epoch ms), send the voicemail without one.
    AwaitTranscription { at: i64 },
}

/// A command the incident cannot take: answered with a 4xx.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("incident {0} was already answered")]
    AlreadyAnswered(IncidentId),
}

/// The incident after a command, and what to carry out.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub state: IncidentState,
    pub effects: Vec<Effect>,
}
