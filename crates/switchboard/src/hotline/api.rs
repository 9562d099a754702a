//! The native hotline API (`/api/v1/hotline/...`, Bearer tokens, organisation-scoped).

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, put};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::{LineInput, NewOnCall, NewOverride, NewShift, Rotation};
use super::model::ladder::LadderStep;
use super::model::{Hours, Override, Shift};
use super::store::incidents::{self, Attempt, Event, Incident, IncidentFilter, LineMetrics};
use super::store::lines::{self, Line};
use super::store::roster::{self, OnCallPeriod};
use crate::accounts::Role;
use crate::app::AppState;
use crate::http::{ApiCaller, AppError, AppResult, Json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/hotline/lines", get(list_lines).post(create_line))
        .route(
            "/api/v1/hotline/lines/{id}",
            get(get_line).put(update_line).delete(delete_line),
        )
        .route(
            "/api/v1/hotline/lines/{id}/shifts",
            get(list_shifts).post(add_shift),
        )
        .route(
            "/api/v1/hotline/lines/{id}/shifts/{shift}",
            delete(delete_shift),
        )
        .route(
            "/api/v1/hotline/lines/{id}/overrides",
            get(list_overrides).post(add_override),
        )
        .route(
            "/api/v1/hotline/lines/{id}/overrides/{item}",
            delete(delete_override),
        )
        .route(
            "/api/v1/hotline/lines/{id}/oncall",
            get(list_oncall).post(add_oncall),
        )
        .route(
            "/api/v1/hotline/lines/{id}/oncall/rotation",
            axum::routing::post(add_rotation),
        )
        .route(
            "/api/v1/hotline/lines/{id}/oncall/{period}",
            delete(delete_oncall),
        )
        .route("/api/v1/hotline/lines/{id}/ladders", get(get_ladders))
        .route(
            "/api/v1/hotline/lines/{id}/ladders/{hours}",
            put(set_ladder),
        )
        .route(
            "/api/v1/hotline/lines/{id}/pool",
            get(get_pool).put(set_pool),
        )
        .route("/api/v1/hotline/lines/{id}/metrics", get(metrics))
        .route("/api/v1/hotline/incidents", get(list_incidents))
        .route("/api/v1/hotline/incidents/{id}", get(get_incident))
}

#[utoipa::path(get, path = "/api/v1/hotline/lines", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = [Line])))]
pub async fn list_lines(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<Vec<Line>>> {
    caller.require(Role::Viewer)?;
    Ok(Json(lines::list_lines(&state.db, caller.org).await?))
}

#[utoipa::path(post, path = "/api/v1/hotline/lines", tag = "hotline", security(("bearer" = [])), request_body = LineInput,
    responses((status = 201, body = Line), (status = 400), (status = 409, description = "number already used")))]
pub async fn create_line(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<LineInput>,
) -> AppResult<(StatusCode, Json<Line>)> {
    caller.require(Role::Admin)?;
    let settings = input.validate()?;
    let line = lines::create_line(&state.db, caller.org, &settings, state.clock.now_ms()).await?;
    super::after_line_saved(&state, caller.org, &line).await?;
    Ok((StatusCode::CREATED, Json(line)))
}

#[utoipa::path(get, path = "/api/v1/hotline/lines/{id}", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = Line), (status = 404)))]
pub async fn get_line(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> AppResult<Json<Line>> {
    caller.require(Role::Viewer)?;
    Ok(Json(lines::find_line(&state.db, caller.org, id).await?))
}

#[utoipa::path(put, path = "/api/v1/hotline/lines/{id}", tag = "hotline", security(("bearer" = [])), request_body = LineInput,
    responses((status = 200, body = Line), (status = 404)))]
pub async fn update_line(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    Json(input): Json<LineInput>,
) -> AppResult<Json<Line>> {
    caller.require(Role::Admin)?;
    let settings = input.validate()?;
    let line =
        lines::update_line(&state.db, caller.org, id, &settings, state.clock.now_ms()).await?;
    super::after_line_saved(&state, caller.org, &line).await?;
    Ok(Json(line))
}

#[utoipa::path(delete, path = "/api/v1/hotline/lines/{id}", tag = "hotline", security(("bearer" = [])), responses((status = 204), (status = 404)))]
pub async fn delete_line(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    caller.require(Role::Admin)?;
    lines::delete_line(&state.db, caller.org, id).await?;
    super::reminders::remove_line(&state, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/hotline/lines/{id}/shifts", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = [Shift])))]
pub async fn list_shifts(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Shift>>> {
    caller.require(Role::Viewer)?;
    lines::find_line(&state.db, caller.org, id).await?;
    Ok(Json(roster::shifts(&state.db, caller.org, id).await?))
}

#[utoipa::path(post, path = "/api/v1/hotline/lines/{id}/shifts", tag = "hotline", security(("bearer" = [])), request_body = NewShift,
    responses((status = 201, body = Shift), (status = 400)))]
pub async fn add_shift(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    Json(input): Json<NewShift>,
) -> AppResult<(StatusCode, Json<Shift>)> {
    caller.require(Role::Manager)?;
    lines::find_line(&state.db, caller.org, id).await?;
    let shift = input.validate()?;
    roster::require_person(&state.db, caller.org, shift.person_id, "person_id").await?;
    let created =
        roster::add_shift(&state.db, caller.org, id, &shift, state.clock.now_ms()).await?;
    super::notices::shift_changed(&state, caller.org, id, shift.person_id, "added", &created)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(delete, path = "/api/v1/hotline/lines/{id}/shifts/{shift}", tag = "hotline", security(("bearer" = [])), responses((status = 204), (status = 404)))]
pub async fn delete_shift(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, shift)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    caller.require(Role::Manager)?;
    let removed = roster::delete_shift(&state.db, caller.org, id, shift).await?;
    super::notices::shift_changed(
        &state,
        caller.org,
        id,
        removed.person_id,
        "removed",
        &removed,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/hotline/lines/{id}/overrides", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = [Override])))]
pub async fn list_overrides(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Override>>> {
    caller.require(Role::Viewer)?;
    lines::find_line(&state.db, caller.org, id).await?;
    Ok(Json(roster::overrides(&state.db, caller.org, id).await?))
}

#[utoipa::path(post, path = "/api/v1/hotline/lines/{id}/overrides", tag = "hotline", security(("bearer" = [])), request_body = NewOverride,
    responses((status = 201, body = Override), (status = 400)))]
pub async fn add_override(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    Json(input): Json<NewOverride>,
) -> AppResult<(StatusCode, Json<Override>)> {
    caller.require(Role::Manager)?;
    lines::find_line(&state.db, caller.org, id).await?;
    let o = input.validate()?;
    roster::require_person(&state.db, caller.org, o.person_id, "person_id").await?;
    if let Some(replaced) = o.replaces_person_id {
        roster::require_person(&state.db, caller.org, replaced, "replaces_person_id").await?;
    }
    Ok((
        StatusCode::CREATED,
        Json(roster::add_override(&state.db, caller.org, id, &o, state.clock.now_ms()).await?),
    ))
}

#[utoipa::path(delete, path = "/api/v1/hotline/lines/{id}/overrides/{item}", tag = "hotline", security(("bearer" = [])), responses((status = 204), (status = 404)))]
pub async fn delete_override(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, item)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    caller.require(Role::Manager)?;
    roster::delete_override(&state.db, caller.org, id, item).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/hotline/lines/{id}/oncall", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = [OnCallPeriod])))]
pub async fn list_oncall(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<OnCallPeriod>>> {
    caller.require(Role::Viewer)?;
    lines::find_line(&state.db, caller.org, id).await?;
    Ok(Json(
        roster::oncall_periods(&state.db, caller.org, id).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/hotline/lines/{id}/oncall", tag = "hotline", security(("bearer" = [])), request_body = NewOnCall,
    responses((status = 201, body = OnCallPeriod), (status = 400)))]
pub async fn add_oncall(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    Json(input): Json<NewOnCall>,
) -> AppResult<(StatusCode, Json<OnCallPeriod>)> {
    caller.require(Role::Manager)?;
    lines::find_line(&state.db, caller.org, id).await?;
    let period = input.validate()?;
    for (person, field) in [
        (period.primary_person_id, "primary_person_id"),
        (period.secondary_person_id, "secondary_person_id"),
    ] {
        if let Some(p) = person {
            roster::require_person(&state.db, caller.org, p, field).await?;
        }
    }
    Ok((
        StatusCode::CREATED,
        Json(
            roster::add_oncall_period(&state.db, caller.org, id, &period, state.clock.now_ms())
                .await?,
        ),
    ))
}

#[utoipa::path(post, path = "/api/v1/hotline/lines/{id}/oncall/rotation", tag = "hotline", security(("bearer" = [])), request_body = Rotation,
    responses((status = 201, body = [OnCallPeriod]), (status = 400)))]
pub async fn add_rotation(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    Json(input): Json<Rotation>,
) -> AppResult<(StatusCode, Json<Vec<OnCallPeriod>>)> {
    caller.require(Role::Manager)?;
    let line = lines::find_line(&state.db, caller.org, id).await?;
    for person in &input.people {
        roster::require_person(&state.db, caller.org, *person, "people").await?;
    }
    let periods = input.periods(&line.time_zone)?;
    let mut created = Vec::with_capacity(periods.len());
    for p in periods {
        created.push(
            roster::add_oncall_period(&state.db, caller.org, id, &p, state.clock.now_ms()).await?,
        );
    }
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(delete, path = "/api/v1/hotline/lines/{id}/oncall/{period}", tag = "hotline", security(("bearer" = [])), responses((status = 204), (status = 404)))]
pub async fn delete_oncall(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, period)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    caller.require(Role::Manager)?;
    roster::delete_oncall_period(&state.db, caller.org, id, period).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A line's two ladders.
#[derive(Serialize, ToSchema)]
pub struct Ladders {
    pub business: Vec<LadderStep>,
    pub after: Vec<LadderStep>,
}

#[utoipa::path(get, path = "/api/v1/hotline/lines/{id}/ladders", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = Ladders)))]
pub async fn get_ladders(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> AppResult<Json<Ladders>> {
    caller.require(Role::Viewer)?;
    lines::find_line(&state.db, caller.org, id).await?;
    let business = lines::ladder(&state.db, caller.org, id, Hours::Business).await?;
    let after = lines::ladder(&state.db, caller.org, id, Hours::After).await?;
    Ok(Json(Ladders { business, after }))
}

#[utoipa::path(put, path = "/api/v1/hotline/lines/{id}/ladders/{hours}", tag = "hotline", security(("bearer" = [])), request_body = [LadderStep],
    params(("hours" = String, Path, description = "business or after")), responses((status = 200, body = [LadderStep]), (status = 400)))]
pub async fn set_ladder(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, hours)): Path<(i64, String)>,
    Json(steps): Json<Vec<LadderStep>>,
) -> AppResult<Json<Vec<LadderStep>>> {
    caller.require(Role::Admin)?;
    let hours = Hours::parse(&hours)
        .ok_or_else(|| AppError::field("hours", "must be business or after"))?;
    super::input::validate_ladder(&steps)?;
    lines::set_ladder(&state.db, caller.org, id, hours, &steps).await?;
    Ok(Json(steps))
}

/// The rotating pool, in order.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    pub people: Vec<i64>,
}

#[utoipa::path(get, path = "/api/v1/hotline/lines/{id}/pool", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = Pool)))]
pub async fn get_pool(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> AppResult<Json<Pool>> {
    caller.require(Role::Viewer)?;
    lines::find_line(&state.db, caller.org, id).await?;
    Ok(Json(Pool {
        people: lines::pool(&state.db, caller.org, id).await?,
    }))
}

#[utoipa::path(put, path = "/api/v1/hotline/lines/{id}/pool", tag = "hotline", security(("bearer" = [])), request_body = Pool, responses((status = 200, body = Pool), (status = 400)))]
pub async fn set_pool(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    Json(pool): Json<Pool>,
) -> AppResult<Json<Pool>> {
    caller.require(Role::Admin)?;
    lines::set_pool(&state.db, caller.org, id, &pool.people).await?;
    Ok(Json(pool))
}

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
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
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
    pub line: Option<i64>,
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
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<IncidentQuery>,
) -> AppResult<Json<Vec<Incident>>> {
    caller.require(Role::Viewer)?;
    if let Some(s) = &q.status
        && super::model::IncidentStatus::parse(s).is_none()
    {
        return Err(AppError::field(
            "status",
            "must be open, answered, completed or exhausted",
        ));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::field("limit", "must be from 1 to 1000"));
    }
    let filter = IncidentFilter {
        line_id: q.line,
        status: q.status,
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
    pub attempts: Vec<Attempt>,
    pub events: Vec<Event>,
}

#[utoipa::path(get, path = "/api/v1/hotline/incidents/{id}", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = IncidentDetail), (status = 404)))]
pub async fn get_incident(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
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
