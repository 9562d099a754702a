//! The status and kind enums of calls and messages, spelled as Twilio writes them.

use super::wire_enum::wire_enum;

wire_enum! {
    /// A call's lifecycle. `queued → initiated → ringing → in-progress →` one final status.
    CallStatus {
        Queued = "queued",
        Initiated = "initiated",
        Ringing = "ringing",
        InProgress = "in-progress",
        Completed = "completed",
        Busy = "busy",
        Failed = "failed",
        NoAnswer = "no-answer",
        Canceled = "canceled",
    }
}

impl CallStatus {
    /// Whether the call is over; no status follows a final one.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Busy | Self::Failed | Self::NoAnswer | Self::Canceled
        )
    }

    /// Position in the lifecycle; status callbacks can arrive out of order, and a consumer keeps
    /// the status with the higher rank. All final statuses share the top rank.
    pub fn progress_rank(&self) -> u8 {
        match self {
            Self::Queued => 0,
            Self::Initiated => 1,
            Self::Ringing => 2,
            Self::InProgress => 3,
            Self::Completed | Self::Busy | Self::Failed | Self::NoAnswer | Self::Canceled => 4,
        }
    }
}

wire_enum! {
    /// A message's lifecycle. Outbound: `scheduled → accepted → queued → sending → sent →`
    /// `delivered | undelivered | failed` (then possibly `read`); inbound: `receiving → received`.
    MessageStatus {
        Accepted = "accepted",
        Scheduled = "scheduled",
        Queued = "queued",
        Sending = "sending",
        Sent = "sent",
        Delivered = "delivered",
        Undelivered = "undelivered",
        Failed = "failed",
        Received = "received",
        Read = "read",
        Canceled = "canceled",
        Receiving = "receiving",
    }
}

impl MessageStatus {
    /// Whether the message has reached an outcome. `read` may still follow `delivered` on
    /// channels that report reads; it has a higher [`progress_rank`](Self::progress_rank).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Delivered
                | Self::Undelivered
                | Self::Failed
                | Self::Received
                | Self::Read
                | Self::Canceled
        )
    }

    /// Position in the lifecycle, for keeping the latest of out-of-order status callbacks.
    pub fn progress_rank(&self) -> u8 {
        match self {
            Self::Scheduled => 0,
            Self::Accepted | Self::Receiving => 1,
            Self::Queued => 2,
            Self::Sending => 3,
            Self::Sent => 4,
            Self::Delivered
            | Self::Undelivered
            | Self::Failed
            | Self::Received
            | Self::Canceled => 5,
            Self::Read => 6,
        }
    }
}

wire_enum! {
    /// Who answered, as answering machine detection reports it.
    AnsweredBy {
        Human = "human",
        MachineStart = "machine_start",
        MachineEndBeep = "machine_end_beep",
        MachineEndSilence = "machine_end_silence",
        MachineEndOther = "machine_end_other",
        Fax = "fax",
        Unknown = "unknown",
    }
}

wire_enum! {
    /// The outcome of a `<Dial>`, sent to its `action` URL.
    DialCallStatus {
        Completed = "completed",
        Answered = "answered",
        Busy = "busy",
        NoAnswer = "no-answer",
        Failed = "failed",
        Canceled = "canceled",
    }
}

wire_enum! {
    /// Which way a call goes and who started it.
    CallDirection {
        Inbound = "inbound",
        /// Created through the REST API.
        OutboundApi = "outbound-api",
        /// A child leg created by `<Dial>`.
        OutboundDial = "outbound-dial",
    }
}

wire_enum! {
    /// Which way a message goes and who started it.
    MessageDirection {
        Inbound = "inbound",
        OutboundApi = "outbound-api",
        OutboundCall = "outbound-call",
        /// Sent by TwiML `<Message>` in reply to an inbound message.
        OutboundReply = "outbound-reply",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_status_spellings_round_trip_through_from_str() {
        for status in CallStatus::ALL {
            assert_eq!(status.as_str().parse::<CallStatus>(), Ok(*status));
            assert_eq!(status.to_string(), status.as_str());
        }
        assert_eq!(CallStatus::InProgress.as_str(), "in-progress");
        assert_eq!(CallStatus::NoAnswer.as_str(), "no-answer");
    }

    #[test]
    fn call_status_final_ones_rank_highest() {
        for status in CallStatus::ALL {
            assert_eq!(status.is_final(), status.progress_rank() == 4, "{status}");
        }
    }

    #[test]
    fn call_status_rank_follows_the_lifecycle() {
        let order = [
            CallStatus::Queued,
            CallStatus::Initiated,
            CallStatus::Ringing,
            CallStatus::InProgress,
            CallStatus::Completed,
        ];
        assert!(
            order
                .windows(2)
                .all(|w| w[0].progress_rank() < w[1].progress_rank())
        );
    }

    #[test]
    fn message_status_rank_follows_the_lifecycle() {
        let order = [
            MessageStatus::Scheduled,
            MessageStatus::Accepted,
            MessageStatus::Queued,
            MessageStatus::Sending,
            MessageStatus::Sent,
            MessageStatus::Delivered,
            MessageStatus::Read,
        ];
        assert!(
            order
                .windows(2)
                .all(|w| w[0].progress_rank() < w[1].progress_rank())
        );
        assert!(MessageStatus::Receiving.progress_rank() < MessageStatus::Received.progress_rank());
    }

    #[test]
    fn message_status_final_ones_are_outcomes() {
        let finals: Vec<_> = MessageStatus::ALL.iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals.len(), 6);
        assert!(!MessageStatus::Sent.is_final());
        assert!(MessageStatus::Undelivered.is_final());
    }

    #[test]
    fn every_enum_round_trips_through_serde_json() {
        fn check<T>(values: &[T])
        where
            T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
        {
            for value in values {
                let json = serde_json::to_string(value).unwrap_or_default();
                assert_eq!(serde_json::from_str::<T>(&json).ok().as_ref(), Some(value));
            }
        }
        check(CallStatus::ALL);
        check(MessageStatus::ALL);
        check(AnsweredBy::ALL);
        check(DialCallStatus::ALL);
        check(CallDirection::ALL);
        check(MessageDirection::ALL);
    }

    #[test]
    fn answered_by_uses_snake_case_and_dial_status_kebab_case() {
        assert_eq!(
            serde_json::to_string(&AnsweredBy::MachineEndBeep).ok(),
            Some("\"machine_end_beep\"".to_owned())
        );
        assert_eq!(DialCallStatus::NoAnswer.as_str(), "no-answer");
        assert_eq!(CallDirection::OutboundDial.as_str(), "outbound-dial");
        assert_eq!(MessageDirection::OutboundReply.as_str(), "outbound-reply");
    }

    #[test]
    fn unknown_spelling_is_an_error_naming_the_kind() {
        let err = "in_progress".parse::<CallStatus>().unwrap_err();
        assert_eq!(err.to_string(), "\"in_progress\" is not a valid CallStatus");
        assert!(serde_json::from_str::<MessageStatus>("\"lost\"").is_err());
    }
}
