use jiff::Timestamp;

use super::model::*;
use crate::contacts::model::quiet_hours::{MAX_VALIDITY_SECS, QuietHours};
use crate::zone::Zone;

#[test]
fn the_lifecycle_moves_only_forward_and_final_rows_take_nothing() {
    use OutboxStatus::{Claimed, Pending, Skipped};
    let (claim, sent, failed, release) = (Event::Claim, Event::Sent, Event::Failed, Event::Release);
    let cancel = Event::Skip(SkipReason::Cancelled);
    let opted_out = Event::Skip(SkipReason::OptedOut);
    let table = [
        (Pending, claim, Ok(Claimed)),
        (Pending, cancel, Ok(Skipped)),
        (Pending, sent, Err(())),
        (Pending, failed, Err(())),
        (Pending, release, Err(())),
        (Claimed, sent, Ok(OutboxStatus::Sent)),
        (Claimed, failed, Ok(OutboxStatus::Failed)),
        (Claimed, opted_out, Ok(Skipped)),
        (Claimed, cancel, Err(())),
        (Claimed, release, Ok(Pending)),
        (Claimed, claim, Err(())),
    ];
    for (from, event, to) in table {
        assert_eq!(next(from, event).map_err(|_| ()), to, "{from} + {event:?}");
    }
    for done in [OutboxStatus::Sent, OutboxStatus::Failed, Skipped] {
        for event in [claim, sent, failed, cancel, opted_out, release] {
            assert!(next(done, event).is_err(), "{done} + {event:?}");
        }
    }
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn timing(latest: Option<&str>, waits: bool) -> Timing {
    Timing {
        earliest: t("2026-03-02T00:00:00Z"),
        latest: latest.map(t),
        waits_for_window: waits,
    }
}

#[test]
fn a_claimed_row_is_sent_waits_or_is_skipped_by_the_checks_in_order() {
    let ny = Zone::parse("America/New_York").unwrap();
    let q = QuietHours::default();
    let noon = t("2026-03-02T17:00:00Z"); // 12:00 in New York
    let night = t("2026-03-03T03:00:00Z"); // 22:00
    let next_morning = t("2026-03-03T13:00:00Z");
    let text = OutboxKind::Text;
    let cases = [
        // Inside the window: sent, valid until 21:00 (nine hours).
        (
            text,
            timing(None, true),
            false,
            noon,
            Decision::Send {
                validity_secs: Some(32_400),
            },
        ),
        (
            OutboxKind::Call,
            timing(None, true),
            false,
            noon,
            Decision::Send {
                validity_secs: None,
            },
        ),
        // Opted out, even inside the window.
        (
            text,
            timing(None, true),
            true,
            noon,
            Decision::Skip(SkipReason::OptedOut),
        ),
        // Past its latest time: expired, before anything else.
        (
            text,
            timing(Some("2026-03-02T16:00:00Z"), true),
            true,
            noon,
            Decision::Skip(SkipReason::Expired),
        ),
        // At night: waits for 08:00, unless it may not wait or expires first.
        (
            text,
            timing(None, true),
            false,
            night,
            Decision::WaitUntil(next_morning),
        ),
        (
            text,
            timing(None, false),
            false,
            night,
            Decision::Skip(SkipReason::QuietHours),
        ),
        (
            text,
            timing(Some("2026-03-03T12:00:00Z"), true),
            false,
            night,
            Decision::Skip(SkipReason::QuietHours),
        ),
    ];
    for (kind, timing, opted_out, now, expected) in cases {
        assert_eq!(
            decide(kind, &timing, opted_out, &q, &ny, now),
            expected,
            "{now} {timing:?}"
        );
    }
}

#[test]
fn a_row_not_yet_due_waits_for_its_earliest_time_inside_the_window() {
    let ny = Zone::parse("America/New_York").unwrap();
    let q = QuietHours::default();
    let row = Timing {
        earliest: t("2026-03-02T18:00:00Z"),
        latest: None,
        waits_for_window: true,
    };
    let noon = t("2026-03-02T17:00:00Z");
    assert_eq!(
        decide(OutboxKind::Text, &row, false, &q, &ny, noon),
        Decision::WaitUntil(t("2026-03-02T18:00:00Z"))
    );
    // Early morning: the validity is capped at ten hours.
    let eight = t("2026-03-02T13:00:00Z");
    let due = Timing {
        earliest: eight,
        ..row
    };
    assert_eq!(
        decide(OutboxKind::Text, &due, false, &q, &ny, eight),
        Decision::Send {
            validity_secs: Some(MAX_VALIDITY_SECS)
        }
    );
}
