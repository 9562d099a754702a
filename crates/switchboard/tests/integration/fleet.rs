//! Two `switchboard serve` processes sharing one database (PostgreSQL in the Postgres suite):
//! every job runs exactly once, and every schedule occurrence fires once across the fleet.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use switchboard::db::Db;
use switchboard::jobs::{self, EnqueueOptions, maintenance::PurgeExpiredSessions};

use crate::support::TestDb;

struct Server {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts `switchboard serve` on `listen` (a free loopback address).
    fn start(db_url: &str, listen: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .args(["serve", "--listen", listen])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", db_url)
            .env("SWITCHBOARD_DATA_DIR", dir.path())
            .env("SWITCHBOARD_WORKERS", "3")
            .env("SWITCHBOARD_ADMIN_PASSWORD", "correct-horse-battery")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).expect("stderr log"))
            .spawn()
            .expect("start switchboard serve");
        Server { child, _dir: dir }
    }

    /// What the server wrote to stderr (for failure messages).
    fn stderr(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("stderr.log")).unwrap_or_default()
    }

    /// SIGTERM, then the exit status (graceful shutdown exits 0) and stderr.
    fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, self.stderr());
            }
            assert!(
                Instant::now() < deadline,
                "serve did not exit within 30 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// A loopback address nothing listens on (the port is free when this returns).
fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// Waits until the server at `address` answers `/readyz` with 200 (database up, migrated).
async fn ready(address: &str) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let answer = client.get(format!("http://{address}/readyz")).send().await;
        if answer.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        assert!(Instant::now() < deadline, "{address} never became ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits (bounded) until `sql` counts at least `n`.
async fn at_least(db: &Db, sql: &'static str, n: i64, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while scalar(db, sql).await < n {
        assert!(Instant::now() < deadline, "{what} did not happen in time");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn scalar(db: &Db, sql: &'static str) -> i64 {
    switchboard::with_db!(db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).unwrap()
}

#[tokio::test]
async fn two_serve_processes_never_run_a_job_twice_and_fire_each_occurrence_once() {
    let test_db = TestDb::create().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    db.migrate().await.unwrap();
    let (address_a, address_b) = (free_address(), free_address());
    let a = Server::start(&test_db.url, &address_a);
    let b = Server::start(&test_db.url, &address_b);
    // Both serve (and so run their workers) before any job is queued.
    ready(&address_a).await;
    ready(&address_b).await;

    let now = jiff::Timestamp::now();
    let mut tx = db.write().await.unwrap();
    for _ in 0..600 {
        jobs::enqueue(
            &mut tx,
            None,
            &PurgeExpiredSessions {},
            EnqueueOptions::default(),
            now.as_millisecond(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let every_second = "fleet:every-second";
    jobs::schedule::upsert(
        &db,
        every_second,
        None,
        &PurgeExpiredSessions {},
        "FREQ=SECONDLY;INTERVAL=2",
        "UTC",
        now,
        now,
    )
    .await
    .unwrap();

    // Every queued job done, and three occurrences of the schedule fired and done.
    at_least(
        &db,
        "SELECT COUNT(*) FROM jobs WHERE state = 'done' AND dedup_key LIKE 'schedule:' || \
         (SELECT CAST(id AS TEXT) FROM schedules WHERE name = 'fleet:every-second') || ':%'",
        3,
        "three occurrences of the every-two-seconds schedule",
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(120);
    while scalar(&db, "SELECT COUNT(*) FROM jobs WHERE state <> 'done'").await > 0 {
        assert!(Instant::now() < deadline, "jobs were not all done in time");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    jobs::schedule::deactivate(&db, every_second, now.as_millisecond())
        .await
        .unwrap();
    for server in [a, b] {
        let (status, stderr) = server.terminate();
        assert!(
            status.success(),
            "serve exits 0 on SIGTERM; it exited {status}: {stderr}"
        );
    }

    let rows: Vec<(String, i64, Option<String>, Option<String>)> =
        switchboard::with_db!(&db, p => sqlx::query_as(
        "SELECT state, attempts, ran_by, dedup_key FROM jobs").fetch_all(p).await)
        .unwrap();
    assert!(
        rows.iter()
            .all(|(state, attempts, _, _)| state == "done" && *attempts == 1),
        "every job ran once"
    );
    let processes: std::collections::BTreeSet<String> = rows
        .iter()
        .filter_map(|(_, _, ran_by, _)| {
            ran_by
                .as_deref()?
                .rsplit_once("-w")
                .map(|(p, _)| p.to_string())
        })
        .collect();
    assert_eq!(
        processes.len(),
        2,
        "both processes took jobs: {processes:?}"
    );
    let schedule_id = scalar(
        &db,
        "SELECT id FROM schedules WHERE name = 'fleet:every-second'",
    )
    .await;
    let prefix = format!("schedule:{schedule_id}:");
    let mut occurrences: Vec<i64> = rows
        .iter()
        .filter_map(|(_, _, _, key)| key.as_deref()?.strip_prefix(&prefix)?.parse().ok())
        .collect();
    occurrences.sort();
    assert!(
        occurrences.len() >= 3,
        "the schedule fired: {occurrences:?}"
    );
    let gaps: Vec<i64> = occurrences.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps.iter().all(|g| *g == 2000),
        "each occurrence fired exactly once, none twice: {gaps:?}"
    );
    db.close().await;
}
