//! The escalation ladder (the on-call routing API): which person to ring next for an incident.
//!
//! Business hours: primary on call, secondary, each admin, each manager. After hours: primary,
//! secondary, each manager, each admin, then the next few techs of the line's rotating pool.
//! Excluded at every step: unavailable, inactive, no phone, already attempted in this incident.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Candidate, Hours};
use crate::accounts::Role;
use crate::ids::PersonId;

crate::text_enum! {
    /// A rung of a ladder; the texts are the names the routing API reports (`stepName`).
    pub enum StepKind {
        PrimaryOncall = "primary_oncall",
        Secondary = "secondary",
        Admin = "admin",
        Manager = "manager",
        RotatingPool = "rotating_pool",
    }
}

/// One rung of a ladder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct LadderStep {
    pub kind: StepKind,
    /// How long each person of this step rings.
    #[sqlx(try_from = "i64")]
    pub timeout_secs: u32,
    /// For `rotating_pool`: how many eligible techs of the pool to try per incident.
    #[sqlx(try_from = "i64")]
    pub pool_size: u32,
}

pub const DEFAULT_TIMEOUT_SECS: u32 = 30;
pub const DEFAULT_POOL_SIZE: u32 = 3;

/// The on-call routing API's two ladders.
pub fn default_ladder(hours: Hours) -> Vec<LadderStep> {
    let kinds: &[StepKind] = match hours {
        Hours::Business => &[
            StepKind::PrimaryOncall,
            StepKind::Secondary,
            StepKind::Admin,
            StepKind::Manager,
        ],
        Hours::After => &[
            StepKind::PrimaryOncall,
            StepKind::Secondary,
            StepKind::Manager,
            StepKind::Admin,
            StepKind::RotatingPool,
        ],
    };
    kinds
        .iter()
        .map(|&kind| LadderStep {
            kind,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            pool_size: DEFAULT_POOL_SIZE,
        })
        .collect()
}

/// Who is on call for the line at the incident's time.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OnCall {
    pub primary: Option<PersonId>,
    pub secondary: Option<PersonId>,
}

/// An earlier attempt in this incident.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PriorAttempt {
    pub person_id: Option<PersonId>,
    pub step: Option<StepKind>,
}

pub struct LadderInput<'a> {
    pub steps: &'a [LadderStep],
    pub oncall: OnCall,
    pub people: &'a [Candidate],
    /// The line's rotating pool, in order.
    pub pool: &'a [PersonId],
    /// Index in `pool` of the next tech to try; carries over between incidents.
    pub pool_position: usize,
    pub attempts: &'a [PriorAttempt],
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub step: StepKind,
    pub person_id: PersonId,
    pub name: String,
    pub phone: String,
    pub timeout_secs: u32,
    /// When the target came from the pool: the pool position to store for the next pick.
    pub next_pool_position: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    Target(Target),
    Exhausted,
}

/// The next person to ring, or `Exhausted`.
pub fn next_target(input: &LadderInput) -> Decision {
    let attempted = |id: PersonId| input.attempts.iter().any(|a| a.person_id == Some(id));
    let eligible = |id: PersonId| -> Option<&Candidate> {
        input
            .people
            .iter()
            .find(|p| p.person_id == id)
            .filter(|p| p.reachable() && !attempted(id))
    };
    let target = |step: &LadderStep, c: &Candidate, next_pool_position| Target {
        step: step.kind,
        person_id: c.person_id,
        name: c.name.clone(),
        phone: c.phone.clone().unwrap_or_default(),
        timeout_secs: step.timeout_secs,
        next_pool_position,
    };
    for step in input.steps {
        let found = match step.kind {
            StepKind::PrimaryOncall => input
                .oncall
                .primary
                .and_then(eligible)
                .map(|c| target(step, c, None)),
            StepKind::Secondary => input
                .oncall
                .secondary
                .and_then(eligible)
                .map(|c| target(step, c, None)),
            StepKind::Admin => by_role(input.people, &[Role::Admin, Role::Owner])
                .find_map(eligible)
                .map(|c| target(step, c, None)),
            StepKind::Manager => by_role(input.people, &[Role::Manager])
                .find_map(eligible)
                .map(|c| target(step, c, None)),
            StepKind::RotatingPool => {
                next_from_pool(input, step, &eligible).map(|(c, next)| target(step, c, Some(next)))
            }
        };
        if let Some(t) = found {
            return Decision::Target(t);
        }
    }
    Decision::Exhausted
}

fn by_role<'a>(people: &'a [Candidate], roles: &'a [Role]) -> impl Iterator<Item = PersonId> + 'a {
    let mut ids: Vec<PersonId> = people
        .iter()
        .filter(|p| roles.contains(&p.role))
        .map(|p| p.person_id)
        .collect();
    ids.sort_unstable();
    ids.into_iter()
}

/// The next eligible pool member from the line's position, unless this incident has already
/// had its `pool_size` pool attempts. Returns the member and the position after it.
fn next_from_pool<'a>(
    input: &'a LadderInput,
    step: &LadderStep,
    eligible: &dyn Fn(PersonId) -> Option<&'a Candidate>,
) -> Option<(&'a Candidate, usize)> {
    let tried = input
        .attempts
        .iter()
        .filter(|a| a.step == Some(StepKind::RotatingPool))
        .count();
    if input.pool.is_empty() || tried >= step.pool_size as usize {
        return None;
    }
    let n = input.pool.len();
    (0..n)
        .map(|k| (input.pool_position + k) % n)
        .find_map(|i| eligible(input.pool[i]).map(|c| (c, (i + 1) % n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::hotline::model::fixtures::demo_people as demo;

    const POOL: [PersonId; 6] = [
        PersonId::new(17),
        PersonId::new(18),
        PersonId::new(19),
        PersonId::new(20),
        PersonId::new(21),
        PersonId::new(22),
    ];

    /// Walks the ladder to the end, everyone failing; returns (step, person) in order and the
    /// final pool position.
    fn walk(hours: Hours, pool_position: usize) -> (Vec<(&'static str, i64)>, usize) {
        let steps = default_ladder(hours);
        let people = demo();
        let mut attempts = Vec::new();
        let mut order = Vec::new();
        let mut position = pool_position;
        let oncall = OnCall {
            primary: Some(PersonId::new(11)),
            secondary: Some(PersonId::new(12)),
        };
        loop {
            let input = LadderInput {
                steps: &steps,
                oncall,
                people: &people,
                pool: &POOL,
                pool_position: position,
                attempts: &attempts,
            };
            match next_target(&input) {
                Decision::Target(t) => {
                    order.push((t.step.as_str(), t.person_id.get()));
                    attempts.push(PriorAttempt {
                        person_id: Some(t.person_id),
                        step: Some(t.step),
                    });
                    if let Some(p) = t.next_pool_position {
                        position = p;
                    }
                }
                Decision::Exhausted => return (order, position),
            }
        }
    }

    #[test]
    fn business_hours_walk_primary_secondary_admins_then_managers() {
        let (order, _) = walk(Hours::Business, 0);
        assert_eq!(
            order,
            vec![
                ("primary_oncall", 11),
                ("secondary", 12),
                ("admin", 13),
                ("manager", 15),
                ("manager", 16)
            ]
        );
    }

    #[test]
    fn after_hours_walk_managers_before_admins_then_three_pool_techs() {
        let (order, position) = walk(Hours::After, 0);
        assert_eq!(
            order,
            vec![
                ("primary_oncall", 11),
                ("secondary", 12),
                ("manager", 15),
                ("manager", 16),
                ("admin", 13),
                ("rotating_pool", 17),
                ("rotating_pool", 18),
                ("rotating_pool", 20),
            ]
        );
        assert_eq!(position, 4, "the next incident starts after Linus");
    }

    #[test]
    fn the_pool_position_carries_over_and_wraps_around() {
        let (order, position) = walk(Hours::After, 4);
        let pool: Vec<i64> = order
            .iter()
            .filter(|(s, _)| *s == "rotating_pool")
            .map(|(_, p)| *p)
            .collect();
        assert_eq!(
            pool,
            vec![22, 17, 18],
            "Radia, then around to Ken and Dennis"
        );
        assert_eq!(position, 2);
    }

    #[test]
    fn unavailable_inactive_phoneless_and_attempted_people_are_skipped() {
        let mut people = demo();
        people[0].available = false; // Ada
        people[1].phone = None; // Grace
        let steps = default_ladder(Hours::Business);
        let attempts = [PriorAttempt {
            person_id: Some(PersonId::new(13)),
            step: Some(StepKind::Admin),
        }];
        let input = LadderInput {
            steps: &steps,
            oncall: OnCall {
                primary: Some(PersonId::new(11)),
                secondary: Some(PersonId::new(12)),
            },
            people: &people,
            pool: &POOL,
            pool_position: 0,
            attempts: &attempts,
        };
        let Decision::Target(t) = next_target(&input) else {
            panic!("someone is left")
        };
        assert_eq!((t.step, t.person_id.get()), (StepKind::Manager, 15));
    }

    #[test]
    fn nobody_on_call_and_nobody_eligible_is_exhausted() {
        let steps = default_ladder(Hours::Business);
        let input = LadderInput {
            steps: &steps,
            oncall: OnCall::default(),
            people: &[],
            pool: &[],
            pool_position: 0,
            attempts: &[],
        };
        assert_eq!(next_target(&input), Decision::Exhausted);
    }

    #[test]
    fn a_custom_step_timeout_is_reported_with_the_target() {
        let steps = vec![LadderStep {
            kind: StepKind::Manager,
            timeout_secs: 12,
            pool_size: 3,
        }];
        let people = demo();
        let input = LadderInput {
            steps: &steps,
            oncall: OnCall::default(),
            people: &people,
            pool: &[],
            pool_position: 0,
            attempts: &[],
        };
        let Decision::Target(t) = next_target(&input) else {
            panic!()
        };
        assert_eq!(
            (t.person_id.get(), t.timeout_secs, t.phone.as_str()),
            (15, 12, "+15005550115")
        );
    }
}
