//! The transitions: what each [`Command`] does to an incident.

use serde_json::json;

use super::{
    Applied, Attempt, AttemptStep, Command, DialOutcome, Effect, IncidentState, Refusal, Situation,
};
use crate::hotline::model::{AttemptResult, IncidentStatus};

mod voicemail;

/// How long a voicemail waits for its transcription before it is emailed without one.
pub const TRANSCRIPTION_WAIT_MS: i64 = 10 * 60 * 1000;

/// Applies `command` to `state`. `request` is the JSON the audit trail keeps of the request
/// that carried the command. A command that changes nothing returns `state` as it was and no
/// effects.
pub fn apply(
    state: &IncidentState,
    command: &Command,
    request: &str,
    at: &Situation,
) -> Result<Applied, Refusal> {
    let mut m = Machine {
        state: state.clone(),
        effects: Vec::new(),
        request,
        at,
        now: at.now.as_millisecond(),
    };
    match command {
        Command::Incoming => {
            if m.never_walked() {
                m.walk(at.line.rings_all());
            }
        }
        Command::FirstTarget => {
            m.refuse_if_answered()?;
            if m.never_walked() || m.state.ringing().next().is_none() {
                m.walk(false);
            }
        }
        Command::NextTarget => {
            m.refuse_if_answered()?;
            m.walk(false);
        }
        Command::DialResult {
            round,
            outcome,
            dial_call_sid,
            duration_secs,
        } => {
            // A result for an earlier round is Twilio retrying an action whose answer it lost.
            if round.is_none_or(|r| r >= m.state.incident.round) {
                m.dial_result(*outcome, dial_call_sid.as_deref(), *duration_secs);
            }
        }
        Command::Answered { phone, call_sid } => m.answered(phone, call_sid.as_deref()),
        Command::AttemptFailed {
            phone,
            reason,
            call_sid,
        } => m.attempt_failed(phone, *reason, call_sid.as_deref()),
        Command::Completed { duration_secs } => m.completed(*duration_secs),
        Command::CallEnded => m.completed(None),
        Command::WhisperAccepted { phone, leg_sid } => {
            let incident = &m.state.incident;
            if incident.status == IncidentStatus::Open && incident.answered_at.is_none() {
                m.answered(phone, leg_sid.as_deref());
            }
        }
        Command::WhisperDeclined { phone, leg_sid } => {
            m.whisper_declined(phone, leg_sid.as_deref())
        }
        Command::Recording { url, sid, secs } => m.recording(url, sid, *secs),
        Command::Transcription { status, text } => m.transcription(*status, text.as_deref()),
        Command::TranscriptionOverdue => m.transcription_overdue(),
    }
    Ok(Applied {
        state: m.state,
        effects: m.effects,
    })
}

struct Machine<'a> {
    state: IncidentState,
    effects: Vec<Effect>,
    request: &'a str,
    at: &'a Situation<'a>,
    now: i64,
}

impl Machine<'_> {
    fn event(&mut self, kind: &'static str, detail: String) {
        self.effects.push(Effect::Event { kind, detail });
    }

    fn request_event(&mut self, kind: &'static str) {
        self.event(kind, self.request.to_string());
    }

    fn never_walked(&self) -> bool {
        self.state.incident.round == 0 && self.state.incident.status == IncidentStatus::Open
    }

    fn refuse_if_answered(&self) -> Result<(), Refusal> {
        match self.state.incident.status {
            IncidentStatus::Answered | IncidentStatus::Completed => {
                Err(Refusal::AlreadyAnswered(self.state.incident.id))
            }
            IncidentStatus::Open | IncidentStatus::Exhausted => Ok(()),
        }
    }

    /// Ends the attempts still ringing (to `phone` only, when given) with `result`. Returns
    /// how many ended.
    fn finish_ringing(
        &mut self,
        phone: Option<&str>,
        result: AttemptResult,
        call_sid: Option<&str>,
    ) -> usize {
        let now = self.now;
        let mut ended = 0;
        for a in &mut self.state.attempts {
            if a.result == AttemptResult::Dialing && phone.is_none_or(|p| a.phone == p) {
                a.result = result;
                a.ended_at = Some(now);
                if let Some(sid) = call_sid {
                    a.call_sid = Some(sid.to_string());
                }
                ended += 1;
            }
        }
        ended
    }

    /// A round: the next people to ring, or nobody left (exhausted). Attempts never reported
    /// count as no answer. An exhausted incident stays as it is.
    fn walk(&mut self, all: bool) {
        if self.state.incident.status != IncidentStatus::Open {
            return;
        }
        self.request_event("next_target_request");
        if self.finish_ringing(None, AttemptResult::NoAnswer, None) > 0 {
            self.event(
                "unreported_attempt",
                json!({ "treatedAs": "no-answer" }).to_string(),
            );
        }
        let Situation { line, roster, now } = self.at;
        let prior = self.state.prior_attempts();
        let targets = roster.next_targets(line, self.state.incident.hours, &prior, all, *now);
        self.state.incident.round += 1;
        if targets.is_empty() {
            self.state.incident.status = IncidentStatus::Exhausted;
            self.event("exhausted", json!({ "attempts": prior.len() }).to_string());
            return;
        }
        for t in targets {
            let step = AttemptStep::of(line.kind, t.step);
            self.state.attempts.push(Attempt {
                round: self.state.incident.round,
                step,
                person_id: Some(t.person_id),
                person_name: t.name.clone(),
                phone: t.phone.clone(),
                timeout_secs: i64::from(t.timeout_secs),
                result: AttemptResult::Dialing,
                call_sid: None,
                started_at: self.now,
                ended_at: None,
            });
            if let Some(position) = t.next_pool_position {
                self.effects.push(Effect::MovePool {
                    position: position as i64,
                });
            }
            let detail = json!({ "step": step, "personId": t.person_id, "name": t.name,
                "phone": t.phone, "timeoutSeconds": t.timeout_secs });
            self.event("next_target", detail.to_string());
        }
    }

    fn dial_result(
        &mut self,
        outcome: DialOutcome,
        dial_call_sid: Option<&str>,
        duration: Option<i64>,
    ) {
        match outcome {
            DialOutcome::Bridged => {
                // The whisper's "1" normally records the answer; this covers a dial without
                // one, even when the caller's end was reported first (and closed the round).
                if self.state.incident.answered_at.is_none() {
                    let round = self.state.incident.round;
                    let rung: Vec<&Attempt> = self
                        .state
                        .attempts
                        .iter()
                        .filter(|a| {
                            a.round == round
                                && matches!(
                                    a.result,
                                    AttemptResult::Dialing | AttemptResult::NoAnswer
                                )
                        })
                        .collect();
                    let by_sid = rung
                        .iter()
                        .find(|a| a.call_sid.is_some() && a.call_sid.as_deref() == dial_call_sid);
                    if let Some(phone) = by_sid.or(rung.first()).map(|a| a.phone.clone()) {
                        self.answered(&phone, dial_call_sid);
                    }
                }
                self.completed(duration);
            }
            DialOutcome::NotTaken(reason) => {
                if self.state.incident.status != IncidentStatus::Open {
                    return;
                }
                let ringing: Vec<String> = self.state.ringing().map(|a| a.phone.clone()).collect();
                // One DialCallSid names the leg only when a single number was dialled.
                let sid = if ringing.len() == 1 {
                    dial_call_sid
                } else {
                    None
                };
                for phone in &ringing {
                    self.attempt_failed(phone, reason, sid);
                }
                if !ringing.is_empty() && self.state.incident.ended_at.is_none() {
                    self.walk(self.at.line.rings_all());
                }
            }
        }
    }

    /// Someone answered at `phone`: the first answer is the incident's; a second report of
    /// it changes nothing. An answer reported after the call's end still counts.
    fn answered(&mut self, phone: &str, call_sid: Option<&str>) {
        let now = self.now;
        let mut changed = false;
        let attempt = self
            .state
            .attempts
            .iter_mut()
            .rev()
            .find(|a| a.phone == phone);
        let who = attempt
            .as_ref()
            .map(|a| (a.person_id, a.person_name.clone()));
        if let Some(a) = attempt
            && matches!(a.result, AttemptResult::Dialing | AttemptResult::NoAnswer)
        {
            a.result = AttemptResult::Answered;
            a.ended_at = a.ended_at.or(Some(now));
            if a.call_sid.is_none() {
                a.call_sid = call_sid.map(str::to_string);
            }
            changed = true;
        }
        let incident = &mut self.state.incident;
        if incident.answered_at.is_none() {
            incident.answered_person_id = who.as_ref().and_then(|(id, _)| *id);
            incident.answered_phone = Some(phone.to_string());
            incident.answered_at = Some(now);
            incident.status = if incident.ended_at.is_some() {
                IncidentStatus::Completed
            } else {
                IncidentStatus::Answered
            };
            changed = true;
        }
        if changed {
            let name = who.map_or_else(|| "unknown".to_string(), |(_, name)| name);
            self.request_event("answered_request");
            self.event(
                "answered",
                json!({ "phone": phone, "name": name }).to_string(),
            );
        }
    }

    /// The attempt to reach `phone` ended without an answer; a second report finds nothing
    /// ringing and changes nothing.
    fn attempt_failed(&mut self, phone: &str, reason: AttemptResult, call_sid: Option<&str>) {
        let matched = self.finish_ringing(Some(phone), reason, call_sid);
        if matched > 0 {
            self.request_event("attempt_failed_request");
            let detail = json!({ "phone": phone, "reason": reason, "matched": matched });
            self.event("attempt_failed", detail.to_string());
        }
    }

    /// The call is over. The first end is the incident's end, and the first duration
    /// reported is its duration; attempts still ringing count as no answer.
    fn completed(&mut self, duration: Option<i64>) {
        let now = self.now;
        let mut changed = false;
        if self.state.incident.ended_at.is_none() {
            self.finish_ringing(None, AttemptResult::NoAnswer, None);
            let incident = &mut self.state.incident;
            incident.ended_at = Some(now);
            if incident.status == IncidentStatus::Answered {
                incident.status = IncidentStatus::Completed;
            }
            changed = true;
        }
        let incident = &mut self.state.incident;
        if duration.is_some() && incident.duration_secs.is_none() {
            incident.duration_secs = duration;
            changed = true;
        }
        if changed {
            self.request_event("completed_request");
            self.event("completed", json!({ "duration": duration }).to_string());
        }
    }

    fn whisper_declined(&mut self, phone: &str, leg_sid: Option<&str>) {
        let round = self.state.incident.round;
        let attempt =
            self.state.attempts.iter_mut().find(|a| {
                a.round == round && a.result == AttemptResult::Dialing && a.phone == phone
            });
        if let Some(a) = attempt
            && (leg_sid.is_none() || a.call_sid.as_deref() != leg_sid)
        {
            a.call_sid = leg_sid.map(str::to_string).or(a.call_sid.take());
            self.request_event("whisper_declined");
        }
    }
}
