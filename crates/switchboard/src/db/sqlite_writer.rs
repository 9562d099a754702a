//! A synchronous SQLite connection for a thread that does its own writes: the incident desk.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every statement over to
//! it and the rows back, waking a thread each way. For the desk, whose batch is a handful of
//! short statements, those hand-offs cost more CPU than SQLite's own work (a profile under
//! load: the connection thread spent about half its time switching and waking). This
//! connection runs the statements on the caller's thread instead. It takes the same write gate
//! as [`Db::begin`](super::Db::begin), so the process still has one writer at a time, and it
//! opens with the pool's pragmas (no automatic checkpoint: the pool's checkpointer does that).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use rusqlite::types::ValueRef;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::pool::{SQLITE_BUSY_TIMEOUT, SQLITE_PRAGMAS};

/// How many distinct statement texts a writer keeps prepared.
const PREPARED_STATEMENTS: usize = 64;

pub struct SqliteWriter {
    conn: rusqlite::Connection,
    gate: Arc<Mutex<()>>,
}

/// A write transaction (`BEGIN IMMEDIATE`) holding the process's turn at the write gate.
/// Dropping it without [`commit`](SqliteTx::commit) rolls back.
pub struct SqliteTx<'c> {
    // Declared first so it ends (rolls back) before the turn is given up.
    tx: rusqlite::Transaction<'c>,
    _turn: OwnedMutexGuard<()>,
}

impl std::fmt::Debug for SqliteWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteWriter")
            .field("path", &self.conn.path())
            .finish_non_exhaustive()
    }
}

impl SqliteWriter {
    pub(super) fn open(path: &Path, gate: Arc<Mutex<()>>) -> anyhow::Result<SqliteWriter> {
        let vfs = wal_gather::register().map_err(anyhow::Error::msg)?;
        let conn = rusqlite::Connection::open_with_flags_and_vfs(
            path,
            rusqlite::OpenFlags::default(),
            vfs,
        )
        .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
        conn.busy_timeout(SQLITE_BUSY_TIMEOUT)?;
        for (name, value) in SQLITE_PRAGMAS {
            conn.pragma_update(None, name, value)
                .with_context(|| format!("cannot set the SQLite pragma {name}"))?;
        }
        conn.set_prepared_statement_cache_capacity(PREPARED_STATEMENTS);
        Ok(SqliteWriter { conn, gate })
    }

    /// Waits for the process's turn at the write gate, then begins an immediate transaction.
    pub async fn begin(&mut self) -> anyhow::Result<SqliteTx<'_>> {
        let turn = self.gate.clone().lock_owned().await;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        Ok(SqliteTx { tx, _turn: turn })
    }
}

impl SqliteTx<'_> {
    /// Runs `sql` (prepared once per text) and reads each row into a `T` by column name, the
    /// way sqlx's `FromRow` does: a column is matched to the field of the same name.
    ///
    /// The SQL is SQLite's own: numbered parameters are `?1`..`?N`. (To SQLite, the `$1` that
    /// sqlx's statements use is a parameter *named* "$1", numbered where it first appears, so
    /// `SET a = $2 WHERE id = $1` would take its values in the wrong order.)
    pub fn fetch<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> anyhow::Result<Vec<T>> {
        let mut statement = self.tx.prepare_cached(sql)?;
        let mut rows = statement.query(params)?;
        let mut out = Vec::new();
        // Named once a row comes (a point read often finds none).
        let mut names: Option<Vec<String>> = None;
        while let Some(row) = rows.next()? {
            let names = names.get_or_insert_with(|| {
                let statement = row.as_ref();
                (0..statement.column_count())
                    .map(|i| statement.column_name(i).unwrap_or_default().to_string())
                    .collect()
            });
            let mut fields = Map::with_capacity(names.len());
            for (i, name) in names.iter().enumerate() {
                fields.insert(name.clone(), json_value(row.get_ref(i)?, name)?);
            }
            out.push(
                serde_json::from_value(Value::Object(fields))
                    .with_context(|| format!("reading a row of: {sql}"))?,
            );
        }
        Ok(out)
    }

    /// Runs `sql`, whose one parameter is a key, once for each of `keys`: the rows of all of
    /// them, in the keys' order. (A point read per key; see [`fetch`](Self::fetch).)
    pub fn fetch_each<T: DeserializeOwned, K: rusqlite::ToSql>(
        &self,
        sql: &str,
        keys: impl IntoIterator<Item = K>,
    ) -> anyhow::Result<Vec<T>> {
        let mut rows = Vec::new();
        for key in keys {
            rows.extend(self.fetch(sql, [key])?);
        }
        Ok(rows)
    }

    /// Runs `sql` (prepared once per text, parameters `?1`..`?N`); returns how many rows it
    /// changed.
    pub fn execute(&self, sql: &str, params: impl rusqlite::Params) -> anyhow::Result<usize> {
        Ok(self.tx.prepare_cached(sql)?.execute(params)?)
    }

    pub fn commit(self) -> anyhow::Result<()> {
        Ok(self.tx.commit()?)
    }
}

fn json_value(value: ValueRef<'_>, column: &str) -> anyhow::Result<Value> {
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) => Value::String(
            std::str::from_utf8(t)
                .with_context(|| format!("column {column} is not UTF-8 text"))?
                .to_string(),
        ),
        ValueRef::Blob(_) => anyhow::bail!("column {column} is a blob, which no row here holds"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Note {
        id: i64,
        body: String,
        seen_at: Option<i64>,
    }

    #[tokio::test]
    async fn a_writer_reads_rows_by_column_name_and_its_writes_commit_or_roll_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("writer.db");
        let gate = Arc::new(Mutex::new(()));
        let mut writer = SqliteWriter::open(&path, gate.clone()).unwrap();
        let tx = writer.begin().await.unwrap();
        tx.execute(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, seen_at BIGINT)",
            [],
        )
        .unwrap();
        tx.execute("INSERT INTO notes (body) VALUES (?1)", ["kept"])
            .unwrap();
        // The gate is held while the transaction is open.
        assert!(gate.try_lock().is_err());
        tx.commit().unwrap();
        assert!(gate.try_lock().is_ok());

        let tx = writer.begin().await.unwrap();
        tx.execute("INSERT INTO notes (body) VALUES (?1)", ["dropped"])
            .unwrap();
        drop(tx);

        let tx = writer.begin().await.unwrap();
        let notes: Vec<Note> = tx
            .fetch("SELECT seen_at, body, id FROM notes ORDER BY id", [])
            .unwrap();
        assert_eq!(
            notes,
            vec![Note {
                id: 1,
                body: "kept".to_string(),
                seen_at: None
            }]
        );
        let wrong: anyhow::Result<Vec<Note>> = tx.fetch("SELECT id FROM notes", []);
        assert!(
            wrong.is_err(),
            "a missing column is an error, not a default"
        );
    }

    #[tokio::test]
    async fn a_parameter_is_bound_by_its_number_not_by_where_it_first_appears() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer =
            SqliteWriter::open(&dir.path().join("writer.db"), Arc::new(Mutex::new(()))).unwrap();
        let tx = writer.begin().await.unwrap();
        tx.execute(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, seen_at BIGINT)",
            [],
        )
        .unwrap();
        tx.execute("INSERT INTO notes (id, body) VALUES (7, 'old')", [])
            .unwrap();
        let changed = tx
            .execute(
                "UPDATE notes SET body = ?2, seen_at = ?3 WHERE id = ?1",
                rusqlite::params![7, "new", 1_000],
            )
            .unwrap();
        assert_eq!(changed, 1);
        let notes: Vec<Note> = tx.fetch("SELECT id, body, seen_at FROM notes", []).unwrap();
        assert_eq!(
            notes,
            vec![Note {
                id: 7,
                body: "new".to_string(),
                seen_at: Some(1_000)
            }]
        );
    }
}
