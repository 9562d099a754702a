//! A SQLite write transaction whose statements run on the caller's thread: the incident desk's.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every statement to it
//! and the rows back, waking a thread each way. The desk settles every call's change in
//! batches that one thread runs one after another, so those hand-offs (four per batch) bound
//! the hotline's throughput; on this connection a batch takes half as long (measured in
//! docs/benchmarks.md, 2026-12-03). This connection takes the same write
//! gate as [`Db::write`](super::Db::write), so the process still has one writer at a time, and
//! opens with the same pragmas (no automatic checkpoint: the checkpointer does that). It runs
//! the same SQL texts as the sqlx path ([`WriteTx`] takes either), and also one-row
//! statements bound field by field ([`InlineTx::execute_row`]); the desk's thread blocks on
//! them, which is what that thread is for.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::OwnedMutexGuard;

use super::pool::Tx;
use super::sqlite::PRAGMAS;
use super::{DbKind, dialect};
use crate::error::StoreResult;

/// How many distinct statement texts the connection keeps prepared.
const PREPARED_STATEMENTS: usize = 16;

/// The inline connection of one database file, opened on first use.
#[derive(Debug)]
pub(super) struct InlineWriter {
    path: PathBuf,
    busy_timeout: Duration,
    conn: Arc<Mutex<Option<rusqlite::Connection>>>,
}

impl InlineWriter {
    pub(super) fn new(path: PathBuf, busy_timeout: Duration) -> InlineWriter {
        InlineWriter {
            path,
            busy_timeout,
            conn: Arc::new(Mutex::new(None)),
        }
    }

    /// Begins an immediate transaction; `turn` is the process's turn at the write gate.
    pub(super) fn begin(&self, turn: OwnedMutexGuard<()>) -> anyhow::Result<InlineTx> {
        let taken = self.conn.lock().ok().and_then(|mut c| c.take());
        let conn = match taken {
            Some(conn) => conn,
            None => self.open()?,
        };
        let tx = InlineTx {
            conn: Some(conn),
            home: self.conn.clone(),
            _turn: turn,
        };
        tx.batch("BEGIN IMMEDIATE")?;
        Ok(tx)
    }

    fn open(&self) -> anyhow::Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open(&self.path)
            .with_context(|| format!("cannot open the SQLite database {}", self.path.display()))?;
        conn.busy_timeout(self.busy_timeout)?;
        for (name, value) in PRAGMAS {
            conn.pragma_update(None, name, value)
                .with_context(|| format!("cannot set the SQLite pragma {name}"))?;
        }
        conn.set_prepared_statement_cache_capacity(PREPARED_STATEMENTS);
        keep_freed_memory(&conn)?;
        Ok(conn)
    }
}

/// SQLite allocates with the C library's `malloc`. With glibc, a thread's heap hands memory
/// back to the kernel whenever more than 128 KiB lies free at its top, and the desk's read
/// makes and frees tens of KiB (its temporary b-trees) every batch, so the top kept crossing
/// that limit: a batch then often paid for an `madvise`, a TLB shootdown on the other cores
/// and page faults to take the memory back, which doubled the read's time
/// (docs/benchmarks.md, 2026-12-03). glibc raises that limit for the whole process to twice
/// the size of the largest block it has mapped and freed (up to 32 MiB; mallopt(3),
/// "dynamic mmap threshold"), so one 4 MiB value made and dropped here keeps up to 8 MiB of
/// freed memory in each heap instead. With another C library it costs one allocation.
fn keep_freed_memory(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.query_row("SELECT length(randomblob(4194304))", [], |_| Ok(()))
}

/// A value bound to `$N` of a statement: the N-th of the list passed with it.
#[derive(Clone, Copy, Debug)]
pub enum Param<'a> {
    Int(i64),
    Text(&'a str),
}

/// An open transaction on the inline connection. Dropped without [`commit`](Self::commit), it
/// rolls back; either way the connection goes back for the next one and the gate is released.
pub struct InlineTx {
    conn: Option<rusqlite::Connection>,
    home: Arc<Mutex<Option<rusqlite::Connection>>>,
    _turn: OwnedMutexGuard<()>,
}

impl InlineTx {
    fn conn(&self) -> &rusqlite::Connection {
        self.conn
            .as_ref()
            .expect("the connection is held until drop")
    }

    fn batch(&self, sql: &str) -> rusqlite::Result<()> {
        self.conn().execute_batch(sql)
    }

    /// Prepares `sql` (once per text) and binds `params[i]` to `$i+1` by name: to SQLite,
    /// `$1` is a parameter named "$1", numbered where it first appears.
    fn prepared<'c>(
        conn: &'c rusqlite::Connection,
        sql: &str,
        params: &[Param],
    ) -> anyhow::Result<rusqlite::CachedStatement<'c>> {
        const NAMES: [&str; 8] = ["$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8"];
        anyhow::ensure!(params.len() <= NAMES.len(), "at most 8 parameters");
        let mut statement = conn.prepare_cached(sql)?;
        for (name, param) in NAMES.iter().zip(params) {
            let Some(index) = statement.parameter_index(name)? else {
                continue;
            };
            match param {
                Param::Int(v) => statement.raw_bind_parameter(index, v)?,
                Param::Text(v) => statement.raw_bind_parameter(index, v)?,
            }
        }
        Ok(statement)
    }

    /// The first column of the one row `sql` returns, as text.
    pub fn query_text(&mut self, sql: &str, params: &[Param]) -> anyhow::Result<String> {
        let mut statement = Self::prepared(self.conn(), sql, params)?;
        let mut rows = statement.raw_query();
        let row = rows.next()?.context("the query returned no row")?;
        Ok(row.get(0)?)
    }

    /// Runs `sql`, a list of statements as [`dialect::all_at_once`] joins them.
    pub fn execute(&mut self, sql: &str, params: &[Param]) -> anyhow::Result<()> {
        for one in sql.split(dialect::STATEMENT_SEPARATOR) {
            Self::prepared(self.conn(), one, params)?.raw_execute()?;
        }
        Ok(())
    }

    /// Runs `statement` for `row`: each `?N` is bound to the row's field
    /// `statement.fields[N - 1]`, a missing field or `null` to NULL.
    pub fn execute_row(
        &mut self,
        statement: &dialect::RowStatement,
        row: &serde_json::Map<String, serde_json::Value>,
    ) -> anyhow::Result<()> {
        use serde_json::Value;
        let mut prepared = self.conn().prepare_cached(&statement.sql)?;
        for (index, field) in (1..).zip(&statement.fields) {
            match row.get(*field) {
                None | Some(Value::Null) => prepared.raw_bind_parameter(index, None::<i64>)?,
                Some(Value::Bool(v)) => prepared.raw_bind_parameter(index, v)?,
                Some(Value::Number(n)) => match n.as_i64() {
                    Some(v) => prepared.raw_bind_parameter(index, v)?,
                    None => prepared.raw_bind_parameter(index, n.as_f64())?,
                },
                Some(Value::String(v)) => prepared.raw_bind_parameter(index, v)?,
                Some(other) => prepared.raw_bind_parameter(index, other.to_string())?,
            }
        }
        prepared.raw_execute()?;
        Ok(())
    }

    pub fn commit(self) -> anyhow::Result<()> {
        Ok(self.batch("COMMIT")?)
    }
}

impl Drop for InlineTx {
    fn drop(&mut self) {
        // A transaction still open (not committed, or its COMMIT failed) is rolled back.
        if !self.conn().is_autocommit() {
            let _ = self.batch("ROLLBACK");
        }
        if let (Some(conn), Ok(mut home)) = (self.conn.take(), self.home.lock()) {
            *home = Some(conn);
        }
    }
}

/// Binds each of `$params` (a `&[Param]`) to a sqlx query, in order.
macro_rules! bind {
    ($query:expr, $params:expr) => {
        $params.iter().fold($query, |q, p| match *p {
            Param::Int(v) => q.bind(v),
            Param::Text(v) => q.bind(v),
        })
    };
}

/// A write transaction for a batch of changes: on SQLite the inline connection, on Postgres
/// (or when a batch needs what only the pool's transaction offers) an ordinary [`Tx`].
pub enum WriteTx {
    Inline(InlineTx),
    Pooled(Tx),
}

impl WriteTx {
    pub fn kind(&self) -> DbKind {
        match self {
            WriteTx::Inline(_) => DbKind::Sqlite,
            WriteTx::Pooled(tx) => tx.kind(),
        }
    }

    /// The pool's transaction, for store functions written for it; `None` when inline.
    pub fn pooled(&mut self) -> Option<&mut Tx> {
        match self {
            WriteTx::Inline(_) => None,
            WriteTx::Pooled(tx) => Some(tx),
        }
    }

    /// The first column of the one row `sql` returns, as text.
    pub async fn query_text(
        &mut self,
        sql: &'static str,
        params: &[Param<'_>],
    ) -> StoreResult<String> {
        match self {
            WriteTx::Inline(tx) => Ok(tx.query_text(sql, params)?),
            WriteTx::Pooled(tx) => Ok(crate::with_tx!(tx, c =>
                bind!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), params).fetch_one(c).await)?),
        }
    }

    /// Runs `sql` (on SQLite a statement list, on Postgres one statement).
    pub async fn execute(&mut self, sql: &'static str, params: &[Param<'_>]) -> StoreResult<()> {
        match self {
            WriteTx::Inline(tx) => Ok(tx.execute(sql, params)?),
            WriteTx::Pooled(tx) => Ok(crate::with_tx!(tx, c =>
                bind!(sqlx::query(sqlx::AssertSqlSafe(sql)), params).execute(c).await.map(drop))?),
        }
    }

    pub async fn commit(self) -> StoreResult<()> {
        match self {
            WriteTx::Inline(tx) => Ok(tx.commit()?),
            WriteTx::Pooled(tx) => Ok(tx.commit().await?),
        }
    }
}
