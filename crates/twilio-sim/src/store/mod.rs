//! The simulator's in-memory state: one mutex over plain maps.
//!
//! A std `Mutex`, not tokio's: every critical section is a few map operations and never awaits,
//! so a blocking lock is cheaper and cannot be held across a suspension point by mistake.

mod transcript;

pub use transcript::{EventKind, Transcript, TranscriptEvent};

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use tokio::sync::watch;

use crate::behaviour::Behaviour;
use crate::model::{CallRecord, CallStatus, MessageRecord, NumberRecord, RecordingRecord};

/// Something that interrupts a live call: a REST update or the party hanging up.
#[derive(Clone, Debug, PartialEq)]
pub enum Interrupt {
    /// Fetch new TwiML from this URL (REST update with `Url`).
    Redirect { url: String, method: twilio::Method },
    /// Run this TwiML (REST update with `Twiml`).
    Twiml(String),
    /// Hang up now (REST update `Status=completed`, or the other side hung up).
    Hangup,
}

/// Everything the simulator remembers.
#[derive(Default)]
pub struct State {
    pub numbers: Vec<NumberRecord>,
    pub calls: HashMap<String, CallRecord>,
    pub call_order: Vec<String>,
    pub messages: HashMap<String, MessageRecord>,
    pub message_order: Vec<String>,
    pub recordings: HashMap<String, RecordingRecord>,
    /// `(sender, recipient)` pairs where the recipient texted STOP to the sender.
    pub opt_outs: HashSet<(String, String)>,
    pub behaviours: HashMap<String, Behaviour>,
    /// How many texts each number has received (picks the next scripted reply).
    pub texts_received: HashMap<String, usize>,
    pub transcripts: HashMap<String, Transcript>,
    /// Status changes and callbacks of each text, by message SID.
    pub message_events: HashMap<String, Vec<TranscriptEvent>>,
    /// Leg SID → root call SID.
    pub leg_root: HashMap<String, String>,
    pub interrupts: HashMap<String, watch::Sender<Option<Interrupt>>>,
    pub ends: HashMap<String, watch::Sender<Option<CallStatus>>>,
    /// Every link a scripted person opened: (number, url, HTTP status or none).
    pub clicks: Vec<(String, String, Option<u16>)>,
    /// Accounts served besides the configured one (an organisation's own): SID → auth token.
    /// They share the numbers, calls and texts of the simulator.
    pub extra_accounts: HashMap<String, String>,
    /// How many authenticated REST requests named each account in their path.
    pub requests_by_account: HashMap<String, usize>,
}

/// The shared state behind a lock.
#[derive(Default)]
pub struct Store {
    state: Mutex<State>,
}

impl Store {
    /// Locks the state. A poisoned lock is recovered: the maps stay consistent because no
    /// critical section panics half-way through a multi-map update.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl State {
    /// Registers a new leg (root when `root` is `None`) with its transcript and signals.
    pub fn insert_call(
        &mut self,
        call: CallRecord,
        root: Option<&str>,
    ) -> watch::Receiver<Option<Interrupt>> {
        let sid = call.sid.clone();
        let root = root.unwrap_or(&sid).to_owned();
        if root == sid {
            self.transcripts.insert(
                sid.clone(),
                Transcript {
                    call_sid: sid.clone(),
                    events: Vec::new(),
                },
            );
        }
        self.leg_root.insert(sid.clone(), root);
        let (tx, rx) = watch::channel(None);
        self.interrupts.insert(sid.clone(), tx);
        self.ends.insert(sid.clone(), watch::channel(None).0);
        self.call_order.push(sid.clone());
        self.calls.insert(sid, call);
        rx
    }

    /// Appends an event to the transcript of the leg's root call.
    pub fn record(&mut self, leg: &str, at: String, kind: EventKind) {
        let root = self
            .leg_root
            .get(leg)
            .cloned()
            .unwrap_or_else(|| leg.to_owned());
        let event = TranscriptEvent {
            at,
            leg: leg.to_owned(),
            kind,
        };
        match self.transcripts.get_mut(&root) {
            Some(t) => t.events.push(event),
            None if self.messages.contains_key(leg) => {
                self.message_events
                    .entry(leg.to_owned())
                    .or_default()
                    .push(event);
            }
            None => {}
        }
    }

    /// The number record for an E.164 number.
    pub fn number_by_phone(&self, phone: &str) -> Option<&NumberRecord> {
        self.numbers.iter().find(|n| n.phone_number == phone)
    }

    /// Marks a call finished and wakes whoever waits for it.
    pub fn finish_call(&mut self, sid: &str, status: CallStatus) {
        if let Some(tx) = self.ends.get(sid) {
            tx.send_replace(Some(status));
        }
        self.interrupts.remove(sid);
    }
}
