//! Private iCalendar feeds: `GET /calendar/{token}.ics` lists one person's shifts and on-call
//! periods; admins read and rotate a person's feed URL under `/api/v1/people/{id}/calendar`,
//! and a signed-in person finds their own on the dashboard's "My calendar" page.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::{self, OrgId, Role};
use crate::hotline::model::feed::{self, LineRoster, OnCallSpan};
use crate::hotline::store::{feeds, lines, roster};
use crate::http::{ApiCaller, AppError, AppResult, Json};
use crate::ids::PersonId;
use crate::services::Services;

pub fn router() -> Router<crate::hotline::Hotline> {
    Router::new()
        .route("/calendar/{file}", get(feed_ics))
        .route("/api/v1/people/{id}/calendar", get(get_feed_url))
        .route("/api/v1/people/{id}/calendar/rotate", post(rotate_feed_url))
}

/// A person's private calendar feed URL.
#[derive(Serialize, ToSchema)]
pub struct FeedUrl {
    /// `<public URL>/calendar/<token>.ics`; anyone holding it can read the person's shifts.
    pub url: String,
}

pub(crate) fn feed_url(state: &Services, token: &str) -> FeedUrl {
    FeedUrl {
        url: state
            .config
            .public_url_for(&format!("/calendar/{token}.ics")),
    }
}

#[utoipa::path(get, path = "/api/v1/people/{id}/calendar", tag = "hotline", security(("bearer" = [])),
    responses((status = 200, body = FeedUrl), (status = 404)))]
pub async fn get_feed_url(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<PersonId>,
) -> AppResult<Json<FeedUrl>> {
    caller.require(Role::Admin)?;
    accounts::store::find_person(&state.db, caller.org, id).await?;
    let token = feeds::token_of(&state.db, caller.org, id, state.clock.now_ms()).await?;
    Ok(Json(feed_url(&state, &token)))
}

#[utoipa::path(post, path = "/api/v1/people/{id}/calendar/rotate", tag = "hotline", security(("bearer" = [])),
    responses((status = 200, body = FeedUrl, description = "the new URL; the old one stops working"), (status = 404)))]
pub async fn rotate_feed_url(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<PersonId>,
) -> AppResult<Json<FeedUrl>> {
    caller.require(Role::Admin)?;
    accounts::store::find_person(&state.db, caller.org, id).await?;
    let token = feeds::rotate(&state.db, caller.org, id, state.clock.now_ms()).await?;
    tracing::info!(person.id = %id, "calendar feed URL rotated");
    Ok(Json(feed_url(&state, &token)))
}

/// The feed itself. The token in the path is the only credential; an unknown one is a 404.
async fn feed_ics(State(state): State<Services>, Path(file): Path<String>) -> AppResult<Response> {
    let token = file
        .strip_suffix(".ics")
        .ok_or(AppError::NotFound("calendar feed"))?;
    let (org, person_id) = feeds::find_by_token(&state.db, token)
        .await?
        .ok_or(AppError::NotFound("calendar feed"))?;
    let person = accounts::store::find_person(&state.db, org, person_id).await?;
    let rosters = rosters(&state, org).await?;
    let host = state
        .config
        .public_url
        .host_str()
        .unwrap_or("switchboard")
        .to_string();
    let body = feed::person_feed(person.id, &person.name, &host, &rosters, state.clock.now());
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}

async fn rosters(state: &Services, org: OrgId) -> AppResult<Vec<LineRoster>> {
    let mut out = Vec::new();
    for line in lines::list_lines(&state.db, org).await? {
        let oncall = roster::oncall_periods(&state.db, org, line.id)
            .await?
            .into_iter()
            .map(|p| OnCallSpan {
                id: p.id,
                primary: p.primary_person_id,
                secondary: p.secondary_person_id,
                starts_at: crate::clock::from_ms(p.starts_at),
                ends_at: crate::clock::from_ms(p.ends_at),
            })
            .collect();
        out.push(LineRoster {
            line_id: line.id,
            shifts: roster::shifts(&state.db, org, line.id).await?,
            overrides: roster::overrides(&state.db, org, line.id).await?,
            oncall,
            name: line.name,
            time_zone: line.time_zone,
        });
    }
    Ok(out)
}
