//! Walking a line for an incident: pick the next person (ladder or shift), and record what
//! happened to each attempt. Both seed 003's Studio endpoints and the native voice flow call
//! these, so an incident reads the same whichever drove it. The changes go through the
//! [`desk`](super::desk), which applies the rules below to many incidents per transaction.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::desk::{self, Command, Draft, IncidentRef, LineRef, Outcome, Walked};
use super::model::ladder::{self, Decision, LadderInput, LadderStep, PriorAttempt, Target};
use super::model::{
    AttemptResult, Candidate, Hours, IncidentStatus, LineKind, Override, Shift, shifts,
};
use super::store::lines::Line;
use super::store::roster::OnCallPeriod;
use super::store::{lines, roster};
use crate::accounts::OrgId;
use crate::app::AppState;
use crate::db::Db;
use crate::http::{AppError, AppResult};

/// The step name of a shift line's targets.
pub const SHIFT_STEP: &str = "shift";

pub fn line_tz(line: &Line) -> TimeZone {
    TimeZone::get(&line.time_zone).unwrap_or(TimeZone::UTC)
}

/// Walks `incident` on `line` (opening the incident first for a new call): picks and records
/// the next target, or marks it exhausted. An attempt still `dialing` (never reported) counts
/// as attempted and is closed as no-answer. With `ring_strategy`, a shift line set to ring
/// everyone at once picks everyone on shift not yet attempted, one attempt each. No targets =
/// exhausted. The line is read in the desk's transaction and comes back in [`Walked`].
pub async fn walk(
    state: &AppState,
    org: Option<OrgId>,
    line: LineRef,
    incident: IncidentRef,
    request: Value,
    ring_strategy: bool,
) -> AppResult<Walked> {
    let command = Command::Walk {
        org,
        line,
        incident,
        request: desk::request(&request),
        ring_strategy,
    };
    match state.desk.submit(command).await? {
        Outcome::Walked(walked) => Ok(*walked),
        Outcome::Recorded => Err(AppError::Internal(anyhow::anyhow!(
            "the incident desk answered a walk without targets"
        ))),
    }
}

/// Someone answered at `phone`.
pub async fn answered(
    state: &AppState,
    org: Option<OrgId>,
    incident_id: i64,
    phone: &str,
    call_sid: Option<&str>,
    request: Value,
) -> AppResult<()> {
    let command = Command::Answered {
        org,
        incident: incident_id,
        phone: phone.to_string(),
        call_sid: call_sid.map(str::to_string),
        request: desk::request(&request),
    };
    state.desk.submit(command).await.map(drop)
}

/// The attempt to reach `phone` ended without an answer.
pub async fn attempt_failed(
    state: &AppState,
    org: Option<OrgId>,
    incident_id: i64,
    phone: &str,
    reason: AttemptResult,
    call_sid: Option<&str>,
    request: Value,
) -> AppResult<()> {
    let command = Command::AttemptFailed {
        org,
        incident: incident_id,
        phone: phone.to_string(),
        reason,
        call_sid: call_sid.map(str::to_string),
        request: desk::request(&request),
    };
    state.desk.submit(command).await.map(drop)
}

/// The call ended after `duration` seconds.
pub async fn completed(
    state: &AppState,
    org: Option<OrgId>,
    incident_id: i64,
    duration: Option<i64>,
    request: Value,
) -> AppResult<()> {
    let command = Command::Completed {
        org,
        incident: incident_id,
        duration,
        request: desk::request(&request),
    };
    state.desk.submit(command).await.map(drop)
}

// The rules of each change, applied by the desk to an incident's draft inside its batch.

/// A new incident: its first event.
pub(super) fn opened(
    d: &mut Draft,
    line: &Line,
    caller: &str,
    call_sid: Option<&str>,
    request: &RawValue,
) {
    let hours = d.state.incident.hours();
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Created<'a> {
        line: i64,
        caller: &'a str,
        call_sid: Option<&'a str>,
        hours: &'static str,
        request: &'a RawValue,
    }
    let detail = Created {
        line: line.id,
        caller,
        call_sid,
        hours: hours.as_str(),
        request,
    };
    d.event("created", &detail);
    tracing::info!(
        incident.id = d.state.incident.id,
        line.id = line.id,
        caller,
        hours = hours.as_str(),
        "[Twilio] incident created"
    );
}

pub(super) fn walk_rules(
    d: &mut Draft,
    line: &Line,
    roster: &Roster,
    pool_position: i64,
    request: &RawValue,
    all: bool,
    now: Timestamp,
) -> AppResult<Vec<Target>> {
    let incident_id = d.state.incident.id;
    if d.state.incident.line_id != line.id {
        return Err(AppError::field(
            "incidentId",
            format!("incident {incident_id} belongs to another line"),
        ));
    }
    d.event("next_target_request", request);
    tracing::info!(
        incident.id = incident_id,
        line.id = line.id,
        "[Twilio] next-target request"
    );
    match d.status() {
        IncidentStatus::Open => {}
        IncidentStatus::Exhausted => return Ok(Vec::new()),
        IncidentStatus::Answered | IncidentStatus::Completed => {
            return Err(AppError::conflict(
                "incidentId",
                format!("incident {incident_id} was already answered"),
            ));
        }
    }
    if d.finish_dialing(None, AttemptResult::NoAnswer, None) > 0 {
        d.event("unreported_attempt", &json!({ "treatedAs": "no-answer" }));
    }
    let attempts = d.prior_attempts();
    let position = match line.kind {
        LineKind::Ladder => usize::try_from(pool_position).unwrap_or(0),
        LineKind::Shift => 0,
    };
    let decisions = roster.decide(
        line,
        d.state.incident.hours(),
        &attempts,
        position,
        all,
        now,
    );
    let targets: Vec<Target> = decisions
        .into_iter()
        .filter_map(|d| match d {
            Decision::Target(t) => Some(t),
            Decision::Exhausted => None,
        })
        .collect();
    if targets.is_empty() {
        d.set_status(IncidentStatus::Exhausted);
        d.event("exhausted", &json!({ "attempts": attempts.len() }));
        tracing::warn!(
            incident.id = incident_id,
            line.id = line.id,
            attempts = attempts.len(),
            "[Twilio] No more targets available"
        );
        return Ok(Vec::new());
    }
    for target in &targets {
        let step = step_name(line, target);
        d.add_attempt(step, target);
        if let Some(position) = target.next_pool_position {
            d.pool_position = Some((line.id, position as i64));
        }
        let detail = json!({ "step": step, "personId": target.person_id, "name": target.name, "phone": target.phone, "timeoutSeconds": target.timeout_secs });
        d.event("next_target", &detail);
        tracing::info!(
            incident.id = incident_id,
            line.id = line.id,
            step,
            phone = target.phone,
            person = target.name,
            "[Twilio] Next target"
        );
    }
    Ok(targets)
}

pub(super) fn answered_rules(
    d: &mut Draft,
    phone: &str,
    call_sid: Option<&str>,
    request: &RawValue,
) {
    d.event("answered_request", request);
    d.finish_dialing(Some(phone), AttemptResult::Answered, call_sid);
    let attempt = d
        .state
        .attempts
        .iter()
        .rev()
        .find(|a| a.attempt.phone == phone)
        .map(|a| (a.attempt.person_id, a.attempt.person_name.clone()));
    if d.status() == IncidentStatus::Open {
        let incident = &mut d.state.incident;
        incident.status = IncidentStatus::Answered.as_str().to_string();
        incident.answered_person_id = attempt.as_ref().and_then(|(id, _)| *id);
        incident.answered_phone = Some(phone.to_string());
        incident.answered_at = Some(d.now);
        d.touch();
    }
    let who = attempt.map_or_else(|| "unknown".to_string(), |(_, name)| name);
    d.event("answered", &json!({ "phone": phone, "name": who }));
    tracing::info!(
        incident.id = d.state.incident.id,
        phone,
        person = who,
        "[Twilio] Call answered by"
    );
}

pub(super) fn attempt_failed_rules(
    d: &mut Draft,
    phone: &str,
    reason: AttemptResult,
    call_sid: Option<&str>,
    request: &RawValue,
) {
    d.event("attempt_failed_request", request);
    let changed = d.finish_dialing(Some(phone), reason, call_sid);
    d.event(
        "attempt_failed",
        &json!({ "phone": phone, "reason": reason.as_str(), "matched": changed }),
    );
    tracing::info!(
        incident.id = d.state.incident.id,
        phone,
        reason = reason.as_str(),
        "[Twilio] attempt failed"
    );
}

pub(super) fn completed_rules(d: &mut Draft, duration: Option<i64>, request: &RawValue) {
    d.event("completed_request", request);
    d.finish_dialing(None, AttemptResult::NoAnswer, None);
    let now = d.now;
    let incident = &mut d.state.incident;
    incident.duration_secs = duration.or(incident.duration_secs);
    incident.ended_at = incident.ended_at.or(Some(now));
    if incident.status() == IncidentStatus::Answered {
        incident.status = IncidentStatus::Completed.as_str().to_string();
    }
    d.touch();
    d.event("completed", &json!({ "duration": duration }));
    tracing::info!(
        incident.id = d.state.incident.id,
        duration,
        "[Twilio] call completed"
    );
}

fn step_name(line: &Line, target: &Target) -> &'static str {
    match line.kind {
        LineKind::Ladder => target.step.as_str(),
        LineKind::Shift => SHIFT_STEP,
    }
}

/// Everything a walk decision reads about a line. It holds no answer that depends on the
/// time (who is on call or on shift is worked out at each decision), so the desk keeps it
/// until the organisation's roster version moves.
pub(super) struct Roster {
    people: Vec<Candidate>,
    business: Vec<LadderStep>,
    after: Vec<LadderStep>,
    pool: Vec<i64>,
    /// Ladder lines.
    oncall: Vec<OnCallPeriod>,
    /// Shift lines.
    shifts: Vec<Shift>,
    overrides: Vec<Override>,
}

impl Roster {
    pub(super) async fn load(db: &Db, org: OrgId, line: &Line) -> AppResult<Roster> {
        let people = roster::candidates(db, org).await?;
        match line.kind {
            LineKind::Ladder => Ok(Roster {
                people,
                business: lines::ladder(db, org, line.id, Hours::Business).await?,
                after: lines::ladder(db, org, line.id, Hours::After).await?,
                pool: lines::pool(db, org, line.id).await?,
                oncall: roster::oncall_periods(db, org, line.id).await?,
                shifts: Vec::new(),
                overrides: Vec::new(),
            }),
            LineKind::Shift => Ok(Roster {
                people,
                business: Vec::new(),
                after: Vec::new(),
                pool: Vec::new(),
                oncall: Vec::new(),
                shifts: roster::shifts(db, org, line.id).await?,
                overrides: roster::overrides(db, org, line.id).await?,
            }),
        }
    }

    /// The next target(s): the ladder's next person, or on a shift line the next person on
    /// shift (everyone not yet tried, with `all`). `[Exhausted]` when nobody is left.
    fn decide(
        &self,
        line: &Line,
        hours: Hours,
        prior: &[PriorAttempt],
        pool_position: usize,
        all: bool,
        now: Timestamp,
    ) -> Vec<Decision> {
        match line.kind {
            LineKind::Ladder => {
                let steps = match hours {
                    Hours::Business => &self.business,
                    Hours::After => &self.after,
                };
                let input = LadderInput {
                    steps,
                    oncall: roster::oncall_in(&self.oncall, now.as_millisecond()),
                    people: &self.people,
                    pool: &self.pool,
                    pool_position: pool_position % self.pool.len().max(1),
                    attempts: prior,
                };
                vec![ladder::next_target(&input)]
            }
            LineKind::Shift => {
                let on_shift = shifts::on_shift(&self.shifts, &self.overrides, &line_tz(line), now);
                let picks = on_shift.iter().filter_map(|id| {
                    self.people.iter().find(|p| {
                        p.person_id == *id
                            && p.reachable()
                            && !prior.iter().any(|a| a.person_id == Some(*id))
                    })
                });
                let targets: Vec<Decision> = picks
                    .take(if all { usize::MAX } else { 1 })
                    .map(|p| {
                        Decision::Target(Target {
                            step: ladder::StepKind::PrimaryOncall,
                            person_id: p.person_id,
                            name: p.name.clone(),
                            phone: p.phone.clone().unwrap_or_default(),
                            timeout_secs: line.ring_timeout_secs,
                            next_pool_position: None,
                        })
                    })
                    .collect();
                if targets.is_empty() {
                    vec![Decision::Exhausted]
                } else {
                    targets
                }
            }
        }
    }
}

/// Which ladder applies now on `line` (for the dashboard's "on call now").
pub fn hours_now(state: &AppState, line: &Line) -> Hours {
    line.business_hours
        .classify(&line_tz(line), state.clock.now())
}
