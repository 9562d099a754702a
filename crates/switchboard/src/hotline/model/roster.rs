//! Everything that decides whom a line rings, as values: its people, ladders, rotating pool,
//! on-call periods, shifts and overrides; and the rule that picks the next people to ring.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ladder::{self, Decision, LadderInput, LadderStep, OnCall, PriorAttempt, Target};
use super::line::Line;
use super::{Candidate, Hours, LineKind, Override, Shift, shifts};
use crate::ids::PersonId;

/// An on-call period: who is primary and secondary from `starts_at` to `ends_at`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct OnCallPeriod {
    pub id: i64,
    pub primary_person_id: Option<PersonId>,
    pub secondary_person_id: Option<PersonId>,
    /// Epoch milliseconds.
    pub starts_at: i64,
    pub ends_at: i64,
}

/// Who is on call at `at` among `periods`: the latest-starting period covering it wins, so a
/// short swap placed over a weekly rotation takes effect.
pub fn oncall_in(periods: &[OnCallPeriod], at: i64) -> OnCall {
    periods
        .iter()
        .filter(|p| p.starts_at <= at && at < p.ends_at)
        .max_by_key(|p| (p.starts_at, p.id))
        .map(|p| OnCall {
            primary: p.primary_person_id,
            secondary: p.secondary_person_id,
        })
        .unwrap_or_default()
}

/// What a walk reads about a line besides its settings. It holds no answer that depends on
/// the time (who is on call or on shift is worked out at each decision), so it can be kept
/// until the roster changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Roster {
    pub people: Vec<Candidate>,
    pub business: Vec<LadderStep>,
    pub after: Vec<LadderStep>,
    pub pool: Vec<PersonId>,
    /// Ladder lines.
    pub oncall: Vec<OnCallPeriod>,
    /// Shift lines.
    pub shifts: Vec<Shift>,
    pub overrides: Vec<Override>,
}

impl Roster {
    /// The next people to ring on `line` for an incident of `hours` that has already tried
    /// `prior`: the ladder's next person, or on a shift line the next person on shift
    /// (everyone on shift not yet tried, with `all`). Empty when nobody is left.
    pub fn next_targets(
        &self,
        line: &Line,
        hours: Hours,
        prior: &[PriorAttempt],
        all: bool,
        now: Timestamp,
    ) -> Vec<Target> {
        match line.kind {
            LineKind::Ladder => {
                let steps = match hours {
                    Hours::Business => &self.business,
                    Hours::After => &self.after,
                };
                let input = LadderInput {
                    steps,
                    oncall: oncall_in(&self.oncall, now.as_millisecond()),
                    people: &self.people,
                    pool: &self.pool,
                    pool_position: usize::try_from(line.pool_position).unwrap_or(0)
                        % self.pool.len().max(1),
                    attempts: prior,
                };
                match ladder::next_target(&input) {
                    Decision::Target(t) => vec![t],
                    Decision::Exhausted => Vec::new(),
                }
            }
            LineKind::Shift => {
                let on_shift =
                    shifts::on_shift(&self.shifts, &self.overrides, line.time_zone.tz(), now);
                on_shift
                    .iter()
                    .filter_map(|id| {
                        self.people.iter().find(|p| {
                            p.person_id == *id
                                && p.reachable()
                                && !prior.iter().any(|a| a.person_id == Some(*id))
                        })
                    })
                    .take(if all { usize::MAX } else { 1 })
                    .map(|p| Target {
                        step: ladder::StepKind::PrimaryOncall,
                        person_id: p.person_id,
                        name: p.name.clone(),
                        phone: p.phone.clone().unwrap_or_default(),
                        timeout_secs: line.ring_timeout_secs,
                        next_pool_position: None,
                    })
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(id: i64, primary: i64, starts_at: i64, ends_at: i64) -> OnCallPeriod {
        OnCallPeriod {
            id,
            primary_person_id: Some(PersonId::new(primary)),
            secondary_person_id: None,
            starts_at,
            ends_at,
        }
    }

    #[test]
    fn the_latest_starting_period_covering_the_instant_is_on_call() {
        let periods = [period(1, 10, 0, 1_000), period(2, 30, 150, 160)];
        assert_eq!(oncall_in(&periods, 50).primary, Some(PersonId::new(10)));
        assert_eq!(oncall_in(&periods, 155).primary, Some(PersonId::new(30)));
        assert_eq!(oncall_in(&periods, 1_000), OnCall::default());
    }
}
