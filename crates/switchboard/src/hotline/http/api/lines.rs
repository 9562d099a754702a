//! Lines: create, read, replace, delete.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::accounts::Role;
use crate::hotline::input::LineInput;
use crate::hotline::store::lines::{self, Line};
use crate::http::{ApiCaller, AppResult, Json};
use crate::ids::LineId;
use crate::services::Services;

#[utoipa::path(get, path = "/api/v1/hotline/lines", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = [Line])))]
pub async fn list_lines(
    State(state): State<Services>,
    caller: ApiCaller,
) -> AppResult<Json<Vec<Line>>> {
    caller.require(Role::Viewer)?;
    Ok(Json(lines::list_lines(&state.db, caller.org).await?))
}

#[utoipa::path(post, path = "/api/v1/hotline/lines", tag = "hotline", security(("bearer" = [])), request_body = LineInput,
    responses((status = 201, body = Line), (status = 400), (status = 409, description = "the number is not available")))]
pub async fn create_line(
    State(state): State<Services>,
    caller: ApiCaller,
    Json(input): Json<LineInput>,
) -> AppResult<(StatusCode, Json<Line>)> {
    caller.require(Role::Admin)?;
    let settings = input.validate()?;
    let line = lines::create_line(&state.db, caller.org, &settings, state.clock.now_ms()).await?;
    crate::hotline::after_line_saved(&state, caller.org, &line).await?;
    Ok((StatusCode::CREATED, Json(line)))
}

#[utoipa::path(get, path = "/api/v1/hotline/lines/{id}", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = Line), (status = 404)))]
pub async fn get_line(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
) -> AppResult<Json<Line>> {
    caller.require(Role::Viewer)?;
    Ok(Json(lines::find_line(&state.db, caller.org, id).await?))
}

#[utoipa::path(put, path = "/api/v1/hotline/lines/{id}", tag = "hotline", security(("bearer" = [])), request_body = LineInput,
    responses((status = 200, body = Line), (status = 404)))]
pub async fn update_line(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
    Json(input): Json<LineInput>,
) -> AppResult<Json<Line>> {
    caller.require(Role::Admin)?;
    let settings = input.validate()?;
    let line =
        lines::update_line(&state.db, caller.org, id, &settings, state.clock.now_ms()).await?;
    crate::hotline::after_line_saved(&state, caller.org, &line).await?;
    Ok(Json(line))
}

#[utoipa::path(delete, path = "/api/v1/hotline/lines/{id}", tag = "hotline", security(("bearer" = [])), responses((status = 204), (status = 404)))]
pub async fn delete_line(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
) -> AppResult<StatusCode> {
    caller.require(Role::Admin)?;
    lines::delete_line(&state.db, caller.org, id).await?;
    crate::hotline::jobs::reminders::remove_line(&state, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
