//! SQL for organisations, people, tokens and sessions. Every query names its organisation.

use sqlx::FromRow;

use super::model::{NewPerson, Org, OrgId, Person, PersonPatch, Role};
use super::rules::Actor;
use super::secrets;
use crate::db::{Db, unique_violation};
use crate::error::{StoreError, StoreResult};
use crate::ids::PersonId;
use crate::{with_db, with_write};

#[derive(FromRow)]
struct PersonRow {
    id: PersonId,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    role: Role,
    available: bool,
    active: bool,
    password_hash: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl PersonRow {
    fn into_person(self) -> Person {
        Person {
            id: self.id,
            name: self.name,
            email: self.email,
            phone: self.phone,
            role: self.role,
            available: self.available,
            active: self.active,
            has_login: self.password_hash.is_some(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

const PERSON_COLUMNS: &str =
    "id, name, email, phone, role, available, active, password_hash, created_at, updated_at";

pub async fn create_org(db: &Db, slug: &str, name: &str, now: i64) -> StoreResult<Org> {
    let sql = "INSERT INTO organisations (slug, name, created_at) VALUES ($1, $2, $3) \
               RETURNING id, slug, name, twilio_account_sid, twilio_auth_token, public_url, created_at";
    let result = with_write!(db, p => sqlx::query_as::<_, Org>(sql).bind(slug).bind(name).bind(now).fetch_one(p).await);
    result.map_err(|e| match unique_violation(&e) {
        Some(_) => StoreError::conflict(
            "slug",
            format!("an organisation with slug '{slug}' already exists"),
        ),
        None => e.into(),
    })
}

pub async fn find_org_by_slug(db: &Db, slug: &str) -> StoreResult<Option<Org>> {
    let sql = "SELECT id, slug, name, twilio_account_sid, twilio_auth_token, public_url, created_at \
               FROM organisations WHERE slug = $1";
    Ok(with_db!(db, p => sqlx::query_as::<_, Org>(sql).bind(slug).fetch_optional(p).await)?)
}

pub async fn find_org(db: &Db, org: OrgId) -> StoreResult<Org> {
    let sql = "SELECT id, slug, name, twilio_account_sid, twilio_auth_token, public_url, created_at \
               FROM organisations WHERE id = $1";
    let found = with_db!(db, p => sqlx::query_as::<_, Org>(sql).bind(org).fetch_optional(p).await)?;
    found.ok_or(StoreError::NotFound("organisation"))
}

pub async fn count_orgs(db: &Db) -> StoreResult<i64> {
    Ok(
        with_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM organisations").fetch_one(p).await)?,
    )
}

/// Saves the organisation's Twilio settings; an empty value clears a setting.
pub async fn update_org_settings(
    db: &Db,
    org: OrgId,
    name: &str,
    account_sid: Option<&str>,
    auth_token: Option<&str>,
    public_url: Option<&str>,
) -> StoreResult<()> {
    let sql = "UPDATE organisations SET name = $2, twilio_account_sid = $3, \
               twilio_auth_token = COALESCE($4, twilio_auth_token), public_url = $5 WHERE id = $1";
    with_write!(db, p => sqlx::query(sql).bind(org).bind(name).bind(account_sid).bind(auth_token).bind(public_url).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A sign-in email belongs to one person in the whole installation: the unique index
/// `people_sign_in_email` holds at most one person with a password per email (any case), and
/// no other person, in any organisation, is given an email that already signs in.
const EMAIL_SIGNS_IN: &str = "this email is already used to sign in";

/// Refuses `email` when a person other than `except` signs in with it, in any organisation.
async fn refuse_sign_in_email(
    db: &Db,
    email: Option<&str>,
    except: Option<PersonId>,
) -> StoreResult<()> {
    let Some(email) = email else { return Ok(()) };
    let sql = "SELECT COUNT(*) FROM people WHERE lower(email) = lower($1) \
               AND password_hash IS NOT NULL AND id <> $2";
    let except = except.map_or(0, |id| id.get());
    let taken: i64 =
        with_db!(db, p => sqlx::query_scalar(sql).bind(email).bind(except).fetch_one(p).await)?;
    if taken > 0 {
        return Err(StoreError::conflict("email", EMAIL_SIGNS_IN));
    }
    Ok(())
}

/// The 409 for a unique index on people: the installation's sign-in emails, or the emails of
/// one organisation (`within_org`).
fn email_conflict(err: sqlx::Error, within_org: String) -> StoreError {
    match unique_violation(&err) {
        Some(index) if index.contains("people_sign_in_email") => {
            StoreError::conflict("email", EMAIL_SIGNS_IN)
        }
        Some(_) => StoreError::conflict("email", within_org),
        None => err.into(),
    }
}

pub async fn create_person(
    db: &Db,
    org: OrgId,
    new: &NewPerson,
    password_hash: Option<&str>,
    now: i64,
) -> StoreResult<Person> {
    refuse_sign_in_email(db, new.email.as_deref(), None).await?;
    let sql = format!(
        "INSERT INTO people (org_id, name, email, phone, role, available, active, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING {PERSON_COLUMNS}"
    );
    let sql = sqlx::AssertSqlSafe(sql);
    let result = with_write!(db, p => sqlx::query_as::<_, PersonRow>(sql)
        .bind(org).bind(&new.name).bind(&new.email).bind(&new.phone).bind(new.role)
        .bind(new.available).bind(new.active).bind(password_hash).bind(now)
        .fetch_one(p).await);
    result.map(PersonRow::into_person).map_err(|e| {
        let email = new.email.as_deref().unwrap_or("");
        email_conflict(
            e,
            format!("someone in this organisation already has the email {email}"),
        )
    })
}

pub async fn list_people(db: &Db, org: OrgId) -> StoreResult<Vec<Person>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE org_id = $1 ORDER BY name, id"
    ));
    let rows = with_db!(db, p => sqlx::query_as::<_, PersonRow>(sql).bind(org).fetch_all(p).await)?;
    Ok(rows.into_iter().map(PersonRow::into_person).collect())
}

pub async fn find_person(db: &Db, org: OrgId, id: PersonId) -> StoreResult<Person> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE org_id = $1 AND id = $2"
    ));
    let row = with_db!(db, p => sqlx::query_as::<_, PersonRow>(sql).bind(org).bind(id).fetch_optional(p).await)?;
    row.map(PersonRow::into_person)
        .ok_or(StoreError::NotFound("person"))
}

pub async fn update_person(
    db: &Db,
    org: OrgId,
    id: PersonId,
    patch: &PersonPatch,
    now: i64,
) -> StoreResult<Person> {
    let current = find_person(db, org, id).await?;
    let renamed = patch
        .email
        .as_deref()
        .filter(|e| Some(*e) != current.email.as_deref());
    refuse_sign_in_email(db, renamed, Some(id)).await?;
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE people SET name = $3, email = $4, phone = $5, role = $6, available = $7, active = $8, updated_at = $9 \
         WHERE org_id = $1 AND id = $2 RETURNING {PERSON_COLUMNS}"
    ));
    let email = patch.email.clone().or(current.email);
    let result = with_write!(db, p => sqlx::query_as::<_, PersonRow>(sql)
        .bind(org).bind(id)
        .bind(patch.name.as_ref().unwrap_or(&current.name))
        .bind(&email)
        .bind(patch.phone.as_ref().or(current.phone.as_ref()))
        .bind(patch.role.unwrap_or(current.role))
        .bind(patch.available.unwrap_or(current.available))
        .bind(patch.active.unwrap_or(current.active))
        .bind(now)
        .fetch_one(p).await);
    result.map(PersonRow::into_person).map_err(|e| {
        email_conflict(
            e,
            "someone in this organisation already has that email".into(),
        )
    })
}

pub async fn delete_person(db: &Db, org: OrgId, id: PersonId) -> StoreResult<()> {
    let sql = "DELETE FROM people WHERE org_id = $1 AND id = $2";
    let done = with_write!(db, p => sqlx::query(sql).bind(org).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound("person"));
    }
    Ok(())
}

/// Gives person `id` a new password and ends their sessions, all but `keep` (the session of
/// whoever changes it, when that is their own): a password that may have leaked stops
/// working everywhere it was used.
pub async fn set_password(
    db: &Db,
    org: OrgId,
    id: PersonId,
    hash: &str,
    keep: Option<&Session>,
    now: i64,
) -> StoreResult<()> {
    let update =
        "UPDATE people SET password_hash = $3, updated_at = $4 WHERE org_id = $1 AND id = $2";
    let end_sessions = "DELETE FROM sessions WHERE org_id = $1 AND person_id = $2 AND id <> $3";
    let keep = keep.map_or(0, |s| s.id);
    let done = with_write!(db, p => async {
        sqlx::query(update).bind(org).bind(id).bind(hash).bind(now).execute(&mut *p).await?;
        sqlx::query(end_sessions).bind(org).bind(id).bind(keep).execute(&mut *p).await.map(|r| r.rows_affected())
    }.await);
    done.map_err(|e| {
        email_conflict(
            e,
            "someone in this organisation already has that email".into(),
        )
    })?;
    Ok(())
}

/// A person who can sign in, found by email across organisations: a sign-in email belongs to
/// one person (the index `people_sign_in_email`), so there is at most one.
#[derive(Clone, FromRow)]
pub struct Login {
    #[sqlx(rename = "org_id")]
    pub org: OrgId,
    #[sqlx(rename = "id")]
    pub person_id: PersonId,
    pub role: Role,
    pub password_hash: String,
}

pub async fn find_login(db: &Db, email: &str) -> StoreResult<Option<Login>> {
    let sql = "SELECT org_id, id, role, password_hash FROM people \
               WHERE lower(email) = lower($1) AND active = TRUE AND password_hash IS NOT NULL";
    Ok(with_db!(db, p => sqlx::query_as::<_, Login>(sql).bind(email).fetch_optional(p).await)?)
}

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema, FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Creates a token and returns it with its secret, which is shown this once and never stored.
pub async fn create_token(
    db: &Db,
    org: OrgId,
    name: &str,
    role: Role,
    now: i64,
) -> StoreResult<(ApiToken, String)> {
    let secret = secrets::new_token("sbt_");
    let sql = "INSERT INTO api_tokens (org_id, name, role, token_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
               RETURNING id, name, role, created_at, last_used_at, revoked_at";
    let token = with_write!(db, p => sqlx::query_as::<_, ApiToken>(sql)
        .bind(org).bind(name).bind(role).bind(secrets::token_hash(&secret)).bind(now)
        .fetch_one(p).await)?;
    Ok((token, secret))
}

pub async fn list_tokens(db: &Db, org: OrgId) -> StoreResult<Vec<ApiToken>> {
    let sql = "SELECT id, name, role, created_at, last_used_at, revoked_at FROM api_tokens WHERE org_id = $1 ORDER BY id";
    Ok(with_db!(db, p => sqlx::query_as::<_, ApiToken>(sql).bind(org).fetch_all(p).await)?)
}

pub async fn find_token(db: &Db, org: OrgId, id: i64) -> StoreResult<ApiToken> {
    let sql = "SELECT id, name, role, created_at, last_used_at, revoked_at FROM api_tokens WHERE org_id = $1 AND id = $2";
    let found = with_db!(db, p => sqlx::query_as::<_, ApiToken>(sql).bind(org).bind(id).fetch_optional(p).await)?;
    found.ok_or(StoreError::NotFound("token"))
}

pub async fn revoke_token(db: &Db, org: OrgId, id: i64, now: i64) -> StoreResult<()> {
    let sql = "UPDATE api_tokens SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL";
    let done = with_write!(db, p => sqlx::query(sql).bind(org).bind(id).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound("token"));
    }
    Ok(())
}

/// The organisation and role of a live token, marking it used.
pub async fn authenticate_token(
    db: &Db,
    secret: &str,
    now: i64,
) -> StoreResult<Option<(OrgId, Role, i64)>> {
    let sql = "UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL \
               RETURNING org_id, role, id";
    Ok(
        with_write!(db, p => sqlx::query_as(sql).bind(secrets::token_hash(secret)).bind(now).fetch_optional(p).await)?,
    )
}

/// A signed-in dashboard session.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: i64,
    pub org: OrgId,
    pub person_id: PersonId,
    pub person_name: String,
    pub role: Role,
    pub csrf_token: String,
}

impl Session {
    /// The signed-in person, as the authorisation rules see them.
    pub fn actor(&self) -> Actor {
        Actor {
            role: self.role,
            person: Some(self.person_id),
        }
    }
}

pub async fn create_session(
    db: &Db,
    org: OrgId,
    person_id: PersonId,
    now: i64,
    ttl_ms: i64,
) -> StoreResult<String> {
    let secret = secrets::new_token("sbs_");
    let csrf = secrets::new_token("");
    let sql = "INSERT INTO sessions (org_id, person_id, token_hash, csrf_token, created_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5, $6)";
    with_write!(db, p => sqlx::query(sql).bind(org).bind(person_id).bind(secrets::token_hash(&secret))
        .bind(csrf).bind(now).bind(now + ttl_ms).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(secret)
}

pub async fn find_session(db: &Db, secret: &str, now: i64) -> StoreResult<Option<Session>> {
    let sql = "SELECT s.id, s.org_id, s.person_id, p.name, p.role, s.csrf_token FROM sessions s \
               JOIN people p ON p.id = s.person_id AND p.org_id = s.org_id \
               WHERE s.token_hash = $1 AND s.expires_at > $2 AND p.active = TRUE";
    let row: Option<(i64, OrgId, PersonId, String, Role, String)> = with_db!(db, p => sqlx::query_as(sql).bind(secrets::token_hash(secret)).bind(now).fetch_optional(p).await)?;
    Ok(row.map(
        |(id, org, person_id, person_name, role, csrf_token)| Session {
            id,
            org,
            person_id,
            person_name,
            role,
            csrf_token,
        },
    ))
}

pub async fn delete_session(db: &Db, secret: &str) -> StoreResult<()> {
    let sql = "DELETE FROM sessions WHERE token_hash = $1";
    with_write!(db, p => sqlx::query(sql).bind(secrets::token_hash(secret)).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_expired_sessions(db: &Db, now: i64) -> StoreResult<u64> {
    let sql = "DELETE FROM sessions WHERE expires_at <= $1";
    let done = with_write!(db, p => sqlx::query(sql).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(done)
}

/// The auth tokens of organisations that configured their own Twilio account.
pub async fn org_auth_tokens(db: &Db) -> StoreResult<Vec<(OrgId, String)>> {
    let sql = "SELECT id, twilio_auth_token FROM organisations WHERE twilio_auth_token IS NOT NULL AND twilio_auth_token <> ''";
    Ok(with_db!(db, p => sqlx::query_as(sql).fetch_all(p).await)?)
}
