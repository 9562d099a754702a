//! A line's two ladders and its rotating pool.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::Role;
use crate::hotline::model::Hours;
use crate::hotline::model::ladder::LadderStep;
use crate::hotline::store::lines;
use crate::http::{ApiCaller, AppError, AppResult, Json};
use crate::ids::{LineId, PersonId};
use crate::services::Services;

/// A line's two ladders.
#[derive(Serialize, ToSchema)]
pub struct Ladders {
    pub business: Vec<LadderStep>,
    pub after: Vec<LadderStep>,
}

#[utoipa::path(get, path = "/api/v1/hotline/lines/{id}/ladders", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = Ladders)))]
pub async fn get_ladders(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
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
    State(state): State<Services>,
    caller: ApiCaller,
    Path((id, hours)): Path<(LineId, String)>,
    Json(steps): Json<Vec<LadderStep>>,
) -> AppResult<Json<Vec<LadderStep>>> {
    caller.require(Role::Admin)?;
    let hours: Hours = hours
        .parse()
        .map_err(|_| AppError::field("hours", "must be business or after"))?;
    crate::hotline::input::validate_ladder(&steps)?;
    lines::set_ladder(&state.db, caller.org, id, hours, &steps).await?;
    Ok(Json(steps))
}

/// The rotating pool, in order.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    pub people: Vec<PersonId>,
}

#[utoipa::path(get, path = "/api/v1/hotline/lines/{id}/pool", tag = "hotline", security(("bearer" = [])), responses((status = 200, body = Pool)))]
pub async fn get_pool(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
) -> AppResult<Json<Pool>> {
    caller.require(Role::Viewer)?;
    lines::find_line(&state.db, caller.org, id).await?;
    Ok(Json(Pool {
        people: lines::pool(&state.db, caller.org, id).await?,
    }))
}

#[utoipa::path(put, path = "/api/v1/hotline/lines/{id}/pool", tag = "hotline", security(("bearer" = [])), request_body = Pool, responses((status = 200, body = Pool), (status = 400)))]
pub async fn set_pool(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<LineId>,
    Json(pool): Json<Pool>,
) -> AppResult<Json<Pool>> {
    caller.require(Role::Admin)?;
    lines::set_pool(&state.db, caller.org, id, &pool.people).await?;
    Ok(Json(pool))
}
