//! Walking a line for an incident: pick the next person (ladder or shift), and record what
//! happened to each attempt. Both seed 003's Studio endpoints and the native voice flow call
//! these, so an incident reads the same whichever drove it.

use jiff::tz::TimeZone;
use serde_json::json;

use super::model::ladder::{self, Decision, LadderInput, LadderStep, OnCall, Target};
use super::model::{AttemptResult, Candidate, Hours, IncidentStatus, LineKind, shifts};
use super::store::incidents as store;
use super::store::lines::Line;
use super::store::{lines, roster};
use crate::accounts::OrgId;
use crate::app::AppState;
use crate::db::{Tx, dialect};
use crate::http::{AppError, AppResult};
use crate::with_tx;

/// The step name of a shift line's targets.
pub const SHIFT_STEP: &str = "shift";

pub fn line_tz(line: &Line) -> TimeZone {
    TimeZone::get(&line.time_zone).unwrap_or(TimeZone::UTC)
}

/// Starts an incident for a call to `line` from `caller`.
pub async fn open_incident(
    state: &AppState,
    org: OrgId,
    line: &Line,
    caller: &str,
    call_sid: Option<&str>,
    request: serde_json::Value,
) -> AppResult<i64> {
    let now = state.clock.now();
    let hours = line.business_hours.classify(&line_tz(line), now);
    let mut tx = state.db.begin().await?;
    let id = store::create(
        &mut tx,
        org,
        line.id,
        caller,
        call_sid,
        hours,
        now.as_millisecond(),
    )
    .await?;
    let detail = json!({ "line": line.id, "caller": caller, "callSid": call_sid, "hours": hours.as_str(), "request": request });
    store::add_event(&mut tx, org, id, "created", &detail, now.as_millisecond()).await?;
    tx.commit().await?;
    tracing::info!(
        incident.id = id,
        line.id = line.id,
        caller,
        hours = hours.as_str(),
        "[Twilio] incident created"
    );
    Ok(id)
}

/// Picks and records the next target of `incident_id`, or marks it exhausted. An attempt
/// still `dialing` (never reported) counts as attempted and is closed as no-answer.
pub async fn next_target(
    state: &AppState,
    org: OrgId,
    line: &Line,
    incident_id: i64,
    request: serde_json::Value,
) -> AppResult<Option<Target>> {
    let targets = next_targets(state, org, line, incident_id, request, false).await?;
    Ok(targets.into_iter().next())
}

/// Like [`next_target`], but on a shift line with `all` it picks everyone on shift not yet
/// attempted (to ring them at once), recording one attempt each. Empty = exhausted.
pub async fn next_targets(
    state: &AppState,
    org: OrgId,
    line: &Line,
    incident_id: i64,
    request: serde_json::Value,
    all: bool,
) -> AppResult<Vec<Target>> {
    let now = state.clock.now();
    let now_ms = now.as_millisecond();
    // Read everything about the line first: holding a SQLite write transaction while waiting
    // for a second pool connection starves the pool when many calls arrive at once.
    let roster = Roster::load(state, org, line).await?;
    let mut tx = state.db.begin().await?;
    let (_, incident) = store::lock(&mut tx, Some(org), incident_id).await?;
    store::add_event(
        &mut tx,
        org,
        incident_id,
        "next_target_request",
        &request,
        now_ms,
    )
    .await?;
    tracing::info!(
        incident.id = incident_id,
        line.id = line.id,
        "[Twilio] next-target request"
    );
    match incident.status() {
        IncidentStatus::Open => {}
        IncidentStatus::Exhausted => {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        IncidentStatus::Answered | IncidentStatus::Completed => {
            return Err(AppError::conflict(
                "incidentId",
                format!("incident {incident_id} was already answered"),
            ));
        }
    }
    let unreported = store::finish_dialing(
        &mut tx,
        incident_id,
        None,
        AttemptResult::NoAnswer,
        None,
        now_ms,
    )
    .await?;
    if unreported > 0 {
        store::add_event(
            &mut tx,
            org,
            incident_id,
            "unreported_attempt",
            &json!({ "treatedAs": "no-answer" }),
            now_ms,
        )
        .await?;
    }
    let attempts = store::attempts_in(&mut tx, incident_id).await?;
    let pool_position = match line.kind {
        LineKind::Ladder => {
            // The pool position is read and written in this transaction, locked on
            // Postgres, so two incidents escalating at once take different techs.
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT pool_position FROM hotline_lines WHERE id = $1{}",
                dialect::for_update(tx.kind())
            ));
            let position: i64 =
                with_tx!(&mut tx, c => sqlx::query_scalar(sql).bind(line.id).fetch_one(c).await)?;
            usize::try_from(position).unwrap_or(0)
        }
        LineKind::Shift => 0,
    };
    let decisions = roster.decide(line, incident.hours(), &attempts, pool_position, all);
    let targets = match decisions.first() {
        Some(Decision::Target(_)) => decisions
            .into_iter()
            .filter_map(|d| match d {
                Decision::Target(t) => Some(t),
                Decision::Exhausted => None,
            })
            .collect::<Vec<_>>(),
        _ => {
            store::set_status(&mut tx, incident_id, IncidentStatus::Exhausted, now_ms).await?;
            store::add_event(
                &mut tx,
                org,
                incident_id,
                "exhausted",
                &json!({ "attempts": attempts.len() }),
                now_ms,
            )
            .await?;
            tx.commit().await?;
            tracing::warn!(
                incident.id = incident_id,
                line.id = line.id,
                attempts = attempts.len(),
                "[Twilio] No more targets available"
            );
            return Ok(Vec::new());
        }
    };
    for target in &targets {
        record_target(&mut tx, org, line, incident_id, target, now_ms).await?;
    }
    tx.commit().await?;
    Ok(targets)
}

async fn record_target(
    tx: &mut Tx,
    org: OrgId,
    line: &Line,
    incident_id: i64,
    target: &Target,
    now_ms: i64,
) -> AppResult<()> {
    let step = step_name(line, target);
    store::add_attempt(
        tx,
        org,
        incident_id,
        step,
        Some(target.person_id),
        &target.name,
        &target.phone,
        now_ms,
    )
    .await?;
    if let Some(position) = target.next_pool_position {
        let sql = "UPDATE hotline_lines SET pool_position = $2 WHERE id = $1";
        with_tx!(&mut *tx, c => sqlx::query(sql).bind(line.id).bind(position as i64).execute(c).await.map(|r| r.rows_affected()))?;
    }
    let detail = json!({ "step": step, "personId": target.person_id, "name": target.name, "phone": target.phone, "timeoutSeconds": target.timeout_secs });
    store::add_event(tx, org, incident_id, "next_target", &detail, now_ms).await?;
    tracing::info!(
        incident.id = incident_id,
        line.id = line.id,
        step,
        phone = target.phone,
        person = target.name,
        "[Twilio] Next target"
    );
    Ok(())
}

fn step_name(line: &Line, target: &Target) -> &'static str {
    match line.kind {
        LineKind::Ladder => target.step.as_str(),
        LineKind::Shift => SHIFT_STEP,
    }
}

/// Everything a walk decision reads about a line, loaded before the incident's transaction.
struct Roster {
    people: Vec<Candidate>,
    business: Vec<LadderStep>,
    after: Vec<LadderStep>,
    pool: Vec<i64>,
    oncall: OnCall,
    /// Shift lines: who is on shift now, in ring order.
    on_shift: Vec<i64>,
}

impl Roster {
    async fn load(state: &AppState, org: OrgId, line: &Line) -> AppResult<Roster> {
        let db = &state.db;
        let people = roster::candidates(db, org).await?;
        match line.kind {
            LineKind::Ladder => Ok(Roster {
                people,
                business: lines::ladder(db, org, line.id, Hours::Business).await?,
                after: lines::ladder(db, org, line.id, Hours::After).await?,
                pool: lines::pool(db, org, line.id).await?,
                oncall: roster::oncall_at(db, org, line.id, state.clock.now_ms()).await?,
                on_shift: Vec::new(),
            }),
            LineKind::Shift => {
                let shift_list = roster::shifts(db, org, line.id).await?;
                let overrides = roster::overrides(db, org, line.id).await?;
                let on_shift =
                    shifts::on_shift(&shift_list, &overrides, &line_tz(line), state.clock.now());
                Ok(Roster {
                    people,
                    business: Vec::new(),
                    after: Vec::new(),
                    pool: Vec::new(),
                    oncall: OnCall::default(),
                    on_shift,
                })
            }
        }
    }

    /// The next target(s): the ladder's next person, or on a shift line the next person on
    /// shift (everyone not yet tried, with `all`). `[Exhausted]` when nobody is left.
    fn decide(
        &self,
        line: &Line,
        hours: Hours,
        attempts: &[store::Attempt],
        pool_position: usize,
        all: bool,
    ) -> Vec<Decision> {
        let prior: Vec<_> = attempts.iter().map(store::Attempt::prior).collect();
        match line.kind {
            LineKind::Ladder => {
                let steps = match hours {
                    Hours::Business => &self.business,
                    Hours::After => &self.after,
                };
                let input = LadderInput {
                    steps,
                    oncall: self.oncall,
                    people: &self.people,
                    pool: &self.pool,
                    pool_position: pool_position % self.pool.len().max(1),
                    attempts: &prior,
                };
                vec![ladder::next_target(&input)]
            }
            LineKind::Shift => {
                let picks = self.on_shift.iter().filter_map(|id| {
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

/// Someone answered at `phone`.
pub async fn answered(
    state: &AppState,
    org: Option<OrgId>,
    incident_id: i64,
    phone: &str,
    call_sid: Option<&str>,
    request: serde_json::Value,
) -> AppResult<()> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    let (org, incident) = store::lock(&mut tx, org, incident_id).await?;
    store::add_event(&mut tx, org, incident_id, "answered_request", &request, now).await?;
    store::finish_dialing(
        &mut tx,
        incident_id,
        Some(phone),
        AttemptResult::Answered,
        call_sid,
        now,
    )
    .await?;
    let attempts = store::attempts_in(&mut tx, incident_id).await?;
    let attempt = attempts.iter().rev().find(|a| a.phone == phone);
    if incident.status() == IncidentStatus::Open {
        store::set_answered(
            &mut tx,
            incident_id,
            attempt.and_then(|a| a.person_id),
            phone,
            now,
        )
        .await?;
    }
    let who = attempt.map_or("unknown", |a| a.person_name.as_str());
    store::add_event(
        &mut tx,
        org,
        incident_id,
        "answered",
        &json!({ "phone": phone, "name": who }),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        incident.id = incident_id,
        phone,
        person = who,
        "[Twilio] Call answered by"
    );
    Ok(())
}

/// The attempt to reach `phone` ended without an answer.
pub async fn attempt_failed(
    state: &AppState,
    org: Option<OrgId>,
    incident_id: i64,
    phone: &str,
    reason: AttemptResult,
    call_sid: Option<&str>,
    request: serde_json::Value,
) -> AppResult<()> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    let (org, _) = store::lock(&mut tx, org, incident_id).await?;
    store::add_event(
        &mut tx,
        org,
        incident_id,
        "attempt_failed_request",
        &request,
        now,
    )
    .await?;
    let changed =
        store::finish_dialing(&mut tx, incident_id, Some(phone), reason, call_sid, now).await?;
    store::add_event(
        &mut tx,
        org,
        incident_id,
        "attempt_failed",
        &json!({ "phone": phone, "reason": reason.as_str(), "matched": changed }),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        incident.id = incident_id,
        phone,
        reason = reason.as_str(),
        "[Twilio] attempt failed"
    );
    Ok(())
}

/// The call ended after `duration` seconds.
pub async fn completed(
    state: &AppState,
    org: Option<OrgId>,
    incident_id: i64,
    duration: Option<i64>,
    request: serde_json::Value,
) -> AppResult<()> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    let (org, _) = store::lock(&mut tx, org, incident_id).await?;
    store::add_event(
        &mut tx,
        org,
        incident_id,
        "completed_request",
        &request,
        now,
    )
    .await?;
    store::finish_dialing(
        &mut tx,
        incident_id,
        None,
        AttemptResult::NoAnswer,
        None,
        now,
    )
    .await?;
    store::set_ended(&mut tx, incident_id, duration, now).await?;
    store::add_event(
        &mut tx,
        org,
        incident_id,
        "completed",
        &json!({ "duration": duration }),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        incident.id = incident_id,
        duration,
        "[Twilio] call completed"
    );
    Ok(())
}

/// Which ladder applies now on `line` (for the dashboard's "on call now").
pub fn hours_now(state: &AppState, line: &Line) -> Hours {
    line.business_hours
        .classify(&line_tz(line), state.clock.now())
}
