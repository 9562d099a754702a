//! The text of the batch's statements, for each backend: made once from lists of tables and
//! columns, with `db::dialect` supplying what differs between SQLite and Postgres.

use std::sync::LazyLock;

use crate::db::DbKind;
use crate::db::dialect::{self, Column, Column::Int, Column::Text, RowStatement};
use crate::hotline::store::incidents::{ATTEMPT_COLUMNS, INCIDENT_COLUMNS};
use crate::hotline::store::lines::LINE_COLUMNS;

/// The batch's statements for one backend, made once.
pub(super) struct Statements {
    pub(super) read: String,
    pub(super) write: String,
}

/// One of a batch's writes: rows inserted into `table`, or updated there by `id`.
struct TableWrite {
    table: &'static str,
    writing: Writing,
    columns: Vec<(&'static str, Column)>,
}

/// What a batch writes, in the order of [`Changes`](super::Changes)' lists.
fn writes() -> [TableWrite; 6] {
    use Writing::{Insert, Update};
    let write = |table, writing, columns: &[(&'static str, Column)]| TableWrite {
        table,
        writing,
        columns: columns.to_vec(),
    };
    [
        write(
            "incidents",
            Insert,
            &[NEW_INCIDENT_FIELDS, INCIDENT_FIELDS].concat(),
        ),
        write("incidents", Update, INCIDENT_FIELDS),
        write("call_attempts", Insert, ATTEMPT_FIELDS),
        write("call_attempts", Update, CHANGED_ATTEMPT_FIELDS),
        write("incident_events", Insert, EVENT_FIELDS),
        write("hotline_lines", Update, &[("pool_position", Int)]),
    ]
}

#[derive(Clone, Copy)]
enum Writing {
    Insert,
    Update,
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

/// A new incident's own columns; it also takes [`INCIDENT_FIELDS`].
const NEW_INCIDENT_FIELDS: &[(&str, Column)] = &[
    ("id", Int),
    ("org_id", Int),
    ("line_id", Int),
    ("caller_phone", Text),
    ("call_sid", Text),
    ("created_at", Int),
];

const CHANGED_ATTEMPT_FIELDS: &[(&str, Column)] =
    &[("result", Text), ("call_sid", Text), ("ended_at", Int)];

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
        let writes = writes();
        let lists = writes.iter().enumerate().map(|(i, w)| match w.writing {
            Writing::Insert => dialect::insert_rows(kind, w.table, i + 1, &w.columns),
            Writing::Update => dialect::update_rows(kind, w.table, i + 1, &w.columns),
        });
        let write = dialect::all_at_once(kind, &lists.collect::<Vec<_>>());
        Statements {
            read: format!("SELECT CAST({document} AS TEXT)"),
            write,
        }
    }
}

pub(super) fn statements(kind: DbKind) -> &'static Statements {
    static SQLITE: LazyLock<Statements> = LazyLock::new(|| Statements::new(DbKind::Sqlite));
    static POSTGRES: LazyLock<Statements> = LazyLock::new(|| Statements::new(DbKind::Postgres));
    match kind {
        DbKind::Sqlite => &SQLITE,
        DbKind::Postgres => &POSTGRES,
    }
}

/// [`writes`] one row at a time, for SQLite's inline connection, made once.
pub(super) fn row_writes() -> &'static [RowStatement<'static>] {
    static ROWS: LazyLock<Vec<RowStatement<'static>>> = LazyLock::new(|| {
        writes()
            .iter()
            .map(|w| match w.writing {
                Writing::Insert => dialect::insert_row(w.table, &w.columns),
                Writing::Update => dialect::update_row(w.table, &w.columns),
            })
            .collect()
    });
    &ROWS
}
