//! How many write calls a commit makes to the log (its own test binary: the count is the
//! process's).

use rusqlite::{Connection, OpenFlags, params};

#[test]
fn a_commit_of_many_frames_reaches_the_log_in_two_writes() {
    let dir = tempfile::tempdir().unwrap();
    let vfs = wal_gather::register().unwrap();
    let conn =
        Connection::open_with_flags_and_vfs(dir.path().join("w.db"), OpenFlags::default(), vfs)
            .unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.execute_batch(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, detail TEXT);
         CREATE INDEX events_detail ON events (detail);",
    )
    .unwrap();
    // The log is started (its header written) by the first commit.
    conn.execute("INSERT INTO events (detail) VALUES ('first')", [])
        .unwrap();
    let wal = dir.path().join("w.db-wal");
    let frames_in_log = || (std::fs::metadata(&wal).unwrap().len() - 32) / (24 + 4096);
    let frames_before = frames_in_log();
    let before = wal_gather::log_writes();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..80 {
        tx.execute(
            "INSERT INTO events (detail) VALUES (?1)",
            params![format!("{i:04}-{}", "d".repeat(300))],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    let writes = wal_gather::log_writes() - before;
    let frames = frames_in_log() - frames_before;
    // More than a page of rows and of index, fewer frames than one write can take.
    assert!(
        (10..=29).contains(&frames),
        "the commit wrote {frames} frames"
    );
    // The frames before the last, with the last one's header; then the last page.
    assert_eq!(
        writes, 2,
        "the commit of {frames} frames made {writes} writes"
    );
}
