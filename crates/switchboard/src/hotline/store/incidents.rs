//! Seed 003's incidents, call attempts and incident events (the audit trail).

use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::ToSchema;

use crate::accounts::OrgId;
use crate::db::{Db, Tx, dialect};
use crate::hotline::model::ladder::{PriorAttempt, StepKind};
use crate::hotline::model::{Hours, IncidentStatus};
use crate::http::{AppError, AppResult};
use crate::{with_db, with_tx};

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, FromRow)]
pub struct Incident {
    pub id: i64,
    pub line_id: i64,
    pub caller_phone: String,
    pub call_sid: Option<String>,
    /// open, answered, completed or exhausted.
    pub status: String,
    /// business or after: which ladder applies.
    pub hours: String,
    pub answered_person_id: Option<i64>,
    pub answered_phone: Option<String>,
    pub duration_secs: Option<i64>,
    pub voicemail_url: Option<String>,
    pub voicemail_secs: Option<i64>,
    pub transcript: Option<String>,
    pub created_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
}

impl Incident {
    pub fn status(&self) -> IncidentStatus {
        IncidentStatus::parse(&self.status).unwrap_or(IncidentStatus::Open)
    }
    pub fn hours(&self) -> Hours {
        Hours::parse(&self.hours).unwrap_or(Hours::After)
    }
}

pub(crate) const INCIDENT_COLUMNS: &str = "id, line_id, caller_phone, call_sid, status, hours, answered_person_id, answered_phone, \
    duration_secs, voicemail_url, voicemail_secs, transcript, created_at, answered_at, ended_at";

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, FromRow)]
pub struct Attempt {
    pub id: i64,
    pub step: String,
    pub person_id: Option<i64>,
    pub person_name: String,
    pub phone: String,
    /// dialing, answered, no-answer, busy or failed.
    pub result: String,
    pub call_sid: Option<String>,
    pub started_at: i64,
    pub ended_at: Option<i64>,
}

impl Attempt {
    pub fn prior(&self) -> PriorAttempt {
        PriorAttempt {
            person_id: self.person_id,
            step: StepKind::parse(&self.step),
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    /// JSON: the request or decision recorded.
    pub detail: String,
    pub created_at: i64,
}

/// Loads an incident inside `tx`, locking it on Postgres. `org` = None for Studio requests,
/// which are authorised for the whole installation.
pub async fn lock(tx: &mut Tx, org: Option<OrgId>, id: i64) -> AppResult<(OrgId, Incident)> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT org_id, {INCIDENT_COLUMNS} FROM incidents WHERE id = $1 AND ($2 IS NULL OR org_id = $2){}",
        dialect::for_update(tx.kind())
    ));
    #[derive(FromRow)]
    struct Row {
        org_id: i64,
        #[sqlx(flatten)]
        incident: Incident,
    }
    let row = with_tx!(tx, c => sqlx::query_as::<_, Row>(sql).bind(id).bind(org.map(|o| o.0)).fetch_optional(c).await)?;
    row.map(|r| (OrgId(r.org_id), r.incident))
        .ok_or(AppError::NotFound("incident"))
}

pub async fn find(db: &Db, org: OrgId, id: i64) -> AppResult<Incident> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE org_id = $1 AND id = $2"
    ));
    let row = with_db!(db, p => sqlx::query_as::<_, Incident>(sql).bind(org.0).bind(id).fetch_optional(p).await)?;
    row.ok_or(AppError::NotFound("incident"))
}

/// The open or answered incident of a call, if the native flow started one.
pub async fn find_by_call(db: &Db, call_sid: &str) -> AppResult<Option<(OrgId, Incident)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT org_id, {INCIDENT_COLUMNS} FROM incidents WHERE call_sid = $1 ORDER BY id DESC LIMIT 1"
    ));
    #[derive(FromRow)]
    struct Row {
        org_id: i64,
        #[sqlx(flatten)]
        incident: Incident,
    }
    let row =
        with_db!(db, p => sqlx::query_as::<_, Row>(sql).bind(call_sid).fetch_optional(p).await)?;
    Ok(row.map(|r| (OrgId(r.org_id), r.incident)))
}

pub async fn attempts(db: &Db, org: OrgId, incident_id: i64) -> AppResult<Vec<Attempt>> {
    let sql = "SELECT id, step, person_id, person_name, phone, result, call_sid, started_at, ended_at FROM call_attempts \
               WHERE org_id = $1 AND incident_id = $2 ORDER BY id";
    Ok(
        with_db!(db, p => sqlx::query_as::<_, Attempt>(sql).bind(org.0).bind(incident_id).fetch_all(p).await)?,
    )
}

pub async fn add_event(
    tx: &mut Tx,
    org: OrgId,
    incident_id: i64,
    kind: &str,
    detail: &serde_json::Value,
    now: i64,
) -> AppResult<()> {
    let sql = "INSERT INTO incident_events (org_id, incident_id, kind, detail, created_at) VALUES ($1, $2, $3, $4, $5)";
    with_tx!(tx, c => sqlx::query(sql).bind(org.0).bind(incident_id).bind(kind).bind(detail.to_string()).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn events(db: &Db, org: OrgId, incident_id: i64) -> AppResult<Vec<Event>> {
    let sql = "SELECT id, kind, detail, created_at FROM incident_events WHERE org_id = $1 AND incident_id = $2 ORDER BY id";
    Ok(
        with_db!(db, p => sqlx::query_as::<_, Event>(sql).bind(org.0).bind(incident_id).fetch_all(p).await)?,
    )
}

pub async fn set_voicemail(
    db: &Db,
    org: OrgId,
    incident_id: i64,
    url: &str,
    sid: &str,
    secs: Option<i64>,
    now: i64,
) -> AppResult<()> {
    let sql = "UPDATE incidents SET voicemail_url = $3, voicemail_sid = $4, voicemail_secs = $5, updated_at = $6 WHERE org_id = $1 AND id = $2";
    with_db!(db, p => sqlx::query(sql).bind(org.0).bind(incident_id).bind(url).bind(sid).bind(secs).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Filters for the incident list.
#[derive(Default)]
pub struct IncidentFilter {
    pub line_id: Option<i64>,
    pub status: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub limit: i64,
}

pub async fn list(db: &Db, org: OrgId, f: &IncidentFilter) -> AppResult<Vec<Incident>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE org_id = $1 AND ($2 IS NULL OR line_id = $2) AND ($3 IS NULL OR status = $3) \
         AND ($4 IS NULL OR created_at >= $4) AND ($5 IS NULL OR created_at < $5) ORDER BY created_at DESC, id DESC LIMIT $6"
    ));
    Ok(
        with_db!(db, p => sqlx::query_as::<_, Incident>(sql).bind(org.0).bind(f.line_id).bind(&f.status)
        .bind(f.from).bind(f.to).bind(f.limit).fetch_all(p).await)?,
    )
}

/// Seed 003's key metrics for a line over a time range.
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
    line_id: i64,
    from: i64,
    to: i64,
) -> AppResult<LineMetrics> {
    let sql = "SELECT COUNT(*), \
               COALESCE(SUM(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN status = 'exhausted' THEN 1 ELSE 0 END), 0), \
               CAST(AVG(CASE WHEN answered_at IS NOT NULL THEN (answered_at - created_at) / 1000.0 END) AS DOUBLE PRECISION), \
               CAST(AVG(CASE WHEN answered_at IS NOT NULL THEN duration_secs * 1.0 END) AS DOUBLE PRECISION) \
               FROM incidents WHERE org_id = $1 AND line_id = $2 AND created_at >= $3 AND created_at < $4";
    let (incidents, answered, exhausted, tta, duration): (i64, i64, i64, Option<f64>, Option<f64>) =
        with_db!(db, p => sqlx::query_as(sql).bind(org.0).bind(line_id).bind(from).bind(to).fetch_one(p).await)?;
    let attempts_sql = "SELECT COUNT(*) FROM call_attempts a JOIN incidents i ON i.id = a.incident_id \
                        WHERE i.org_id = $1 AND i.line_id = $2 AND i.created_at >= $3 AND i.created_at < $4";
    let attempts: i64 = with_db!(db, p => sqlx::query_scalar(attempts_sql).bind(org.0).bind(line_id).bind(from).bind(to).fetch_one(p).await)?;
    Ok(LineMetrics {
        incidents,
        answered,
        exhausted,
        mean_time_to_answer_secs: tta,
        mean_attempts_per_incident: (incidents > 0).then(|| attempts as f64 / incidents as f64),
        mean_call_duration_secs: duration,
    })
}
