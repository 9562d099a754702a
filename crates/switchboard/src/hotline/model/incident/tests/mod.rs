//! The incident's transitions as tables: every ladder step in both hour classes, the native
//! flow's dial results, the routing API's requests, voicemail, and replays and reorders of
//! each.

use jiff::Timestamp;

use super::*;
use crate::accounts::Role;
use crate::hotline::model::fixtures::{demo_people, person};
use crate::hotline::model::ladder::{LadderStep, default_ladder};
use crate::hotline::model::{BusinessHours, RingStrategy, Shift};
use crate::ids::{IncidentId, LineId};
use crate::zone::Zone;

/// Monday 14:00 in New York: business hours.
const MONDAY_AFTERNOON: &str = "2026-03-02T19:00:00Z";
/// Monday 23:00 in New York: after hours.
const MONDAY_NIGHT: &str = "2026-03-03T04:00:00Z";

fn line(kind: LineKind) -> Line {
    Line {
        id: LineId::new(1),
        name: "Field Service Emergency".into(),
        kind,
        phone_number: "+15005550100".into(),
        time_zone: Zone::parse("America/New_York").unwrap(),
        business_hours: BusinessHours::weekdays_8_to_6(),
        ring_strategy: RingStrategy::Sequential,
        ring_timeout_secs: 20,
        notify_emails: vec!["line@example.org".into()],
        reminder_minute: 18 * 60,
        pool_position: 0,
        created_at: 0,
    }
}

/// The demo ladder (`fixtures::demo_people`): Ada (11) primary and Grace (12) secondary on
/// call; pool Ken (17), Dennis (18), Margaret (19, inactive), Linus (20).
fn ladder_roster() -> Roster {
    let people = demo_people();
    Roster {
        people,
        business: default_ladder(Hours::Business),
        after: default_ladder(Hours::After),
        pool: [17, 18, 19, 20].map(PersonId::new).to_vec(),
        oncall: vec![crate::hotline::model::roster::OnCallPeriod {
            id: 1,
            primary_person_id: Some(PersonId::new(11)),
            secondary_person_id: Some(PersonId::new(12)),
            starts_at: 0,
            ends_at: i64::MAX,
        }],
        ..Roster::default()
    }
}

/// A shift line's roster: Vera (21) and Wendy (22) share Monday afternoons.
fn shift_roster() -> Roster {
    let shift = |id, person| Shift {
        id,
        person_id: PersonId::new(person),
        weekday: 1,
        start_minute: 9 * 60,
        end_minute: 17 * 60,
    };
    Roster {
        people: vec![
            person(21, "Vera Rubin", Role::Agent),
            person(22, "Wendy Carlos", Role::Agent),
        ],
        shifts: vec![shift(1, 21), shift(2, 22)],
        ..Roster::default()
    }
}

/// A line, its roster and a clock; commands are applied in turn to one incident.
struct Bench {
    line: Line,
    roster: Roster,
    now: Timestamp,
    state: IncidentState,
    effects: Vec<Effect>,
}

impl Bench {
    fn new(line: Line, roster: Roster, at: &str) -> Bench {
        let now: Timestamp = at.parse().unwrap();
        let state =
            IncidentState::open(IncidentId::new(7), &line, "+14155551234", Some("CA1"), now);
        Bench {
            line,
            roster,
            now,
            state,
            effects: Vec::new(),
        }
    }

    fn ladder(at: &str) -> Bench {
        Bench::new(line(LineKind::Ladder), ladder_roster(), at)
    }

    fn try_apply(&mut self, command: Command) -> Result<Vec<Effect>, Refusal> {
        let at = Situation {
            line: &self.line,
            roster: &self.roster,
            now: self.now,
        };
        let applied = apply(&self.state, &command, "{}", &at)?;
        for effect in &applied.effects {
            if let Effect::MovePool { position } = effect {
                self.line.pool_position = *position;
            }
        }
        self.state = applied.state;
        self.effects.extend(applied.effects.iter().cloned());
        Ok(applied.effects)
    }

    fn apply(&mut self, command: Command) -> Vec<Effect> {
        self.try_apply(command).expect("the command is taken")
    }

    /// Applies `command` and checks it changed nothing and recorded nothing.
    fn replay(&mut self, command: Command) {
        let before = self.state.clone();
        let effects = self.apply(command.clone());
        assert!(effects.is_empty(), "{command:?} had effects: {effects:?}");
        assert_eq!(self.state, before, "{command:?} changed the incident");
    }

    fn ringing(&self) -> Vec<&str> {
        self.state
            .ringing()
            .map(|a| a.person_name.as_str())
            .collect()
    }

    fn results(&self) -> Vec<(&str, AttemptResult)> {
        self.state
            .attempts
            .iter()
            .map(|a| (a.person_name.as_str(), a.result))
            .collect()
    }

    fn events(&self) -> Vec<&'static str> {
        self.effects
            .iter()
            .filter_map(|e| match e {
                Effect::Event { kind, .. } => Some(*kind),
                _ => None,
            })
            .collect()
    }

    fn emails(&self) -> usize {
        self.effects
            .iter()
            .filter(|e| matches!(e, Effect::Email { .. }))
            .count()
    }
}

fn no_answer(round: i64) -> Command {
    Command::DialResult {
        round: Some(round),
        outcome: DialOutcome::NotTaken(AttemptResult::NoAnswer),
        dial_call_sid: None,
        duration_secs: None,
    }
}

fn bridged(round: i64, duration: i64) -> Command {
    Command::DialResult {
        round: Some(round),
        outcome: DialOutcome::Bridged,
        dial_call_sid: None,
        duration_secs: Some(duration),
    }
}

fn answered(phone: &str) -> Command {
    Command::Answered {
        phone: phone.into(),
        call_sid: None,
    }
}

/// Walks `bench` with no-answer dial results until it is exhausted; returns (step, person) in
/// the order rung.
fn walk_to_the_end(bench: &mut Bench) -> Vec<(AttemptStep, i64)> {
    bench.apply(Command::Incoming);
    while bench.state.incident.status == IncidentStatus::Open {
        let round = bench.state.incident.round;
        bench.apply(no_answer(round));
    }
    bench
        .state
        .attempts
        .iter()
        .map(|a| (a.step, a.person_id.map_or(0, PersonId::get)))
        .collect()
}

mod ladder;
mod replays;
mod voicemail;
