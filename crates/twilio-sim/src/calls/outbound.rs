//! The life of a call leg from the queue to its final status.

use std::time::Duration;

use twilio::Method;

use super::ring::{self, RingPlan};
use super::{Leg, OutboundRequest, Stop};
use crate::model::CallStatus;
use crate::twiml::{self, Doc};

/// An outbound API call: waits its turn under the calls-per-second limit, rings the party,
/// then runs the app's TwiML.
pub async fn run(mut leg: Leg, req: OutboundRequest) {
    let queued_at = tokio::time::Instant::now();
    let slot = leg.inner.call_pacer.reserve("calls");
    let waited = tokio::select! {
        () = tokio::time::sleep_until(slot) => Ok(()),
        stop = leg.wait(f64::INFINITY) => stop,
    };
    if waited.is_err() {
        return leg.finish(CallStatus::Canceled).await;
    }
    let queue_ms = (queued_at.elapsed().as_secs_f64() * leg.inner.clock.speed() * 1000.0) as u64;
    if let Some(call) = leg.inner.store.lock().calls.get_mut(&leg.sid) {
        call.queue_time_ms = queue_ms;
    }
    leg.set_status(CallStatus::Initiated).await;
    if !ring_until_answered(&mut leg, req.timeout_secs).await {
        return;
    }
    leg.answer().await;
    if req.time_limit_secs.is_finite() {
        let limit = tokio::time::Instant::now()
            + leg
                .inner
                .clock
                .to_real(Duration::from_secs_f64(req.time_limit_secs));
        leg.hangs_up_at = Some(leg.hangs_up_at.map_or(limit, |at| at.min(limit)));
    }
    let mut doc = req.doc.clone();
    if let Some(mode) = &req.machine_detection {
        let detect_end = mode.eq_ignore_ascii_case("DetectMessageEnd");
        let secs = ring::detection_secs(&leg.party, detect_end);
        let answered_by = leg.party.answered_by(detect_end);
        match &req.async_amd_callback {
            Some((url, method)) => spawn_async_amd(&leg, url.clone(), *method, answered_by, secs),
            None => {
                if leg.wait(secs).await.is_err() {
                    return leg.finish(CallStatus::Completed).await;
                }
                leg.answered_by = Some(answered_by);
            }
        }
    }
    if let Doc::Fetch { extra, .. } = &mut doc {
        extra.clear();
    }
    let end = twiml::run_app(&mut leg, doc).await;
    leg.finish(end.status()).await;
    if let Some(callback) = req.record {
        record_whole_call(&leg, callback).await;
    }
}

/// `Record=true`: the recording of an answered call covers all of it.
async fn record_whole_call(leg: &Leg, callback: Option<(String, Method)>) {
    let secs = leg
        .inner
        .store
        .lock()
        .calls
        .get(&leg.sid)
        .and_then(|c| c.duration)
        .unwrap_or(0);
    let recording = twiml::record::store_recording(&leg.inner, &leg.sid, secs.max(1), "");
    if let Some((url, method)) = callback {
        twiml::record::post_recording_status(
            &leg.inner,
            &leg.sid,
            &recording,
            "OutboundAPI",
            &url,
            method,
        )
        .await;
    }
}

/// Rings the leg's party; on any outcome but an answer, finishes the leg and returns false.
pub async fn ring_until_answered(leg: &mut Leg, timeout_secs: f64) -> bool {
    let plan = ring::plan(&leg.party, timeout_secs);
    let (after, end) = match plan {
        RingPlan::Answer { after } => {
            leg.set_status(CallStatus::Ringing).await;
            (after, None)
        }
        RingPlan::End {
            after,
            status,
            rings,
        } => {
            if rings {
                leg.set_status(CallStatus::Ringing).await;
            }
            (after, Some(status))
        }
    };
    if let Err(stop) = leg.wait(after).await {
        let status = match stop {
            Stop::PartyHungUp => CallStatus::NoAnswer,
            Stop::Interrupt(_) => CallStatus::Canceled,
        };
        leg.finish(status).await;
        return false;
    }
    match end {
        Some(status) => {
            leg.finish(status).await;
            false
        }
        None => true,
    }
}

/// Posts `AsyncAmdStatusCallback` once detection would have finished, while TwiML runs.
fn spawn_async_amd(leg: &Leg, url: String, method: Method, answered_by: String, secs: f64) {
    let inner = leg.inner.clone();
    let sid = leg.sid.clone();
    let mut params = leg.call_params();
    tokio::spawn(async move {
        inner.clock.sleep_secs(secs).await;
        params.push(("AnsweredBy".to_owned(), answered_by.clone()));
        params.push((
            "MachineDetectionDuration".to_owned(),
            ((secs * 1000.0) as u64).to_string(),
        ));
        if let Some(call) = inner.store.lock().calls.get_mut(&sid) {
            call.answered_by = Some(answered_by);
        }
        inner.callback(Some(&sid), &url, method, params).await;
    });
}

/// An inbound call: ringing at the account's number until its TwiML answers or rejects it.
pub async fn run_inbound(mut leg: Leg, doc: Doc) {
    leg.set_status(CallStatus::Ringing).await;
    let end = twiml::run_app(&mut leg, doc).await;
    leg.finish(end.status()).await;
}
