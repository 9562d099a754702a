//! Outbound texts: opt-out check, the per-sender queue, and queued → sending → sent →
//! delivered | undelivered | failed with signed status callbacks.

use std::sync::Arc;

use twilio::Method;

use super::text::segments;
use crate::model::{MessageRecord, MessageStatus};
use crate::sim::Inner;
use crate::webhook::params;

/// A validated request to send a text.
#[derive(Clone, Debug)]
pub struct OutboundText {
    pub from: String,
    pub to: String,
    pub body: String,
    pub num_media: u32,
    pub status_callback: Option<(String, Method)>,
    /// `ValidityPeriod`: seconds the text may wait in the queue.
    pub validity_secs: Option<u64>,
    /// `outbound-api` or `outbound-reply`.
    pub direction: &'static str,
    pub messaging_service_sid: Option<String>,
    /// The account it was created on, when not the configured one (its callbacks say so and
    /// are signed with its token).
    pub account_sid: Option<String>,
}

/// Twilio's code for a recipient who replied STOP to this sender.
pub const OPTED_OUT: u32 = 21610;
/// Twilio's code for a text that waited longer than its `ValidityPeriod`.
const VALIDITY_EXPIRED: u32 = 30036;
/// Twilio's code for a handset that could not be reached.
const UNREACHABLE_HANDSET: u32 = 30003;

/// Seconds between the sending steps.
const SEND_SECS: f64 = 1.0;
const DELIVER_SECS: f64 = 2.0;

/// Price of a text: $0.0079 per segment, negative as Twilio writes it.
pub fn price_for(segments: u32) -> String {
    format!("-{:.4}", f64::from(segments) * 0.0079)
}

/// Accepts a text for sending, or refuses it with a Twilio error code (21610 when opted out).
pub fn create(inner: &Arc<Inner>, text: OutboundText) -> Result<MessageRecord, u32> {
    let now = inner.clock.now();
    let record = MessageRecord {
        sid: twilio::resources::sid::new_sid("SM"),
        from: text.from.clone(),
        to: text.to.clone(),
        body: text.body.clone(),
        direction: text.direction,
        // Messaging Services answer `accepted` while they pick a sender; plain sends `queued`.
        status: if text.messaging_service_sid.is_some() {
            MessageStatus::Accepted
        } else {
            MessageStatus::Queued
        },
        num_segments: segments(&text.body),
        num_media: text.num_media,
        price: None,
        error_code: None,
        error_message: None,
        messaging_service_sid: text.messaging_service_sid.clone(),
        date_created: now,
        date_updated: now,
        date_sent: None,
    };
    {
        let mut state = inner.store.lock();
        if state
            .opt_outs
            .contains(&(text.from.clone(), text.to.clone()))
        {
            return Err(OPTED_OUT);
        }
        state.message_order.push(record.sid.clone());
        state.messages.insert(record.sid.clone(), record.clone());
    }
    tokio::spawn(run(
        inner.clone(),
        record.sid.clone(),
        text,
        record.num_segments,
    ));
    Ok(record)
}

async fn run(inner: Arc<Inner>, sid: String, text: OutboundText, segments: u32) {
    let queued_at = tokio::time::Instant::now();
    let mut departs = inner.message_pacer.reserve(&text.from);
    for _ in 1..segments {
        departs = departs.max(inner.message_pacer.reserve(&text.from));
    }
    tokio::time::sleep_until(departs).await;
    if let Some(validity) = text.validity_secs {
        let waited = queued_at.elapsed().as_secs_f64() * inner.clock.speed();
        if waited > validity as f64 {
            let message = "Validity Period Expired".to_owned();
            return step(
                &inner,
                &sid,
                &text,
                MessageStatus::Failed,
                Some((VALIDITY_EXPIRED, message)),
            )
            .await;
        }
    }
    step(&inner, &sid, &text, MessageStatus::Sending, None).await;
    inner.clock.sleep_secs(SEND_SECS).await;
    step(&inner, &sid, &text, MessageStatus::Sent, None).await;
    inner.clock.sleep_secs(DELIVER_SECS).await;
    let recipient = inner.behaviour_of(&text.to);
    let unreachable =
        recipient.undeliverable || recipient.outcome == crate::behaviour::Outcome::Unreachable;
    if unreachable {
        let error = Some((
            UNREACHABLE_HANDSET,
            "Unreachable destination handset".to_owned(),
        ));
        return step(&inner, &sid, &text, MessageStatus::Undelivered, error).await;
    }
    step(&inner, &sid, &text, MessageStatus::Delivered, None).await;
    super::people::react(
        inner,
        text.to.clone(),
        text.from.clone(),
        text.body.clone(),
        recipient,
    );
}

/// Moves a text to `status` and posts its status callback.
async fn step(
    inner: &Arc<Inner>,
    sid: &str,
    text: &OutboundText,
    status: MessageStatus,
    error: Option<(u32, String)>,
) {
    let now = inner.clock.now();
    {
        let mut state = inner.store.lock();
        if let Some(m) = state.messages.get_mut(sid) {
            m.status = status;
            m.date_updated = now;
            if status == MessageStatus::Sent {
                m.date_sent = Some(now);
                m.price = Some(price_for(m.num_segments));
            }
            if let Some((code, message)) = &error {
                m.error_code = Some(*code);
                m.error_message = Some(message.clone());
            }
        }
    }
    inner.note(sid, crate::store::EventKind::MessageStatus { status });
    let Some((url, method)) = &text.status_callback else {
        return;
    };
    let account = text.account_sid.clone();
    let mut p = params([
        (
            "AccountSid",
            account.unwrap_or_else(|| inner.cfg.account_sid.clone()),
        ),
        ("ApiVersion", "2010-04-01".to_owned()),
        ("From", text.from.clone()),
        ("MessageSid", sid.to_owned()),
        ("MessageStatus", status.as_str().to_owned()),
        ("SmsSid", sid.to_owned()),
        ("SmsStatus", status.as_str().to_owned()),
        ("To", text.to.clone()),
    ]);
    if let Some((code, _)) = &error {
        p.push(("ErrorCode".to_owned(), code.to_string()));
    }
    inner.callback(Some(sid), url, *method, p).await;
}
