//! `GET /api/v1/outbox` (each queue's length, rate and expected finish; totals by status) and
//! `GET /api/v1/outbox/items` (the rows, newest first, a page at a time).

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{OutboxKind, OutboxStatus, SkipReason};
use super::queue::{self, Estimate, ItemFilter, Lane};
use super::store::OutboxRow;
use crate::accounts::Role;
use crate::clock::from_ms;
use crate::http::{ApiCaller, AppError, AppResult, Json};
use crate::services::Services;

/// The most rows a page lists, and the default.
const MAX_LIMIT: i64 = 500;
const DEFAULT_LIMIT: i64 = 50;

pub fn router() -> Router<Services> {
    Router::new()
        .route("/api/v1/outbox", get(outbox_queues))
        .route("/api/v1/outbox/items", get(outbox_items))
}

/// One queue: the texts of a sender number, or the calls of an account.
#[derive(Serialize, ToSchema)]
pub struct QueueView {
    /// text or call.
    pub kind: OutboxKind,
    /// The sender number (texts) or the Twilio account SID (calls).
    pub sender: String,
    /// Rows still to go (pending, or claimed and not yet finished).
    pub pending: u64,
    /// Of those, rows due later: waiting for the recipient's window or their earliest time.
    pub waiting_for_window: u64,
    pub rate_per_second: f64,
    /// The pace's next free slot (RFC 3339).
    pub next_free_slot: String,
    /// When the first row still to take a slot would go.
    pub starts_at: Option<String>,
    /// When the last row would go, if dispatch went on from now.
    pub finishes_at: Option<String>,
    /// Seconds from now to `finishes_at`.
    pub drain_secs: Option<f64>,
}

impl QueueView {
    pub fn new(e: &Estimate, now: jiff::Timestamp) -> QueueView {
        QueueView {
            kind: e.kind,
            sender: e.sender.clone(),
            pending: e.queued,
            waiting_for_window: e.later,
            rate_per_second: e.rate.sends_per_second(),
            next_free_slot: e.next_free_slot.to_string(),
            starts_at: e.drain.and_then(|d| d.starts_at).map(|t| t.to_string()),
            finishes_at: e.drain.map(|d| d.finishes_at.to_string()),
            drain_secs: e
                .drain
                .map(|d| d.finishes_at.duration_since(now).as_secs_f64().max(0.0)),
        }
    }
}

/// The organisation's outbox at a glance.
#[derive(Serialize, ToSchema)]
pub struct OutboxOverview {
    /// The instant the estimates start from (RFC 3339).
    pub now: String,
    pub queues: Vec<QueueView>,
    /// Rows by status: pending, claimed, sent, failed, skipped.
    pub totals: std::collections::BTreeMap<String, i64>,
}

#[utoipa::path(get, path = "/api/v1/outbox", tag = "telephony", security(("bearer" = [])),
    responses((status = 200, body = OutboxOverview,
        description = "each sender's queue (and the calls of each account): length, rate, expected finish; totals by status")))]
pub async fn outbox_queues(
    State(services): State<Services>,
    caller: ApiCaller,
) -> AppResult<Json<OutboxOverview>> {
    caller.require(Role::Viewer)?;
    let now = services.clock.now();
    let mut queues = Vec::new();
    for e in estimates(&services, caller.org, now).await? {
        queues.push(QueueView::new(&e, now));
    }
    let totals = queue::totals(&services.db, caller.org).await?;
    let mut by_status: std::collections::BTreeMap<String, i64> = OutboxStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    by_status.extend(totals.into_iter().map(|(s, n)| (s.as_str().to_string(), n)));
    Ok(Json(OutboxOverview {
        now: now.to_string(),
        queues,
        totals: by_status,
    }))
}

/// Every queue of the organisation with rows still to go, estimated at `now`.
pub async fn estimates(
    services: &Services,
    org: crate::ids::OrgId,
    now: jiff::Timestamp,
) -> anyhow::Result<Vec<Estimate>> {
    let mut out = Vec::new();
    for (kind, sender) in queue::lanes(&services.db, org).await? {
        let lane = match kind {
            OutboxKind::Text => Lane::Texts { sender: &sender },
            OutboxKind::Call => Lane::Calls,
        };
        out.push(queue::estimate(services, org, lane, 0, now).await?);
    }
    Ok(out)
}

/// Which rows to list; all optional.
#[derive(Deserialize, IntoParams)]
pub struct ItemsQuery {
    /// pending, claimed, sent, failed or skipped.
    pub status: Option<String>,
    /// What asked for the send: api, texting-send, ...
    pub owner_kind: Option<String>,
    /// 1 to 500; default 50.
    pub limit: Option<String>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// One row of the outbox.
#[derive(Serialize, ToSchema)]
pub struct OutboxItem {
    pub id: i64,
    pub kind: OutboxKind,
    pub owner_kind: String,
    pub recipient: String,
    pub sender: String,
    pub status: OutboxStatus,
    pub skip_reason: Option<SkipReason>,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
    pub provider_sid: Option<String>,
    pub created_at: String,
    /// When it is next looked at (pending rows).
    pub due_at: String,
    pub finished_at: Option<String>,
}

impl From<&OutboxRow> for OutboxItem {
    fn from(r: &OutboxRow) -> OutboxItem {
        OutboxItem {
            id: r.id.get(),
            kind: r.kind,
            owner_kind: r.owner_kind.clone(),
            recipient: r.recipient.clone(),
            sender: r.sender.clone(),
            status: r.status,
            skip_reason: r.skip_reason,
            error_code: r.error_code,
            error_message: r.error_message.clone(),
            provider_sid: r.provider_sid.clone(),
            created_at: from_ms(r.created_at).to_string(),
            due_at: from_ms(r.due_at).to_string(),
            finished_at: r.finished_at.map(|t| from_ms(t).to_string()),
        }
    }
}

/// A page of rows.
#[derive(Serialize, ToSchema)]
pub struct OutboxItems {
    pub items: Vec<OutboxItem>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/outbox/items", tag = "telephony", security(("bearer" = [])),
    params(ItemsQuery),
    responses((status = 200, body = OutboxItems, description = "the rows, newest first"),
        (status = 400, description = "a parameter is invalid (named in `field`)")))]
pub async fn outbox_items(
    State(services): State<Services>,
    caller: ApiCaller,
    Query(q): Query<ItemsQuery>,
) -> AppResult<Json<OutboxItems>> {
    caller.require(Role::Viewer)?;
    let filter = item_filter(&q)?;
    let rows = queue::items(&services.db, caller.org, &filter).await?;
    let next_cursor = (rows.len() as i64 == filter.limit)
        .then(|| rows.last().map(|r| r.id.get().to_string()))
        .flatten();
    Ok(Json(OutboxItems {
        items: rows.iter().map(OutboxItem::from).collect(),
        next_cursor,
    }))
}

fn item_filter(q: &ItemsQuery) -> AppResult<ItemFilter<'_>> {
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<OutboxStatus>().map_err(|_| {
                AppError::field(
                    "status",
                    "must be pending, claimed, sent, failed or skipped",
                )
            })
        })
        .transpose()?;
    let owner_kind = q.owner_kind.as_deref().filter(|s| !s.is_empty());
    if let Some(k) = owner_kind {
        crate::limits::text("owner_kind", k, 40)?;
    }
    let limit = match q.limit.as_deref().filter(|s| !s.is_empty()) {
        None => DEFAULT_LIMIT,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                AppError::field("limit", format!("must be a number from 1 to {MAX_LIMIT}"))
            })?,
    };
    let before = match q.cursor.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => Some(
            c.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| AppError::field("cursor", "must be a next_cursor this API gave"))?,
        ),
    };
    Ok(ItemFilter {
        status,
        owner_kind,
        before,
        limit,
    })
}
