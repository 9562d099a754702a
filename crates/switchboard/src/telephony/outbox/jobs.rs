//! The outbox's background worker in `serve`: settles lapsed claims, dispatches what is due,
//! and sleeps until the next row is due (at most a second, so a row enqueued by another
//! process is seen soon).

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::dispatch::{self, DispatchSettings, PASS_LIMIT};
use super::store;
use crate::services::Services;

/// The longest the worker sleeps with nothing due.
const IDLE: Duration = Duration::from_secs(1);

/// The running dispatcher of one process.
pub struct Dispatcher {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Dispatcher {
    pub fn start(services: Services, settings: DispatchSettings, worker: String) -> Dispatcher {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(services, settings, worker, stopped));
        Dispatcher { stop, task }
    }

    /// Stops after the row in hand: a claim not yet finished is settled by reconciliation.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn run(
    services: Services,
    settings: DispatchSettings,
    worker: String,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let busy = match round(&services, &settings, &worker).await {
            Ok(busy) => busy,
            Err(err) => {
                tracing::error!(
                    error = format!("{err:#}"),
                    "the outbox's dispatch pass failed"
                );
                false
            }
        };
        let wait = if busy {
            Duration::ZERO
        } else {
            until_next(&services).await
        };
        tokio::select! {
            _ = stopped.changed() => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// One round; true when it claimed a full pass (more may be due at once).
async fn round(
    services: &Services,
    settings: &DispatchSettings,
    worker: &str,
) -> anyhow::Result<bool> {
    dispatch::reconcile(services, settings, worker).await?;
    let pass = dispatch::dispatch_due(services, settings, worker).await?;
    let claimed = pass.sent + pass.failed + pass.skipped + pass.waiting + pass.unknown;
    Ok(claimed as i64 >= PASS_LIMIT)
}

async fn until_next(services: &Services) -> Duration {
    let now = services.clock.now_ms();
    match store::next_due(&services.db).await {
        Ok(Some(due)) if due > now => Duration::from_millis((due - now) as u64).min(IDLE),
        Ok(Some(_)) => Duration::ZERO,
        _ => IDLE,
    }
}
