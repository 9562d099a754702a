//! The organisation's Twilio phone numbers: what each one serves, its SQL, and the native API
//! (`/api/v1/phone-numbers`).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{OrgId, Role};
use crate::db::{Db, unique_violation};
use crate::error::{Invalid, StoreError, StoreResult};
use crate::http::{ApiCaller, AppResult, Json};
use crate::services::Services;
use crate::{with_db, with_write};

/// One of the organisation's numbers.
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct PhoneNumber {
    pub id: i64,
    /// E.164, e.g. +14155551234.
    pub e164: String,
    pub friendly_name: String,
    /// What the number serves, free text for now: "hotline line", "campaign", "texting".
    pub purpose: String,
    pub twilio_sid: Option<String>,
    pub created_at: i64,
}

/// A number to add; [`NewPhoneNumber::validate`] turns it into clean values.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPhoneNumber {
    pub e164: String,
    #[serde(default)]
    pub friendly_name: String,
    #[serde(default)]
    pub purpose: String,
}

impl NewPhoneNumber {
    pub fn validate(self) -> Result<NewPhoneNumber, Invalid> {
        let e164 = crate::telephony::parse_e164(&self.e164).map_err(|e| Invalid::new("e164", e))?;
        let friendly_name = label("friendly_name", &self.friendly_name)?;
        let purpose = match label("purpose", &self.purpose)? {
            p if p.is_empty() => "unassigned".to_string(),
            p => p,
        };
        Ok(NewPhoneNumber {
            e164,
            friendly_name,
            purpose,
        })
    }
}

fn label(field: &str, value: &str) -> Result<String, Invalid> {
    crate::limits::text(field, value, crate::limits::LABEL_CHARS)
}

const COLUMNS: &str = "id, e164, friendly_name, purpose, twilio_sid, created_at";

pub async fn list_numbers(db: &Db, org: OrgId) -> StoreResult<Vec<PhoneNumber>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM phone_numbers WHERE org_id = $1 ORDER BY e164"
    ));
    Ok(with_db!(db, p => sqlx::query_as::<_, PhoneNumber>(sql).bind(org).fetch_all(p).await)?)
}

/// Adds a validated number. A number already registered (here or elsewhere) is a 409 on
/// `e164`, which does not say where.
pub async fn add_number(
    db: &Db,
    org: OrgId,
    new: &NewPhoneNumber,
    now: i64,
) -> StoreResult<PhoneNumber> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO phone_numbers (org_id, e164, friendly_name, purpose, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    ));
    let result = with_write!(db, p => sqlx::query_as::<_, PhoneNumber>(sql)
        .bind(org).bind(&new.e164).bind(&new.friendly_name).bind(&new.purpose).bind(now)
        .fetch_one(p).await);
    result.map_err(|e| match unique_violation(&e) {
        Some(_) => StoreError::conflict("e164", crate::telephony::number_unavailable(&new.e164)),
        None => e.into(),
    })
}

pub async fn remove_number(db: &Db, org: OrgId, id: i64) -> StoreResult<()> {
    let sql = "DELETE FROM phone_numbers WHERE org_id = $1 AND id = $2";
    let done = with_write!(db, p => sqlx::query(sql).bind(org).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound("phone number"));
    }
    Ok(())
}

pub fn router() -> Router<Services> {
    Router::new()
        .route("/api/v1/phone-numbers", get(list).post(add))
        .route("/api/v1/phone-numbers/{id}", axum::routing::delete(remove))
}

#[utoipa::path(get, path = "/api/v1/phone-numbers", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = [PhoneNumber])))]
pub async fn list(
    State(state): State<Services>,
    caller: ApiCaller,
) -> AppResult<Json<Vec<PhoneNumber>>> {
    caller.require(Role::Viewer)?;
    Ok(Json(list_numbers(&state.db, caller.org).await?))
}

#[utoipa::path(post, path = "/api/v1/phone-numbers", tag = "accounts", security(("bearer" = [])), request_body = NewPhoneNumber,
    responses((status = 201, body = PhoneNumber), (status = 400, description = "a field is invalid"), (status = 409, description = "the number is not available")))]
pub async fn add(
    State(state): State<Services>,
    caller: ApiCaller,
    Json(new): Json<NewPhoneNumber>,
) -> AppResult<(StatusCode, Json<PhoneNumber>)> {
    caller.require(Role::Admin)?;
    let new = new.validate()?;
    let number = add_number(&state.db, caller.org, &new, state.clock.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(number)))
}

#[utoipa::path(delete, path = "/api/v1/phone-numbers/{id}", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 404)))]
pub async fn remove(
    State(state): State<Services>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    caller.require(Role::Admin)?;
    remove_number(&state.db, caller.org, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_number_is_normalised_and_gets_a_default_purpose() {
        let new = NewPhoneNumber {
            e164: " +1 (415) 555-1234 ".into(),
            friendly_name: " Main line ".into(),
            purpose: String::new(),
        }
        .validate()
        .unwrap();
        assert_eq!(new.e164, "+14155551234");
        assert_eq!(new.friendly_name, "Main line");
        assert_eq!(new.purpose, "unassigned");
    }

    #[test]
    fn a_bad_number_is_refused_naming_e164() {
        let err = NewPhoneNumber {
            e164: "12345".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(err.field, "e164");
    }
}
