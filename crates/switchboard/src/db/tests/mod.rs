//! The database layer against real SQLite files: migrations keep rows and constraints, the
//! read pool refuses writes, and the checkpointer keeps the log bounded.

use std::time::Duration;

use sqlx::SqlitePool;

use super::pool::migrate_sqlite;
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

/// The writer connection of a SQLite `db`, for statements the tests run directly.
fn pool(db: &Db) -> &SqlitePool {
    match db {
        Db::Sqlite(s) => &s.writer,
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
#[tokio::test]
async fn the_read_pool_refuses_writes_so_every_write_takes_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_at(&dir, None).await;
    let sql = "INSERT INTO organisations (slug, name, created_at) VALUES ('acme', 'Acme', 0)";
    let around =
        crate::with_db!(&db, p => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()));
    let err = around.expect_err("a write through the read pool was accepted");
    assert!(err.to_string().contains("readonly"), "{err}");
    write_statement(&db, sql).await;
    let n: i64 = crate::with_db!(&db, p => sqlx::query_scalar("SELECT COUNT(*) FROM organisations").fetch_one(p).await)
        .unwrap();
    assert_eq!(n, 1);
    db.close().await;
}

async fn organisations(db: &Db) -> Vec<String> {
    let sql = "SELECT slug FROM organisations ORDER BY slug";
    crate::with_db!(db, p => sqlx::query_scalar(sql).fetch_all(p).await).unwrap()
}

#[tokio::test]
async fn an_inline_transaction_commits_rolls_back_when_dropped_and_shares_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_at(&dir, None).await;
    let sql = "INSERT INTO organisations (slug, name, created_at) VALUES ($1, $2, $3)";
    let row = |slug| [Param::Text(slug), Param::Text("Name"), Param::Int(0)];
    let mut kept = db.write_inline().await.unwrap();
    kept.execute(sql, &row("kept")).await.unwrap();
    // While it is open, the pool's writers wait at the same gate.
    let waiting = tokio::spawn({
        let db = db.clone();
        async move {
            let tx = db.write().await.unwrap();
            tx.commit().await.unwrap();
        }
    });
    tokio::task::yield_now().await;
    assert!(!waiting.is_finished(), "a pool writer went past the gate");
    kept.commit().await.unwrap();
    waiting.await.unwrap();

    let mut dropped = db.write_inline().await.unwrap();
    dropped.execute(sql, &row("dropped")).await.unwrap();
    let text = dropped
        .query_text(
            "SELECT group_concat(slug) FROM (SELECT slug FROM organisations ORDER BY slug)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(text, "dropped,kept", "the transaction reads its own writes");
    drop(dropped);
    assert_eq!(organisations(&db).await, vec!["kept"]);
    // The connection came back: the next transaction works.
    let mut again = db.write_inline().await.unwrap();
    again.execute(sql, &row("again")).await.unwrap();
    again.commit().await.unwrap();
    assert_eq!(organisations(&db).await, vec!["again", "kept"]);
    db.close().await;
}

#[tokio::test]
async fn an_inline_row_binds_each_parameter_to_its_field_and_absent_or_null_to_null() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_at(&dir, None).await;
    let columns = [
        ("slug", dialect::Column::Text),
        ("name", dialect::Column::Text),
        ("public_url", dialect::Column::Text),
        ("twilio_account_sid", dialect::Column::Text),
        ("created_at", dialect::Column::Int),
    ];
    let insert = dialect::insert_row("organisations", &columns);
    let update = dialect::update_row("organisations", &columns[1..2]);
    let row = serde_json::json!({
        "slug": "acme", "name": "Acme", "public_url": null, "created_at": 42, "ignored": [1]
    });
    let renamed = serde_json::json!({ "id": 1, "name": "Acme Ltd" });
    let WriteTx::Inline(mut tx) = db.write_inline().await.unwrap() else {
        panic!("SQLite writes inline");
    };
    tx.execute_row(&insert, row.as_object().unwrap()).unwrap();
    tx.execute_row(&update, renamed.as_object().unwrap())
        .unwrap();
    tx.commit().unwrap();
    let sql = "SELECT id, slug, name, public_url IS NULL, twilio_account_sid IS NULL, created_at \
               FROM organisations";
    let stored: (i64, String, String, bool, bool, i64) =
        crate::with_db!(&db, p => sqlx::query_as(sql).fetch_one(p).await).unwrap();
    assert_eq!(
        stored,
        (1, "acme".into(), "Acme Ltd".into(), true, true, 42),
        "each column took its own field, null and missing fields NULL, and the update hit id 1"
    );
    db.close().await;
}

#[tokio::test]
async fn under_a_steady_stream_of_writes_the_log_file_stays_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wal.db").display().to_string();
    // A short log for the test: passes every 10 ms, the log brought to its end past 256
    // frames (1 MiB).
    let settings = SqliteSettings {
        checkpoints: Checkpoints {
            every: Duration::from_millis(10),
            restart_after_frames: 256,
        },
        ..SqliteSettings::default()
    };
    let db = Db::connect_with(&format!("sqlite:{path}"), settings)
        .await
        .unwrap();
    write_statement(
        &db,
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
    )
    .await;
    // Four writers, so one is always waiting at the gate and the log never falls quiet:
    // 48 MiB of rows in all, 48 times the length at which the log must start over.
    let wal = format!("{path}-wal");
    let writers = (0..4).map(|_| {
        let (db, wal) = (db.clone(), wal.clone());
        tokio::spawn(async move {
            let mut longest = 0;
            let mut logs = std::collections::BTreeSet::new();
            for _ in 0..3_000 {
                let mut tx = db.write().await.unwrap();
                crate::with_tx!(&mut tx, c => sqlx::query("INSERT INTO notes (body) VALUES ($1)")
                    .bind("x".repeat(4000)).execute(c).await.map(|r| r.rows_affected()))
                .unwrap();
                tx.commit().await.unwrap();
                longest = longest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
                logs.extend(log_salt(&wal));
            }
            (longest, logs)
        })
    });
    let (mut longest, mut logs) = (0, std::collections::BTreeSet::new());
    for writer in writers.collect::<Vec<_>>() {
        let (long, seen) = writer.await.unwrap();
        longest = longest.max(long);
        logs.extend(seen);
    }
    // Each start-over gives the log a new salt in its header. Never starting over, the log
    // would end at 48 MiB or more; how far it gets between two restarts depends on how fast
    // this machine syncs files and how busy it is, hence the wide margin on the size.
    assert!(
        logs.len() >= 4,
        "the log started over {} times while 48 MiB were written",
        logs.len().saturating_sub(1)
    );
    assert!(
        longest < 40 << 20,
        "the log grew to {longest} bytes while 48 MiB were written: it did not start over"
    );
    db.close().await;
}

/// Runs `sql` in a write transaction of its own, through the gate.
async fn write_statement(db: &Db, sql: &'static str) {
    let mut tx = db.write().await.unwrap();
    crate::with_tx!(&mut tx, c => sqlx::query(sql).execute(c).await.map(|r| r.rows_affected()))
        .unwrap();
    tx.commit().await.unwrap();
}

/// The salt in the header of the write-ahead log at `wal`: SQLite gives the log a new one
/// each time it starts over from the beginning.
fn log_salt(wal: &str) -> Option<[u8; 8]> {
    use std::io::Read as _;
    let mut header = [0u8; 24];
    std::fs::File::open(wal)
        .ok()?
        .read_exact(&mut header)
        .ok()?;
    header[16..24].try_into().ok()
}

#[tokio::test]
async fn the_files_are_synced_ahead_of_a_gated_pass_once_the_log_exists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.db");
    let mut files = sqlite::Files::new(&path);
    let missing = files.sync().await.unwrap_err();
    assert_eq!(missing.kind(), std::io::ErrorKind::NotFound, "{missing}");

    let db = Db::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    write_statement(&db, "CREATE TABLE notes (body TEXT NOT NULL)").await;
    // Opened on the first sync, then kept (see `Files`) and used again.
    for _ in 0..3 {
        files.sync().await.unwrap();
    }
    db.close().await;
}

mod migrations;
