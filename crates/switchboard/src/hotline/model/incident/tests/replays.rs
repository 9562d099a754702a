//! Retries, replays and reorders of webhooks and routing API requests change nothing more.

use super::*;

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
