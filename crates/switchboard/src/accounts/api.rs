//! The native API for people, tokens and the job queue (`/api/v1/...`, Bearer tokens).

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::model::{NewPerson, Person, PersonPatch, Role};
use super::rules;
use super::store::{self, ApiToken};
use crate::http::{ApiCaller, AppError, AppResult, Json};
use crate::ids::PersonId;
use crate::jobs::{self, JobRow};
use crate::services::Services;

pub fn router() -> Router<Services> {
    Router::new()
        .route("/api/v1/people", get(list_people).post(create_person))
        .route(
            "/api/v1/people/{id}",
            get(get_person).patch(update_person).delete(delete_person),
        )
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/api/v1/jobs", get(list_jobs))
        .route("/api/v1/jobs/{id}/retry", post(retry_job))
}

#[utoipa::path(get, path = "/api/v1/people", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = [Person])))]
pub async fn list_people(
    State(state): State<Services>,
    caller: ApiCaller,
) -> AppResult<Json<Vec<Person>>> {
    caller.require(Role::Viewer)?;
    Ok(Json(store::list_people(&state.db, caller.org).await?))
}

#[utoipa::path(post, path = "/api/v1/people", tag = "accounts", security(("bearer" = [])), request_body = NewPerson,
    responses((status = 201, body = Person), (status = 400, description = "a field is invalid"), (status = 403, description = "only admins and owners add people"), (status = 409, description = "email taken")))]
pub async fn create_person(
    State(state): State<Services>,
    caller: ApiCaller,
    Json(new): Json<NewPerson>,
) -> AppResult<(StatusCode, Json<Person>)> {
    rules::may_change(&caller.actor(), None, new.role)?;
    let new = new.validate()?;
    let person =
        store::create_person(&state.db, caller.org, &new, None, state.clock.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(person)))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Person), (status = 404)))]
pub async fn get_person(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<PersonId>,
) -> AppResult<Json<Person>> {
    caller.require(Role::Viewer)?;
    Ok(Json(store::find_person(&state.db, caller.org, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "accounts", security(("bearer" = [])), request_body = PersonPatch,
    responses((status = 200, body = Person), (status = 403, description = "the role rules refuse it"), (status = 404)))]
pub async fn update_person(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<PersonId>,
    Json(patch): Json<PersonPatch>,
) -> AppResult<Json<Person>> {
    let target = store::find_person(&state.db, caller.org, id).await?;
    rules::may_edit(&caller.actor(), &target, &patch)?;
    let patch = patch.validate()?;
    Ok(Json(
        store::update_person(&state.db, caller.org, id, &patch, state.clock.now_ms()).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/people/{id}", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 403, description = "the role rules refuse it"), (status = 404)))]
pub async fn delete_person(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<PersonId>,
) -> AppResult<StatusCode> {
    let target = store::find_person(&state.db, caller.org, id).await?;
    rules::may_delete(&caller.actor(), &target)?;
    store::delete_person(&state.db, caller.org, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = [ApiToken])))]
pub async fn list_tokens(
    State(state): State<Services>,
    caller: ApiCaller,
) -> AppResult<Json<Vec<ApiToken>>> {
    caller.require(Role::Admin)?;
    Ok(Json(store::list_tokens(&state.db, caller.org).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
}

#[derive(serde::Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: ApiToken,
    /// The secret, shown only in this response.
    pub secret: String,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", security(("bearer" = [])), request_body = NewToken,
    responses((status = 201, body = CreatedToken)))]
pub async fn create_token(
    State(state): State<Services>,
    caller: ApiCaller,
    Json(new): Json<NewToken>,
) -> AppResult<(StatusCode, Json<CreatedToken>)> {
    caller.require(Role::Admin)?;
    rules::may_grant(&caller.actor(), new.role)?;
    let name = super::model::clean_name(&new.name)?;
    let (token, secret) =
        store::create_token(&state.db, caller.org, &name, new.role, state.clock.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, secret })))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 403, description = "the token's role is above the caller's"), (status = 404)))]
pub async fn revoke_token(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let token = store::find_token(&state.db, caller.org, id).await?;
    rules::may_revoke(&caller.actor(), token.role)?;
    store::revoke_token(&state.db, caller.org, id, state.clock.now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct JobFilter {
    /// queued, running, done or failed.
    pub state: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", security(("bearer" = [])), params(JobFilter),
    responses((status = 200, body = [JobRow])))]
pub async fn list_jobs(
    State(state): State<Services>,
    caller: ApiCaller,
    Query(filter): Query<JobFilter>,
) -> AppResult<Json<Vec<JobRow>>> {
    caller.require(Role::Manager)?;
    let state_filter = filter
        .state
        .as_deref()
        .map(str::parse::<jobs::JobState>)
        .transpose()
        .map_err(|_| AppError::field("state", "must be queued, running, done or failed"))?;
    Ok(Json(
        jobs::store::list(&state.db, caller.org, state_filter, 200).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs", security(("bearer" = [])),
    responses((status = 204), (status = 404, description = "no failed job with that id")))]
pub async fn retry_job(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<crate::ids::JobId>,
) -> AppResult<StatusCode> {
    caller.require(Role::Admin)?;
    if !jobs::store::retry_failed(&state.db, caller.org, id, state.clock.now_ms()).await? {
        return Err(AppError::NotFound("failed job"));
    }
    state.wake_workers();
    Ok(StatusCode::NO_CONTENT)
}
