//! SQLite: a pool of read-only connections, one writer connection behind the write gate, and
//! the background checkpointer that keeps the write-ahead log short.
//!
//! SQLite has one writer at a time. Without the gate, concurrent `BEGIN IMMEDIATE`s would wait
//! in SQLite's busy handler, which sleeps in growing steps (up to 100 ms) while holding a
//! connection. With it, this process's writers queue on an async mutex and take the writer
//! connection when it is their turn: every write of the process goes through
//! [`Db::write`](super::Db::write), and the readers are opened `query_only`, so a write that
//! tried to go around the gate fails at once instead of waiting. (Other processes sharing the
//! file still meet the busy handler; the busy timeout is for them.)

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use tokio::sync::Mutex;

use super::inline::InlineWriter;

/// A SQLite database: readers, the writer and its gate.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    /// The database file.
    pub(super) path: PathBuf,
    /// Read-only connections (`PRAGMA query_only`).
    pub(super) readers: SqlitePool,
    /// The one connection that writes, taken only with the gate held.
    pub(super) writer: SqlitePool,
    pub(super) gate: Arc<Mutex<()>>,
    /// The incident desk's connection (see `inline.rs`).
    pub(super) inline: Arc<InlineWriter>,
    /// Stops the checkpointer when the last handle goes.
    _checkpointer: Arc<StopOnDrop>,
}

/// How SQLite connections open.
#[derive(Clone, Copy, Debug)]
pub struct SqliteSettings {
    /// How long a connection waits for another process's write lock before failing.
    pub busy_timeout: Duration,
    pub checkpoints: Checkpoints,
}

impl Default for SqliteSettings {
    fn default() -> Self {
        SqliteSettings {
            busy_timeout: Duration::from_secs(10),
            checkpoints: Checkpoints::DEFAULT,
        }
    }
}

/// When the write-ahead log is copied back into the database file.
///
/// SQLite's own automatic checkpoint runs inside whichever commit crosses its threshold,
/// copying the log and syncing both files while that commit (and, here, the write gate) waits.
/// Instead a background task copies the log beside the writers; a copy beside the writers can
/// never reach the end of a log that keeps growing, so when the log is longer than
/// `restart_after_frames` after a pass, one more pass runs with the gate held. It has only the
/// frames written during the pass before it to copy, and once it reaches the end the next
/// writer starts the log from the beginning: the file stays bounded however long the writes
/// go on, and no writer waits long.
#[derive(Clone, Copy, Debug)]
pub struct Checkpoints {
    /// The pause between passes while the log is short.
    pub every: Duration,
    /// The log length (in pages) past which a pass at the gate brings it to its end.
    pub restart_after_frames: i64,
}

impl Checkpoints {
    /// 4,096 frames are 16 MiB of 4 KiB pages.
    pub const DEFAULT: Checkpoints = Checkpoints {
        every: Duration::from_millis(250),
        restart_after_frames: 4_096,
    };
}

/// The settings every connection shares: WAL mode is set once per file; the automatic
/// checkpoint is off (see [`Checkpoints`]); after a restart the log file is cut back to 64 MiB.
pub(super) const PRAGMAS: &[(&str, &str)] = &[
    ("synchronous", "NORMAL"),
    ("foreign_keys", "ON"),
    ("wal_autocheckpoint", "0"),
    ("journal_size_limit", "67108864"),
];

impl SqliteDb {
    /// Opens the database at `path` (from `url`, creating the file and its folder if missing)
    /// and starts its checkpointer.
    pub(super) async fn open(
        url: &str,
        path: &str,
        settings: SqliteSettings,
    ) -> anyhow::Result<SqliteDb> {
        let path = path.trim_start_matches("//");
        if let Some(parent) = std::path::Path::new(path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create the data folder {}", parent.display()))?;
        }
        let options = PRAGMAS.iter().fold(
            SqliteConnectOptions::from_str(url)
                .with_context(|| format!("bad SQLite URL {url}"))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(settings.busy_timeout),
            |options, (name, value)| options.pragma(*name, *value),
        );
        // The writer first: it creates the file and turns WAL mode on. It is taken with the
        // gate held, after its last user committed, so it needs no ping before each use.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .with_context(|| format!("cannot open the SQLite database {path}"))?;
        let readers = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.clone().pragma("query_only", "ON"))
            .await
            .with_context(|| format!("cannot open the SQLite database {path}"))?;
        let gate = Arc::new(Mutex::new(()));
        let path = options.get_filename().to_path_buf();
        let checkpointer = tokio::spawn(checkpoint_loop(
            readers.clone(),
            gate.clone(),
            Files::new(&path),
            settings.checkpoints,
        ))
        .abort_handle();
        Ok(SqliteDb {
            inline: Arc::new(InlineWriter::new(path.clone(), settings.busy_timeout)),
            path,
            readers,
            writer,
            gate,
            _checkpointer: Arc::new(StopOnDrop(checkpointer)),
        })
    }

    /// The database file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

#[derive(Debug)]
struct StopOnDrop(tokio::task::AbortHandle);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One passive checkpoint; `pass` names it in the `sqlite_checkpoint_seconds` metric.
/// Returns the frames the log holds and how many of them are now in the database file.
async fn checkpoint(pool: &SqlitePool, pass: &'static str) -> Result<(i64, i64), sqlx::Error> {
    let started = Instant::now();
    // (busy, frames in the log, frames copied into the database)
    let done: Result<(i64, i64, i64), sqlx::Error> =
        sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(pool)
            .await;
    metrics::histogram!("sqlite_checkpoint_seconds", "pass" => pass)
        .record(started.elapsed().as_secs_f64());
    let (_, frames, copied) = done?;
    metrics::gauge!("sqlite_wal_frames").set(frames as f64);
    Ok((frames, copied))
}

/// The database file and its log, opened by the checkpointer to sync them ahead of a pass at
/// the gate.
///
/// A pass that reaches the end of the log syncs the log, copies its last frames and then
/// syncs the database file, which holds every page the passes beside the writers copied
/// since the last such sync (those passes sync only the log): tens of megabytes, which on a
/// busy disk took 20-300 ms with the gate held (a batch of calls once waited 190 ms for it).
/// Synced here first, beside the writers, the pass at the gate has only its own few frames
/// left to sync.
///
/// The files stay open as long as the checkpointer runs: closing a descriptor of the database
/// file drops every POSIX lock this process holds on it, SQLite's included, so they are
/// closed only when the last handle of the database goes (with its connections).
pub(super) struct Files {
    db: PathBuf,
    /// The log and the database file, once opened.
    open: Option<(std::fs::File, std::fs::File)>,
}

impl Files {
    pub(super) fn new(db: &std::path::Path) -> Files {
        Files {
            db: db.to_path_buf(),
            open: None,
        }
    }

    /// Syncs the log, then the database file, on a blocking thread.
    pub(super) async fn sync(&mut self) -> std::io::Result<()> {
        let open = match self.open.take() {
            Some(open) => open,
            None => {
                let mut wal = self.db.clone().into_os_string();
                wal.push("-wal");
                (std::fs::File::open(wal)?, std::fs::File::open(&self.db)?)
            }
        };
        let (open, synced) = tokio::task::spawn_blocking(move || {
            let synced = open.0.sync_data().and_then(|()| open.1.sync_data());
            (open, synced)
        })
        .await
        .map_err(std::io::Error::other)?;
        self.open = Some(open);
        synced
    }
}

/// Copies the log into the database file beside the writers, and at the gate when the log is
/// long (see [`Checkpoints`]). A long log gets up to three passes beside the writers back to
/// back, each copying what arrived during the one before, and both files are synced (see
/// [`Files`]), so the pass at the gate has little left to copy and sync.
async fn checkpoint_loop(
    pool: SqlitePool,
    gate: Arc<Mutex<()>>,
    mut files: Files,
    policy: Checkpoints,
) {
    const QUICK: Duration = Duration::from_millis(5);
    loop {
        if pool.is_closed() {
            return;
        }
        let mut passes = 0;
        let done = loop {
            let started = Instant::now();
            let pass = checkpoint(&pool, "beside").await;
            passes += 1;
            match pass {
                Ok((frames, _)) if frames > policy.restart_after_frames => {
                    if passes < 3 && started.elapsed() > QUICK {
                        continue;
                    }
                    let synced = Instant::now();
                    if let Err(e) = files.sync().await {
                        tracing::warn!(error = %e, "Syncing the SQLite files before a checkpoint failed.");
                    }
                    metrics::histogram!("sqlite_checkpoint_seconds", "pass" => "sync")
                        .record(synced.elapsed().as_secs_f64());
                    let _turn = gate.lock().await;
                    break checkpoint(&pool, "gated").await;
                }
                other => break other,
            }
        };
        if let Err(e) = done {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "The SQLite checkpoint failed; it is retried shortly.");
        }
        tokio::time::sleep(policy.every).await;
    }
}
