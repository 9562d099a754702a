//! The gathering VFS against real files: what other connections read while commits go on,
//! what recovery finds in a log whose writer never closed, and how many writes a commit makes.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, params};

fn open(path: &Path) -> Connection {
    let vfs = wal_gather::register().expect("the VFS registers");
    let conn = Connection::open_with_flags_and_vfs(path, OpenFlags::default(), vfs).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.pragma_update(None, "wal_autocheckpoint", "0").unwrap();
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, caller TEXT NOT NULL, n INTEGER NOT NULL);
         CREATE INDEX IF NOT EXISTS calls_caller ON calls (caller);",
    )
    .unwrap();
    conn
}

/// Commits `batches` transactions of `per_batch` rows; row k (from 1) has n = k.
fn commit_batches(conn: &mut Connection, batches: i64, per_batch: i64) {
    for b in 0..batches {
        let tx = conn.transaction().unwrap();
        for i in 0..per_batch {
            let k = b * per_batch + i + 1;
            tx.execute(
                "INSERT INTO calls (caller, n) VALUES (?1, ?2)",
                params![format!("+1415555{:04}-{}", k % 10_000, "x".repeat(200)), k],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
}

fn count_and_sum(conn: &Connection) -> (i64, i64) {
    conn.query_row("SELECT COUNT(*), COALESCE(SUM(n), 0) FROM calls", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .unwrap()
}

fn integrity(conn: &Connection) -> String {
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn readers_see_every_commit_whole_while_commits_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let mut writer = open(&path);
    let reader_path = path.clone();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = done.clone();
    let reader = std::thread::spawn(move || {
        // The default VFS: what any other program sees in the file.
        let conn = Connection::open(&reader_path).unwrap();
        let (mut reads, mut last) = (0, 0);
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let (count, sum) = count_and_sum(&conn);
            assert_eq!(count % 10, 0, "a reader saw part of a commit: {count} rows");
            assert_eq!(
                sum,
                count * (count + 1) / 2,
                "a reader saw rows that were not written"
            );
            assert!(count >= last, "a reader saw {count} rows after {last}");
            last = count;
            reads += 1;
        }
        reads
    });
    commit_batches(&mut writer, 2_000, 10);
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let reads = reader.join().unwrap();
    assert!(reads > 0);
    assert_eq!(count_and_sum(&writer), (20_000, 20_000 * 20_001 / 2));
    assert_eq!(integrity(&writer), "ok");
}

/// Copies the database and its log as a crash would leave them (the writer still open, no
/// checkpoint, nothing synced), opens the copy with the default VFS, and checks that it holds
/// rows 1..=`rows` whole.
fn assert_a_crash_keeps(from: &Path, to: &Path, rows: i64) {
    for suffix in ["", "-wal"] {
        let name = |p: &Path| format!("{}{suffix}", p.display());
        std::fs::copy(name(from), name(to)).unwrap();
    }
    let recovered = Connection::open(to).unwrap();
    assert_eq!(count_and_sum(&recovered), (rows, rows * (rows + 1) / 2));
    assert_eq!(integrity(&recovered), "ok");
}

#[test]
fn a_log_whose_writer_never_closed_recovers_every_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (path, copy) = (dir.path().join("live.db"), dir.path().join("crashed.db"));
    let mut writer = open(&path);
    commit_batches(&mut writer, 300, 7);
    assert_a_crash_keeps(&path, &copy, 2_100);
}

#[test]
fn a_transaction_larger_than_the_page_cache_commits_and_rolls_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (path, copy) = (dir.path().join("big.db"), dir.path().join("big-crashed.db"));
    let mut writer = open(&path);
    // A tiny cache: the transaction spills frames to the log before it commits, and pages
    // spilled early are written again in place at the commit.
    writer.pragma_update(None, "cache_size", "10").unwrap();
    commit_batches(&mut writer, 1, 20_000);
    assert_eq!(count_and_sum(&writer), (20_000, 20_000 * 20_001 / 2));

    let tx = writer.transaction().unwrap();
    tx.execute("UPDATE calls SET caller = caller || '-changed'", [])
        .unwrap();
    tx.execute("DELETE FROM calls WHERE n % 2 = 0", []).unwrap();
    tx.rollback().unwrap();
    assert_eq!(count_and_sum(&writer), (20_000, 20_000 * 20_001 / 2));
    assert_eq!(integrity(&writer), "ok");

    assert_a_crash_keeps(&path, &copy, 20_000);
}

#[test]
fn checkpoints_and_restarts_of_the_log_keep_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("restart.db");
    let mut writer = open(&path);
    let checkpointer = Connection::open(&path).unwrap();
    for round in 1..=5 {
        commit_batches(&mut writer, 100, 5);
        let mode = if round % 2 == 0 {
            "RESTART"
        } else {
            "TRUNCATE"
        };
        let busy: i64 = checkpointer
            .query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(busy, 0, "the {mode} checkpoint was blocked");
    }
    let rows = 5 * 100 * 5;
    assert_eq!(count_and_sum(&writer).0, rows);
    drop(writer);
    let reopened = Connection::open(&path).unwrap();
    assert_eq!(count_and_sum(&reopened).0, rows);
    assert_eq!(integrity(&reopened), "ok");
}
