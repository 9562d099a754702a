//! The incident's transitions as tables: every ladder step in both hour classes, the native
//! flow's dial results, the routing API's requests, voicemail, and replays and reorders of
//! each.

use jiff::Timestamp;

use super::*;
use crate::accounts::Role;
use crate::hotline::model::ladder::{LadderStep, default_ladder};
use crate::hotline::model::{BusinessHours, Candidate, RingStrategy, Shift};
use crate::ids::{IncidentId, LineId};
use crate::zone::Zone;

/// Monday 14:00 in New York: business hours.
const MONDAY_AFTERNOON: &str = "2026-03-02T19:00:00Z";
/// Monday 23:00 in New York: after hours.
const MONDAY_NIGHT: &str = "2026-03-03T04:00:00Z";

fn person(id: i64, name: &str, role: Role) -> Candidate {
    Candidate {
        person_id: PersonId::new(id),
        name: name.into(),
        phone: Some(format!("+150055501{id:02}")),
        role,
        available: true,
        active: true,
    }
}

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

/// The demo ladder: Ada (11) primary, Grace (12) secondary, Alan (13) and Barbara (14,
/// unavailable) admins, Edsger (15) and Frances (16) managers; pool Ken (17), Dennis (18),
/// Margaret (19, inactive), Linus (20).
fn ladder_roster() -> Roster {
    let mut people = vec![
        person(11, "Ada Lovelace", Role::Agent),
        person(12, "Grace Hopper", Role::Agent),
        person(13, "Alan Turing", Role::Admin),
        person(14, "Barbara Liskov", Role::Admin),
        person(15, "Edsger Dijkstra", Role::Manager),
        person(16, "Frances Allen", Role::Manager),
        person(17, "Ken Thompson", Role::Agent),
        person(18, "Dennis Ritchie", Role::Agent),
        person(19, "Margaret Hamilton", Role::Agent),
        person(20, "Linus Torvalds", Role::Agent),
    ];
    people[3].available = false;
    people[8].active = false;
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

#[test]
fn every_rung_of_each_hour_class_is_rung_in_the_ladders_order() {
    use AttemptStep::*;
    let table: [(&str, Vec<(AttemptStep, i64)>); 2] = [
        (
            MONDAY_AFTERNOON,
            vec![
                (PrimaryOncall, 11),
                (Secondary, 12),
                (Admin, 13),
                (Manager, 15),
                (Manager, 16),
            ],
        ),
        (
            MONDAY_NIGHT,
            vec![
                (PrimaryOncall, 11),
                (Secondary, 12),
                (Manager, 15),
                (Manager, 16),
                (Admin, 13),
                (RotatingPool, 17),
                (RotatingPool, 18),
                (RotatingPool, 20),
            ],
        ),
    ];
    for (at, expected) in table {
        let mut bench = Bench::ladder(at);
        assert_eq!(walk_to_the_end(&mut bench), expected, "at {at}");
        assert_eq!(bench.state.incident.status, IncidentStatus::Exhausted);
        assert_eq!(bench.state.incident.round, expected.len() as i64 + 1);
        assert!(
            bench.events().ends_with(&["exhausted"]),
            "{:?}",
            bench.events()
        );
    }
}

#[test]
fn the_rotating_pool_moves_on_and_the_next_incident_starts_where_it_stopped() {
    let mut first = Bench::ladder(MONDAY_NIGHT);
    walk_to_the_end(&mut first);
    assert_eq!(first.line.pool_position, 0, "after Linus, around to Ken");
    let mut line = first.line.clone();
    line.pool_position = 1;
    let mut second = Bench::new(line, ladder_roster(), MONDAY_NIGHT);
    let pool: Vec<i64> = walk_to_the_end(&mut second)
        .into_iter()
        .filter(|(step, _)| *step == AttemptStep::RotatingPool)
        .map(|(_, person)| person)
        .collect();
    assert_eq!(pool, vec![18, 20, 17], "Dennis, Linus, then around to Ken");
}

#[test]
fn a_retried_voice_webhook_for_a_walked_call_changes_nothing() {
    let mut bench = Bench::ladder(MONDAY_AFTERNOON);
    bench.apply(Command::Incoming);
    assert_eq!(bench.ringing(), ["Ada Lovelace"]);
    bench.replay(Command::Incoming);
    bench.apply(no_answer(1));
    bench.replay(Command::Incoming);
    assert_eq!(bench.ringing(), ["Grace Hopper"]);
}

#[test]
fn a_dial_result_for_an_earlier_round_changes_nothing() {
    let mut bench = Bench::ladder(MONDAY_AFTERNOON);
    bench.apply(Command::Incoming);
    bench.apply(no_answer(1));
    for _ in 0..3 {
        bench.replay(no_answer(1));
        bench.replay(bridged(1, 40));
    }
    assert_eq!(
        bench.results(),
        [
            ("Ada Lovelace", AttemptResult::NoAnswer),
            ("Grace Hopper", AttemptResult::Dialing)
        ]
    );
}

#[test]
fn each_dial_outcome_records_the_attempt_and_decides_what_follows() {
    let table = [
        (
            DialOutcome::NotTaken(AttemptResult::NoAnswer),
            AttemptResult::NoAnswer,
            Some("Grace Hopper"),
        ),
        (
            DialOutcome::NotTaken(AttemptResult::Busy),
            AttemptResult::Busy,
            Some("Grace Hopper"),
        ),
        (
            DialOutcome::NotTaken(AttemptResult::Failed),
            AttemptResult::Failed,
            Some("Grace Hopper"),
        ),
        (DialOutcome::Bridged, AttemptResult::Answered, None),
    ];
    for (outcome, result, next) in table {
        let mut bench = Bench::ladder(MONDAY_AFTERNOON);
        bench.apply(Command::Incoming);
        bench.apply(Command::DialResult {
            round: Some(1),
            outcome,
            dial_call_sid: Some("CA2".into()),
            duration_secs: Some(12),
        });
        assert_eq!(bench.state.attempts[0].result, result, "{outcome:?}");
        assert_eq!(bench.state.attempts[0].call_sid.as_deref(), Some("CA2"));
        assert_eq!(bench.ringing().first().copied(), next, "{outcome:?}");
        if outcome == DialOutcome::Bridged {
            let incident = &bench.state.incident;
            assert_eq!(incident.status, IncidentStatus::Completed);
            assert_eq!(incident.answered_person_id, Some(PersonId::new(11)));
            assert_eq!(incident.duration_secs, Some(12));
        }
    }
}

#[test]
fn a_dial_result_after_the_caller_hung_up_records_the_attempt_and_rings_nobody_else() {
    let mut bench = Bench::ladder(MONDAY_AFTERNOON);
    bench.apply(Command::Incoming);
    bench.apply(Command::CallEnded);
    assert_eq!(bench.results(), [("Ada Lovelace", AttemptResult::NoAnswer)]);
    bench.replay(no_answer(1));
    assert_eq!(bench.state.incident.status, IncidentStatus::Open);
    assert!(bench.state.incident.ended_at.is_some());
}

#[test]
fn the_routing_apis_first_request_repeated_continues_its_incident() {
    let mut bench = Bench::ladder(MONDAY_AFTERNOON);
    bench.apply(Command::FirstTarget);
    assert_eq!(bench.ringing(), ["Ada Lovelace"]);
    bench.replay(Command::FirstTarget);
    bench.apply(Command::AttemptFailed {
        phone: "+15005550111".into(),
        reason: AttemptResult::Busy,
        call_sid: None,
    });
    bench.apply(Command::FirstTarget);
    assert_eq!(
        bench.ringing(),
        ["Grace Hopper"],
        "every attempt was reported: on to the next"
    );
}

#[test]
fn next_target_counts_an_unreported_attempt_as_no_answer() {
    let mut bench = Bench::ladder(MONDAY_AFTERNOON);
    bench.apply(Command::FirstTarget);
    bench.apply(Command::NextTarget);
    assert_eq!(
        bench.results(),
        [
            ("Ada Lovelace", AttemptResult::NoAnswer),
            ("Grace Hopper", AttemptResult::Dialing)
        ]
    );
    assert!(bench.events().contains(&"unreported_attempt"));
}

#[test]
fn next_target_for_an_answered_incident_is_refused_and_changes_nothing() {
    let mut bench = Bench::ladder(MONDAY_AFTERNOON);
    bench.apply(Command::FirstTarget);
    bench.apply(answered("+15005550111"));
    let before = bench.state.clone();
    for command in [Command::NextTarget, Command::FirstTarget] {
        assert_eq!(
            bench.try_apply(command),
            Err(Refusal::AlreadyAnswered(IncidentId::new(7)))
        );
    }
    assert_eq!(bench.state, before);
    bench.replay(Command::Incoming);
}

#[test]
fn repeated_reports_of_an_answer_a_failure_or_the_end_change_nothing() {
    let mut bench = Bench::ladder(MONDAY_AFTERNOON);
    bench.apply(Command::FirstTarget);
    let failed = Command::AttemptFailed {
        phone: "+15005550111".into(),
        reason: AttemptResult::Busy,
        call_sid: None,
    };
    bench.apply(failed.clone());
    bench.replay(failed);
    bench.apply(Command::NextTarget);
    bench.apply(answered("+15005550112"));
    bench.replay(answered("+15005550112"));
    bench.apply(Command::Completed {
        duration_secs: Some(180),
    });
    bench.replay(Command::Completed {
        duration_secs: Some(999),
    });
    bench.replay(Command::Completed {
        duration_secs: None,
    });
    bench.replay(Command::CallEnded);
    let incident = &bench.state.incident;
    assert_eq!(incident.status, IncidentStatus::Completed);
    assert_eq!(
        incident.duration_secs,
        Some(180),
        "the first duration stands"
    );
    assert_eq!(incident.answered_phone.as_deref(), Some("+15005550112"));
}

/// Every order of `commands` (applied after `setup`) reaches the same incident.
fn same_end_in_every_order(setup: &[Command], commands: &[Command]) {
    let mut ends = Vec::new();
    for order in permutations(commands.len()) {
        let mut bench = Bench::ladder(MONDAY_AFTERNOON);
        for command in setup {
            bench.apply(command.clone());
        }
        for i in order {
            bench.apply(commands[i].clone());
        }
        ends.push(bench.state);
    }
    assert!(ends.windows(2).all(|w| w[0] == w[1]), "{ends:#?}");
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut all = Vec::new();
    for rest in permutations(n - 1) {
        for slot in 0..=rest.len() {
            let mut order = rest.clone();
            order.insert(slot, n - 1);
            all.push(order);
        }
    }
    all
}

#[test]
fn an_answer_and_the_calls_end_reach_the_same_state_in_any_order() {
    same_end_in_every_order(
        &[Command::Incoming],
        &[
            answered("+15005550111"),
            bridged(1, 34),
            Command::CallEnded,
            Command::Completed {
                duration_secs: Some(34),
            },
        ],
    );
    same_end_in_every_order(&[Command::Incoming], &[bridged(1, 34), Command::CallEnded]);
    same_end_in_every_order(
        &[Command::FirstTarget],
        &[
            answered("+15005550111"),
            Command::Completed {
                duration_secs: Some(60),
            },
        ],
    );
}

#[test]
fn a_simultaneous_shift_line_rings_everyone_on_shift_in_one_round() {
    let mut sequential = Bench::new(line(LineKind::Shift), shift_roster(), MONDAY_AFTERNOON);
    sequential.apply(Command::Incoming);
    assert_eq!(sequential.ringing(), ["Vera Rubin"]);
    let mut all = line(LineKind::Shift);
    all.ring_strategy = RingStrategy::Simultaneous;
    let mut bench = Bench::new(all, shift_roster(), MONDAY_AFTERNOON);
    bench.apply(Command::Incoming);
    assert_eq!(bench.ringing(), ["Vera Rubin", "Wendy Carlos"]);
    assert!(
        bench
            .state
            .attempts
            .iter()
            .all(|a| a.step == AttemptStep::Shift && a.timeout_secs == 20)
    );
    bench.apply(no_answer(1));
    assert_eq!(bench.state.incident.status, IncidentStatus::Exhausted);
    assert_eq!(
        bench.results(),
        [
            ("Vera Rubin", AttemptResult::NoAnswer),
            ("Wendy Carlos", AttemptResult::NoAnswer)
        ]
    );
}

#[test]
fn a_call_when_nobody_is_on_shift_is_exhausted_at_once() {
    let mut bench = Bench::new(line(LineKind::Shift), shift_roster(), MONDAY_NIGHT);
    bench.apply(Command::Incoming);
    assert_eq!(bench.state.incident.status, IncidentStatus::Exhausted);
    assert_eq!(bench.state.incident.round, 1);
    assert!(bench.state.attempts.is_empty());
    bench.replay(Command::Incoming);
    bench.replay(no_answer(1));
}

#[test]
fn a_declined_whisper_is_recorded_once_per_leg() {
    let mut bench = Bench::ladder(MONDAY_AFTERNOON);
    bench.apply(Command::Incoming);
    let declined = Command::WhisperDeclined {
        phone: "+15005550111".into(),
        leg_sid: Some("CA9".into()),
    };
    bench.apply(declined.clone());
    bench.replay(declined);
    assert_eq!(
        bench
            .events()
            .iter()
            .filter(|k| **k == "whisper_declined")
            .count(),
        1
    );
    assert_eq!(
        bench.ringing(),
        ["Ada Lovelace"],
        "the dial action reports the outcome"
    );
}

fn recording() -> Command {
    Command::Recording {
        url: "https://sim/Recordings/RE1".into(),
        sid: "RE1".into(),
        secs: Some(7),
    }
}

fn transcription(status: TranscriptionStatus, text: Option<&str>) -> Command {
    Command::Transcription {
        status,
        text: text.map(str::to_string),
    }
}

#[test]
fn a_voicemail_is_emailed_once_whichever_of_its_callbacks_comes_first_and_however_often() {
    let text = transcription(TranscriptionStatus::Completed, Some("Please call back."));
    for order in [[recording(), text.clone()], [text.clone(), recording()]] {
        let mut bench = Bench::new(line(LineKind::Shift), shift_roster(), MONDAY_NIGHT);
        bench.apply(Command::Incoming);
        for command in order.iter().chain(order.iter()) {
            bench.apply(command.clone());
        }
        assert_eq!(bench.emails(), 1);
        let incident = &bench.state.incident;
        assert_eq!(incident.transcript.as_deref(), Some("Please call back."));
        assert_eq!(
            incident.voicemail_url.as_deref(),
            Some("https://sim/Recordings/RE1")
        );
        assert!(incident.voicemail_emailed_at.is_some());
    }
}

#[test]
fn a_voicemail_without_a_transcription_is_emailed_when_it_is_overdue_and_a_late_one_adds_only_its_text()
 {
    let mut bench = Bench::new(line(LineKind::Shift), shift_roster(), MONDAY_NIGHT);
    bench.apply(Command::Incoming);
    let effects = bench.apply(recording());
    assert!(effects.contains(&Effect::AwaitTranscription {
        at: bench.now.as_millisecond() + apply::TRANSCRIPTION_WAIT_MS
    }));
    assert_eq!(bench.emails(), 0, "the email waits for the transcription");
    bench.apply(Command::TranscriptionOverdue);
    assert_eq!(bench.emails(), 1);
    bench.replay(Command::TranscriptionOverdue);
    bench.apply(transcription(
        TranscriptionStatus::Completed,
        Some("Too late."),
    ));
    assert_eq!(bench.emails(), 1, "no second email");
    assert_eq!(
        bench.state.incident.transcript.as_deref(),
        Some("Too late.")
    );
    bench.replay(transcription(TranscriptionStatus::Failed, None));
    assert_eq!(
        bench.state.incident.transcription_status,
        Some(TranscriptionStatus::Completed),
        "a failure never replaces a text"
    );
}

#[test]
fn attempts_record_the_round_and_ring_time_of_their_ladder_step() {
    let mut bench = Bench::ladder(MONDAY_AFTERNOON);
    bench.roster.business = vec![LadderStep {
        kind: crate::hotline::model::StepKind::Secondary,
        timeout_secs: 12,
        pool_size: 3,
    }];
    bench.apply(Command::Incoming);
    let attempt = &bench.state.attempts[0];
    assert_eq!(
        (attempt.round, attempt.timeout_secs, attempt.step),
        (1, 12, AttemptStep::Secondary)
    );
}
