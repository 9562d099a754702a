//! Opening the pool, applying migrations, and transactions over either backend.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use tokio::sync::OwnedMutexGuard;

use super::sqlite_writer::SqliteWriter;

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
    /// The database file.
    path: std::path::PathBuf,
    pub pool: SqlitePool,
    writer: SqlitePool,
    write_gate: Arc<tokio::sync::Mutex<()>>,
    /// Stops the WAL checkpointer when the last handle goes.
    _checkpointer: Arc<StopOnDrop>,
}

/// Every SQLite connection's settings beside WAL mode (set once per file) and the busy
/// timeout: the pool's and the [`SqliteWriter`]'s alike. No automatic checkpoint: see
/// [`checkpoint_wal`].
pub(super) const SQLITE_PRAGMAS: &[(&str, &str)] = &[
    ("synchronous", "NORMAL"),
    ("foreign_keys", "ON"),
    ("wal_autocheckpoint", "0"),
    ("journal_size_limit", "268435456"),
];

/// How long a connection waits for another process's write lock before giving up.
pub(super) const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl SqliteDb {
    /// A synchronous connection to the same file, for a thread that runs its own write
    /// transactions (see [`SqliteWriter`]); it queues at this process's write gate.
    pub fn open_writer(&self) -> anyhow::Result<SqliteWriter> {
        SqliteWriter::open(&self.path, self.write_gate.clone())
    }
}

/// When the write-ahead log is folded back into the database file.
#[derive(Clone, Copy, Debug)]
struct Checkpoints {
    /// How often a passive checkpoint runs beside the writers. Each syncs the log and the
    /// database file; under a flood of writes the sync writes back everything logged since
    /// the last pass, and the requests in flight meanwhile slow down. Once a second, rather
    /// than ten times, made the hotline benchmark's p99 half a millisecond lower.
    every: Duration,
    /// When a pass beside the writers leaves the log longer than this many frames (pages),
    /// one more runs at the write gate, so the log is copied to its end and the next writer
    /// starts it afresh: the file stays bounded under a steady stream of writes. That pass
    /// waits for the database file to be synced with every writer held back (10-20 ms on a
    /// virtual disk), so it runs only when the log is this long.
    restart_after_frames: i64,
}

impl Checkpoints {
    /// 65,536 frames are 256 MiB of 4 KiB pages, the size the log is cut back to after a
    /// restart (`journal_size_limit`). Under a flood of hotline calls the log reaches it about
    /// every four seconds; at ordinary loads a pass finds nothing left to copy, the next
    /// writer starts the log afresh, and it stays a few pages long.
    const DEFAULT: Checkpoints = Checkpoints {
        every: Duration::from_secs(1),
        restart_after_frames: 65_536,
    };
}

#[derive(Debug)]
struct StopOnDrop(tokio::task::AbortHandle);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One passive checkpoint; `pass` names it in the `sqlite_checkpoint_seconds` metric. Returns
/// how many frames the log holds.
async fn checkpoint(pool: &SqlitePool, pass: &'static str) -> Result<i64, sqlx::Error> {
    let started = std::time::Instant::now();
    // (busy, frames in the log, frames copied into the database)
    let done: Result<(i64, i64, i64), sqlx::Error> =
        sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(pool)
            .await;
    metrics::histogram!("sqlite_checkpoint_seconds", "pass" => pass)
        .record(started.elapsed().as_secs_f64());
    done.map(|(_, frames, _)| frames)
}

/// Folds the write-ahead log into the database file, in the background. SQLite's automatic
/// checkpoint runs inside whichever commit crosses its threshold, copying about a thousand
/// pages and syncing the file, which made that commit (and every request waiting on it) take
/// 4-5 ms. Here a passive checkpoint copies what it can beside the writers; when the log has
/// grown past the policy's length, one more holds the write gate for the few pages written
/// since, so the log can start over. (Connections open with autocheckpoint off.)
async fn checkpoint_wal(pool: SqlitePool, gate: Arc<tokio::sync::Mutex<()>>, policy: Checkpoints) {
    let mut tick = tokio::time::interval(policy.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        // Beside the writers: this copies nearly everything and syncs the files.
        let mut done = checkpoint(&pool, "beside").await;
        if done
            .as_ref()
            .is_ok_and(|frames| *frames > policy.restart_after_frames)
        {
            // Then, at the gate, the little written since: the log is copied to its end.
            let _turn = gate.lock().await;
            done = checkpoint(&pool, "gated").await;
        }
        if let Err(e) = done
            && !pool.is_closed()
        {
            tracing::warn!(error = %e, "The SQLite checkpoint failed; it is retried shortly.");
        }
    }
}

/// Applies SQLite's pending migrations (up to `target`, when given) on a connection taken out
/// of the pool and closed afterwards: a migration that runs outside a transaction sets
/// connection pragmas (foreign keys off while tables are rebuilt), and a failure halfway must
/// not hand that connection back to the pool.
async fn migrate_sqlite(pool: &SqlitePool, target: Option<i64>) -> anyhow::Result<()> {
    use sqlx::Connection as _;
    let mut conn = pool.acquire().await?.detach();
    let applied = match target {
        Some(version) => SQLITE_MIGRATIONS.run_to(version, &mut conn).await,
        None => SQLITE_MIGRATIONS.run(&mut conn).await,
    };
    let _ = conn.close().await;
    applied.context("applying SQLite migrations")
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
        match url.strip_prefix("sqlite:") {
            Some(path) => Db::open_sqlite(url, path, Checkpoints::DEFAULT).await,
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

    /// Opens the SQLite database at `path` (from `url`) and starts its checkpointer.
    async fn open_sqlite(url: &str, path: &str, checkpoints: Checkpoints) -> anyhow::Result<Db> {
        let path = path.trim_start_matches("//");
        if let Some(parent) = std::path::Path::new(path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create the data folder {}", parent.display()))?;
        }
        let vfs = wal_gather::register().map_err(anyhow::Error::msg)?;
        let options = SQLITE_PRAGMAS.iter().fold(
            SqliteConnectOptions::from_str(url)
                .with_context(|| format!("bad SQLite URL {url}"))?
                .vfs(vfs)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT),
            |options, (name, value)| options.pragma(*name, *value),
        );
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.clone())
            .await
            .with_context(|| format!("cannot open the SQLite database {path}"))?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone().statement_cache_capacity(1024))
            .await
            .with_context(|| format!("cannot open the SQLite database {path}"))?;
        let write_gate = Arc::new(tokio::sync::Mutex::new(()));
        let checkpointer = tokio::spawn(checkpoint_wal(
            pool.clone(),
            write_gate.clone(),
            checkpoints,
        ))
        .abort_handle();
        Ok(Db::Sqlite(SqliteDb {
            path: options.get_filename().to_path_buf(),
            pool,
            writer,
            write_gate,
            _checkpointer: Arc::new(StopOnDrop(checkpointer)),
        }))
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
            Db::Sqlite(s) => migrate_sqlite(&s.pool, None).await?,
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

    /// The test database in `dir`, migrated up to `version` (all, for None), opened afresh
    /// after migrating: a connection keeps the schema it read, and EXPLAIN shows the plan for
    /// that schema without checking whether it is still current.
    async fn sqlite_at(dir: &tempfile::TempDir, version: Option<i64>) -> Db {
        let url = format!("sqlite:{}", dir.path().join("migrated.db").display());
        let db = Db::connect(&url).await.unwrap();
        migrate_sqlite(pool(&db), version).await.unwrap();
        db.close().await;
        Db::connect(&url).await.unwrap()
    }

    fn pool(db: &Db) -> &SqlitePool {
        match db {
            Db::Sqlite(s) => &s.pool,
            Db::Pg(_) => unreachable!("a SQLite database"),
        }
    }

    /// The opcodes SQLite would run for `sql`.
    async fn opcodes(pool: &SqlitePool, sql: &str) -> Vec<String> {
        use sqlx::Row as _;
        sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")))
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<String, _>(1))
            .collect()
    }

    /// The last migration before the CHECKs were rewritten.
    const BEFORE_MIGRATION_7: i64 = 20261121000006;

    const INSERT_INCIDENT: &str = "INSERT INTO incidents (id, org_id, line_id, caller_phone, call_sid, status, hours, \
        created_at, updated_at) VALUES (1, 1, 1, '+14155551234', 'CA1', 'open', 'business', 0, 0)";
    const INSERT_ATTEMPT: &str = "INSERT INTO call_attempts (id, org_id, incident_id, step, person_id, person_name, \
        phone, result, started_at) VALUES (1, 1, 1, 'primary_oncall', 1, 'Ada', '+15005550111', 'dialing', 0)";

    #[tokio::test]
    async fn writing_an_incident_or_an_attempt_builds_no_temporary_table() {
        let dir = tempfile::tempdir().unwrap();
        let before = sqlite_at(&dir, Some(BEFORE_MIGRATION_7)).await;
        // Before migration 7, the CHECKs' IN lists each built one: what this migration is for.
        assert!(
            opcodes(pool(&before), INSERT_ATTEMPT)
                .await
                .contains(&"OpenEphemeral".to_string())
        );
        before.close().await;
        let db = sqlite_at(&dir, None).await;
        for sql in [
            INSERT_INCIDENT,
            INSERT_ATTEMPT,
            "UPDATE incidents SET status = 'answered', answered_at = 1 WHERE id = 1",
            "UPDATE call_attempts SET result = 'no-answer', ended_at = 1 WHERE id = 1",
        ] {
            let ops = opcodes(pool(&db), sql).await;
            assert!(!ops.is_empty(), "no plan for {sql}");
            assert!(
                !ops.contains(&"OpenEphemeral".to_string()),
                "{sql} builds a temporary table: {ops:?}"
            );
        }
        db.close().await;
    }

    #[tokio::test]
    async fn migration_7_keeps_incidents_attempts_events_and_their_constraints() {
        let dir = tempfile::tempdir().unwrap();
        let db = sqlite_at(&dir, Some(BEFORE_MIGRATION_7)).await;
        let p = pool(&db);
        for sql in [
            "INSERT INTO organisations (id, slug, name, created_at) VALUES (1, 'acme', 'Acme', 0)",
            "INSERT INTO hotline_lines (id, org_id, kind, name, phone_number, time_zone, created_at, updated_at) \
             VALUES (1, 1, 'ladder', 'Emergency', '+15005550100', 'America/New_York', 0, 0)",
            "INSERT INTO people (id, org_id, name, role, created_at, updated_at) VALUES (1, 1, 'Ada', 'agent', 0, 0)",
            INSERT_INCIDENT,
            INSERT_ATTEMPT,
            "INSERT INTO incident_events (org_id, incident_id, kind, detail, created_at) VALUES (1, 1, 'opened', '{}', 0)",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(p)
                .await
                .unwrap();
        }
        db.close().await;

        let db = sqlite_at(&dir, None).await;
        let p = pool(&db);
        let kept: (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM incidents WHERE call_sid = 'CA1' AND status = 'open'), \
             (SELECT COUNT(*) FROM call_attempts WHERE incident_id = 1 AND result = 'dialing'), \
             (SELECT COUNT(*) FROM incident_events WHERE incident_id = 1)",
        )
        .fetch_one(p)
        .await
        .unwrap();
        assert_eq!(kept, (1, 1, 1));
        let violations: Vec<(String, i64, String, i64)> =
            sqlx::query_as("PRAGMA foreign_key_check")
                .fetch_all(p)
                .await
                .unwrap();
        assert!(violations.is_empty(), "{violations:?}");
        // The constraints hold as before: a status or result outside the lists is refused...
        let bad_status = sqlx::query("UPDATE incidents SET status = 'lost' WHERE id = 1")
            .execute(p)
            .await;
        assert!(bad_status.is_err(), "an unknown status was stored");
        let bad_result = sqlx::query("UPDATE call_attempts SET result = 'maybe' WHERE id = 1")
            .execute(p)
            .await;
        assert!(bad_result.is_err(), "an unknown result was stored");
        // ...and the foreign keys still cascade: deleting the line removes its incident, whose
        // attempt and event go with it.
        sqlx::query("DELETE FROM hotline_lines WHERE id = 1")
            .execute(p)
            .await
            .unwrap();
        let left: (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM incidents), (SELECT COUNT(*) FROM call_attempts), \
             (SELECT COUNT(*) FROM incident_events)",
        )
        .fetch_one(p)
        .await
        .unwrap();
        assert_eq!(left, (0, 0, 0));
        db.close().await;
    }

    #[tokio::test]
    async fn under_a_steady_stream_of_writes_the_log_starts_over_instead_of_growing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal.db").display().to_string();
        // A short log for the test: a pass every 100 ms, restarted past 256 frames (1 MiB).
        let checkpoints = Checkpoints {
            every: Duration::from_millis(100),
            restart_after_frames: 256,
        };
        let db = Db::open_sqlite(&format!("sqlite:{path}"), &path, checkpoints)
            .await
            .unwrap();
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
