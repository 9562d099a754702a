//! `POST /twilio/messages/inbound`: a text to one of the organisation's numbers. Signed with
//! the token of the organisation that owns the number (`To`). The text is kept in the inbox
//! once; a keyword opts the sender out or back in (the consent ledger), a request to stop in
//! other words is flagged for review with the day it must be honoured by. The carrier answers
//! its own keywords, so we reply only where it did not ("Stop." is no keyword to Twilio): one
//! confirmation, never two (a short code has no carrier replies). HELP and INFO get the
//! organisation's help text. Any other text goes to the number's owner (`numbers::registry`),
//! which may answer it; a text to a number with no owner stays in the inbox (the catch-all)
//! unanswered, with a log line naming the number.

pub mod store;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use twilio::segments::MAX_BODY_CHARS;
use twilio::twiml::MessagingResponse;
use twilio::webhook::InboundMessage;

use self::store::InboxRow;
use crate::contacts::model::consent::{self, Channel, ConsentSource, ReplyKind};
use crate::contacts::model::zones::{fallback_zone, recipient_zone};
use crate::contacts::store::consent::ConsentEvent;
use crate::http::twilio_signature::TwilioRequest;
use crate::http::{AppError, AppResult};
use crate::limits;
use crate::services::Services;
use crate::telephony::numbers::Owners;
use crate::telephony::numbers::dispatch::{hand_text, owner_for};

pub const INBOUND_PATH: &str = "/twilio/messages/inbound";

/// Our confirmation when we, not the carrier, opted someone out.
pub const OPTED_OUT_REPLY: &str = "You are unsubscribed and will receive no more texts from this number. Reply START to resubscribe.";
/// Our confirmation when we, not the carrier, opted someone back in.
pub const OPTED_IN_REPLY: &str = "You are subscribed again. Reply STOP to unsubscribe.";

/// Handles a text to one of the organisation's numbers (`telephony::http` routes it).
pub async fn inbound(
    State(services): State<Services>,
    State(owners): State<Owners>,
    req: TwilioRequest,
) -> AppResult<Response> {
    let text = InboundMessage::from_pairs(&req.params)?;
    let Some(org) = req.org() else {
        tracing::warn!(
            to = text.to,
            "a text to a number no organisation has; not kept"
        );
        return Ok(messaging(MessagingResponse::new()));
    };
    if text.body.chars().count() > MAX_BODY_CHARS {
        let limit = format!("must be at most {MAX_BODY_CHARS} characters");
        return Err(AppError::field("Body", limit));
    }
    for (field, value, max) in [
        ("From", &text.from, 32),
        ("To", &text.to, 32),
        ("MessageSid", &text.message_sid, 64),
    ] {
        if limits::text(field, value, max)?.is_empty() {
            return Err(AppError::field(field, "is required"));
        }
    }
    let owner = owner_for(&services, org, &text.to).await?;
    let reply = consent::classify_to(&text.body, &text.to);
    let now = services.clock.now();
    let zone = recipient_zone(None, &text.from, &fallback_zone());
    let review_by = (reply.kind == ReplyKind::Review)
        .then(|| consent::revocation_deadline(now, &zone).to_string());
    let opted_in = match reply.kind {
        ReplyKind::OptOut => Some(false),
        ReplyKind::OptIn => Some(true),
        _ => None,
    };
    let event = opted_in.map(|opted_in| ConsentEvent {
        phone: text.from.clone(),
        channel: Channel::Sms,
        opted_in,
        source: if reply.carrier_answered {
            ConsentSource::Keyword
        } else {
            ConsentSource::Reply
        },
        note: Some(text.body.chars().take(160).collect()),
        created_at: now.as_millisecond(),
    });
    let row = InboxRow {
        id: 0,
        message_sid: text.message_sid.clone(),
        sender: text.from.clone(),
        recipient: text.to.clone(),
        body: text.body.clone(),
        reply_kind: reply.kind,
        review_by,
        owner,
        created_at: now.as_millisecond(),
    };
    let kept = store::keep(&services.db, org, &row, event.as_ref())
        .await
        .map_err(anyhow::Error::from)?;
    tracing::info!(message.sid = text.message_sid, kind = %reply.kind, kept, "an inbound text");
    // A retried webhook gets the same answer: its first answer never reached Twilio.
    let mut answer = MessagingResponse::new();
    match (reply.kind, reply.carrier_answered) {
        (ReplyKind::OptOut, false) => answer = answer.message(OPTED_OUT_REPLY),
        (ReplyKind::OptIn, false) => answer = answer.message(OPTED_IN_REPLY),
        (ReplyKind::Help, false) => answer = answer.message(help_reply(&services, org).await?),
        (ReplyKind::OptOut | ReplyKind::OptIn | ReplyKind::Help, _) => {}
        (ReplyKind::Review | ReplyKind::Other, _) if owner.is_none() => tracing::info!(
            message.sid = text.message_sid,
            number = text.to,
            "A text reached {}, which has no owner: kept in the inbox, not answered.",
            text.to
        ),
        (ReplyKind::Review | ReplyKind::Other, _) => {
            if let Some(answer) = hand_text(&owners, org, owner, req).await {
                return Ok(answer);
            }
        }
    }
    Ok(messaging(answer))
}

fn messaging(answer: MessagingResponse) -> Response {
    (
        [(header::CONTENT_TYPE, twilio::twiml::CONTENT_TYPE)],
        answer.to_xml(),
    )
        .into_response()
}

/// The organisation's answer to HELP and INFO (Settings; by default one naming it).
async fn help_reply(services: &Services, org: crate::ids::OrgId) -> AppResult<String> {
    let (name, settings) = crate::accounts::outbound::store::load(&services.db, org).await?;
    Ok(settings.help_reply(&name))
}
