//! `POST /api/v1/messages`: one text through the outbox. With an `Idempotency-Key` header the
//! same key answers with the same row and never sends twice (a different request with the key
//! is a 409). The answer says what happened: sent (with the SID), queued (and until when), or
//! skipped (and why).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dispatch::{self, DispatchSettings};
use super::model::{OutboxKind, OutboxStatus, SkipReason};
use super::store::{self, EnqueueError, Enqueued, NewSend, OutboxRow};
use crate::accounts::Role;
use crate::contacts::model::zones::fallback_zone;
use crate::http::{ApiCaller, AppError, AppResult, Json};
use crate::services::Services;
use crate::telephony::numbers::store::list as list_numbers;
use crate::zone::Zone;
use twilio::segments::MAX_BODY_CHARS;

/// The header a client repeats to make a retried request safe.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

pub fn router() -> Router<Services> {
    Router::new()
        .route("/api/v1/messages", post(send_message))
        .merge(super::queue_api::router())
}

/// A text to send.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// The recipient, E.164 or a national number of the +1 plan.
    pub to: String,
    /// One of the organisation's numbers; default: its first.
    pub from: Option<String>,
    pub body: String,
    /// The recipient's time zone for quiet hours, when their number's country has several.
    pub time_zone: Option<String>,
}

/// What became of a text.
#[derive(Serialize, ToSchema)]
pub struct MessageOutcome {
    pub id: i64,
    /// sent, queued, skipped or failed.
    pub status: &'static str,
    pub to: String,
    pub from: String,
    /// The provider's SID, once sent.
    pub sid: Option<String>,
    /// When a queued text will next be tried (RFC 3339).
    pub queued_until: Option<String>,
    /// Why a text was skipped: opted-out, quiet-hours, expired or cancelled.
    pub skip_reason: Option<SkipReason>,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
}

impl From<&OutboxRow> for MessageOutcome {
    fn from(row: &OutboxRow) -> MessageOutcome {
        let status = match row.status {
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
            OutboxStatus::Skipped => "skipped",
            OutboxStatus::Pending | OutboxStatus::Claimed => "queued",
        };
        MessageOutcome {
            id: row.id.get(),
            status,
            to: row.recipient.clone(),
            from: row.sender.clone(),
            sid: row.provider_sid.clone(),
            queued_until: (status == "queued")
                .then(|| crate::clock::from_ms(row.due_at).to_string()),
            skip_reason: row.skip_reason,
            error_code: row.error_code,
            error_message: row.error_message.clone(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/messages", tag = "telephony", security(("bearer" = [])),
    request_body = NewMessage,
    params(("Idempotency-Key" = Option<String>, Header, description = "the same key never sends twice")),
    responses((status = 201, body = MessageOutcome, description = "a new text: sent, queued or skipped"),
        (status = 200, body = MessageOutcome, description = "the key was used before for this text"),
        (status = 400, description = "a field is invalid"),
        (status = 409, description = "the key was used before for another text")))]
pub async fn send_message(
    State(services): State<Services>,
    caller: ApiCaller,
    headers: HeaderMap,
    Json(new): Json<NewMessage>,
) -> AppResult<(StatusCode, Json<MessageOutcome>)> {
    caller.require(Role::Agent)?;
    let key = idempotency_key(&headers)?;
    let to = crate::telephony::parse_e164(&new.to).map_err(|e| AppError::field("to", e))?;
    let body = text_body(&new.body)?;
    let from = sender(&services, caller.org, new.from.as_deref()).await?;
    let zone = match new.time_zone.as_deref() {
        Some(z) => Zone::parse(z).map_err(|e| AppError::field("time_zone", e.to_string()))?,
        None => fallback_zone(),
    };
    let now = services.clock.now_ms();
    let send = NewSend {
        org: caller.org,
        owner_kind: "api",
        owner_id: None,
        key: &key,
        kind: OutboxKind::Text,
        recipient: &to,
        sender: &from,
        body: Some(&body),
        call_url: None,
        earliest_at: now,
        latest_at: None,
        recipient_zone: new.time_zone.is_some().then_some(&zone),
        fallback_zone: &zone,
        waits_for_window: true,
    };
    let mut tx = services.db.write().await.map_err(anyhow::Error::from)?;
    let enqueued = store::enqueue(&mut tx, &send, now).await;
    tx.commit().await.map_err(anyhow::Error::from)?;
    let (status, id) = match enqueued {
        Ok(Enqueued::New(id)) => (StatusCode::CREATED, id),
        Ok(Enqueued::Existing(row)) => return Ok((StatusCode::OK, Json((&*row).into()))),
        Err(EnqueueError::KeyReused(e)) => {
            return Err(AppError::Conflict {
                field: Some("Idempotency-Key".into()),
                message: e.to_string(),
            });
        }
        Err(EnqueueError::Db(e)) => return Err(anyhow::Error::from(e).into()),
    };
    let worker = format!("api-{}", caller.token_id);
    let settings = DispatchSettings::from_config(&services.config.outbound);
    dispatch::dispatch_one(&services, &settings, &worker, caller.org, id).await?;
    let row = store::get(&services.db, caller.org, id)
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| anyhow::anyhow!("outbox row {id} vanished"))?;
    Ok((status, Json((&row).into())))
}

/// The request's `Idempotency-Key`, or a new random one (no protection against retries).
fn idempotency_key(headers: &HeaderMap) -> AppResult<String> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(format!("auto-{}", crate::accounts::secrets::new_token("")));
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=255).contains(&k.len()) && !k.starts_with("auto-"))
        .ok_or_else(|| {
            AppError::field(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters, not starting auto-",
            )
        })?;
    Ok(key.to_string())
}

/// A text's body: 1 to 1,600 characters; line breaks and tabs allowed, other control
/// characters refused.
fn text_body(body: &str) -> AppResult<String> {
    if body.trim().is_empty() {
        return Err(AppError::field("body", "is required"));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(AppError::field(
            "body",
            format!("must be at most {MAX_BODY_CHARS} characters"),
        ));
    }
    if let Some(c) = body
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::field(
            "body",
            format!("must not contain the control character U+{:04X}", c as u32),
        ));
    }
    Ok(body.to_string())
}

/// The sender: `from` when it is one of the organisation's numbers, else its first number.
async fn sender(
    services: &Services,
    org: crate::ids::OrgId,
    from: Option<&str>,
) -> AppResult<String> {
    let numbers = list_numbers(&services.db, org).await?;
    match from {
        Some(raw) => {
            let e164 = crate::telephony::parse_e164(raw).map_err(|e| AppError::field("from", e))?;
            numbers
                .iter()
                .any(|n| n.e164 == e164)
                .then_some(e164)
                .ok_or_else(|| AppError::field("from", "is not one of your organisation's numbers"))
        }
        None => numbers.first().map(|n| n.e164.clone()).ok_or_else(|| {
            AppError::field(
                "from",
                "your organisation has no number yet: add one under Numbers",
            )
        }),
    }
}
