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
                .foreign_keys(true);
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
            Ok(Db::Sqlite(SqliteDb {
                pool,
                writer,
                write_gate: Arc::new(tokio::sync::Mutex::new(())),
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
