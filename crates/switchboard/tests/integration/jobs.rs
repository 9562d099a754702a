//! The job queue and schedules: transactional and idempotent enqueue, retries with backoff,
//! leases, and each schedule occurrence firing once.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::json;
use switchboard::jobs::{self, EnqueueOptions, Job, JobContext, JobState};

use crate::support::{TestApp, TestOptions};

/// How many times each test job (by key) has run in this process.
static RUNS: Mutex<Option<HashMap<String, i64>>> = Mutex::new(None);

fn runs(key: &str) -> i64 {
    RUNS.lock()
        .unwrap()
        .as_ref()
        .and_then(|m| m.get(key).copied())
        .unwrap_or(0)
}

/// Fails its first `fail_times` runs, then succeeds.
#[derive(Serialize, Deserialize)]
struct Flaky {
    key: String,
    fail_times: i64,
}

impl Job for Flaky {
    const KIND: &'static str = "test_flaky";
    const MAX_ATTEMPTS: i64 = 3;
    type State = ();

    async fn run(self, _ctx: JobContext, (): ()) -> anyhow::Result<()> {
        let n = {
            let mut guard = RUNS.lock().unwrap();
            let map = guard.get_or_insert_with(HashMap::new);
            let n = map.entry(self.key.clone()).or_insert(0);
            *n += 1;
            *n
        };
        if n <= self.fail_times {
            anyhow::bail!("boom on run {n}");
        }
        Ok(())
    }
}

async fn app() -> TestApp {
    let jobs = |kinds: switchboard::jobs::Registry| kinds.register::<Flaky>(());
    TestApp::spawn_with(TestOptions {
        jobs: Some(jobs),
        ..TestOptions::default()
    })
    .await
}

fn flaky(key: &str, fail_times: i64) -> Flaky {
    Flaky {
        key: format!("{key}-{}", std::process::id()),
        fail_times,
    }
}

#[tokio::test]
async fn a_job_enqueued_in_a_rolled_back_transaction_never_runs() {
    let app = app().await;
    let job = flaky("rolled-back", 0);
    let mut tx = app.state.db.write().await.unwrap();
    jobs::enqueue(
        &mut tx,
        Some(app.org),
        &job,
        EnqueueOptions::default(),
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    drop(tx);
    assert_eq!(app.run_jobs().await, 0);
    assert_eq!(runs(&job.key), 0);
    app.stop().await;
}

#[tokio::test]
async fn enqueueing_twice_with_one_dedup_key_runs_once() {
    let app = app().await;
    let job = flaky("dedup", 0);
    let now = app.clock.now_ms();
    let first = jobs::enqueue_now(
        &app.state.db,
        Some(app.org),
        &job,
        EnqueueOptions::dedup("once"),
        now,
    )
    .await
    .unwrap();
    let second = jobs::enqueue_now(
        &app.state.db,
        Some(app.org),
        &job,
        EnqueueOptions::dedup("once"),
        now,
    )
    .await
    .unwrap();
    assert!(first.is_some());
    assert_eq!(second, None);
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(runs(&job.key), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_failing_job_backs_off_retries_and_is_kept_as_failed_with_its_last_error() {
    let app = app().await;
    let job = flaky("always-fails", 99);
    let key = job.key.clone();
    let id = jobs::enqueue_now(
        &app.state.db,
        Some(app.org),
        &job,
        EnqueueOptions::default(),
        app.clock.now_ms(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(app.run_jobs().await, 0, "the retry waits for its backoff");
    app.advance(5);
    assert_eq!(app.run_jobs().await, 1, "first retry after 5 s");
    app.advance(9);
    assert_eq!(app.run_jobs().await, 0, "second retry waits 10 s");
    app.advance(1);
    assert_eq!(app.run_jobs().await, 1);
    app.advance(3600);
    assert_eq!(app.run_jobs().await, 0, "no attempts left");
    assert_eq!(runs(&key), 3);
    let row = jobs::store::find(&app.state.db, id).await.unwrap().unwrap();
    assert_eq!(row.state, JobState::Failed);
    assert_eq!(row.attempts, 3);
    assert_eq!(row.last_error.as_deref(), Some("boom on run 3"));
    let (status, failed) = app.get("/api/v1/jobs?state=failed", &app.token).await;
    assert_eq!(status, 200);
    assert_eq!(failed[0]["id"], id.get());
    assert_eq!(
        app.post_json(&format!("/api/v1/jobs/{id}/retry"), &app.token, &json!({}))
            .await
            .0,
        204
    );
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(runs(&key), 4);
    app.expect_leftover_jobs();
    app.stop().await;
}

#[tokio::test]
async fn a_job_that_succeeds_on_retry_ends_done() {
    let app = app().await;
    let job = flaky("second-time-lucky", 1);
    let id = jobs::enqueue_now(
        &app.state.db,
        Some(app.org),
        &job,
        EnqueueOptions::default(),
        app.clock.now_ms(),
    )
    .await
    .unwrap()
    .unwrap();
    app.run_jobs().await;
    app.advance(5);
    app.run_jobs().await;
    let row = jobs::store::find(&app.state.db, id).await.unwrap().unwrap();
    assert_eq!((row.state.as_str(), row.attempts), ("done", 2));
    app.stop().await;
}

#[tokio::test]
async fn a_dead_workers_job_is_reaped_after_its_lease_and_runs_again() {
    let app = app().await;
    let job = flaky("orphan", 0);
    let key = job.key.clone();
    let id = jobs::enqueue_now(
        &app.state.db,
        Some(app.org),
        &job,
        EnqueueOptions::default(),
        app.clock.now_ms(),
    )
    .await
    .unwrap()
    .unwrap();
    let claimed = jobs::store::claim(&app.state.db, "worker-that-dies", app.clock.now_ms())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, id);
    assert_eq!(
        app.run_jobs().await,
        0,
        "a leased job is not run by anyone else"
    );
    app.advance(61);
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(runs(&key), 1);
    let row = jobs::store::find(&app.state.db, id).await.unwrap().unwrap();
    assert_eq!(row.state, JobState::Done);
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_job_kind_fails_with_a_clear_error() {
    let app = app().await;
    let mut tx = app.state.db.write().await.unwrap();
    let options = EnqueueOptions {
        max_attempts: Some(1),
        ..Default::default()
    };
    jobs::store::insert(
        &mut tx,
        Some(app.org),
        "from_the_future",
        "{}",
        &options,
        1,
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.run_jobs().await;
    let (_, failed) = app.get("/api/v1/jobs?state=failed", &app.token).await;
    assert!(
        failed[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("from_the_future"),
        "{failed}"
    );
    app.expect_leftover_jobs();
    app.stop().await;
}

#[tokio::test]
async fn a_schedule_fires_each_occurrence_once_and_only_the_latest_after_downtime() {
    let app = app().await;
    let job = flaky("hourly", 0);
    let key = job.key.clone();
    let now = app.now();
    jobs::schedule::upsert(
        &app.state.db,
        "test-hourly",
        Some(app.org),
        &job,
        "FREQ=HOURLY",
        "America/New_York",
        now,
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        app.run_jobs().await,
        1,
        "DTSTART is the first occurrence (RFC 5545)"
    );
    app.advance(1800);
    assert_eq!(
        app.run_jobs().await,
        0,
        "the next occurrence is an hour after DTSTART"
    );
    app.advance(1800);
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(
        app.run_jobs().await,
        0,
        "the same occurrence never fires twice"
    );
    app.advance(5 * 3600);
    assert_eq!(app.run_jobs().await, 1, "five missed hours fire once");
    assert_eq!(runs(&key), 3);
    app.stop().await;
}

#[tokio::test]
async fn a_bad_rrule_or_time_zone_is_refused() {
    let app = app().await;
    let now = app.now();
    let job = flaky("bad", 0);
    let err = jobs::schedule::upsert(
        &app.state.db,
        "bad",
        None,
        &job,
        "FREQ=DAILY",
        "Mars/Base",
        now,
        now,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("Mars/Base"));
    let err = jobs::schedule::upsert(
        &app.state.db,
        "bad",
        None,
        &job,
        "FREQ=FORTNIGHTLY",
        "UTC",
        now,
        now,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("RRULE"), "{err}");
    app.stop().await;
}

#[tokio::test]
async fn background_workers_pick_up_jobs_without_being_driven() {
    let jobs = |kinds: switchboard::jobs::Registry| kinds.register::<Flaky>(());
    let app = TestApp::spawn_with(TestOptions {
        jobs: Some(jobs),
        workers: 2,
        ..TestOptions::default()
    })
    .await;
    let job = flaky("background", 0);
    let key = job.key.clone();
    jobs::enqueue_now(
        &app.state.db,
        Some(app.org),
        &job,
        EnqueueOptions::default(),
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    app.state.wake_workers();
    for _ in 0..200 {
        if runs(&key) == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(runs(&key), 1);
    app.stop().await;
}

/// Never finishes on its own.
#[derive(Serialize, Deserialize)]
struct Stuck {}

impl Job for Stuck {
    const KIND: &'static str = "test_stuck";
    type State = ();

    async fn run(self, _ctx: JobContext, (): ()) -> anyhow::Result<()> {
        std::future::pending().await
    }
}

#[tokio::test]
async fn on_shutdown_a_job_still_running_after_the_grace_is_released_with_its_attempt_uncounted() {
    let jobs = |kinds: switchboard::jobs::Registry| kinds.register::<Stuck>(());
    let app = TestApp::spawn_with(TestOptions {
        jobs: Some(jobs),
        ..TestOptions::default()
    })
    .await;
    let id = jobs::enqueue_now(
        &app.state.db,
        Some(app.org),
        &Stuck {},
        EnqueueOptions::default(),
        app.clock.now_ms(),
    )
    .await
    .unwrap()
    .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let state = app.state.clone();
    let worker = tokio::spawn(async move {
        let grace = std::time::Duration::from_millis(200);
        let worker = "worker-shutting-down";
        jobs::worker::run_next(&state.services, &state.registry, worker, stopped, grace).await
    });
    // Wait until the job is running, then ask for shutdown.
    for _ in 0..200 {
        let row = jobs::store::find(&app.state.db, id).await.unwrap().unwrap();
        if row.state == JobState::Running {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    stop.send(true).unwrap();
    let ran = tokio::time::timeout(std::time::Duration::from_secs(10), worker)
        .await
        .expect("the worker gives up on the job after its grace")
        .unwrap()
        .unwrap();
    assert!(ran, "the worker had claimed the job");
    let row = jobs::store::find(&app.state.db, id).await.unwrap().unwrap();
    assert_eq!(row.state, JobState::Queued, "released for another worker");
    assert_eq!(row.attempts, 0, "the interrupted attempt does not count");
    app.expect_leftover_jobs();
    app.stop().await;
}
