//! An import's record: created once its file passed the whole-file checks, its counters and
//! progress written with each batch (in the batch's own transaction, so they always match
//! what was written), its refused rows kept up to [`STORED_ERRORS`], and its end.

use super::row::RowError;
use crate::db::{Db, Tx};
use crate::error::{Invalid, StoreError, StoreResult};
use crate::ids::{ImportId, OrgId};
use crate::{with_db, with_tx};

/// The refused rows kept per import; past it they are counted, not kept.
pub const STORED_ERRORS: u64 = 1000;

crate::text_enum! {
    /// An import's lifecycle: running → done, or running → failed (a database error, or a
    /// server that stopped halfway: see [`super::model`]'s `effective_status`).
    pub enum ImportStatus {
        Running = "running",
        Done = "done",
        Failed = "failed",
    }
}

/// The static list every imported contact joins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListTarget {
    /// An existing static list of the organisation.
    Id(i64),
    /// Found by name, created when missing.
    Name(String),
}

/// What an import starts from.
#[derive(Clone, Debug)]
pub struct NewImport {
    pub file_name: String,
    pub default_country: Option<String>,
    pub list: Option<ListTarget>,
    pub bytes_total: Option<i64>,
}

/// An import as stored, with its list's name.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ImportRecord {
    pub id: ImportId,
    pub file_name: String,
    pub status: ImportStatus,
    pub default_country: Option<String>,
    pub list_id: Option<i64>,
    pub list_name: Option<String>,
    pub bytes_total: Option<i64>,
    pub bytes_read: i64,
    pub rows_read: i64,
    pub created: i64,
    pub merged: i64,
    pub invalid: i64,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

/// One refused row as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredError {
    pub line: i64,
    pub field: Option<String>,
    pub reason: String,
}

/// One batch's counts, added to the import's.
#[derive(Clone, Copy, Debug, Default)]
pub struct BatchCounts {
    pub bytes_read: u64,
    pub rows_read: u64,
    pub created: u64,
    pub merged: u64,
    pub invalid: u64,
}

const COLUMNS: &str = "i.id, i.file_name, i.status, i.default_country, i.list_id, l.name AS list_name, \
     i.bytes_total, i.bytes_read, i.rows_read, i.created, i.merged, i.invalid, i.error, \
     i.created_at, i.updated_at, i.finished_at \
     FROM contact_imports i LEFT JOIN contact_lists l ON l.id = i.list_id AND l.org_id = i.org_id";

/// Records a new running import (and creates its list when named and missing).
pub async fn create(db: &Db, org: OrgId, new: &NewImport, now: i64) -> StoreResult<ImportId> {
    let mut tx = db.write().await?;
    let list_id = match &new.list {
        Some(target) => Some(list_for(&mut tx, org, target, now).await?),
        None => None,
    };
    let sql = "INSERT INTO contact_imports (org_id, file_name, status, default_country, list_id, \
               bytes_total, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
    let id: ImportId = with_tx!(&mut tx, c => sqlx::query_scalar(sql)
        .bind(org).bind(&new.file_name).bind(ImportStatus::Running).bind(&new.default_country)
        .bind(list_id).bind(new.bytes_total).bind(now).fetch_one(c).await)?;
    tx.commit().await?;
    Ok(id)
}

const LIST_BY_ID: &str = "SELECT id, kind FROM contact_lists WHERE org_id = $1 AND id = $2";
const LIST_BY_NAME: &str = "SELECT id, kind FROM contact_lists WHERE org_id = $1 AND name = $2";

/// The static list `target` names in `org`: by id it must exist; by name it is created when
/// missing.
async fn list_for(tx: &mut Tx, org: OrgId, target: &ListTarget, now: i64) -> StoreResult<i64> {
    let (field, key) = describe(target);
    let found: Option<(i64, String)> = match target {
        ListTarget::Id(id) => with_tx!(&mut *tx, c => sqlx::query_as(LIST_BY_ID)
            .bind(org).bind(id).fetch_optional(c).await)?,
        ListTarget::Name(name) => with_tx!(&mut *tx, c => sqlx::query_as(LIST_BY_NAME)
            .bind(org).bind(name).fetch_optional(c).await)?,
    };
    match (found, target) {
        (Some((id, kind)), _) if kind == "static" => Ok(id),
        (Some(_), _) => Err(smart_list(field, &key)),
        (None, ListTarget::Id(_)) => Err(Invalid::new(field, format!("no list {key}")).into()),
        (None, ListTarget::Name(name)) => {
            let insert = "INSERT INTO contact_lists (org_id, name, kind, created_at, updated_at) \
                          VALUES ($1, $2, 'static', $3, $3) RETURNING id";
            Ok(with_tx!(&mut *tx, c => sqlx::query_scalar(insert)
                .bind(org).bind(name).bind(now).fetch_one(c).await)?)
        }
    }
}

/// The existing static list `target` names (an export's): an error naming the field when
/// there is none, or when it is a smart list.
pub async fn static_list(db: &Db, org: OrgId, target: &ListTarget) -> StoreResult<i64> {
    let (field, key) = describe(target);
    let found: Option<(i64, String)> = match target {
        ListTarget::Id(id) => with_db!(db, p => sqlx::query_as(LIST_BY_ID)
            .bind(org).bind(id).fetch_optional(p).await)?,
        ListTarget::Name(name) => with_db!(db, p => sqlx::query_as(LIST_BY_NAME)
            .bind(org).bind(name).fetch_optional(p).await)?,
    };
    match found {
        Some((id, kind)) if kind == "static" => Ok(id),
        Some(_) => Err(smart_list(field, &key)),
        None => Err(Invalid::new(field, format!("no list {key}")).into()),
    }
}

fn describe(target: &ListTarget) -> (&'static str, String) {
    match target {
        ListTarget::Id(id) => ("list_id", id.to_string()),
        ListTarget::Name(name) => ("list_name", format!("'{name}'")),
    }
}

fn smart_list(field: &str, key: &str) -> StoreError {
    StoreError::invalid(
        field,
        format!("list {key} is a smart list; only static lists hold imported contacts"),
    )
}

/// Adds one batch's counts and position to the import, inside the batch's transaction.
pub async fn record_batch(
    tx: &mut Tx,
    org: OrgId,
    id: ImportId,
    counts: &BatchCounts,
    now: i64,
) -> sqlx::Result<()> {
    let sql = "UPDATE contact_imports SET bytes_read = $3, rows_read = rows_read + $4, \
               created = created + $5, merged = merged + $6, invalid = invalid + $7, updated_at = $8 \
               WHERE org_id = $1 AND id = $2";
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    with_tx!(tx, c => sqlx::query(sql)
        .bind(org).bind(id).bind(n(counts.bytes_read)).bind(n(counts.rows_read))
        .bind(n(counts.created)).bind(n(counts.merged)).bind(n(counts.invalid)).bind(now)
        .execute(c).await.map(|_| ()))
}

/// Keeps `errors`, the import having kept `kept` already; past [`STORED_ERRORS`] none is
/// kept. Returns how many were kept.
pub async fn keep_errors(
    tx: &mut Tx,
    id: ImportId,
    errors: &[RowError],
    kept: u64,
) -> sqlx::Result<u64> {
    let room = STORED_ERRORS.saturating_sub(kept) as usize;
    let errors = &errors[..errors.len().min(room)];
    if errors.is_empty() {
        return Ok(0);
    }
    let rows: Vec<serde_json::Value> = errors
        .iter()
        .map(|e| {
            let field = e.field.as_ref().map(|f| cut(f, 100));
            serde_json::json!({ "line": e.line, "field": field, "reason": cut(&e.reason, 500) })
        })
        .collect();
    let sql = format!(
        "INSERT INTO contact_import_errors (import_id, line, field, reason) \
         SELECT $1, {}, r.value ->> 'field', r.value ->> 'reason' FROM {} WHERE true ON CONFLICT DO NOTHING",
        "CAST(r.value ->> 'line' AS BIGINT)",
        crate::db::dialect::json_rows(tx.kind(), 2, "r"),
    );
    let json = serde_json::Value::Array(rows).to_string();
    with_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(json)
        .execute(c).await.map(|_| ()))?;
    Ok(errors.len() as u64)
}

/// At most `max` characters of `text` (the columns' limits; a header or a reason may be
/// longer).
fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Ends an import: done, or failed with `error`.
pub async fn finish(
    db: &Db,
    org: OrgId,
    id: ImportId,
    error: Option<&str>,
    now: i64,
) -> sqlx::Result<()> {
    let status = if error.is_some() {
        ImportStatus::Failed
    } else {
        ImportStatus::Done
    };
    let error = error.map(|e| cut(e, 1000));
    let sql = "UPDATE contact_imports SET status = $3, error = $4, updated_at = $5, finished_at = $5 \
               WHERE org_id = $1 AND id = $2";
    crate::with_write!(db, c => sqlx::query(sql)
        .bind(org).bind(id).bind(status).bind(&error).bind(now).execute(c).await.map(|_| ()))
}

pub async fn get(db: &Db, org: OrgId, id: ImportId) -> StoreResult<ImportRecord> {
    let sql = format!("SELECT {COLUMNS} WHERE i.org_id = $1 AND i.id = $2");
    let found: Option<ImportRecord> = with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org).bind(id).fetch_optional(p).await)?;
    found.ok_or(StoreError::NotFound("import"))
}

/// The organisation's latest imports, newest first.
pub async fn list(db: &Db, org: OrgId, limit: i64) -> sqlx::Result<Vec<ImportRecord>> {
    let sql = format!("SELECT {COLUMNS} WHERE i.org_id = $1 ORDER BY i.id DESC LIMIT $2");
    with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org).bind(limit).fetch_all(p).await)
}

/// An import's kept refused rows, by line.
pub async fn errors(db: &Db, org: OrgId, id: ImportId) -> sqlx::Result<Vec<StoredError>> {
    let sql = "SELECT e.line, e.field, e.reason FROM contact_import_errors e \
               JOIN contact_imports i ON i.id = e.import_id \
               WHERE i.org_id = $1 AND e.import_id = $2 ORDER BY e.line";
    with_db!(db, p => sqlx::query_as(sql).bind(org).bind(id).fetch_all(p).await)
}

impl ListTarget {
    /// A list named by a person: 1 to 200 characters on one line.
    pub fn name(raw: &str) -> Result<ListTarget, Invalid> {
        let name = crate::limits::text("list_name", raw, crate::limits::NAME_CHARS)?;
        if name.is_empty() {
            return Err(Invalid::new("list_name", "is empty"));
        }
        Ok(ListTarget::Name(name))
    }
}
