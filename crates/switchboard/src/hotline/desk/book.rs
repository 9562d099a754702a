//! One batch of the desk: what it read, the incidents as its requests change them, and what
//! it writes back.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use super::{DeskError, LineRef, Outcome, Request, Target};
use crate::db::WriteTx;
use crate::error::{Invalid, StoreError, StoreResult};
use crate::hotline::model::LineKind;
use crate::hotline::model::incident::{self, Effect, IncidentState, Situation};
use crate::hotline::model::roster::Roster;
use crate::hotline::store::batch::{self, AttemptRow, Changes, EventRow, IncidentRow};
use crate::hotline::store::batch::{Loaded, LoadedLine, PoolMove, Wanted};
use crate::hotline::store::voicemail;
use crate::ids::{IncidentId, LineId, OrgId};
use crate::notify::{self, Email};

pub(super) struct Book {
    incidents: BTreeMap<IncidentId, Entry>,
    lines: BTreeMap<LineId, LoadedLine>,
    moved_pools: BTreeSet<LineId>,
    effects: Vec<(OrgId, IncidentId, Effect)>,
    fresh_ids: std::vec::IntoIter<IncidentId>,
}

/// An incident of the batch: as read (`None` when the batch opened it) and as it is now.
struct Entry {
    org: OrgId,
    read: Option<Loaded>,
    state: IncidentState,
}

impl Book {
    /// Reads the incidents and lines `requests` name, the lines of those incidents, and an id
    /// for each incident the batch may open.
    pub(super) async fn load(tx: &mut WriteTx, requests: &[Request]) -> StoreResult<Book> {
        let mut wanted = Wanted::default();
        for request in requests {
            match &request.target {
                Target::Incident { id, line } => {
                    wanted.incidents.insert(*id);
                    wanted.lines.extend(*line);
                }
                Target::CallSid(sid) => {
                    wanted.call_sids.insert(sid.clone());
                }
                Target::Call { line, call_sid, .. } => {
                    wanted.call_sids.extend(call_sid.clone());
                    wanted.openings += 1;
                    match line {
                        LineRef::Id(id) => {
                            wanted.lines.insert(*id);
                        }
                        LineRef::Number(number) => {
                            wanted.numbers.insert(number.clone());
                        }
                        LineRef::OnlyLadder => wanted.only_ladder = true,
                    }
                }
            }
        }
        let snapshot = batch::load(tx, &wanted).await?;
        Ok(Book {
            incidents: snapshot
                .incidents
                .into_iter()
                .map(|l| {
                    let entry = Entry {
                        org: l.org,
                        state: l.state.clone(),
                        read: Some(l),
                    };
                    (entry.state.incident.id, entry)
                })
                .collect(),
            lines: snapshot.lines.into_iter().map(|l| (l.line.id, l)).collect(),
            moved_pools: BTreeSet::new(),
            effects: Vec::new(),
            fresh_ids: snapshot.fresh_ids.into_iter(),
        })
    }

    pub(super) fn lines(&self) -> impl Iterator<Item = &LoadedLine> {
        self.lines.values()
    }

    /// Applies one request to the batch's incidents. A refused request changes nothing.
    pub(super) fn apply<'r>(
        &mut self,
        request: &Request,
        roster_of: impl Fn(LineId) -> Option<&'r Roster>,
        now: Timestamp,
    ) -> Result<Outcome, DeskError> {
        let (org, line_id, state, opened) = self.resolve(request, now)?;
        let loaded = self
            .lines
            .get(&line_id)
            .ok_or(StoreError::NotFound("line"))?;
        let roster = roster_of(line_id).ok_or(StoreError::NotFound("line"))?;
        let at = Situation {
            line: &loaded.line,
            roster,
            now,
        };
        let applied = incident::apply(&state, &request.command, &request.request, &at)?;
        let id = applied.state.incident.id;
        if opened {
            let created = incident::created(&applied.state, &loaded.line, &request.request);
            self.effects.push((org, id, created));
        }
        for effect in applied.effects {
            match effect {
                Effect::MovePool { position } => {
                    if let Some(line) = self.lines.get_mut(&line_id) {
                        line.line.pool_position = position;
                        self.moved_pools.insert(line_id);
                    }
                }
                other => self.effects.push((org, id, other)),
            }
        }
        let line = self.lines[&line_id].line.clone();
        let entry = self.incidents.entry(id).or_insert_with(|| Entry {
            org,
            read: None,
            state: applied.state.clone(),
        });
        entry.state = applied.state;
        Ok(Outcome {
            org,
            line,
            state: entry.state.clone(),
        })
    }

    /// The organisation, line and current state of the incident `request` is about; a new
    /// incident (`true`) for a call the line has not seen.
    fn resolve(
        &mut self,
        request: &Request,
        now: Timestamp,
    ) -> Result<(OrgId, LineId, IncidentState, bool), DeskError> {
        let allowed = |org: OrgId| request.org.is_none_or(|o| o == org);
        match &request.target {
            Target::Incident { id, line } => {
                if let Some(line) = line {
                    let found = self.lines.get(line).filter(|l| allowed(l.org));
                    found.ok_or(StoreError::NotFound("line"))?;
                }
                let entry = self
                    .incidents
                    .get(id)
                    .filter(|e| allowed(e.org))
                    .ok_or(StoreError::NotFound("incident"))?;
                let on = entry.state.incident.line_id;
                if line.is_some_and(|l| l != on) {
                    let message = format!("incident {id} belongs to another line");
                    return Err(Invalid::new("incidentId", message).into());
                }
                Ok((entry.org, on, entry.state.clone(), false))
            }
            Target::CallSid(sid) => {
                let entry = self
                    .latest_of_call(sid, None)
                    .filter(|e| allowed(e.org))
                    .ok_or(StoreError::NotFound("incident"))?;
                Ok((
                    entry.org,
                    entry.state.incident.line_id,
                    entry.state.clone(),
                    false,
                ))
            }
            Target::Call {
                line,
                caller,
                call_sid,
            } => {
                let line = self
                    .line(line)
                    .filter(|l| allowed(l.org))
                    .ok_or(StoreError::NotFound("line"));
                let (org, line) = match line {
                    Ok(l) => (l.org, l.line.clone()),
                    Err(e) => return Err(self.several_ladders().map_or(e.into(), Into::into)),
                };
                if let Some(sid) = call_sid
                    && let Some(entry) = self.latest_of_call(sid, Some(line.id))
                {
                    return Ok((entry.org, line.id, entry.state.clone(), false));
                }
                let id = self.fresh_ids.next().ok_or_else(|| {
                    StoreError::Other(anyhow::anyhow!("no incident id was reserved for a call"))
                })?;
                let state = IncidentState::open(id, &line, caller, call_sid.as_deref(), now);
                Ok((org, line.id, state, true))
            }
        }
    }

    fn line(&self, line: &LineRef) -> Option<&LoadedLine> {
        match line {
            LineRef::Id(id) => self.lines.get(id),
            LineRef::Number(number) => self.lines.values().find(|l| &l.line.phone_number == number),
            LineRef::OnlyLadder => {
                let mut ladders = self
                    .lines
                    .values()
                    .filter(|l| l.line.kind == LineKind::Ladder);
                match (ladders.next(), ladders.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            }
        }
    }

    /// The error for a Studio request that names no line when several ladder lines exist.
    fn several_ladders(&self) -> Option<Invalid> {
        let ladders = self
            .lines
            .values()
            .filter(|l| l.line.kind == LineKind::Ladder);
        (ladders.count() > 1).then(|| {
            Invalid::new(
                "line",
                "several ladder lines exist; add ?line=<id> to the URL",
            )
        })
    }

    /// The call's latest incident (on `line`, when given), read or opened in this batch.
    fn latest_of_call(&self, call_sid: &str, line: Option<LineId>) -> Option<&Entry> {
        self.incidents.values().rev().find(|e| {
            e.state.incident.call_sid.as_deref() == Some(call_sid)
                && line.is_none_or(|l| e.state.incident.line_id == l)
        })
    }

    /// Whether writing the batch queues jobs (a voicemail's email or deadline): their store
    /// functions need the pool's transaction.
    pub(super) fn queues_jobs(&self) -> bool {
        self.effects.iter().any(|(_, _, effect)| {
            matches!(
                effect,
                Effect::Email { .. } | Effect::AwaitTranscription { .. }
            )
        })
    }

    /// Writes what the batch changed, and queues its jobs (see [`Book::queues_jobs`]).
    pub(super) async fn write(&self, tx: &mut WriteTx, now: i64) -> StoreResult<()> {
        let mut changes = Changes::default();
        for entry in self.incidents.values() {
            let (org, incident) = (entry.org, &entry.state.incident);
            let row = IncidentRow {
                org_id: org,
                incident,
                updated_at: now,
            };
            let (read_attempts, ids) = match &entry.read {
                None => {
                    changes.new_incidents.push(row);
                    (&[][..], &[][..])
                }
                Some(read) => {
                    if read.state.incident != *incident {
                        changes.changed_incidents.push(row);
                    }
                    (&read.state.attempts[..], &read.attempt_ids[..])
                }
            };
            for (i, attempt) in entry.state.attempts.iter().enumerate() {
                let row = AttemptRow {
                    id: ids.get(i).copied(),
                    org_id: org,
                    incident_id: incident.id,
                    attempt,
                };
                match read_attempts.get(i) {
                    None => changes.new_attempts.push(row),
                    Some(before) if before != attempt => changes.changed_attempts.push(row),
                    Some(_) => {}
                }
            }
        }
        for (org, id, effect) in &self.effects {
            if let Effect::Event { kind, detail } = effect {
                changes.events.push(EventRow {
                    org_id: *org,
                    incident_id: *id,
                    kind,
                    detail,
                    created_at: now,
                });
            }
        }
        changes.pool_moves = self
            .moved_pools
            .iter()
            .map(|id| PoolMove {
                id: *id,
                pool_position: self.lines[id].line.pool_position,
            })
            .collect();
        batch::write(tx, &changes).await?;
        if !self.queues_jobs() {
            return Ok(());
        }
        let tx = tx.pooled().ok_or_else(|| {
            anyhow::anyhow!("a batch that queues jobs needs the pool's transaction")
        })?;
        for (org, id, effect) in &self.effects {
            match effect {
                Effect::Email { to, subject, body } => {
                    for to in to {
                        let email = Email {
                            to: to.clone(),
                            subject: subject.clone(),
                            body: body.clone(),
                        };
                        notify::queue(tx, Some(*org), &email, now).await?;
                    }
                }
                Effect::AwaitTranscription { at } => {
                    voicemail::await_transcription(tx, *org, *id, *at, now).await?;
                }
                Effect::Event { .. } | Effect::MovePool { .. } => {}
            }
        }
        Ok(())
    }
}
