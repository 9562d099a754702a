//! Who takes calls: weekly shifts, dated overrides, on-call periods and rotations.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::accounts::Role;
use crate::hotline::input::{NewOnCall, NewOverride, NewShift, Rotation};
use crate::hotline::model::{Override, Shift};
use crate::hotline::store::lines;
use crate::hotline::store::roster::{self, OnCallPeriod};
use crate::http::{ApiCaller, AppResult, Json};
use crate::ids::LineId;
use crate::services::Services;

#[utoipa::path(get, path = "/api/v1/hotline/lines/{id}/shifts", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = [Shift])))]
pub async fn list_shifts(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
) -> AppResult<Json<Vec<Shift>>> {
    caller.require(Role::Viewer)?;
    lines::find_line(&state.db, caller.org, id).await?;
    Ok(Json(roster::shifts(&state.db, caller.org, id).await?))
}

#[utoipa::path(post, path = "/api/v1/hotline/lines/{id}/shifts", tag = "hotline", security(("bearer" = [])), request_body = NewShift,
    responses((status = 201, body = Shift), (status = 400)))]
pub async fn add_shift(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
    Json(input): Json<NewShift>,
) -> AppResult<(StatusCode, Json<Shift>)> {
    caller.require(Role::Manager)?;
    let created = crate::hotline::rostering::add_shift(&state, caller.org, id, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(delete, path = "/api/v1/hotline/lines/{id}/shifts/{shift}", tag = "hotline", security(("bearer" = [])), responses((status = 204), (status = 404)))]
pub async fn delete_shift(
    State(state): State<Services>,
    caller: ApiCaller,
    Path((id, shift)): Path<(LineId, i64)>,
) -> AppResult<StatusCode> {
    caller.require(Role::Manager)?;
    crate::hotline::rostering::remove_shift(&state, caller.org, id, shift).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/hotline/lines/{id}/overrides", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = [Override])))]
pub async fn list_overrides(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
) -> AppResult<Json<Vec<Override>>> {
    caller.require(Role::Viewer)?;
    lines::find_line(&state.db, caller.org, id).await?;
    Ok(Json(roster::overrides(&state.db, caller.org, id).await?))
}

#[utoipa::path(post, path = "/api/v1/hotline/lines/{id}/overrides", tag = "hotline", security(("bearer" = [])), request_body = NewOverride,
    responses((status = 201, body = Override), (status = 400)))]
pub async fn add_override(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
    Json(input): Json<NewOverride>,
) -> AppResult<(StatusCode, Json<Override>)> {
    caller.require(Role::Manager)?;
    let created = crate::hotline::rostering::add_override(&state, caller.org, id, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(delete, path = "/api/v1/hotline/lines/{id}/overrides/{item}", tag = "hotline", security(("bearer" = [])), responses((status = 204), (status = 404)))]
pub async fn delete_override(
    State(state): State<Services>,
    caller: ApiCaller,
    Path((id, item)): Path<(LineId, i64)>,
) -> AppResult<StatusCode> {
    caller.require(Role::Manager)?;
    roster::delete_override(&state.db, caller.org, id, item).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/hotline/lines/{id}/oncall", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = [OnCallPeriod])))]
pub async fn list_oncall(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
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
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
    Json(input): Json<NewOnCall>,
) -> AppResult<(StatusCode, Json<OnCallPeriod>)> {
    caller.require(Role::Manager)?;
    let created = crate::hotline::rostering::add_oncall(&state, caller.org, id, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(post, path = "/api/v1/hotline/lines/{id}/oncall/rotation", tag = "hotline", security(("bearer" = [])), request_body = Rotation,
    responses((status = 201, body = [OnCallPeriod]), (status = 400)))]
pub async fn add_rotation(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
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
    State(state): State<Services>,
    caller: ApiCaller,
    Path((id, period)): Path<(LineId, i64)>,
) -> AppResult<StatusCode> {
    caller.require(Role::Manager)?;
    roster::delete_oncall_period(&state.db, caller.org, id, period).await?;
    Ok(StatusCode::NO_CONTENT)
}
