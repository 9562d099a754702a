//! `<Dial>`: child legs to each `<Number>`, the whisper on the callee's leg, the bridge, and
//! the action with `DialCallStatus`.
//!
//! Numbers ring simultaneously: the first to answer wins and the rest are canceled. A whisper
//! (`<Number url>`) runs on the callee's leg with the callee's scripted digits; if it hangs up,
//! the callee leg ends `completed` and the dial reports `no-answer`, as Twilio does for a
//! screened call that was declined.

use twilio::Method;
use twilio::twiml::{Dial, DialTarget, Number};

use super::{AppEnd, Doc, Flow, verbs};
use crate::calls::ring::{self, RingPlan};
use crate::calls::{Leg, StatusCallback, Stop, new_leg, new_record};
use crate::clock::whole_secs_between;
use crate::model::CallStatus;
use crate::store::EventKind;

/// Twilio's default `<Dial timeLimit>`: four hours.
const DEFAULT_TIME_LIMIT_SECS: u32 = 14_400;

pub async fn run(leg: &mut Leg, dial: Dial, doc_url: Option<&str>) -> Result<Flow, Stop> {
    let numbers: Vec<Number> = dial
        .targets
        .iter()
        .map(|DialTarget::Number(n)| n.clone())
        .collect();
    leg.note(EventKind::Verb {
        verb: "Dial".into(),
        detail: numbers
            .iter()
            .map(|n| n.number.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    });
    let timeout = f64::from(dial.timeout.unwrap_or(30));
    let caller_id = dial.caller_id.clone().unwrap_or_else(|| leg.from.clone());
    let mut children = Vec::new();
    for number in &numbers {
        let child = start_child(leg, number, &caller_id).await;
        let plan = ring::plan(&child.party, timeout);
        children.push((child, plan, number));
    }
    let winner = children
        .iter()
        .enumerate()
        .filter_map(|(i, (_, plan, _))| match plan {
            RingPlan::Answer { after } => Some((i, *after)),
            RingPlan::End { .. } => None,
        })
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let ring_secs = match winner {
        Some((_, after)) => after,
        None => children
            .iter()
            .map(|(_, p, _)| plan_secs(p))
            .fold(0.0, f64::max),
    };
    if let Err(stop) = leg.wait(ring_secs).await {
        for (child, _, _) in &mut children {
            child.finish(CallStatus::Canceled).await;
        }
        return Err(stop);
    }
    let mut dial_status = "no-answer";
    for (i, (child, plan, _)) in children.iter_mut().enumerate() {
        if Some(i) == winner.map(|w| w.0) {
            continue;
        }
        let status = match plan {
            RingPlan::End { status, after, .. } if winner.is_none_or(|w| *after <= w.1) => *status,
            _ => CallStatus::Canceled,
        };
        if winner.is_none() && numbers.len() == 1 {
            dial_status = status.as_str();
        }
        child.finish(status).await;
    }
    let mut answered: Option<(String, u64)> = None;
    let mut child_sid = children
        .first()
        .map(|(c, _, _)| c.sid.clone())
        .unwrap_or_default();
    if let Some((index, _)) = winner {
        let (child, _, number) = &mut children[index];
        child_sid = child.sid.clone();
        let outcome = bridge(leg, child, number, &dial, doc_url).await;
        match outcome {
            Bridge::Talked(secs) => {
                dial_status = "completed";
                answered = Some((child.sid.clone(), secs));
            }
            Bridge::Declined => dial_status = "no-answer",
            Bridge::CallerLeft(stop, secs) => {
                post_action_and_forget(leg, &dial, doc_url, "completed", &child_sid, Some(secs))
                    .await;
                return Err(stop);
            }
        }
    }
    leg.note(EventKind::Verb {
        verb: "Dial".into(),
        detail: format!("DialCallStatus={dial_status}"),
    });
    let Some(action) = dial.action.as_deref() else {
        return Ok(Flow::Next);
    };
    let extra = action_params(dial_status, &child_sid, answered.map(|a| a.1));
    Ok(Flow::Goto(verbs::fetch(
        doc_url,
        action,
        dial.method.unwrap_or(Method::Post),
        extra,
    )))
}

fn plan_secs(plan: &RingPlan) -> f64 {
    match plan {
        RingPlan::Answer { after } | RingPlan::End { after, .. } => *after,
    }
}

fn action_params(status: &str, child_sid: &str, secs: Option<u64>) -> Vec<(String, String)> {
    let mut p = vec![
        ("DialCallStatus".to_owned(), status.to_owned()),
        ("DialCallSid".to_owned(), child_sid.to_owned()),
    ];
    if let Some(secs) = secs {
        p.push(("DialCallDuration".to_owned(), secs.to_string()));
        p.push(("DialBridged".to_owned(), "true".to_owned()));
    }
    p
}

async fn start_child(parent: &Leg, number: &Number, caller_id: &str) -> Leg {
    let inner = &parent.inner;
    let mut record = new_record(
        inner,
        caller_id,
        &number.number,
        "outbound-dial",
        CallStatus::Queued,
    );
    record.parent_call_sid = Some(parent.sid.clone());
    let root = inner.store.lock().leg_root.get(&parent.sid).cloned();
    let party = inner.behaviour_of(&number.number);
    let mut child = new_leg(inner, &record, root.as_deref(), party);
    child.status_callback = number.status_callback.clone().map(|url| {
        let events: Vec<String> = number.status_callback_event.iter().cloned().collect();
        StatusCallback::new(
            url,
            number.status_callback_method.unwrap_or(Method::Post),
            &events,
        )
    });
    parent.note(EventKind::Dial {
        child_sid: child.sid.clone(),
        to: number.number.clone(),
    });
    child.set_status(CallStatus::Initiated).await;
    if !matches!(
        ring::plan(&child.party, f64::MAX),
        RingPlan::End { rings: false, .. }
    ) {
        child.set_status(CallStatus::Ringing).await;
    }
    child
}

enum Bridge {
    Talked(u64),
    Declined,
    CallerLeft(Stop, u64),
}

async fn bridge(
    leg: &mut Leg,
    child: &mut Leg,
    number: &Number,
    dial: &Dial,
    doc_url: Option<&str>,
) -> Bridge {
    child.answer().await;
    if let Some(url) = &number.url {
        let url = crate::webhook::resolve(doc_url, url).unwrap_or_else(|_| url.clone());
        let method = number.method.unwrap_or(Method::Post);
        let end = Box::pin(super::run_app(
            child,
            Doc::Fetch {
                url,
                method,
                extra: Vec::new(),
            },
        ))
        .await;
        if end != AppEnd::EndOfDocument {
            child.finish(CallStatus::Completed).await;
            return Bridge::Declined;
        }
    }
    if let Some(digits) = &number.send_digits {
        child.note(EventKind::Verb {
            verb: "Number".into(),
            detail: format!("sendDigits {digits}"),
        });
    }
    let bridged_at = leg.inner.clock.now();
    let limit = f64::from(dial.time_limit.unwrap_or(DEFAULT_TIME_LIMIT_SECS));
    let talk = child.party.talk_secs.min(limit);
    leg.note(EventKind::Verb {
        verb: "Dial".into(),
        detail: format!("bridged to {}", child.to),
    });
    let result = leg.wait(talk).await;
    let secs = whole_secs_between(bridged_at, leg.inner.clock.now());
    child.finish(CallStatus::Completed).await;
    match result {
        Ok(()) => Bridge::Talked(secs),
        Err(stop) => Bridge::CallerLeft(stop, secs),
    }
}

async fn post_action_and_forget(
    leg: &Leg,
    dial: &Dial,
    doc_url: Option<&str>,
    status: &str,
    child_sid: &str,
    secs: Option<u64>,
) {
    let Some(action) = dial.action.as_deref() else {
        return;
    };
    let Ok(url) = crate::webhook::resolve(doc_url, action) else {
        return;
    };
    let mut params = leg.call_params();
    params.extend(action_params(status, child_sid, secs));
    leg.inner
        .callback(
            Some(&leg.sid),
            &url,
            dial.method.unwrap_or(Method::Post),
            params,
        )
        .await;
}
