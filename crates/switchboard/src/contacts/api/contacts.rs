//! `/api/v1/contacts`: search and filter the organisation's contacts a page at a time, and
//! create, read, change and delete one. Viewers read; agents add and change; managers delete.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::accounts::Role;
use crate::contacts::model::contact::{Contact, ContactInput, ContactPatch};
use crate::contacts::model::filter::Filter;
use crate::contacts::store::contacts::{self as store, PAGE_MAX, Page, Search};
use crate::http::{ApiCaller, AppError, AppResult, Json};
use crate::ids::ContactId;
use crate::services::Services;

/// What the API records as a contact's source when the client names none.
const SOURCE: &str = "api";

pub fn router() -> Router<Services> {
    Router::new()
        .route("/api/v1/contacts", get(search).post(create))
        .route(
            "/api/v1/contacts/{id}",
            get(read).patch(update).put(replace).delete(remove),
        )
}

/// A page of results: `offset` (default 0) and `limit` (1 to 500, default 50).
#[derive(Deserialize, IntoParams)]
pub struct Paging {
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

impl Paging {
    /// `(offset, limit)`, refused out of range rather than clamped silently.
    pub fn checked(&self) -> AppResult<(i64, i64)> {
        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            return Err(AppError::field("offset", "must be 0 or more"));
        }
        let limit = self.limit.unwrap_or(50);
        if !(1..=PAGE_MAX).contains(&limit) {
            return Err(AppError::field("limit", format!("must be 1 to {PAGE_MAX}")));
        }
        Ok((offset, limit))
    }
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Text in the name, the email or a number.
    pub q: Option<String>,
    /// A smart-list filter as JSON, e.g. `{"all":[{"field":"tag","op":"equals","value":"donor"}]}`.
    pub filter: Option<String>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", security(("bearer" = [])),
    params(SearchQuery),
    responses((status = 200, body = Page<Contact>, description = "one page and the total"),
        (status = 400, description = "the filter or paging is invalid; `field` names it")))]
pub async fn search(
    State(services): State<Services>,
    caller: ApiCaller,
    Query(query): Query<SearchQuery>,
) -> AppResult<Json<Page<Contact>>> {
    caller.require(Role::Viewer)?;
    let (offset, limit) = Paging {
        offset: query.offset,
        limit: query.limit,
    }
    .checked()?;
    let text = query
        .q
        .as_deref()
        .map(|q| crate::limits::text("q", q, 200))
        .transpose()?;
    let filter = match query.filter.as_deref() {
        Some(raw) => {
            let json = serde_json::from_str(raw)
                .map_err(|e| AppError::field("filter", format!("is not JSON: {e}")))?;
            Filter::parse(&json)?
        }
        None => Filter::default(),
    };
    let search = Search {
        text,
        filter,
        offset,
        limit,
    };
    Ok(Json(
        store::search(&services.db, caller.org, &search).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", security(("bearer" = [])),
    request_body = ContactInput,
    responses((status = 201, body = Contact),
        (status = 400, description = "a field is invalid; `field` names it"),
        (status = 409, description = "a phone belongs to another contact (`field`: phones)")))]
pub async fn create(
    State(services): State<Services>,
    caller: ApiCaller,
    Json(input): Json<ContactInput>,
) -> AppResult<(StatusCode, Json<Contact>)> {
    caller.require(Role::Agent)?;
    let valid = input.validate(SOURCE)?;
    let contact = store::create(&services.db, caller.org, &valid, services.clock.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(contact)))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    responses((status = 200, body = Contact), (status = 404)))]
pub async fn read(
    State(services): State<Services>,
    caller: ApiCaller,
    Path(id): Path<ContactId>,
) -> AppResult<Json<Contact>> {
    caller.require(Role::Viewer)?;
    Ok(Json(store::get(&services.db, caller.org, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    request_body = ContactPatch,
    responses((status = 200, body = Contact), (status = 400), (status = 404), (status = 409)))]
pub async fn update(
    State(services): State<Services>,
    caller: ApiCaller,
    Path(id): Path<ContactId>,
    Json(patch): Json<ContactPatch>,
) -> AppResult<Json<Contact>> {
    caller.require(Role::Agent)?;
    let current = store::get(&services.db, caller.org, id).await?;
    let valid = patch.apply(&current).validate(SOURCE)?;
    let now = services.clock.now_ms();
    Ok(Json(
        store::update(&services.db, caller.org, id, &valid, now).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    request_body = ContactInput,
    responses((status = 200, body = Contact), (status = 400), (status = 404), (status = 409)))]
pub async fn replace(
    State(services): State<Services>,
    caller: ApiCaller,
    Path(id): Path<ContactId>,
    Json(input): Json<ContactInput>,
) -> AppResult<Json<Contact>> {
    caller.require(Role::Agent)?;
    let current = store::get(&services.db, caller.org, id).await?;
    let valid = input.validate(&current.source)?;
    let now = services.clock.now_ms();
    Ok(Json(
        store::update(&services.db, caller.org, id, &valid, now).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    responses((status = 204), (status = 403, description = "managers and above delete contacts"), (status = 404)))]
pub async fn remove(
    State(services): State<Services>,
    caller: ApiCaller,
    Path(id): Path<ContactId>,
) -> AppResult<StatusCode> {
    caller.require(Role::Manager)?;
    store::delete(&services.db, caller.org, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
