//! `/api/v1/lists`: static and smart lists, their live member count, their members a page at
//! a time, a static list's members added and removed by contact id, and a filter's count
//! previewed without saving it. Viewers read; agents change a static list's members; managers
//! create, change and delete lists.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::contacts::Paging;
use crate::accounts::Role;
use crate::contacts::model::contact::Contact;
use crate::contacts::model::filter::Filter;
use crate::contacts::model::list::{ContactList, ListInput, ListPatch, MemberIds, member_ids};
use crate::contacts::store::contacts::Page;
use crate::contacts::store::lists as store;
use crate::http::{ApiCaller, AppError, AppResult, Json};
use crate::ids::ListId;
use crate::services::Services;

/// How many contacts a preview shows by default, and at most.
const PREVIEW: i64 = 10;
const PREVIEW_MAX: i64 = 100;

pub fn router() -> Router<Services> {
    Router::new()
        .route("/api/v1/lists", get(list_lists).post(create_list))
        .route("/api/v1/lists/preview", post(preview))
        .route(
            "/api/v1/lists/{id}",
            get(read_list).patch(update_list).delete(delete_list),
        )
        .route(
            "/api/v1/lists/{id}/members",
            get(list_members).post(add_members).delete(remove_members),
        )
}

/// A list and how many contacts are on it now.
#[derive(Serialize, ToSchema)]
pub struct ListWithCount {
    #[serde(flatten)]
    pub list: ContactList,
    pub count: i64,
}

async fn with_count(
    services: &Services,
    caller: &ApiCaller,
    list: ContactList,
) -> AppResult<ListWithCount> {
    let count = store::count(&services.db, caller.org, &list).await?;
    Ok(ListWithCount { list, count })
}

#[utoipa::path(get, path = "/api/v1/lists", tag = "contacts", security(("bearer" = [])),
    responses((status = 200, body = [ListWithCount])))]
pub async fn list_lists(
    State(services): State<Services>,
    caller: ApiCaller,
) -> AppResult<Json<Vec<ListWithCount>>> {
    caller.require(Role::Viewer)?;
    let mut out = Vec::new();
    for list in store::lists(&services.db, caller.org).await? {
        out.push(with_count(&services, &caller, list).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/lists", tag = "contacts", security(("bearer" = [])),
    request_body = ListInput,
    responses((status = 201, body = ListWithCount),
        (status = 400, description = "a field or the filter is invalid; `field` names it"),
        (status = 409, description = "the name is taken")))]
pub async fn create_list(
    State(services): State<Services>,
    caller: ApiCaller,
    Json(input): Json<ListInput>,
) -> AppResult<(StatusCode, Json<ListWithCount>)> {
    caller.require(Role::Manager)?;
    let valid = input.validate()?;
    let list =
        store::create_list(&services.db, caller.org, &valid, services.clock.now_ms()).await?;
    Ok((
        StatusCode::CREATED,
        Json(with_count(&services, &caller, list).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/lists/{id}", tag = "contacts", security(("bearer" = [])),
    responses((status = 200, body = ListWithCount), (status = 404)))]
pub async fn read_list(
    State(services): State<Services>,
    caller: ApiCaller,
    Path(id): Path<ListId>,
) -> AppResult<Json<ListWithCount>> {
    caller.require(Role::Viewer)?;
    let list = store::get_list(&services.db, caller.org, id).await?;
    Ok(Json(with_count(&services, &caller, list).await?))
}

#[utoipa::path(patch, path = "/api/v1/lists/{id}", tag = "contacts", security(("bearer" = [])),
    request_body = ListPatch,
    responses((status = 200, body = ListWithCount), (status = 400), (status = 404), (status = 409)))]
pub async fn update_list(
    State(services): State<Services>,
    caller: ApiCaller,
    Path(id): Path<ListId>,
    Json(patch): Json<ListPatch>,
) -> AppResult<Json<ListWithCount>> {
    caller.require(Role::Manager)?;
    let current = store::get_list(&services.db, caller.org, id).await?;
    let valid = patch.apply(&current)?;
    let now = services.clock.now_ms();
    let list = store::update_list(&services.db, caller.org, id, &valid, now).await?;
    Ok(Json(with_count(&services, &caller, list).await?))
}

#[utoipa::path(delete, path = "/api/v1/lists/{id}", tag = "contacts", security(("bearer" = [])),
    responses((status = 204, description = "the list is gone; its contacts stay"), (status = 404)))]
pub async fn delete_list(
    State(services): State<Services>,
    caller: ApiCaller,
    Path(id): Path<ListId>,
) -> AppResult<StatusCode> {
    caller.require(Role::Manager)?;
    store::delete_list(&services.db, caller.org, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/lists/{id}/members", tag = "contacts", security(("bearer" = [])),
    params(Paging),
    responses((status = 200, body = Page<Contact>, description = "who is on the list now"), (status = 404)))]
pub async fn list_members(
    State(services): State<Services>,
    caller: ApiCaller,
    Path(id): Path<ListId>,
    Query(paging): Query<Paging>,
) -> AppResult<Json<Page<Contact>>> {
    caller.require(Role::Viewer)?;
    let (offset, limit) = paging.checked()?;
    let list = store::get_list(&services.db, caller.org, id).await?;
    Ok(Json(
        store::members(&services.db, caller.org, &list, offset, limit).await?,
    ))
}

/// How many contacts a change added or removed.
#[derive(Serialize, ToSchema)]
pub struct Changed {
    pub changed: u64,
}

#[utoipa::path(post, path = "/api/v1/lists/{id}/members", tag = "contacts", security(("bearer" = [])),
    request_body = MemberIds,
    responses((status = 200, body = Changed, description = "how many were added (those already on it stay once)"),
        (status = 400, description = "a smart list, or an id that is not one of your contacts"), (status = 404)))]
pub async fn add_members(
    State(services): State<Services>,
    caller: ApiCaller,
    Path(id): Path<ListId>,
    Json(ids): Json<MemberIds>,
) -> AppResult<Json<Changed>> {
    caller.require(Role::Agent)?;
    member_ids(&ids.contact_ids)?;
    let now = services.clock.now_ms();
    let changed = store::add_members(&services.db, caller.org, id, &ids.contact_ids, now).await?;
    Ok(Json(Changed { changed }))
}

#[utoipa::path(delete, path = "/api/v1/lists/{id}/members", tag = "contacts", security(("bearer" = [])),
    request_body = MemberIds,
    responses((status = 200, body = Changed, description = "how many were removed"),
        (status = 400, description = "a smart list"), (status = 404)))]
pub async fn remove_members(
    State(services): State<Services>,
    caller: ApiCaller,
    Path(id): Path<ListId>,
    Json(ids): Json<MemberIds>,
) -> AppResult<Json<Changed>> {
    caller.require(Role::Agent)?;
    member_ids(&ids.contact_ids)?;
    let changed = store::remove_members(&services.db, caller.org, id, &ids.contact_ids).await?;
    Ok(Json(Changed { changed }))
}

/// A filter to try.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    #[schema(value_type = Object)]
    pub filter: Value,
    /// How many contacts to show (1 to 100, default 10).
    pub limit: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/lists/preview", tag = "contacts", security(("bearer" = [])),
    request_body = PreviewRequest,
    responses((status = 200, body = Page<Contact>, description = "`total` is the count; `items` the first few"),
        (status = 400, description = "the filter is invalid; the message names the field or operator")))]
pub async fn preview(
    State(services): State<Services>,
    caller: ApiCaller,
    Json(request): Json<PreviewRequest>,
) -> AppResult<Json<Page<Contact>>> {
    caller.require(Role::Viewer)?;
    let limit = request.limit.unwrap_or(PREVIEW);
    if !(1..=PREVIEW_MAX).contains(&limit) {
        return Err(AppError::field(
            "limit",
            format!("must be 1 to {PREVIEW_MAX}"),
        ));
    }
    let filter = Filter::parse(&request.filter)?;
    Ok(Json(
        store::preview(&services.db, caller.org, &filter, limit).await?,
    ))
}
