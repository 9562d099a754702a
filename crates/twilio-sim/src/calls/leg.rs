//! A live call leg: its party, its signals, its status changes and callbacks.

use std::collections::VecDeque;
use std::sync::Arc;

use jiff::Timestamp;
use tokio::sync::watch;
use tokio::time::Instant;
use twilio::Method;

use crate::behaviour::Behaviour;
use crate::clock::whole_secs_between;
use crate::model::CallStatus;
use crate::sim::Inner;
use crate::store::{EventKind, Interrupt};
use crate::webhook::Params;

/// Where a leg's status callbacks go and which events they cover.
#[derive(Clone, Debug)]
pub struct StatusCallback {
    pub url: String,
    pub method: Method,
    /// Among `initiated ringing answered completed`.
    pub events: Vec<String>,
}

impl StatusCallback {
    /// Parses `StatusCallbackEvent` values (space separated or repeated); default `completed`.
    pub fn new(url: String, method: Method, events: &[String]) -> StatusCallback {
        let mut parsed: Vec<String> = events
            .iter()
            .flat_map(|e| e.split_whitespace())
            .map(|e| e.to_ascii_lowercase())
            .collect();
        if !parsed.iter().any(|e| e == "completed") {
            parsed.push("completed".to_owned());
        }
        StatusCallback {
            url,
            method,
            events: parsed,
        }
    }
}

/// Why a wait ended early.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// A REST update (new TwiML, or hang up).
    Interrupt(Interrupt),
    /// The scripted party hung up.
    PartyHungUp,
}

/// One call leg being simulated.
pub struct Leg {
    pub inner: Arc<Inner>,
    pub sid: String,
    pub parent_sid: Option<String>,
    pub from: String,
    pub to: String,
    pub direction: &'static str,
    /// The person (or machine) on the far end of this leg.
    pub party: Behaviour,
    /// Digits still to press, one entry per `<Gather>`.
    pub presses: VecDeque<String>,
    pub interrupts: watch::Receiver<Option<Interrupt>>,
    pub status_callback: Option<StatusCallback>,
    pub sequence: u64,
    pub answered_at: Option<Timestamp>,
    pub hangs_up_at: Option<Instant>,
    pub answered_by: Option<String>,
    /// `FallbackUrl` for documents that fail.
    pub fallback: Option<(String, Method)>,
}

impl Leg {
    /// The account-level parameters of every request about this leg.
    pub fn call_params(&self) -> Params {
        let status = self
            .inner
            .store
            .lock()
            .calls
            .get(&self.sid)
            .map_or("completed", |c| c.status.as_str());
        let mut p = crate::webhook::params([
            ("AccountSid", self.inner.cfg.account_sid.clone()),
            ("ApiVersion", "2010-04-01".to_owned()),
            ("CallSid", self.sid.clone()),
            ("CallStatus", status.to_owned()),
            ("Called", self.to.clone()),
            ("Caller", self.from.clone()),
            ("Direction", self.direction.to_owned()),
            ("From", self.from.clone()),
            ("To", self.to.clone()),
        ]);
        if let Some(parent) = &self.parent_sid {
            p.push(("ParentCallSid".to_owned(), parent.clone()));
        }
        if let Some(answered_by) = &self.answered_by {
            p.push(("AnsweredBy".to_owned(), answered_by.clone()));
        }
        p
    }

    /// Moves the leg to `status`, notes it and posts the status callback if subscribed.
    pub async fn set_status(&mut self, status: CallStatus) {
        let now = self.inner.clock.now();
        let duration = self.answered_at.map(|a| whole_secs_between(a, now));
        {
            let mut state = self.inner.store.lock();
            if let Some(call) = state.calls.get_mut(&self.sid) {
                call.status = status;
                call.date_updated = now;
                if status == CallStatus::InProgress {
                    call.start_time = Some(now);
                }
                if status.is_final() {
                    call.end_time = Some(now);
                    call.duration = Some(duration.unwrap_or(0));
                    call.answered_by.clone_from(&self.answered_by);
                    let minutes = duration.unwrap_or(0).div_ceil(60);
                    call.price = Some(format!("-{:.4}", minutes as f64 * 0.014));
                }
            }
            state.record(&self.sid, now.to_string(), EventKind::Status { status });
        }
        let event = match status {
            CallStatus::Queued => return,
            CallStatus::Initiated => "initiated",
            CallStatus::Ringing => "ringing",
            CallStatus::InProgress => "answered",
            _ => "completed",
        };
        let Some(cb) = self.status_callback.clone() else {
            return;
        };
        if !cb.events.iter().any(|e| e == event) {
            return;
        }
        let mut params = self.call_params();
        params.extend(crate::webhook::params([
            ("CallbackSource", "call-progress-events".to_owned()),
            ("SequenceNumber", self.sequence.to_string()),
            ("Timestamp", crate::clock::rfc2822(now)),
        ]));
        if status.is_final() {
            let secs = duration.unwrap_or(0);
            params.push(("CallDuration".to_owned(), secs.to_string()));
            params.push(("Duration".to_owned(), secs.div_ceil(60).to_string()));
        }
        self.sequence += 1;
        self.inner
            .callback(Some(&self.sid), &cb.url, cb.method, params)
            .await;
    }

    /// Marks the leg answered (once): in-progress, and the party's own hang-up timer starts.
    pub async fn answer(&mut self) {
        if self.answered_at.is_some() {
            return;
        }
        self.answered_at = Some(self.inner.clock.now());
        if let Some(secs) = self.party.hangup_after_secs {
            self.hangs_up_at = Some(
                Instant::now()
                    + self
                        .inner
                        .clock
                        .to_real(std::time::Duration::from_secs_f64(secs)),
            );
        }
        self.set_status(CallStatus::InProgress).await;
    }

    /// Waits `secs` virtual seconds unless the call is interrupted or the party hangs up.
    pub async fn wait(&mut self, secs: f64) -> Result<(), Stop> {
        if let Some(interrupt) = self.take_interrupt() {
            return Err(Stop::Interrupt(interrupt));
        }
        let hangs_up_at = self.hangs_up_at;
        let clock = self.inner.clock.clone();
        let interrupts = &mut self.interrupts;
        let hangup = async move {
            match hangs_up_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let interrupted = async move {
            loop {
                if interrupts.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
                if let Some(i) = interrupts.borrow_and_update().clone() {
                    return i;
                }
            }
        };
        tokio::select! {
            () = clock.sleep_secs(secs) => Ok(()),
            () = hangup => Err(Stop::PartyHungUp),
            i = interrupted => Err(Stop::Interrupt(i)),
        }
    }

    /// An interrupt sent since the last one was taken, if any.
    pub fn take_interrupt(&mut self) -> Option<Interrupt> {
        if self.interrupts.has_changed().unwrap_or(false) {
            return self.interrupts.borrow_and_update().clone();
        }
        None
    }

    /// Ends the leg with a final status and wakes anyone waiting for it.
    pub async fn finish(&mut self, status: CallStatus) {
        self.set_status(status).await;
        self.inner.store.lock().finish_call(&self.sid, status);
    }

    /// Notes something in the transcript.
    pub fn note(&self, kind: EventKind) {
        self.inner.note(&self.sid, kind);
    }
}
