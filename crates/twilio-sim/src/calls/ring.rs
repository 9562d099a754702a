//! What happens when a number rings: a pure decision from the party's behaviour and the timeout.

use crate::behaviour::{Behaviour, Outcome};
use crate::model::CallStatus;

/// How a ring plays out, in virtual seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RingPlan {
    /// Rings for `after` seconds, then answers.
    Answer { after: f64 },
    /// Ends without an answer after `after` seconds with `status` (`ringing` shown if `rings`).
    End {
        after: f64,
        status: CallStatus,
        rings: bool,
    },
}

/// Busy signals and unreachable networks take a moment to report.
const BUSY_AFTER_SECS: f64 = 2.0;
const UNREACHABLE_AFTER_SECS: f64 = 1.0;

/// Decides a ring from the called party's behaviour and the caller's `timeout` (seconds).
pub fn plan(party: &Behaviour, timeout_secs: f64) -> RingPlan {
    match party.outcome {
        Outcome::Busy => RingPlan::End {
            after: BUSY_AFTER_SECS,
            status: CallStatus::Busy,
            rings: true,
        },
        Outcome::Unreachable => RingPlan::End {
            after: UNREACHABLE_AFTER_SECS,
            status: CallStatus::Failed,
            rings: false,
        },
        Outcome::NoAnswer => RingPlan::End {
            after: timeout_secs,
            status: CallStatus::NoAnswer,
            rings: true,
        },
        Outcome::Answer | Outcome::Machine if party.answer_after_secs > timeout_secs => {
            RingPlan::End {
                after: timeout_secs,
                status: CallStatus::NoAnswer,
                rings: true,
            }
        }
        Outcome::Answer | Outcome::Machine => RingPlan::Answer {
            after: party.answer_after_secs,
        },
    }
}

/// Seconds machine detection takes to decide, and what the greeting lasts.
pub fn detection_secs(party: &Behaviour, detect_message_end: bool) -> f64 {
    match (party.outcome, detect_message_end) {
        (Outcome::Machine, true) => crate::twiml::speech_secs(&party.machine_greeting) + 1.0,
        (Outcome::Machine, false) => 3.5,
        _ => 2.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_answering_after_the_timeout_is_no_answer() {
        let late = Behaviour::answers_after(40.0);
        assert_eq!(
            plan(&late, 30.0),
            RingPlan::End {
                after: 30.0,
                status: CallStatus::NoAnswer,
                rings: true
            }
        );
        assert_eq!(plan(&late, 60.0), RingPlan::Answer { after: 40.0 });
    }

    #[test]
    fn busy_and_unreachable_end_quickly() {
        let busy = Behaviour::with_outcome(Outcome::Busy);
        assert!(matches!(
            plan(&busy, 60.0),
            RingPlan::End {
                status: CallStatus::Busy,
                ..
            }
        ));
        let gone = Behaviour::with_outcome(Outcome::Unreachable);
        assert!(matches!(
            plan(&gone, 60.0),
            RingPlan::End {
                status: CallStatus::Failed,
                rings: false,
                ..
            }
        ));
    }
}
