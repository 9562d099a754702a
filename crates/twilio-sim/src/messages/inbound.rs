//! Inbound texts: opt-out keywords, the signed `SmsUrl` request, and the reply TwiML.

use std::sync::Arc;

use twilio::Method;
use twilio::twiml::{MessagingResponse, MessagingVerb};

use super::outbound::{OutboundText, create};
use super::text::{Keyword, keyword, segments};
use crate::error::SimError;
use crate::model::{MessageRecord, MessageStatus};
use crate::sim::Inner;
use crate::webhook::{params, resolve};

/// Redirects one inbound text may follow.
const MAX_REDIRECTS: usize = 10;

/// Someone at `from` texts `body` to the account's number `to`.
pub fn deliver_inbound(
    inner: &Arc<Inner>,
    from: &str,
    to: &str,
    body: &str,
) -> Result<String, SimError> {
    let number = inner
        .store
        .lock()
        .number_by_phone(to)
        .cloned()
        .ok_or_else(|| SimError::UnknownNumber(to.to_owned()))?;
    let now = inner.clock.now();
    let record = MessageRecord {
        sid: twilio::resources::sid::new_sid("SM"),
        from: from.to_owned(),
        to: to.to_owned(),
        body: body.to_owned(),
        direction: "inbound",
        status: MessageStatus::Received,
        num_segments: segments(body),
        num_media: 0,
        price: Some(super::price_for(segments(body))),
        error_code: None,
        error_message: None,
        messaging_service_sid: None,
        date_created: now,
        date_updated: now,
        date_sent: Some(now),
    };
    let sid = record.sid.clone();
    {
        let mut state = inner.store.lock();
        let pair = (to.to_owned(), from.to_owned());
        match keyword(body) {
            Some(Keyword::OptOut) => {
                state.opt_outs.insert(pair);
            }
            Some(Keyword::OptIn) => {
                state.opt_outs.remove(&pair);
            }
            _ => {}
        }
        state.message_order.push(sid.clone());
        state.messages.insert(sid.clone(), record.clone());
    }
    if let Some(url) = number.sms_url.clone() {
        let method = number.sms_method.parse().unwrap_or(Method::Post);
        let fallback = number.sms_fallback_url.clone().map(|u| {
            (
                u,
                number.sms_fallback_method.parse().unwrap_or(Method::Post),
            )
        });
        tokio::spawn(ask_app(inner.clone(), record, url, method, fallback));
    }
    Ok(sid)
}

/// Posts the inbound text to the app and sends the `<Message>` replies it answers with.
async fn ask_app(
    inner: Arc<Inner>,
    text: MessageRecord,
    url: String,
    method: Method,
    fallback: Option<(String, Method)>,
) {
    let p = params([
        ("AccountSid", inner.cfg.account_sid.clone()),
        ("ApiVersion", "2010-04-01".to_owned()),
        ("Body", text.body.clone()),
        ("From", text.from.clone()),
        ("MessageSid", text.sid.clone()),
        ("NumMedia", "0".to_owned()),
        ("NumSegments", text.num_segments.to_string()),
        ("SmsMessageSid", text.sid.clone()),
        ("SmsSid", text.sid.clone()),
        ("SmsStatus", "received".to_owned()),
        ("To", text.to.clone()),
    ]);
    let mut target = Some((url, method));
    let mut redirects = 0;
    while let Some((url, method)) = target.take() {
        let response = match fetch(&inner, &url, method, &p).await {
            Some(r) => r,
            None => match &fallback {
                Some((f, m)) if redirects == 0 => match fetch(&inner, f, *m, &p).await {
                    Some(r) => r,
                    None => return,
                },
                _ => return,
            },
        };
        for verb in response.verbs {
            match verb {
                MessagingVerb::Message(message) => {
                    let reply = OutboundText {
                        from: message.from.clone().unwrap_or_else(|| text.to.clone()),
                        to: message.to.clone().unwrap_or_else(|| text.from.clone()),
                        body: message.body.clone(),
                        num_media: message.media.len() as u32,
                        status_callback: message
                            .action
                            .as_deref()
                            .and_then(|a| resolve(Some(&url), a).ok())
                            .map(|a| (a, message.method.unwrap_or(Method::Post))),
                        validity_secs: None,
                        direction: "outbound-reply",
                        messaging_service_sid: None,
                        account_sid: None,
                    };
                    if let Err(code) = create(&inner, reply) {
                        tracing::info!(code, to = %text.from, "reply TwiML refused");
                    }
                }
                MessagingVerb::Redirect(redirect) if redirects < MAX_REDIRECTS => {
                    redirects += 1;
                    if let Ok(next) = resolve(Some(&url), &redirect.url) {
                        target = Some((next, redirect.method.unwrap_or(Method::Post)));
                    }
                    break;
                }
                MessagingVerb::Redirect(_) => return,
            }
        }
    }
}

async fn fetch(
    inner: &Inner,
    url: &str,
    method: Method,
    p: &crate::webhook::Params,
) -> Option<MessagingResponse> {
    let answer = inner.send_signed(url, method, p).await.ok()?;
    if !(200..300).contains(&answer.status) {
        return None;
    }
    if answer.body.trim().is_empty() {
        return Some(MessagingResponse::default());
    }
    MessagingResponse::parse(&answer.body).ok()
}
