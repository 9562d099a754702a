//! The incident desk's reads and writes, inside its one transaction per batch. A batch costs
//! two statements however many calls it carries: one read that returns everything the
//! batch's commands touch as a single JSON document, and one write of everything they
//! changed. Lists and rows travel as JSON parameters, so the statements' texts never change
//! (each is prepared once). The same two texts run on the desk's inline SQLite connection
//! and on a Postgres transaction ([`WriteTx`]); on Postgres each is a round trip.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::incidents::{ATTEMPT_COLUMNS, INCIDENT_COLUMNS};
use super::lines::{LINE_COLUMNS, LineRow};
use crate::db::dialect::{self, Column, Column::Int, Column::Text};
use crate::db::{DbKind, Param, WriteTx};
use crate::error::StoreResult;
use crate::hotline::model::incident::{Attempt, Incident, IncidentState};
use crate::hotline::model::line::Line;
use crate::ids::{IncidentId, LineId, OrgId};

/// What a batch asks to read.
#[derive(Debug, Default)]
pub struct Wanted {
    pub incidents: BTreeSet<IncidentId>,
    /// The latest incident of each of these calls.
    pub call_sids: BTreeSet<String>,
    /// Besides the lines of the incidents read.
    pub lines: BTreeSet<LineId>,
    pub numbers: BTreeSet<String>,
    /// The first two ladder lines of the installation (two mean "several").
    pub only_ladder: bool,
    /// How many incidents the batch may open (each gets an id).
    pub openings: usize,
}

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

/// What the batch's read returned.
pub struct Snapshot {
    pub incidents: Vec<Loaded>,
    pub lines: Vec<LoadedLine>,
    /// An id for each incident the batch may open.
    pub fresh_ids: Vec<IncidentId>,
}

/// Reads what `wanted` names, locking it on Postgres (incidents before lines, so two
/// processes' batches cannot deadlock).
pub async fn load(tx: &mut WriteTx, wanted: &Wanted) -> StoreResult<Snapshot> {
    #[derive(Deserialize)]
    struct Document {
        incidents: Vec<IncidentDoc>,
        attempts: Vec<AttemptDoc>,
        lines: Vec<LineDoc>,
        fresh: Fresh,
    }
    #[derive(Deserialize)]
    struct IncidentDoc {
        org_id: OrgId,
        #[serde(flatten)]
        incident: Incident,
    }
    #[derive(Deserialize)]
    struct AttemptDoc {
        incident_id: IncidentId,
        id: i64,
        #[serde(flatten)]
        attempt: Attempt,
    }
    #[derive(Deserialize)]
    struct LineDoc {
        org_id: OrgId,
        roster_version: i64,
        #[serde(flatten)]
        line: LineRow,
    }
    /// SQLite: the largest id (the batch holds the write lock, so the ids after it are its
    /// own). Postgres: ids taken from the identity sequence.
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Fresh {
        After(i64),
        Taken(Vec<i64>),
    }
    let lists = [
        json_array(&wanted.incidents),
        json_array(&wanted.call_sids),
        json_array(&wanted.lines),
        json_array(&wanted.numbers),
    ];
    let mut params: Vec<Param> = lists.iter().map(|l| Param::Text(l)).collect();
    params.push(Param::Int(i64::from(wanted.only_ladder)));
    params.push(Param::Int(wanted.openings as i64));
    let text = tx.query_text(&statements(tx.kind()).read, &params).await?;
    let doc: Document = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("the desk's read returned unexpected JSON: {e}"))?;
    let mut incidents: Vec<Loaded> = doc
        .incidents
        .into_iter()
        .map(|i| Loaded {
            org: i.org_id,
            state: IncidentState {
                incident: i.incident,
                attempts: Vec::new(),
            },
            attempt_ids: Vec::new(),
        })
        .collect();
    incidents.sort_by_key(|l| l.state.incident.id);
    let mut attempts = doc.attempts;
    attempts.sort_by_key(|a| a.id);
    for a in attempts {
        if let Some(l) = incidents
            .iter_mut()
            .find(|l| l.state.incident.id == a.incident_id)
        {
            l.state.attempts.push(a.attempt);
            l.attempt_ids.push(a.id);
        }
    }
    let lines = doc
        .lines
        .into_iter()
        .map(|l| {
            Ok(LoadedLine {
                org: l.org_id,
                line: l.line.into_line()?,
                roster_version: l.roster_version,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let fresh_ids = match doc.fresh {
        Fresh::After(largest) => (1..=wanted.openings as i64).map(|k| largest + k).collect(),
        Fresh::Taken(ids) => ids,
    };
    Ok(Snapshot {
        incidents,
        lines,
        fresh_ids: fresh_ids.into_iter().map(IncidentId::new).collect(),
    })
}

/// Everything a batch changed.
#[derive(Default)]
pub struct Changes<'a> {
    pub new_incidents: Vec<IncidentRow<'a>>,
    pub changed_incidents: Vec<IncidentRow<'a>>,
    pub new_attempts: Vec<AttemptRow<'a>>,
    pub changed_attempts: Vec<AttemptRow<'a>>,
    pub events: Vec<EventRow<'a>>,
    pub pool_moves: Vec<PoolMove>,
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

/// A line whose rotating pool moved, and where to.
#[derive(Serialize)]
pub struct PoolMove {
    pub id: LineId,
    pub pool_position: i64,
}

/// Writes `changes` in one statement.
pub async fn write(tx: &mut WriteTx, changes: &Changes<'_>) -> StoreResult<()> {
    let rows = [
        json_array(&changes.new_incidents),
        json_array(&changes.changed_incidents),
        json_array(&changes.new_attempts),
        json_array(&changes.changed_attempts),
        json_array(&changes.events),
        json_array(&changes.pool_moves),
    ];
    let params: Vec<Param> = rows.iter().map(|r| Param::Text(r)).collect();
    tx.execute(&statements(tx.kind()).write, &params).await
}

/// `values` as a JSON array: a list for [`dialect::in_json_list`], or rows to write.
fn json_array<T: Serialize + ?Sized>(values: &T) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".to_string())
}

/// The batch's two statements for one backend, made once.
struct Statements {
    read: String,
    write: String,
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

/// `table.column` pairs for a JSON object of `columns` (a comma-separated list).
fn fields<'a>(alias: &str, columns: &'a str) -> Vec<(&'a str, String)> {
    columns
        .split(',')
        .map(str::trim)
        .map(|c| (c, format!("{alias}.{c}")))
        .collect()
}

impl Statements {
    fn new(kind: DbKind) -> Statements {
        // The incidents `$1` and the latest incident of each call of `$2`. Alternatives are
        // one list joined with UNION: SQLite answers `x IN (a) OR x IN (b)` several times
        // slower than `x IN (a UNION b)`.
        let wanted_ids = format!(
            "{} UNION SELECT MAX(c.id) FROM incidents c WHERE {} GROUP BY c.call_sid",
            dialect::json_list(kind, 1, Int),
            dialect::in_json_list(kind, "c.call_sid", 2, Text)
        );
        let wanted = dialect::in_subquery(kind, "id", &wanted_ids);
        let mut incident = fields("i", INCIDENT_COLUMNS);
        incident.push(("org_id", "i.org_id".to_string()));
        let incidents = dialect::json_array_of(
            kind,
            &dialect::json_object(kind, &incident),
            &format!(
                "(SELECT org_id, {INCIDENT_COLUMNS} FROM incidents WHERE {wanted}{}) i",
                dialect::for_update(kind)
            ),
        );
        let mut attempt = fields("a", ATTEMPT_COLUMNS);
        attempt.extend([
            ("id", "a.id".into()),
            ("incident_id", "a.incident_id".into()),
        ]);
        let attempts = dialect::json_array_of(
            kind,
            &dialect::json_object(kind, &attempt),
            &format!(
                "call_attempts a WHERE a.incident_id IN (SELECT id FROM incidents WHERE {wanted})"
            ),
        );
        let mut line = fields("l", LINE_COLUMNS);
        line.extend([
            ("org_id", "l.org_id".into()),
            ("roster_version", "l.roster_version".into()),
        ]);
        // The lines `$3`, the lines of the numbers `$4`, the wanted incidents' lines, and with
        // `$5` the first two ladder lines.
        let wanted_lines = format!(
            "{} UNION ALL SELECT id FROM hotline_lines WHERE {} \
             UNION ALL SELECT line_id FROM incidents WHERE {wanted} \
             UNION ALL SELECT id FROM (SELECT f.id FROM hotline_lines f \
             WHERE $5 = 1 AND f.kind = 'ladder' ORDER BY f.id LIMIT 2) ladders",
            dialect::json_list(kind, 3, Int),
            dialect::in_json_list(kind, "phone_number", 4, Text),
        );
        let lines = dialect::json_array_of(
            kind,
            &dialect::json_object(kind, &line),
            &format!(
                "(SELECT l.*, o.roster_version FROM hotline_lines l JOIN organisations o ON o.id = l.org_id \
                 WHERE {}{}) l",
                dialect::in_subquery(kind, "l.id", &wanted_lines),
                dialect::for_update_of(kind, "l"),
            ),
        );
        let fresh = match kind {
            DbKind::Sqlite => "(SELECT COALESCE(MAX(id), 0) FROM incidents)".to_string(),
            DbKind::Postgres => dialect::json_array_of(
                kind,
                "n",
                "(SELECT nextval(pg_get_serial_sequence('incidents', 'id')) AS n \
                 FROM generate_series(1, $6)) s",
            ),
        };
        let document = dialect::json_object(
            kind,
            &[
                ("incidents", incidents),
                ("attempts", attempts),
                ("lines", lines),
                ("fresh", fresh),
            ],
        );
        let new_incident: Vec<(&str, Column)> = [NEW_INCIDENT_FIELDS, INCIDENT_FIELDS].concat();
        let changed_attempt = [("result", Text), ("call_sid", Text), ("ended_at", Int)];
        let write = dialect::all_at_once(
            kind,
            &[
                dialect::insert_rows(kind, "incidents", 1, &new_incident),
                dialect::update_rows(kind, "incidents", 2, INCIDENT_FIELDS),
                dialect::insert_rows(kind, "call_attempts", 3, ATTEMPT_FIELDS),
                dialect::update_rows(kind, "call_attempts", 4, &changed_attempt),
                dialect::insert_rows(kind, "incident_events", 5, EVENT_FIELDS),
                dialect::update_rows(kind, "hotline_lines", 6, &[("pool_position", Int)]),
            ],
        );
        Statements {
            read: format!("SELECT CAST({document} AS TEXT)"),
            write,
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
