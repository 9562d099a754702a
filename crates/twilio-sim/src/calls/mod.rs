//! Calls: placing outbound and inbound calls, and steering live ones.

mod leg;
mod outbound;
pub mod ring;

pub use leg::{Leg, StatusCallback, Stop};

use std::collections::VecDeque;
use std::sync::Arc;

use twilio::Method;

use crate::behaviour::Behaviour;
use crate::error::SimError;
use crate::model::{CallRecord, CallStatus};
use crate::sim::Inner;
use crate::store::Interrupt;
use crate::twiml::Doc;

/// A validated `POST Calls.json`.
#[derive(Clone, Debug)]
pub struct OutboundRequest {
    pub from: String,
    pub to: String,
    /// Where the call's TwiML comes from (`Url` or `Twiml`).
    pub doc: Doc,
    pub fallback: Option<(String, Method)>,
    pub status_callback: Option<StatusCallback>,
    pub timeout_secs: f64,
    /// `Enable` or `DetectMessageEnd`.
    pub machine_detection: Option<String>,
    pub async_amd_callback: Option<(String, Method)>,
    pub time_limit_secs: f64,
    /// `Record=true`: record the whole call; `RecordingStatusCallback` if given.
    pub record: Option<Option<(String, Method)>>,
}

/// A fresh call record.
pub fn new_record(
    inner: &Inner,
    from: &str,
    to: &str,
    direction: &'static str,
    status: CallStatus,
) -> CallRecord {
    let now = inner.clock.now();
    CallRecord {
        sid: twilio::resources::sid::new_sid("CA"),
        parent_call_sid: None,
        from: from.to_owned(),
        to: to.to_owned(),
        direction,
        status,
        date_created: now,
        date_updated: now,
        start_time: None,
        end_time: None,
        duration: None,
        answered_by: None,
        price: None,
        phone_number_sid: None,
        queue_time_ms: 0,
    }
}

/// A leg for a record just inserted into the store.
pub fn new_leg(
    inner: &Arc<Inner>,
    record: &CallRecord,
    root: Option<&str>,
    party: Behaviour,
) -> Leg {
    let interrupts = inner.store.lock().insert_call(record.clone(), root);
    Leg {
        inner: inner.clone(),
        sid: record.sid.clone(),
        parent_sid: record.parent_call_sid.clone(),
        from: record.from.clone(),
        to: record.to.clone(),
        direction: record.direction,
        presses: party.press.iter().cloned().collect::<VecDeque<_>>(),
        party,
        interrupts,
        status_callback: None,
        sequence: 0,
        answered_at: None,
        hangs_up_at: None,
        answered_by: None,
        fallback: None,
    }
}

/// Creates a queued outbound call and starts simulating it.
pub fn place_outbound(inner: &Arc<Inner>, req: OutboundRequest) -> CallRecord {
    let record = new_record(
        inner,
        &req.from,
        &req.to,
        "outbound-api",
        CallStatus::Queued,
    );
    let party = inner.behaviour_of(&req.to);
    let mut leg = new_leg(inner, &record, None, party);
    leg.status_callback = req.status_callback.clone();
    leg.fallback = req.fallback.clone();
    inner.note(
        &record.sid,
        crate::store::EventKind::Status {
            status: CallStatus::Queued,
        },
    );
    tokio::spawn(outbound::run(leg, req));
    record
}

/// Someone calls one of the account's numbers.
pub fn place_inbound(
    inner: &Arc<Inner>,
    from: &str,
    to: &str,
    caller: Option<Behaviour>,
) -> Result<String, SimError> {
    if let Some(b) = &caller {
        b.validate().map_err(|message| SimError::Invalid {
            field: "behaviour",
            message,
        })?;
    }
    let number = inner
        .store
        .lock()
        .number_by_phone(to)
        .cloned()
        .ok_or_else(|| SimError::UnknownNumber(to.to_owned()))?;
    let url = number.voice_url.clone().ok_or(SimError::NoUrl {
        number: to.to_owned(),
        what: "voice",
    })?;
    let mut record = new_record(inner, from, to, "inbound", CallStatus::Ringing);
    record.phone_number_sid = Some(number.sid.clone());
    let party = caller.unwrap_or_else(|| inner.behaviour_of(from));
    let mut leg = new_leg(inner, &record, None, party);
    let method = |m: &str| m.parse().unwrap_or(Method::Post);
    leg.status_callback = number
        .status_callback
        .clone()
        .map(|url| StatusCallback::new(url, method(&number.status_callback_method), &[]));
    leg.fallback = number
        .voice_fallback_url
        .clone()
        .map(|u| (u, method(&number.voice_fallback_method)));
    let doc = Doc::Fetch {
        url,
        method: method(&number.voice_method),
        extra: Vec::new(),
    };
    let sid = record.sid.clone();
    tokio::spawn(outbound::run_inbound(leg, doc));
    Ok(sid)
}

/// What a REST update asked of a live call.
pub enum Update {
    Redirect { url: String, method: Method },
    Twiml(String),
    Cancel,
    Complete,
}

/// Applies a REST update; a call that already ended is left as it is (as Twilio does).
pub fn update(inner: &Inner, sid: &str, update: Update) {
    let state = inner.store.lock();
    let Some(status) = state.calls.get(sid).map(|c| c.status) else {
        return;
    };
    let interrupt = match update {
        Update::Redirect { url, method } if status == CallStatus::InProgress => {
            Interrupt::Redirect { url, method }
        }
        Update::Twiml(twiml) if status == CallStatus::InProgress => Interrupt::Twiml(twiml),
        Update::Cancel
            if matches!(
                status,
                CallStatus::Queued | CallStatus::Initiated | CallStatus::Ringing
            ) =>
        {
            Interrupt::Hangup
        }
        Update::Complete if !status.is_final() => Interrupt::Hangup,
        _ => return,
    };
    if let Some(tx) = state.interrupts.get(sid) {
        tx.send_replace(Some(interrupt));
    }
}
