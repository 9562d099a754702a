//! Reading incidents, their attempts and their audit trail (the on-call routing API's `incidents`,
//! `call_attempts` and `incident_events`), for the API, the dashboard and the webhooks that
//! find an incident by its call. Changes go through the desk (see `batch.rs`).

use serde::Serialize;
use sqlx::FromRow;
use utoipa::ToSchema;

use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::hotline::model::IncidentStatus;
pub use crate::hotline::model::incident::{Attempt, Incident};
use crate::ids::{IncidentId, LineId, OrgId};
use crate::with_db;

/// The columns of an [`Incident`].
pub(crate) const INCIDENT_COLUMNS: &str = "id, line_id, caller_phone, call_sid, status, hours, round, \
    answered_person_id, answered_phone, duration_secs, voicemail_url, voicemail_sid, voicemail_secs, \
    transcript, transcription_status, voicemail_emailed_at, created_at, answered_at, ended_at";

/// The columns of an [`Attempt`].
pub(crate) const ATTEMPT_COLUMNS: &str = "round, step, person_id, person_name, phone, timeout_secs, \
    result, call_sid, started_at, ended_at";

/// An attempt with its id, as the API lists it.
#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct StoredAttempt {
    pub id: i64,
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub attempt: Attempt,
}

/// An entry of the audit trail.
#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    /// JSON: the request or decision recorded.
    pub detail: String,
    pub created_at: i64,
}

pub async fn find(db: &Db, org: OrgId, id: IncidentId) -> StoreResult<Incident> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE org_id = $1 AND id = $2"
    ));
    let row = with_db!(db, p => sqlx::query_as::<_, Incident>(sql).bind(org).bind(id).fetch_optional(p).await)?;
    row.ok_or(StoreError::NotFound("incident"))
}

/// The organisation of incident `id`, found without knowing it (a signed Studio request names
/// an incident, and its organisation's token must have signed it).
pub async fn org_of(db: &Db, id: IncidentId) -> StoreResult<Option<OrgId>> {
    let sql = "SELECT org_id FROM incidents WHERE id = $1";
    Ok(with_db!(db, p => sqlx::query_scalar(sql).bind(id).fetch_optional(p).await)?)
}

/// The latest incident a call opened, with its organisation.
pub async fn find_by_call(db: &Db, call_sid: &str) -> StoreResult<Option<(OrgId, Incident)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT org_id, {INCIDENT_COLUMNS} FROM incidents WHERE call_sid = $1 ORDER BY id DESC LIMIT 1"
    ));
    #[derive(FromRow)]
    struct Row {
        org_id: OrgId,
        #[sqlx(flatten)]
        incident: Incident,
    }
    let row =
        with_db!(db, p => sqlx::query_as::<_, Row>(sql).bind(call_sid).fetch_optional(p).await)?;
    Ok(row.map(|r| (r.org_id, r.incident)))
}

pub async fn attempts(db: &Db, org: OrgId, id: IncidentId) -> StoreResult<Vec<StoredAttempt>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id, {ATTEMPT_COLUMNS} FROM call_attempts WHERE org_id = $1 AND incident_id = $2 ORDER BY id"
    ));
    Ok(
        with_db!(db, p => sqlx::query_as::<_, StoredAttempt>(sql).bind(org).bind(id).fetch_all(p).await)?,
    )
}

pub async fn events(db: &Db, org: OrgId, id: IncidentId) -> StoreResult<Vec<Event>> {
    let sql = "SELECT id, kind, detail, created_at FROM incident_events WHERE org_id = $1 AND incident_id = $2 ORDER BY id";
    Ok(with_db!(db, p => sqlx::query_as::<_, Event>(sql).bind(org).bind(id).fetch_all(p).await)?)
}

/// Filters for the incident list.
#[derive(Default)]
pub struct IncidentFilter {
    pub line_id: Option<LineId>,
    pub status: Option<IncidentStatus>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub limit: i64,
}

pub async fn list(db: &Db, org: OrgId, f: &IncidentFilter) -> StoreResult<Vec<Incident>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE org_id = $1 AND ($2 IS NULL OR line_id = $2) AND ($3 IS NULL OR status = $3) \
         AND ($4 IS NULL OR created_at >= $4) AND ($5 IS NULL OR created_at < $5) ORDER BY created_at DESC, id DESC LIMIT $6"
    ));
    Ok(
        with_db!(db, p => sqlx::query_as::<_, Incident>(sql).bind(org).bind(f.line_id).bind(f.status)
        .bind(f.from).bind(f.to).bind(f.limit).fetch_all(p).await)?,
    )
}

/// The on-call routing API's key metrics for a line over a time range.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct LineMetrics {
    pub incidents: i64,
    pub answered: i64,
    pub exhausted: i64,
    /// Mean seconds from incident creation to first answer, over answered incidents.
    pub mean_time_to_answer_secs: Option<f64>,
    /// Mean attempts per incident.
    pub mean_attempts_per_incident: Option<f64>,
    /// Mean duration of answered calls, seconds.
    pub mean_call_duration_secs: Option<f64>,
}

pub async fn metrics(
    db: &Db,
    org: OrgId,
    line_id: LineId,
    from: i64,
    to: i64,
) -> StoreResult<LineMetrics> {
    let sql = "SELECT COUNT(*), \
               COALESCE(SUM(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN status = 'exhausted' THEN 1 ELSE 0 END), 0), \
               CAST(AVG(CASE WHEN answered_at IS NOT NULL THEN (answered_at - created_at) / 1000.0 END) AS DOUBLE PRECISION), \
               CAST(AVG(CASE WHEN answered_at IS NOT NULL THEN duration_secs * 1.0 END) AS DOUBLE PRECISION) \
               FROM incidents WHERE org_id = $1 AND line_id = $2 AND created_at >= $3 AND created_at < $4";
    let (incidents, answered, exhausted, tta, duration): (i64, i64, i64, Option<f64>, Option<f64>) =
        with_db!(db, p => sqlx::query_as(sql).bind(org).bind(line_id).bind(from).bind(to).fetch_one(p).await)?;
    let attempts_sql = "SELECT COUNT(*) FROM call_attempts a JOIN incidents i ON i.id = a.incident_id \
                        WHERE i.org_id = $1 AND i.line_id = $2 AND i.created_at >= $3 AND i.created_at < $4";
    let attempts: i64 = with_db!(db, p => sqlx::query_scalar(attempts_sql).bind(org).bind(line_id).bind(from).bind(to).fetch_one(p).await)?;
    Ok(LineMetrics {
        incidents,
        answered,
        exhausted,
        mean_time_to_answer_secs: tta,
        mean_attempts_per_incident: (incidents > 0).then(|| attempts as f64 / incidents as f64),
        mean_call_duration_secs: duration,
    })
}
