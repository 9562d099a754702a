//! The incident desk: every change to an incident goes through here, as a [`Request`] (which
//! incident, and a [`Command`] of the state machine in `model::incident`).
//!
//! The desk is a small actor over that machine. It takes whatever requests have queued up and
//! settles them in one transaction (group commit): it reads the incidents and lines they
//! touch, applies each command in arrival order with `incident::apply`, and writes what
//! changed and the effects (audit events, the pool's move, the voicemail email and its
//! deadline). A command that is refused (say, a next target for an answered incident) changes
//! nothing and gets its error; the others go on. If the transaction itself fails, each request
//! is settled again in a transaction of its own, so one bad request cannot sink its
//! neighbours. On SQLite a batch is one turn at the write gate however many calls it carries,
//! run on the desk's inline connection (`db/inline.rs`; a batch that queues a voicemail's
//! jobs is settled in the pool's transaction instead); on Postgres each process runs a desk
//! and row locks keep them apart.

mod book;

use std::collections::HashMap;
use std::sync::Arc;

use futures::FutureExt as _;
use jiff::Timestamp;
use tokio::sync::{Notify, mpsc, oneshot};

use self::book::Book;
use super::model::LineKind;
use super::model::incident::{Command, IncidentState, Refusal};
use super::model::line::Line;
use super::model::roster::Roster;
use crate::clock::Clock;
use crate::db::{Db, WriteTx};
use crate::error::{Invalid, StoreError};
use crate::ids::{IncidentId, LineId, OrgId};

/// The most requests one transaction takes.
const MAX_BATCH: usize = 128;

/// One change to an incident.
#[derive(Clone, Debug)]
pub struct Request {
    /// Who asks: one organisation, or the whole installation (the routing API's Studio
    /// requests and Twilio's webhooks, which name a line or an incident but carry no token).
    pub org: Option<OrgId>,
    pub target: Target,
    pub command: Command,
    /// The request as the audit trail keeps it (JSON).
    pub request: String,
}

/// Which incident a request is about.
#[derive(Clone, Debug)]
pub enum Target {
    /// An incident by id; with `line`, it must be on that line.
    Incident {
        id: IncidentId,
        line: Option<LineId>,
    },
    /// A call to a line: the incident this call already has on the line (Twilio or Studio
    /// asking again), else a new one.
    Call {
        line: LineRef,
        caller: String,
        call_sid: Option<String>,
    },
    /// The latest incident of a call, on whichever line.
    CallSid(String),
}

/// Which line a new call is on.
#[derive(Clone, Debug)]
pub enum LineRef {
    Id(LineId),
    /// The line that answers this Twilio number.
    Number(String),
    /// The installation's only ladder line (a Studio flow that names none).
    OnlyLadder,
}

/// The incident after a request, with its line as the batch read it.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub org: OrgId,
    pub line: Line,
    pub state: IncidentState,
}

/// Why a request changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the incident desk has stopped")]
    Stopped,
}

impl From<Invalid> for DeskError {
    fn from(e: Invalid) -> DeskError {
        DeskError::Store(StoreError::Invalid(e))
    }
}

impl From<sqlx::Error> for DeskError {
    fn from(e: sqlx::Error) -> DeskError {
        DeskError::Store(StoreError::Db(e))
    }
}

struct Envelope {
    request: Request,
    reply: oneshot::Sender<Result<Outcome, DeskError>>,
}

/// The handle every request holds; cheap to clone.
#[derive(Clone)]
pub struct Desk {
    queue: mpsc::Sender<Envelope>,
}

impl Desk {
    /// Starts the desk on a thread of its own with a single-threaded runtime, so a batch's
    /// round trips to the database resume at once instead of queueing behind the HTTP tasks
    /// (under load that queueing was most of a batch's time). `wake` is told when a batch
    /// queued jobs. The desk ends when the last handle is dropped.
    pub fn start(db: &Db, clock: Clock, wake: Arc<Notify>) -> anyhow::Result<Desk> {
        let (queue, inbox) = mpsc::channel(4 * MAX_BATCH);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // Postgres connections belong to the runtime that made them: the desk makes its own.
        let db = {
            let _entered = runtime.enter();
            db.with_own_connections(3)
        };
        std::thread::Builder::new()
            .name("incident-desk".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    run(&db, &clock, &wake, inbox).await;
                    if let Db::Pg(own) = &db {
                        own.close().await;
                    }
                });
            })?;
        Ok(Desk { queue })
    }

    /// Queues `request` and waits until its batch has committed (or the request failed).
    pub async fn submit(&self, request: Request) -> Result<Outcome, DeskError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Envelope { request, reply })
            .await
            .map_err(|_| DeskError::Stopped)?;
        answer.await.map_err(|_| DeskError::Stopped)?
    }
}

/// Hands `command` for `target` to the incident desk; `request` is what the audit trail keeps.
pub async fn submit(
    desk: &Desk,
    org: Option<OrgId>,
    target: Target,
    command: Command,
    request: &serde_json::Value,
) -> Result<Outcome, DeskError> {
    let request = Request {
        org,
        target,
        command,
        request: request.to_string(),
    };
    desk.submit(request).await
}

/// A line's roster, kept while its organisation's roster version stays put.
struct CachedRoster {
    version: i64,
    kind: LineKind,
    roster: Roster,
}

type Rosters = HashMap<LineId, CachedRoster>;

async fn run(db: &Db, clock: &Clock, wake: &Notify, mut inbox: mpsc::Receiver<Envelope>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut rosters = Rosters::new();
    while inbox.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (requests, replies): (Vec<Request>, Vec<_>) =
            batch.drain(..).map(|e| (e.request, e.reply)).unzip();
        let started = std::time::Instant::now();
        // A panic fails this batch's requests (their replies are dropped), not the desk.
        let settled =
            std::panic::AssertUnwindSafe(settle(db, clock.now(), &requests, &mut rosters))
                .catch_unwind()
                .await;
        metrics::histogram!("hotline_desk_batch_commands").record(requests.len() as f64);
        metrics::histogram!("hotline_desk_batch_seconds").record(started.elapsed().as_secs_f64());
        match settled {
            Ok((results, queued_jobs)) => {
                if queued_jobs {
                    wake.notify_waiters();
                }
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(_) => tracing::error!(
                requests = requests.len(),
                "The incident desk panicked on a batch; its requests failed."
            ),
        }
    }
}

type Settled = (Vec<Result<Outcome, DeskError>>, bool);

/// Settles `requests` in one transaction, or each in its own when that one fails.
async fn settle(db: &Db, now: Timestamp, requests: &[Request], rosters: &mut Rosters) -> Settled {
    match transact(db, now, requests, rosters).await {
        Ok(settled) => settled,
        Err(e) if requests.len() > 1 => {
            metrics::counter!("hotline_desk_batches_split_total").increment(1);
            tracing::warn!(
                requests = requests.len(),
                error = %e,
                "A batch of incident changes failed; settling each on its own."
            );
            let mut results = Vec::with_capacity(requests.len());
            let mut queued_jobs = false;
            for request in requests {
                match transact(db, now, std::slice::from_ref(request), rosters).await {
                    Ok((mut one, jobs)) => {
                        queued_jobs |= jobs;
                        results.push(one.pop().expect("one result per request"));
                    }
                    Err(e) => results.push(Err(e.into())),
                }
            }
            (results, queued_jobs)
        }
        Err(e) => (vec![Err(e.into())], false),
    }
}

/// Reads what `requests` touch, applies them in order, and writes the result, in one
/// transaction: on SQLite on the desk's inline connection, unless the batch queues jobs
/// (a voicemail's email or deadline), which is then settled again in the pool's transaction.
async fn transact(
    db: &Db,
    now: Timestamp,
    requests: &[Request],
    rosters: &mut Rosters,
) -> Result<Settled, StoreError> {
    let mut clock = PhaseClock::start();
    let tx = db.write_inline().await?;
    clock.lap("begin");
    match transact_in(tx, clock, db, now, requests, rosters).await? {
        Some(settled) => Ok(settled),
        None => {
            let mut clock = PhaseClock::start();
            let tx = WriteTx::Pooled(db.write().await?);
            clock.lap("begin");
            let settled = transact_in(tx, clock, db, now, requests, rosters).await?;
            Ok(settled.expect("the pool's transaction settles every batch"))
        }
    }
}

/// [`transact`] in `tx`; `None` (and nothing written) when `tx` is inline and the batch
/// queues jobs.
async fn transact_in(
    mut tx: WriteTx,
    mut clock: PhaseClock,
    db: &Db,
    now: Timestamp,
    requests: &[Request],
    rosters: &mut Rosters,
) -> Result<Option<Settled>, StoreError> {
    let mut book = Book::load(&mut tx, requests).await?;
    clock.lap("read");
    for loaded in book.lines() {
        let fresh = rosters
            .get(&loaded.line.id)
            .is_some_and(|c| c.version == loaded.roster_version && c.kind == loaded.line.kind);
        if !fresh {
            let roster = super::store::roster::load(db, loaded.org, &loaded.line).await?;
            rosters.insert(
                loaded.line.id,
                CachedRoster {
                    version: loaded.roster_version,
                    kind: loaded.line.kind,
                    roster,
                },
            );
        }
    }
    let results = requests
        .iter()
        .map(|r| book.apply(r, |line| rosters.get(&line).map(|c| &c.roster), now))
        .collect();
    clock.lap("apply");
    if book.queues_jobs() && tx.pooled().is_none() {
        return Ok(None);
    }
    book.write(&mut tx, now.as_millisecond()).await?;
    clock.lap("write");
    tx.commit().await?;
    clock.lap("commit");
    clock.report(requests.len());
    Ok(Some((results, book.queues_jobs())))
}

/// Times the phases of a batch: each into `hotline_desk_phase_seconds`, and a batch slower
/// than [`SLOW_BATCH`] into the log, phase by phase.
struct PhaseClock {
    at: std::time::Instant,
    started: std::time::Instant,
    laps: Vec<(&'static str, std::time::Duration)>,
}

/// A batch that takes longer holds up every call waiting on it: worth a line in the log.
const SLOW_BATCH: std::time::Duration = std::time::Duration::from_millis(50);

impl PhaseClock {
    fn start() -> PhaseClock {
        let now = std::time::Instant::now();
        PhaseClock {
            at: now,
            started: now,
            laps: Vec::with_capacity(5),
        }
    }

    fn lap(&mut self, phase: &'static str) {
        let now = std::time::Instant::now();
        let took = now - self.at;
        metrics::histogram!("hotline_desk_phase_seconds", "phase" => phase)
            .record(took.as_secs_f64());
        self.laps.push((phase, took));
        self.at = now;
    }

    fn report(&self, requests: usize) {
        let total = self.started.elapsed();
        if total > SLOW_BATCH {
            let phases: Vec<String> = self
                .laps
                .iter()
                .map(|(phase, took)| format!("{phase} {} ms", took.as_millis()))
                .collect();
            tracing::warn!(
                requests,
                took_ms = total.as_millis() as u64,
                phases = phases.join(", "),
                "A batch of incident changes was slow; every call in it waited."
            );
        }
    }
}
