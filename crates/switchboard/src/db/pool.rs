//! Opening the pool, applying migrations, and transactions over either backend.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use tokio::sync::OwnedMutexGuard;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Pg(PgPool),
}

/// A SQLite pool for reads, a connection for write transactions, and its write gate.
///
/// SQLite has one writer at a time. Without the gate, concurrent `BEGIN IMMEDIATE`s wait in
/// SQLite's busy handler, which sleeps in growing steps (up to 100 ms) and holds a pool
/// connection while it sleeps. With it, this process's writers queue on an async mutex and
/// take the writer connection when it is their turn. Keeping that connection apart means a
/// transaction never waits behind readers for a connection, and may read through the pool
/// while it holds the write lock. (Other processes sharing the file still meet the busy
/// handler.)
#[derive(Clone, Debug)]
pub struct SqliteDb {
    pub pool: SqlitePool,
    writer: SqlitePool,
    write_gate: Arc<tokio::sync::Mutex<()>>,
    /// Stops the WAL checkpointer when the last handle goes.
    _checkpointer: Arc<StopOnDrop>,
}

/// How often the write-ahead log is folded back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
/// Every this many checkpoints, one runs at the write gate, so the log is copied to its end
/// and the next writer starts it afresh: the file stays bounded under a steady stream of
/// writes.
const RESTART_EVERY: u64 = 2;

#[derive(Debug)]
struct StopOnDrop(tokio::task::AbortHandle);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn checkpoint(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .execute(pool)
        .await
        .map(drop)
}

/// Folds the write-ahead log into the database file, in the background. SQLite's automatic
/// checkpoint runs inside whichever commit crosses its threshold, copying about a thousand
/// pages and syncing the file, which made that commit (and every request waiting on it) take
/// 4-5 ms. Here a passive checkpoint copies what it can beside the writers; every
/// [`RESTART_EVERY`]th holds the write gate for the few pages written since, so the log can
/// start over. (Connections open with autocheckpoint off.)
async fn checkpoint_wal(pool: SqlitePool, gate: Arc<tokio::sync::Mutex<()>>) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for round in 1u64.. {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        // Beside the writers: this copies nearly everything and syncs the files.
        let mut done = checkpoint(&pool).await;
        if done.is_ok() && round % RESTART_EVERY == 0 {
            // Then, at the gate, the little written since: the log is copied to its end.
            let _turn = gate.lock().await;
            done = checkpoint(&pool).await;
        }
        if let Err(e) = done
            && !pool.is_closed()
        {
            tracing::warn!(error = %e, "The SQLite checkpoint failed; it is retried shortly.");
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// An open transaction on either backend. Dropping it without `commit` rolls back.
pub enum Tx {
    /// The guard is this process's turn at the write gate, released with the transaction.
    Sqlite(Transaction<'static, Sqlite>, OwnedMutexGuard<()>),
    Pg(Transaction<'static, Postgres>),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static PG_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects to `url` (`sqlite:PATH` or `postgres://...`), creating a SQLite file and its
    /// folder if missing.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.trim_start_matches("//");
            if let Some(parent) = std::path::Path::new(path).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).with_context(|| {
                    format!("cannot create the data folder {}", parent.display())
                })?;
            }
            let options = SqliteConnectOptions::from_str(url)
                .with_context(|| format!("bad SQLite URL {url}"))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .pragma("wal_autocheckpoint", "0")
                .pragma("journal_size_limit", "67108864");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options.clone())
                .await
                .with_context(|| format!("cannot open the SQLite database {path}"))?;
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options.statement_cache_capacity(1024))
                .await
                .with_context(|| format!("cannot open the SQLite database {path}"))?;
            let write_gate = Arc::new(tokio::sync::Mutex::new(()));
            let checkpointer =
                tokio::spawn(checkpoint_wal(pool.clone(), write_gate.clone())).abort_handle();
            Ok(Db::Sqlite(SqliteDb {
                pool,
                writer,
                write_gate,
                _checkpointer: Arc::new(StopOnDrop(checkpointer)),
            }))
        } else {
            let options =
                PgConnectOptions::from_str(url).context("bad PostgreSQL URL in DATABASE_URL")?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .context("cannot connect to PostgreSQL (DATABASE_URL)")?;
            Ok(Db::Pg(pool))
        }
    }

    pub fn kind(&self) -> DbKind {
        match self {
            Db::Sqlite(_) => DbKind::Sqlite,
            Db::Pg(_) => DbKind::Postgres,
        }
    }

    /// Applies every pending migration of this backend. Safe to run from several processes at
    /// once: sqlx takes an advisory lock on PostgreSQL, and SQLite serialises writers.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(s) => SQLITE_MIGRATIONS
                .run(&s.pool)
                .await
                .context("applying SQLite migrations")?,
            Db::Pg(p) => PG_MIGRATIONS
                .run(p)
                .await
                .context("applying PostgreSQL migrations")?,
        }
        Ok(())
    }

    /// True when the database answers and every embedded migration has been applied.
    pub async fn is_ready(&self) -> bool {
        let expected = match self {
            Db::Sqlite(_) => SQLITE_MIGRATIONS.iter().count() as i64,
            Db::Pg(_) => PG_MIGRATIONS.iter().count() as i64,
        };
        let sql = "SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE";
        let applied: Result<i64, sqlx::Error> =
            crate::with_db!(self, p => sqlx::query_scalar(sql).fetch_one(p).await);
        matches!(applied, Ok(n) if n >= expected)
    }

    /// Begins a transaction. On SQLite it is `BEGIN IMMEDIATE`, so a read-then-write
    /// transaction takes the write lock up front instead of failing with SQLITE_BUSY later.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self {
            Db::Sqlite(s) => {
                let turn = s.write_gate.clone().lock_owned().await;
                Ok(Tx::Sqlite(
                    s.writer.begin_with("BEGIN IMMEDIATE").await?,
                    turn,
                ))
            }
            Db::Pg(p) => Ok(Tx::Pg(p.begin().await?)),
        }
    }

    pub async fn close(&self) {
        if let Db::Sqlite(s) = self {
            s.writer.close().await;
        }
        crate::with_db!(self, p => p.close().await)
    }

    /// The versions of the embedded migrations for `kind` (a test checks both lists agree).
    pub fn migration_versions(kind: DbKind) -> Vec<i64> {
        let m = match kind {
            DbKind::Sqlite => &SQLITE_MIGRATIONS,
            DbKind::Postgres => &PG_MIGRATIONS,
        };
        m.iter().map(|m| m.version).collect()
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t, _turn) => t.commit().await,
            Tx::Pg(t) => t.commit().await,
        }
    }

    pub fn kind(&self) -> DbKind {
        match self {
            Tx::Sqlite(..) => DbKind::Sqlite,
            Tx::Pg(_) => DbKind::Postgres,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn under_a_steady_stream_of_writes_the_log_starts_over_instead_of_growing() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("wal.db").display());
        let db = Db::connect(&url).await.unwrap();
        let Db::Sqlite(sqlite) = &db else {
            unreachable!("a SQLite URL opens SQLite")
        };
        sqlx::query("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            .execute(&sqlite.pool)
            .await
            .unwrap();
        // Four writers, so one is always waiting at the gate and the log never falls quiet.
        let started = std::time::Instant::now();
        let writers = (0..4).map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut commits = 0i64;
                while started.elapsed() < Duration::from_millis(1500) {
                    let mut tx = db.begin().await.unwrap();
                    let Tx::Sqlite(t, _) = &mut tx else {
                        unreachable!("a SQLite transaction")
                    };
                    sqlx::query("INSERT INTO notes (body) VALUES ($1)")
                        .bind("x".repeat(2000))
                        .execute(&mut **t)
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                    commits += 1;
                }
                commits
            })
        });
        let mut commits = 0;
        for writer in writers.collect::<Vec<_>>() {
            commits += writer.await.unwrap();
        }
        // (busy, frames in the log, frames copied): every commit added at least one frame.
        let (_, frames, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&sqlite.pool)
            .await
            .unwrap();
        assert!(commits > 100, "only {commits} commits in 1.5 s");
        assert!(
            frames < commits / 2,
            "the log holds {frames} frames after {commits} commits: it never started over"
        );
        db.close().await;
    }
}
