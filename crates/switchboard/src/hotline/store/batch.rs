//! The incident desk's reads and writes, inside its one transaction per batch: the incidents
//! and lines a batch of commands touches, read with a statement each, and everything the
//! batch changed written back with a statement per table. Lists and rows travel as one JSON
//! parameter, so every statement's text is the same whatever the batch's size (prepared once)
//! and a batch costs a handful of round trips however many calls it carries.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde::Serialize;
use sqlx::FromRow;

use super::incidents::{ATTEMPT_COLUMNS, INCIDENT_COLUMNS};
use super::lines::{LineRow, line_columns};
use crate::db::dialect::{self, Column, Column::Int, Column::Text};
use crate::db::{DbKind, Tx};
use crate::error::StoreResult;
use crate::hotline::model::incident::{Attempt, Incident, IncidentState};
use crate::hotline::model::line::Line;
use crate::ids::{IncidentId, LineId, OrgId};
use crate::with_tx;

/// An incident as the batch read it: its organisation, its state, and the ids of its
/// attempts (in the state's order).
#[derive(Clone, Debug)]
pub struct Loaded {
    pub org: OrgId,
    pub state: IncidentState,
    pub attempt_ids: Vec<i64>,
}

/// A line as the batch read it, with its organisation's roster version.
#[derive(Clone, Debug)]
pub struct LoadedLine {
    pub org: OrgId,
    pub line: Line,
    pub roster_version: i64,
}

/// The incidents `ids` and the latest incident of each of `call_sids`, with their attempts.
/// Locked on Postgres, in id order (incidents before lines), so two processes' batches
/// cannot deadlock.
pub async fn incidents(
    tx: &mut Tx,
    ids: &BTreeSet<IncidentId>,
    call_sids: &BTreeSet<String>,
) -> StoreResult<Vec<Loaded>> {
    if ids.is_empty() && call_sids.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(FromRow)]
    struct Row {
        org_id: OrgId,
        #[sqlx(flatten)]
        incident: Incident,
    }
    #[derive(FromRow)]
    struct AttemptRow {
        incident_id: IncidentId,
        id: i64,
        #[sqlx(flatten)]
        attempt: Attempt,
    }
    let sql = &statements(tx.kind());
    let (ids, call_sids) = (json_array(ids), json_array(call_sids));
    let rows = with_tx!(tx, c => sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql.incidents.clone()))
        .bind(&ids).bind(&call_sids).fetch_all(c).await)?;
    let mut loaded: Vec<Loaded> = rows
        .into_iter()
        .map(|r| Loaded {
            org: r.org_id,
            state: IncidentState {
                incident: r.incident,
                attempts: Vec::new(),
            },
            attempt_ids: Vec::new(),
        })
        .collect();
    let found = json_array(loaded.iter().map(|l| l.state.incident.id));
    let attempts = with_tx!(tx, c => sqlx::query_as::<_, AttemptRow>(sqlx::AssertSqlSafe(sql.attempts.clone()))
        .bind(&found).fetch_all(c).await)?;
    for row in attempts {
        if let Some(l) = loaded
            .iter_mut()
            .find(|l| l.state.incident.id == row.incident_id)
        {
            l.state.attempts.push(row.attempt);
            l.attempt_ids.push(row.id);
        }
    }
    Ok(loaded)
}

/// The lines `ids` and those answering `numbers`; with `only_ladder`, also the first two
/// ladder lines of the installation (two mean "several"). Locked on Postgres.
pub async fn lines(
    tx: &mut Tx,
    ids: &BTreeSet<LineId>,
    numbers: &BTreeSet<String>,
    only_ladder: bool,
) -> StoreResult<Vec<LoadedLine>> {
    if ids.is_empty() && numbers.is_empty() && !only_ladder {
        return Ok(Vec::new());
    }
    #[derive(FromRow)]
    struct Row {
        org_id: OrgId,
        roster_version: i64,
        #[sqlx(flatten)]
        line: LineRow,
    }
    let sql = sqlx::AssertSqlSafe(statements(tx.kind()).lines.clone());
    let rows = with_tx!(tx, c => sqlx::query_as::<_, Row>(sql)
        .bind(json_array(ids)).bind(json_array(numbers)).bind(i64::from(only_ladder))
        .fetch_all(c).await)?;
    rows.into_iter()
        .map(|r| {
            Ok(LoadedLine {
                org: r.org_id,
                line: r.line.into_line()?,
                roster_version: r.roster_version,
            })
        })
        .collect()
}

/// `n` fresh incident ids. On SQLite the ids after the largest, which are the batch's own
/// while it holds the write lock; on Postgres, from the identity sequence.
pub async fn reserve_incident_ids(tx: &mut Tx, n: usize) -> StoreResult<Vec<IncidentId>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = match tx {
        Tx::Sqlite(t, _) => {
            let largest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM incidents")
                .fetch_one(&mut **t)
                .await?;
            (largest + 1..=largest + n as i64).collect()
        }
        Tx::Pg(t) => {
            let sql = "SELECT nextval(pg_get_serial_sequence('incidents', 'id')) FROM generate_series(1, $1)";
            sqlx::query_scalar(sql)
                .bind(n as i64)
                .fetch_all(&mut **t)
                .await?
        }
    };
    Ok(ids.into_iter().map(IncidentId::new).collect())
}

/// Everything a batch changed.
#[derive(Default)]
pub struct Changes<'a> {
    pub new_incidents: Vec<IncidentRow<'a>>,
    pub changed_incidents: Vec<IncidentRow<'a>>,
    pub new_attempts: Vec<AttemptRow<'a>>,
    pub changed_attempts: Vec<AttemptRow<'a>>,
    pub events: Vec<EventRow<'a>>,
    /// Lines whose rotating pool moved, and where to.
    pub pool_moves: Vec<(LineId, i64)>,
}

#[derive(Serialize)]
pub struct IncidentRow<'a> {
    pub org_id: OrgId,
    #[serde(flatten)]
    pub incident: &'a Incident,
    pub updated_at: i64,
}

#[derive(Serialize)]
pub struct AttemptRow<'a> {
    /// Set when the row exists already.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub org_id: OrgId,
    pub incident_id: IncidentId,
    #[serde(flatten)]
    pub attempt: &'a Attempt,
}

#[derive(Serialize)]
pub struct EventRow<'a> {
    pub org_id: OrgId,
    pub incident_id: IncidentId,
    pub kind: &'a str,
    pub detail: &'a str,
    pub created_at: i64,
}

/// Writes `changes`: one statement per table that has rows to write.
pub async fn write(tx: &mut Tx, changes: &Changes<'_>) -> StoreResult<()> {
    let sql = statements(tx.kind());
    write_rows(tx, &sql.insert_incidents, &changes.new_incidents).await?;
    write_rows(tx, &sql.update_incidents, &changes.changed_incidents).await?;
    write_rows(tx, &sql.insert_attempts, &changes.new_attempts).await?;
    write_rows(tx, &sql.update_attempts, &changes.changed_attempts).await?;
    write_rows(tx, &sql.insert_events, &changes.events).await?;
    for (line, position) in &changes.pool_moves {
        let sql = "UPDATE hotline_lines SET pool_position = $2 WHERE id = $1";
        with_tx!(&mut *tx, c => sqlx::query(sql).bind(line).bind(position).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

async fn write_rows<T: Serialize>(tx: &mut Tx, sql: &str, rows: &[T]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let rows = serde_json::to_string(rows).map_err(anyhow::Error::from)?;
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    with_tx!(tx, c => sqlx::query(sql).bind(rows).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// `values` as a JSON array, for [`dialect::in_json_list`].
fn json_array<T: Serialize>(values: impl IntoIterator<Item = T>) -> String {
    let values: Vec<T> = values.into_iter().collect();
    serde_json::to_string(&values).unwrap_or_else(|_| "[]".to_string())
}

/// The batch's statements for one backend, made once.
struct Statements {
    incidents: String,
    attempts: String,
    lines: String,
    insert_incidents: String,
    update_incidents: String,
    insert_attempts: String,
    update_attempts: String,
    insert_events: String,
}

const INCIDENT_FIELDS: &[(&str, Column)] = &[
    ("status", Text),
    ("hours", Text),
    ("round", Int),
    ("answered_person_id", Int),
    ("answered_phone", Text),
    ("duration_secs", Int),
    ("voicemail_url", Text),
    ("voicemail_sid", Text),
    ("voicemail_secs", Int),
    ("transcript", Text),
    ("transcription_status", Text),
    ("voicemail_emailed_at", Int),
    ("answered_at", Int),
    ("ended_at", Int),
    ("updated_at", Int),
];

const NEW_INCIDENT_FIELDS: &[(&str, Column)] = &[
    ("id", Int),
    ("org_id", Int),
    ("line_id", Int),
    ("caller_phone", Text),
    ("call_sid", Text),
    ("created_at", Int),
];

const ATTEMPT_FIELDS: &[(&str, Column)] = &[
    ("org_id", Int),
    ("incident_id", Int),
    ("round", Int),
    ("step", Text),
    ("person_id", Int),
    ("person_name", Text),
    ("phone", Text),
    ("timeout_secs", Int),
    ("result", Text),
    ("call_sid", Text),
    ("started_at", Int),
    ("ended_at", Int),
];

const EVENT_FIELDS: &[(&str, Column)] = &[
    ("org_id", Int),
    ("incident_id", Int),
    ("kind", Text),
    ("detail", Text),
    ("created_at", Int),
];

impl Statements {
    fn new(kind: DbKind) -> Statements {
        let incidents = format!(
            "SELECT org_id, {INCIDENT_COLUMNS} FROM incidents WHERE {} OR {} ORDER BY id{}",
            dialect::in_json_list(kind, "id", 1, Int),
            // Of each call, its latest incident.
            dialect::in_subquery(
                kind,
                "id",
                &format!(
                    "SELECT MAX(c.id) FROM incidents c WHERE {} GROUP BY c.call_sid",
                    dialect::in_json_list(kind, "c.call_sid", 2, Text)
                )
            ),
            dialect::for_update(kind)
        );
        let attempts = format!(
            "SELECT incident_id, id, {ATTEMPT_COLUMNS} FROM call_attempts WHERE {} ORDER BY id",
            dialect::in_json_list(kind, "incident_id", 1, Int)
        );
        let lines = format!(
            "SELECT l.org_id, o.roster_version, {} FROM hotline_lines l JOIN organisations o ON o.id = l.org_id \
             WHERE {} OR {} \
             OR ($3 = 1 AND l.id IN (SELECT f.id FROM hotline_lines f WHERE f.kind = 'ladder' ORDER BY f.id LIMIT 2)) \
             ORDER BY l.id{}",
            line_columns("l"),
            dialect::in_json_list(kind, "l.id", 1, Int),
            dialect::in_json_list(kind, "l.phone_number", 2, Text),
            dialect::for_update_of(kind, "l"),
        );
        let new_incident: Vec<(&str, Column)> = [NEW_INCIDENT_FIELDS, INCIDENT_FIELDS].concat();
        let changed_attempt = [("result", Text), ("call_sid", Text), ("ended_at", Int)];
        Statements {
            incidents,
            attempts,
            lines,
            insert_incidents: dialect::insert_rows(kind, "incidents", &new_incident),
            update_incidents: dialect::update_rows(kind, "incidents", INCIDENT_FIELDS),
            insert_attempts: dialect::insert_rows(kind, "call_attempts", ATTEMPT_FIELDS),
            update_attempts: dialect::update_rows(kind, "call_attempts", &changed_attempt),
            insert_events: dialect::insert_rows(kind, "incident_events", EVENT_FIELDS),
        }
    }
}

fn statements(kind: DbKind) -> &'static Statements {
    static SQLITE: LazyLock<Statements> = LazyLock::new(|| Statements::new(DbKind::Sqlite));
    static POSTGRES: LazyLock<Statements> = LazyLock::new(|| Statements::new(DbKind::Postgres));
    match kind {
        DbKind::Sqlite => &SQLITE,
        DbKind::Postgres => &POSTGRES,
    }
}
