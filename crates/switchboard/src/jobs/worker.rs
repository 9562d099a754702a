//! Workers: claim a due job, run it, record the outcome; plus the reaper and the scheduler
//! tick. `serve` runs them in the background; tests call [`run_until_idle`] instead.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures::FutureExt as _;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::registry::{JobContext, Registry};
use super::{schedule, store};
use crate::services::Services;

/// How long an idle worker sleeps before looking again (it is also woken on enqueue).
const IDLE_POLL: Duration = Duration::from_millis(250);
/// How often a running job's lease is renewed.
const RENEW_EVERY: Duration = Duration::from_secs(20);
/// On shutdown, jobs already running get this long to finish before they are released.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// The background workers of one process.
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Workers {
    /// Starts `count` workers, the reaper and the scheduler.
    pub fn start(services: &Services, registry: &Registry, count: usize) -> Workers {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let process = format!("{}-{}", hostname(), std::process::id());
        for n in 0..count {
            // A hex suffix tells restarts apart; hex keeps "-w" unambiguous in the name.
            let suffix =
                crate::accounts::secrets::token_hash(&crate::accounts::secrets::new_token(""));
            let name = format!("{process}-w{n}-{}", &suffix[..6]);
            let (services, registry) = (services.clone(), registry.clone());
            tasks.spawn(work_loop(services, registry, name, stopped.clone()));
        }
        tasks.spawn(housekeeping_loop(services.clone(), stopped));
        Workers { stop, tasks }
    }

    /// Stops claiming, lets running jobs finish (or releases them), and waits.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "switchboard".to_string())
}

async fn work_loop(
    services: Services,
    registry: Registry,
    worker: String,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        if *stopped.borrow() {
            return;
        }
        match run_next(
            &services,
            &registry,
            &worker,
            stopped.clone(),
            SHUTDOWN_GRACE,
        )
        .await
        {
            Ok(true) => continue,
            Ok(false) => {}
            Err(err) => tracing::error!(
                error = format!("{err:#}"),
                worker,
                "job worker could not reach the queue"
            ),
        }
        tokio::select! {
            _ = stopped.changed() => {}
            _ = services.jobs_wake.notified() => {}
            _ = tokio::time::sleep(IDLE_POLL) => {}
        }
    }
}

async fn housekeeping_loop(services: Services, mut stopped: watch::Receiver<bool>) {
    loop {
        if let Err(err) = housekeeping(&services).await {
            tracing::error!(error = format!("{err:#}"), "scheduler tick failed");
        }
        tokio::select! {
            _ = stopped.changed() => return,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// Reaps expired leases and fires due schedules. Returns how many jobs schedules enqueued.
pub async fn housekeeping(state: &Services) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let reaped = store::reap_expired(&state.db, now.as_millisecond()).await?;
    if reaped > 0 {
        tracing::warn!(reaped, "returned jobs of stopped workers to the queue");
    }
    let fired = schedule::tick(&state.db, now).await?;
    if fired > 0 {
        state.jobs_wake.notify_waiters();
    }
    Ok(fired)
}

/// Claims and runs one due job. Returns false when nothing was due. Once `stopped` turns
/// true, the job has `grace` to finish; then it is released to the queue, its attempt not
/// counted, for another worker (or this one after a restart) to run.
pub async fn run_next(
    state: &Services,
    registry: &Registry,
    worker: &str,
    mut stopped: watch::Receiver<bool>,
    grace: Duration,
) -> anyhow::Result<bool> {
    let Some(job) = store::claim(&state.db, worker, state.clock.now_ms()).await? else {
        return Ok(false);
    };
    let ctx = JobContext {
        services: state.clone(),
        job_id: job.id,
        org: job.org_id,
        attempt: job.attempts,
    };
    let span = tracing::info_span!("job", job.id = %job.id, job.kind = %job.kind, job.attempt = job.attempts);
    let _enter = span.enter();
    let Some(fut) = registry.run(&job.kind, ctx, &job.payload) else {
        let error = format!("no job kind '{}' is registered in this version", job.kind);
        store::fail(&state.db, &job, worker, &error, state.clock.now_ms()).await?;
        return Ok(true);
    };
    let mut fut = AssertUnwindSafe(fut).catch_unwind();
    let mut renew = tokio::time::interval(RENEW_EVERY);
    renew.tick().await;
    // Resolves `grace` after shutdown is asked for; never when nobody can ask (the sender is
    // gone, as in `run_until_idle`).
    let grace_over = async move {
        if stopped.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(grace).await;
    };
    tokio::pin!(grace_over);
    let outcome = loop {
        tokio::select! {
            result = &mut fut => break Some(result),
            _ = renew.tick() => store::renew(&state.db, job.id, worker, state.clock.now_ms()).await?,
            _ = &mut grace_over => break None,
        }
    };
    let now = state.clock.now_ms();
    match outcome {
        None => {
            tracing::warn!("shutting down: released a job that did not finish in time");
            store::release(&state.db, job.id, worker, now).await?;
        }
        Some(Ok(Ok(()))) => {
            store::complete(&state.db, job.id, worker, now).await?;
            metrics::counter!("jobs_finished_total", "kind" => job.kind.clone(), "outcome" => "done").increment(1);
        }
        Some(Ok(Err(err))) => record_failure(state, &job, worker, &format!("{err:#}"), now).await?,
        Some(Err(_panic)) => record_failure(state, &job, worker, "the job panicked", now).await?,
    }
    Ok(true)
}

async fn record_failure(
    state: &Services,
    job: &store::Claimed,
    worker: &str,
    error: &str,
    now: i64,
) -> anyhow::Result<()> {
    let retry = store::fail(&state.db, job, worker, error, now).await?;
    let outcome = if retry { "retry" } else { "failed" };
    metrics::counter!("jobs_finished_total", "kind" => job.kind.clone(), "outcome" => outcome)
        .increment(1);
    if retry {
        tracing::warn!(error, "job failed; it will be retried");
    } else {
        tracing::error!(error, "job failed for the last time");
    }
    Ok(())
}

/// Runs schedules and due jobs until nothing is due at the clock's current time. For tests
/// and the CLI; returns how many jobs ran.
pub async fn run_until_idle(state: &Services, registry: &Registry) -> anyhow::Result<usize> {
    let mut ran = 0;
    loop {
        housekeeping(state).await?;
        let stopped = watch::channel(false).1;
        if !run_next(state, registry, "inline", stopped, SHUTDOWN_GRACE).await? {
            return Ok(ran);
        }
        ran += 1;
        if ran > 100_000 {
            anyhow::bail!("run_until_idle ran 100000 jobs; a job keeps re-enqueueing itself");
        }
    }
}
