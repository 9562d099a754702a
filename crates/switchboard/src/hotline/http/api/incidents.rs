//! Incidents with attempts and audit trail, and a line's metrics.

use axum::extract::{Path, Query, State};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::Role;
use crate::hotline::model::IncidentStatus;
use crate::hotline::store::incidents::{
    self, Event, Incident, IncidentFilter, LineMetrics, StoredAttempt,
};
use crate::hotline::store::lines;
use crate::http::{ApiCaller, AppError, AppResult, Json};
use crate::ids::{IncidentId, LineId};
use crate::services::Services;

#[derive(Deserialize, IntoParams)]
pub struct Range {
    /// RFC 3339 instant (default: 30 days ago).
    pub from: Option<String>,
    /// RFC 3339 instant (default: now).
    pub to: Option<String>,
}

fn instant(field: &str, value: Option<&String>) -> AppResult<Option<i64>> {
    value
        .map(|v| {
            v.parse::<Timestamp>()
                .map(|t| t.as_millisecond())
                .map_err(|_| AppError::field(field, format!("'{v}' is not an RFC 3339 instant")))
        })
        .transpose()
}

#[utoipa::path(get, path = "/api/v1/hotline/lines/{id}/metrics", tag = "hotline", security(("bearer" = [])), params(Range),
    responses((status = 200, body = LineMetrics), (status = 400)))]
pub async fn metrics(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
    Query(range): Query<Range>,
) -> AppResult<Json<LineMetrics>> {
    caller.require(Role::Viewer)?;
    lines::find_line(&state.db, caller.org, id).await?;
    let now = state.clock.now_ms();
    let to = instant("to", range.to.as_ref())?.unwrap_or(now + 1);
    let from = instant("from", range.from.as_ref())?.unwrap_or(to - 30 * 24 * 3600 * 1000);
    if from >= to {
        return Err(AppError::field("from", "must be before to"));
    }
    Ok(Json(
        incidents::metrics(&state.db, caller.org, id, from, to).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct IncidentQuery {
    #[param(value_type = Option<i64>)]
    pub line: Option<LineId>,
    /// open, answered, completed or exhausted.
    pub status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/hotline/incidents", tag = "hotline", security(("bearer" = [])), params(IncidentQuery),
    responses((status = 200, body = [Incident]), (status = 400)))]
pub async fn list_incidents(
    State(state): State<Services>,
    caller: ApiCaller,
    Query(q): Query<IncidentQuery>,
) -> AppResult<Json<Vec<Incident>>> {
    caller.require(Role::Viewer)?;
    let status = q
        .status
        .as_deref()
        .map(str::parse::<IncidentStatus>)
        .transpose()
        .map_err(|_| AppError::field("status", "must be open, answered, completed or exhausted"))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::field("limit", "must be from 1 to 1000"));
    }
    let filter = IncidentFilter {
        line_id: q.line,
        status,
        from: instant("from", q.from.as_ref())?,
        to: instant("to", q.to.as_ref())?,
        limit,
    };
    Ok(Json(incidents::list(&state.db, caller.org, &filter).await?))
}

/// An incident with its attempts and audit trail.
#[derive(Serialize, ToSchema)]
pub struct IncidentDetail {
    pub incident: Incident,
    pub attempts: Vec<StoredAttempt>,
    pub events: Vec<Event>,
}

#[utoipa::path(get, path = "/api/v1/hotline/incidents/{id}", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = IncidentDetail), (status = 404)))]
pub async fn get_incident(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<IncidentId>,
) -> AppResult<Json<IncidentDetail>> {
    caller.require(Role::Viewer)?;
    let incident = incidents::find(&state.db, caller.org, id).await?;
    let attempts = incidents::attempts(&state.db, caller.org, id).await?;
    let events = incidents::events(&state.db, caller.org, id).await?;
    Ok(Json(IncidentDetail {
        incident,
        attempts,
        events,
    }))
}
