//! The incident desk's reads and writes, inside its one transaction per batch. A batch reads
//! with one statement however many calls it carries: it returns everything the batch's
//! commands touch as a single JSON document, its lists bound as JSON parameters so the
//! statement's text never changes (it is prepared once). The writes come from one list of
//! tables and columns (`statements.rs`): on Postgres one statement of JSON rows, a round
//! trip; on the desk's inline SQLite connection, with no round trip to save, one prepared
//! statement per table, bound row by row.

mod statements;

use std::collections::BTreeSet;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use self::statements::{row_writes, statements};
use super::lines::LineRow;
use crate::db::{Param, WriteTx};
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
        json_array(&wanted.incidents)?,
        json_array(&wanted.call_sids)?,
        json_array(&wanted.lines)?,
        json_array(&wanted.numbers)?,
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

/// Writes `changes`: on Postgres in one statement (one round trip), on the desk's inline
/// SQLite connection row by row, each row's values bound to a prepared one-row statement
/// (SQLite, with no round trip to save, spends less time binding values than extracting them
/// from JSON).
pub async fn write(tx: &mut WriteTx, changes: &Changes<'_>) -> StoreResult<()> {
    // `changes`' lists, each passed to `$each`, in the order of the statements' tables.
    macro_rules! lists {
        ($each:path) => {
            [
                $each(&changes.new_incidents),
                $each(&changes.changed_incidents),
                $each(&changes.new_attempts),
                $each(&changes.changed_attempts),
                $each(&changes.events),
                $each(&changes.pool_moves),
            ]
        };
    }
    if let WriteTx::Inline(inline) = tx {
        for (list, statement) in lists!(serde_json::to_value).into_iter().zip(row_writes()) {
            let list = list.map_err(|e| anyhow::anyhow!("a desk row did not serialize: {e}"))?;
            for row in list.as_array().into_iter().flatten() {
                let row = row.as_object().context("a desk row is not a JSON object")?;
                inline.execute_row(statement, row)?;
            }
        }
        return Ok(());
    }
    let texts = lists!(json_array)
        .into_iter()
        .collect::<StoreResult<Vec<_>>>()?;
    let params: Vec<Param> = texts.iter().map(|r| Param::Text(r)).collect();
    tx.execute(&statements(tx.kind()).write, &params).await
}

/// `values` as a JSON array: a list for `dialect::in_json_list`, or rows to write.
fn json_array<T: Serialize + ?Sized>(values: &T) -> StoreResult<String> {
    serde_json::to_string(values)
        .map_err(|e| anyhow::anyhow!("a desk list did not serialize: {e}").into())
}
