//! The native API of the organisation's numbers (`/api/v1/phone-numbers`, Bearer): list (with
//! each number's owner and its name), add, remove, give to an owner, release. Handlers are
//! thin: the steps live in `super`.

use axum::Router;
use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{NewPhoneNumber, Owner, OwnerKind};
use super::registry::Owners;
use super::store::{self, PhoneNumber};
use crate::accounts::Role;
use crate::http::{ApiCaller, AppResult, Json};
use crate::ids::OrgId;
use crate::services::Services;
use crate::telephony::SigningKeys;

pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Services: FromRef<S>,
    SigningKeys: FromRef<S>,
    Owners: FromRef<S>,
{
    Router::new()
        .route("/api/v1/phone-numbers", get(list).post(add))
        .route("/api/v1/phone-numbers/{id}", axum::routing::delete(remove))
        .route(
            "/api/v1/phone-numbers/{id}/owner",
            put(give).delete(release),
        )
}

/// One of the organisation's numbers, as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NumberJson {
    pub id: i64,
    /// E.164, e.g. +14155551234.
    pub e164: String,
    pub friendly_name: String,
    pub twilio_sid: Option<String>,
    /// The job the number serves; null: calls hear "This number is not in service." and texts
    /// stay in the inbox.
    pub owner: Option<OwnerJson>,
    pub created_at: i64,
}

/// A number's owner.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OwnerJson {
    pub kind: OwnerKind,
    /// The id of the job's record (a hotline line's id...).
    pub id: i64,
    /// Its name (a line's name); null when the record is gone.
    pub name: Option<String>,
}

/// Each number with its owner's name.
pub async fn with_names(
    owners: &Owners,
    org: OrgId,
    numbers: Vec<PhoneNumber>,
) -> AppResult<Vec<NumberJson>> {
    let mut out = Vec::with_capacity(numbers.len());
    for n in numbers {
        let owner = match n.owner {
            Some(o) => Some(OwnerJson {
                kind: o.kind,
                id: o.id,
                name: owners.name_of(org, o).await?,
            }),
            None => None,
        };
        out.push(NumberJson {
            id: n.id,
            e164: n.e164,
            friendly_name: n.friendly_name,
            twilio_sid: n.twilio_sid,
            owner,
            created_at: n.created_at,
        });
    }
    Ok(out)
}

async fn one(owners: &Owners, org: OrgId, n: PhoneNumber) -> AppResult<Json<NumberJson>> {
    let mut named = with_names(owners, org, vec![n]).await?;
    Ok(Json(named.remove(0)))
}

#[utoipa::path(get, path = "/api/v1/phone-numbers", tag = "telephony", security(("bearer" = [])),
    responses((status = 200, body = [NumberJson])))]
pub async fn list(
    State(state): State<Services>,
    State(owners): State<Owners>,
    caller: ApiCaller,
) -> AppResult<Json<Vec<NumberJson>>> {
    caller.require(Role::Viewer)?;
    let numbers = store::list(&state.db, caller.org).await?;
    Ok(Json(with_names(&owners, caller.org, numbers).await?))
}

#[utoipa::path(post, path = "/api/v1/phone-numbers", tag = "telephony", security(("bearer" = [])), request_body = NewPhoneNumber,
    responses((status = 201, body = NumberJson), (status = 400, description = "a field is invalid"), (status = 409, description = "the number is not available")))]
pub async fn add(
    State(state): State<Services>,
    State(keys): State<SigningKeys>,
    State(owners): State<Owners>,
    caller: ApiCaller,
    Json(new): Json<NewPhoneNumber>,
) -> AppResult<(StatusCode, Json<NumberJson>)> {
    caller.require(Role::Admin)?;
    let new = new.validate()?;
    let number = super::register(&state, &keys, &owners, caller.org, &new).await?;
    Ok((StatusCode::CREATED, one(&owners, caller.org, number).await?))
}

#[utoipa::path(delete, path = "/api/v1/phone-numbers/{id}", tag = "telephony", security(("bearer" = [])),
    responses((status = 204), (status = 404)))]
pub async fn remove(
    State(state): State<Services>,
    State(keys): State<SigningKeys>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    caller.require(Role::Admin)?;
    super::unregister(&state, &keys, caller.org, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/phone-numbers/{id}/owner", tag = "telephony", security(("bearer" = [])), request_body = Owner,
    responses((status = 200, body = NumberJson), (status = 400, description = "no such owner in this organisation"),
        (status = 404, description = "no such number"), (status = 409, description = "another owner has the number; the message names it")))]
pub async fn give(
    State(state): State<Services>,
    State(owners): State<Owners>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    Json(owner): Json<Owner>,
) -> AppResult<Json<NumberJson>> {
    caller.require(Role::Admin)?;
    let number = super::give(&state, &owners, caller.org, id, owner).await?;
    one(&owners, caller.org, number).await
}

#[utoipa::path(delete, path = "/api/v1/phone-numbers/{id}/owner", tag = "telephony", security(("bearer" = [])),
    responses((status = 200, body = NumberJson), (status = 404, description = "no such number")))]
pub async fn release(
    State(state): State<Services>,
    State(owners): State<Owners>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> AppResult<Json<NumberJson>> {
    caller.require(Role::Admin)?;
    let number = super::release(&state, &owners, caller.org, id).await?;
    one(&owners, caller.org, number).await
}
