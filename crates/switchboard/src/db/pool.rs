//! The database handle: connecting, migrations, and the two ways in. Reads run on a pool
//! ([`with_db!`](crate::with_db)); every write is a transaction from [`Db::write`], which on
//! SQLite first takes the process's turn at the write gate.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use tokio::sync::OwnedMutexGuard;

use super::inline::WriteTx;
use super::sqlite::{SqliteDb, SqliteSettings};
use crate::error::StoreResult;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Pg(PgPool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// An open write transaction on either backend. Dropping it without `commit` rolls back.
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
        Db::connect_with(url, SqliteSettings::default()).await
    }

    /// [`Db::connect`] with SQLite connections opened as `sqlite` says.
    pub async fn connect_with(url: &str, sqlite: SqliteSettings) -> anyhow::Result<Db> {
        match url.strip_prefix("sqlite:") {
            Some(path) => Ok(Db::Sqlite(SqliteDb::open(url, path, sqlite).await?)),
            None => {
                let options = PgConnectOptions::from_str(url)
                    .context("bad PostgreSQL URL in DATABASE_URL")?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .context("cannot connect to PostgreSQL (DATABASE_URL)")?;
                Ok(Db::Pg(pool))
            }
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
            Db::Sqlite(s) => {
                let _turn = s.gate.lock().await;
                migrate_sqlite(&s.writer, None).await?
            }
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

    /// Begins a write transaction. On SQLite it waits for the process's turn at the write
    /// gate, then runs `BEGIN IMMEDIATE` on the writer connection, so a read-then-write
    /// transaction holds the write lock from its start instead of failing with SQLITE_BUSY
    /// halfway.
    pub async fn write(&self) -> Result<Tx, sqlx::Error> {
        match self {
            Db::Sqlite(s) => {
                let turn = s.gate.clone().lock_owned().await;
                Ok(Tx::Sqlite(
                    s.writer.begin_with("BEGIN IMMEDIATE").await?,
                    turn,
                ))
            }
            Db::Pg(p) => Ok(Tx::Pg(p.begin().await?)),
        }
    }

    /// Begins a write transaction for a batch of changes made by one thread of its own (the
    /// incident desk): on SQLite on the inline connection (see `inline.rs`), at the same gate
    /// as [`Db::write`]; on Postgres an ordinary transaction.
    pub async fn write_inline(&self) -> StoreResult<WriteTx> {
        match self {
            Db::Sqlite(s) => {
                let turn = s.gate.clone().lock_owned().await;
                Ok(WriteTx::Inline(s.inline.begin(turn)?))
            }
            Db::Pg(_) => Ok(WriteTx::Pooled(self.write().await?)),
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(s) => {
                s.writer.close().await;
                s.readers.close().await;
            }
            Db::Pg(p) => p.close().await,
        }
    }

    /// A handle for a runtime of its own (the incident desk's): on Postgres, a pool of
    /// `connections` made in the calling runtime, since a connection belongs to the runtime
    /// that opened it; on SQLite the same handle (its connections run on threads of their own).
    pub fn with_own_connections(&self, connections: u32) -> Db {
        match self {
            Db::Sqlite(_) => self.clone(),
            Db::Pg(shared) => Db::Pg(
                PgPoolOptions::new()
                    .max_connections(connections)
                    // sqlx pings a connection when it comes back to the pool, so a second
                    // ping when it is taken again only adds a round trip to every batch.
                    .test_before_acquire(false)
                    .connect_lazy_with((*shared.connect_options()).clone()),
            ),
        }
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

/// The pool [`with_db!`](crate::with_db) reads through on SQLite.
pub fn sqlite_readers(db: &SqliteDb) -> &SqlitePool {
    &db.readers
}

/// Applies SQLite's pending migrations (up to `target`, when given) on a connection taken out
/// of `writer` and closed afterwards: a migration that runs outside a transaction sets
/// connection pragmas (foreign keys off while tables are rebuilt), and a failure halfway must
/// not hand that connection back to the pool.
pub(super) async fn migrate_sqlite(writer: &SqlitePool, target: Option<i64>) -> anyhow::Result<()> {
    use sqlx::Connection as _;
    let mut conn = writer.acquire().await?.detach();
    let applied = match target {
        Some(version) => SQLITE_MIGRATIONS.run_to(version, &mut conn).await,
        None => SQLITE_MIGRATIONS.run(&mut conn).await,
    };
    let _ = conn.close().await;
    applied.context("applying SQLite migrations")
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
