//! The outbox's rules: a row's lifecycle, and what a worker does with a row it claims. Pure
//! functions over the row, the checks made at claim time and a clock; the store applies them
//! in one transaction.

use jiff::Timestamp;

use crate::contacts::model::quiet_hours::QuietHours;
use crate::zone::Zone;

crate::text_enum! {
    /// An outbox row's lifecycle: pending, then claimed by one worker, then sent, failed or
    /// skipped (final). A claimed row whose worker died goes back to pending only after the
    /// provider has been asked and has no record of it.
    pub enum OutboxStatus {
        Pending = "pending",
        Claimed = "claimed",
        Sent = "sent",
        Failed = "failed",
        Skipped = "skipped",
    }
}

crate::text_enum! {
    /// Why a row was never sent.
    pub enum SkipReason {
        OptedOut = "opted-out",
        QuietHours = "quiet-hours",
        Expired = "expired",
        Cancelled = "cancelled",
    }
}

crate::text_enum! {
    /// What an outbox row sends.
    pub enum OutboxKind {
        Text = "text",
        Call = "call",
    }
}

/// What happens to a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A worker takes it.
    Claim,
    /// The provider accepted it (with its SID).
    Sent,
    /// The provider refused it (with its error code).
    Failed,
    Skip(SkipReason),
    /// Its worker died before the provider answered, and the provider has no record of it:
    /// it may be sent again.
    Release,
}

/// An event the row's status does not allow (the store reports it; nothing changes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an outbox row that is {from} cannot take {event:?}")]
pub struct Refused {
    pub from: OutboxStatus,
    pub event: Event,
}

/// The status after `event`. Final statuses take nothing; a pending row may be skipped
/// (cancelled) but not sent without being claimed; a claimed row cannot be cancelled, since
/// the provider may already have it.
pub fn next(from: OutboxStatus, event: Event) -> Result<OutboxStatus, Refused> {
    use OutboxStatus::*;
    let to = match (from, event) {
        (Pending, Event::Claim) => Claimed,
        (Pending, Event::Skip(_)) => Skipped,
        (Claimed, Event::Sent) => Sent,
        (Claimed, Event::Failed) => Failed,
        (Claimed, Event::Skip(reason)) if reason != SkipReason::Cancelled => Skipped,
        (Claimed, Event::Release) => Pending,
        _ => return Err(Refused { from, event }),
    };
    Ok(to)
}

/// A claimed row's timing, as its owner wrote it.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// Not before.
    pub earliest: Timestamp,
    /// Not after; a row still unsent then is skipped as expired.
    pub latest: Option<Timestamp>,
    /// Outside the recipient's quiet hours: wait for the window (`true`) or skip.
    pub waits_for_window: bool,
}

/// What a worker does with a row it claimed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Send now; texts carry this `ValidityPeriod` (seconds).
    Send {
        validity_secs: Option<i64>,
    },
    /// Give the row back, to be claimed again at this instant.
    WaitUntil(Timestamp),
    Skip(SkipReason),
}

/// The checks made when a row is claimed, in this order: expired, opted out, outside the
/// recipient's window (wait for the next, unless that is past `latest` or the row does not
/// wait), not yet due.
pub fn decide(
    kind: OutboxKind,
    timing: &Timing,
    opted_out: bool,
    window: &QuietHours,
    zone: &Zone,
    now: Timestamp,
) -> Decision {
    let expired = |at: Timestamp| timing.latest.is_some_and(|latest| at > latest);
    if expired(now) {
        return Decision::Skip(SkipReason::Expired);
    }
    if opted_out {
        return Decision::Skip(SkipReason::OptedOut);
    }
    let due = now.max(timing.earliest);
    let opens = window.next_open(zone, due);
    if opens != due && (!timing.waits_for_window || expired(opens)) {
        return Decision::Skip(SkipReason::QuietHours);
    }
    if opens > now {
        return Decision::WaitUntil(opens);
    }
    Decision::Send {
        validity_secs: match kind {
            OutboxKind::Text => window.validity_secs(zone, now),
            OutboxKind::Call => None,
        },
    }
}
