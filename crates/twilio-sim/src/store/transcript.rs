//! A call's transcript: everything the simulator did on it, in order, with virtual timestamps.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{CallStatus, MessageStatus};

/// Everything that happened on a call and its child legs.
#[derive(Clone, Debug, Serialize)]
pub struct Transcript {
    /// The root call's SID.
    pub call_sid: String,
    /// Events in the order they happened.
    pub events: Vec<TranscriptEvent>,
}

/// One thing that happened, on one leg.
#[derive(Clone, Debug, Serialize)]
pub struct TranscriptEvent {
    /// Virtual time, RFC 3339.
    pub at: String,
    /// The leg it happened on.
    pub leg: String,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The leg's status changed.
    Status { status: CallStatus },
    /// A text's status changed (message logs only).
    MessageStatus { status: MessageStatus },
    /// A TwiML document was fetched (status is absent when the connection failed).
    Fetch {
        url: String,
        method: String,
        params: BTreeMap<String, String>,
        status: Option<u16>,
        body: String,
    },
    /// A verb ran; `detail` says what it did.
    Verb { verb: String, detail: String },
    /// The party pressed digits.
    Digits { digits: String },
    /// A child leg was dialled.
    Dial { child_sid: String, to: String },
    /// A callback was posted and answered `status` (absent when the connection failed).
    Callback {
        url: String,
        params: BTreeMap<String, String>,
        status: Option<u16>,
    },
    /// An application error, as Twilio's debugger would log it.
    Error { code: u32, message: String },
}

impl Transcript {
    /// A one-line-per-event summary for people.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for event in &self.events {
            let what = match &event.kind {
                EventKind::Status { status } => format!("status {}", status.as_str()),
                EventKind::MessageStatus { status } => format!("text {}", status.as_str()),
                EventKind::Fetch {
                    url,
                    method,
                    status,
                    ..
                } => match status {
                    Some(code) => format!("fetch {method} {url} → {code}"),
                    None => format!("fetch {method} {url} → connection failed"),
                },
                EventKind::Verb { verb, detail } => format!("<{verb}> {detail}"),
                EventKind::Digits { digits } => format!("pressed {digits:?}"),
                EventKind::Dial { child_sid, to } => format!("dialled {to} as {child_sid}"),
                EventKind::Callback { url, status, .. } => match status {
                    Some(code) => format!("callback {url} → {code}"),
                    None => format!("callback {url} → connection failed"),
                },
                EventKind::Error { code, message } => format!("error {code}: {message}"),
            };
            out.push_str(&format!("{} {} {what}\n", event.at, event.leg));
        }
        out
    }
}
