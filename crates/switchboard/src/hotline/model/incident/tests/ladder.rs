//! Walking the ladder and shift lines: every rung in both hour classes, the pool, dial
//! outcomes, simultaneous rings.

use super::*;

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
