//! The incident desk: every change to an incident's walk (open it, pick the next target,
//! answered, attempt failed, completed) goes through one task per process, which applies
//! whatever has queued up as one transaction: group commit.
//!
//! A batch reads what its commands touch once, inside its transaction (the incidents, their
//! attempts, the lines' pool positions, locked on Postgres), applies the commands in arrival
//! order to that state in memory (the rules are in [`escalation`](super::escalation)), and
//! writes the result: on SQLite, through the desk's own connection on its own thread, one
//! prepared statement per row; on Postgres, one statement per table, its rows bound as one
//! JSON parameter. Each line's roster (people, ladders, pool, on-call periods,
//! shifts) is kept between batches until its organisation's roster version, bumped by
//! database triggers on every roster table, moves: a change made by any process is seen by
//! the next batch. A command that fails (say, a next
//! target for an answered incident) changes nothing and gets its error; the others go on. If
//! the transaction itself fails, each command is retried on its own, so one bad command
//! cannot sink its neighbours.
//!
//! On SQLite the batch holds the write gate for its one transaction, so N waiting calls cost
//! one turn instead of N; on Postgres each process runs a desk and row locks keep them apart.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures::FutureExt as _;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::{FromRow, Postgres};
use tokio::sync::{mpsc, oneshot};

use super::escalation::{self, Roster};
use super::model::ladder::{PriorAttempt, Target};
use super::model::{AttemptResult, IncidentStatus, LineKind, RingStrategy};
use super::store::incidents::{Attempt, INCIDENT_COLUMNS, Incident};
use super::store::lines::{self, Line};
use crate::accounts::OrgId;
use crate::clock::Clock;
use crate::db::dialect::{self, Column, Column::Int, Column::Text};
use crate::db::{Db, DbKind, SqliteTx, SqliteWriter};
use crate::http::{AppError, AppResult};

/// The most commands one transaction takes.
const MAX_BATCH: usize = 128;

/// The desk's own Postgres connections: one for the batch's transaction, one for a roster
/// read inside it, and a spare.
const DESK_PG_CONNECTIONS: u32 = 3;

/// Which incident a walk is about.
#[derive(Clone, Debug)]
pub enum IncidentRef {
    Existing(i64),
    /// A new call: the incident is opened by the same transaction that picks its first target.
    New {
        caller: String,
        call_sid: Option<String>,
    },
    /// A native call: the incident this CallSid already has on the line (Twilio retried the
    /// webhook), else a new one.
    Call {
        caller: String,
        call_sid: String,
    },
}

/// Which line a walk is on. The desk reads the line inside the batch's transaction, so a
/// request costs no read of its own.
#[derive(Clone, Debug)]
pub enum LineRef {
    Id(i64),
    /// The line that answers this Twilio number.
    Number(String),
    /// The existing incident's own line.
    OfIncident,
    /// The installation's only ladder line (a Studio flow that names none).
    OnlyLadder,
}

/// One change to an incident, as the Studio endpoints and the native voice flow ask for it.
#[derive(Clone, Debug)]
pub enum Command {
    /// Pick the next target, or mark the incident exhausted. With `ring_strategy`, a shift
    /// line set to ring everyone at once gets everyone on shift not yet tried (the native
    /// flow); without, one target (Studio's contract). `org` = None for Studio requests,
    /// which are authorised for the whole installation.
    Walk {
        org: Option<OrgId>,
        line: LineRef,
        incident: IncidentRef,
        request: Request,
        ring_strategy: bool,
    },
    Answered {
        org: Option<OrgId>,
        incident: i64,
        phone: String,
        call_sid: Option<String>,
        request: Request,
    },
    AttemptFailed {
        org: Option<OrgId>,
        incident: i64,
        phone: String,
        reason: AttemptResult,
        call_sid: Option<String>,
        request: Request,
    },
    Completed {
        org: Option<OrgId>,
        incident: i64,
        duration: Option<i64>,
        request: Request,
    },
}

/// A request as the audit trail records it: serialized by the request's own task, so the desk,
/// which every request waits on, only copies the text.
pub type Request = Box<serde_json::value::RawValue>;

/// `body` as an audit-trail [`Request`].
pub fn request(body: &Value) -> Request {
    serde_json::value::to_raw_value(body).unwrap_or_else(|_| {
        serde_json::value::RawValue::from_string("null".to_string()).expect("null is JSON")
    })
}

/// What a walk decided.
#[derive(Clone, Debug)]
pub struct Walked {
    pub org: OrgId,
    /// The line walked, as the batch read it.
    pub line: Line,
    pub incident_id: i64,
    /// Empty when the incident is exhausted.
    pub targets: Vec<Target>,
    /// The incident's latest attempt id: the round a `<Dial>` action names.
    pub round: i64,
}

#[derive(Clone, Debug)]
pub enum Outcome {
    Walked(Box<Walked>),
    Recorded,
}

struct Envelope {
    command: Command,
    reply: oneshot::Sender<AppResult<Outcome>>,
}

/// The handle every request holds; cheap to clone.
#[derive(Clone)]
pub struct Desk {
    queue: mpsc::Sender<Envelope>,
}

impl Desk {
    /// Starts the desk on a thread of its own, with a single-threaded runtime: a batch's
    /// round trips to the database then resume at once, instead of queueing behind the HTTP
    /// tasks on the shared runtime (that queueing was most of a busy batch's time). On
    /// Postgres the desk opens a small pool of its own there, so its connections belong to
    /// its runtime. The desk ends when the last handle is dropped.
    pub fn start(db: Db, clock: Clock) -> anyhow::Result<Desk> {
        let (queue, inbox) = mpsc::channel(4 * MAX_BATCH);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let mut backend = match &db {
            Db::Sqlite(s) => Backend::Sqlite(s.open_writer()?),
            Db::Pg(shared) => {
                // Made inside the desk's runtime, so its connections belong to it.
                let _entered = runtime.enter();
                Backend::Pg(
                    PgPoolOptions::new()
                        .max_connections(DESK_PG_CONNECTIONS)
                        .connect_lazy_with((*shared.connect_options()).clone()),
                )
            }
        };
        std::thread::Builder::new()
            .name("incident-desk".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    run(&mut backend, &db, clock, inbox).await;
                    if let Backend::Pg(own) = &backend {
                        own.close().await;
                    }
                });
            })?;
        Ok(Desk { queue })
    }

    /// Queues `command` and waits until its batch has committed (or the command failed).
    pub async fn submit(&self, command: Command) -> AppResult<Outcome> {
        let (reply, answer) = oneshot::channel();
        let stopped = || AppError::Internal(anyhow::anyhow!("the incident desk has stopped"));
        self.queue
            .send(Envelope { command, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Where the desk writes. On SQLite, its own connection, run on the desk's thread: a batch's
/// statements then cost no hand-off to sqlx's connection thread and back (two thread wake-ups
/// each, which cost more than the statements). On Postgres, a small pool of its own.
enum Backend {
    Sqlite(SqliteWriter),
    Pg(PgPool),
}

/// Runs batches until the last [`Desk`] handle is dropped. `db` is the shared pool, for
/// roster reads.
async fn run(backend: &mut Backend, db: &Db, clock: Clock, mut inbox: mpsc::Receiver<Envelope>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut rosters = Rosters::new();
    while inbox.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (commands, replies): (Vec<Command>, Vec<_>) =
            batch.drain(..).map(|e| (e.command, e.reply)).unzip();
        let now = clock.now();
        let started = std::time::Instant::now();
        // A panic fails this batch's requests (their replies are dropped), not the desk.
        let results =
            std::panic::AssertUnwindSafe(settle(backend, db, now, &commands, &mut rosters))
                .catch_unwind()
                .await;
        metrics::histogram!("hotline_desk_batch_commands").record(commands.len() as f64);
        metrics::histogram!("hotline_desk_batch_seconds").record(started.elapsed().as_secs_f64());
        match results {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(_) => tracing::error!(
                commands = commands.len(),
                "The incident desk panicked on a batch; its requests failed."
            ),
        }
    }
}

/// Applies `commands` as one transaction, or one by one when that transaction fails.
async fn settle(
    backend: &mut Backend,
    db: &Db,
    now: Timestamp,
    commands: &[Command],
    rosters: &mut Rosters,
) -> Vec<AppResult<Outcome>> {
    match apply_batch(backend, db, now, commands, rosters).await {
        Ok(results) => results,
        Err(e) if commands.len() > 1 => {
            tracing::warn!(
                commands = commands.len(),
                error = %e,
                "A batch of incident changes failed; retrying each on its own."
            );
            let mut results = Vec::with_capacity(commands.len());
            for command in commands {
                let one =
                    apply_batch(backend, db, now, std::slice::from_ref(command), rosters).await;
                results.push(one.and_then(|mut r| r.pop().expect("one result per command")));
            }
            results
        }
        Err(e) => vec![Err(e)],
    }
}

/// Each walked line's roster, kept while its organisation's roster version stays put.
type Rosters = HashMap<i64, CachedRoster>;

struct CachedRoster {
    version: i64,
    kind: LineKind,
    roster: Roster,
}

/// Applies `commands` in one transaction of `backend`'s.
async fn apply_batch(
    backend: &mut Backend,
    db: &Db,
    now: Timestamp,
    commands: &[Command],
    rosters: &mut Rosters,
) -> AppResult<Vec<AppResult<Outcome>>> {
    match backend {
        Backend::Sqlite(writer) => {
            let tx = writer.begin().await?;
            let results = apply_in(&mut Store::Sqlite(&tx), db, now, commands, rosters).await?;
            tx.commit()?;
            Ok(results)
        }
        Backend::Pg(pool) => {
            let mut tx = pool.begin().await?;
            let results = apply_in(&mut Store::Pg(&mut tx), db, now, commands, rosters).await?;
            tx.commit().await?;
            Ok(results)
        }
    }
}

/// Reads what `commands` touch, applies them, and writes the result, inside `store`'s open
/// transaction.
async fn apply_in(
    store: &mut Store<'_, '_>,
    db: &Db,
    now: Timestamp,
    commands: &[Command],
    rosters: &mut Rosters,
) -> AppResult<Vec<AppResult<Outcome>>> {
    let mut book = Book::load(store, commands, now.as_millisecond()).await?;
    for line in book.lines.values() {
        let fresh = rosters
            .get(&line.line.id)
            .is_some_and(|c| c.version == line.roster_version && c.kind == line.line.kind);
        if !fresh {
            // Read through the pool: on SQLite the write lock keeps the roster still meanwhile.
            let roster = Roster::load(db, line.org, &line.line).await?;
            rosters.insert(
                line.line.id,
                CachedRoster {
                    version: line.roster_version,
                    kind: line.line.kind,
                    roster,
                },
            );
        }
    }
    let mut results: Vec<AppResult<Outcome>> = commands
        .iter()
        .map(|c| book.apply(c, rosters, now))
        .collect();
    book.write(store).await?;
    // New attempts have their ids only now.
    for result in &mut results {
        if let Ok(Outcome::Walked(walked)) = result {
            walked.round = book.round(walked.incident_id);
        }
    }
    Ok(results)
}

/// An incident as the batch holds it: its row and attempts, and what changed.
#[derive(Clone)]
pub struct IncidentState {
    pub org: OrgId,
    pub incident: Incident,
    pub attempts: Vec<AttemptState>,
    new: bool,
    changed: bool,
}

#[derive(Clone)]
pub struct AttemptState {
    pub attempt: Attempt,
    new: bool,
    changed: bool,
}

struct NewEvent {
    org: OrgId,
    incident_id: i64,
    kind: &'static str,
    detail: String,
    at: i64,
}

/// One command's changes, applied to the batch only if the command succeeds.
pub struct Draft {
    pub state: IncidentState,
    pub now: i64,
    events: Vec<NewEvent>,
    pub pool_position: Option<(i64, i64)>,
}

impl Draft {
    /// Records an audit event; `detail` is a JSON value, or a [`Request`] as it came.
    pub fn event<T: serde::Serialize + ?Sized>(&mut self, kind: &'static str, detail: &T) {
        self.events.push(NewEvent {
            org: self.state.org,
            incident_id: self.state.incident.id,
            kind,
            // Neither a JSON value nor a raw request can fail to serialize.
            detail: serde_json::to_string(detail).unwrap_or_else(|_| "null".to_string()),
            at: self.now,
        });
    }

    pub fn status(&self) -> IncidentStatus {
        self.state.incident.status()
    }

    pub fn set_status(&mut self, status: IncidentStatus) {
        self.state.incident.status = status.as_str().to_string();
        self.state.changed = true;
    }

    /// The incident row changed (its columns were set by the caller).
    pub fn touch(&mut self) {
        self.state.changed = true;
    }

    /// Ends the still-dialing attempts (to `phone` only, when given) with `result`. Returns
    /// how many changed.
    pub fn finish_dialing(
        &mut self,
        phone: Option<&str>,
        result: AttemptResult,
        call_sid: Option<&str>,
    ) -> u64 {
        let mut changed = 0;
        for a in &mut self.state.attempts {
            if a.attempt.result == AttemptResult::Dialing.as_str()
                && phone.is_none_or(|p| a.attempt.phone == p)
            {
                a.attempt.result = result.as_str().to_string();
                a.attempt.ended_at = Some(self.now);
                if let Some(sid) = call_sid {
                    a.attempt.call_sid = Some(sid.to_string());
                }
                a.changed = true;
                changed += 1;
            }
        }
        changed
    }

    /// Who has been tried so far, as the ladder sees it.
    pub fn prior_attempts(&self) -> Vec<PriorAttempt> {
        self.state
            .attempts
            .iter()
            .map(|a| a.attempt.prior())
            .collect()
    }

    pub fn add_attempt(&mut self, step: &str, target: &Target) {
        self.state.attempts.push(AttemptState {
            attempt: Attempt {
                id: 0,
                step: step.to_string(),
                person_id: Some(target.person_id),
                person_name: target.name.clone(),
                phone: target.phone.clone(),
                result: AttemptResult::Dialing.as_str().to_string(),
                call_sid: None,
                started_at: self.now,
                ended_at: None,
            },
            new: true,
            changed: true,
        });
    }
}

/// A line as the batch read it, with what the desk needs besides its settings.
struct LineState {
    org: OrgId,
    line: Line,
    roster_version: i64,
}

/// Everything a batch reads and writes.
struct Book {
    now: i64,
    incidents: BTreeMap<i64, IncidentState>,
    /// The lines the batch's walks are on, by id; a walk moves its line's pool position.
    lines: BTreeMap<i64, LineState>,
    /// Lines whose pool position moved.
    changed_pools: BTreeSet<i64>,
    /// The next free ids; on SQLite, read with the batch (it holds the write lock).
    next_ids: NextIds,
    events: Vec<NewEvent>,
}

/// What a batch's commands ask to read.
#[derive(Default)]
struct Wanted {
    incidents: BTreeSet<i64>,
    call_sids: BTreeSet<String>,
    lines: BTreeSet<i64>,
    numbers: BTreeSet<String>,
    only_ladder: bool,
    opening: usize,
}

impl Wanted {
    fn of(commands: &[Command]) -> Wanted {
        let mut wanted = Wanted::default();
        for command in commands {
            match command {
                Command::Walk { line, incident, .. } => {
                    match incident {
                        IncidentRef::Existing(id) => {
                            wanted.incidents.insert(*id);
                        }
                        IncidentRef::New { .. } => wanted.opening += 1,
                        IncidentRef::Call { call_sid, .. } => {
                            wanted.call_sids.insert(call_sid.clone());
                            wanted.opening += 1;
                        }
                    }
                    match line {
                        LineRef::Id(id) => {
                            wanted.lines.insert(*id);
                        }
                        LineRef::Number(number) => {
                            wanted.numbers.insert(number.clone());
                        }
                        LineRef::OnlyLadder => wanted.only_ladder = true,
                        // Added once the incidents are read.
                        LineRef::OfIncident => {}
                    }
                }
                Command::Answered { incident, .. }
                | Command::AttemptFailed { incident, .. }
                | Command::Completed { incident, .. } => {
                    wanted.incidents.insert(*incident);
                }
            }
        }
        wanted
    }
}

impl Book {
    async fn load(store: &mut Store<'_, '_>, commands: &[Command], now: i64) -> AppResult<Book> {
        let mut wanted = Wanted::of(commands);
        let mut incidents = BTreeMap::new();
        if !wanted.incidents.is_empty() || !wanted.call_sids.is_empty() {
            for row in store
                .incidents(&wanted.incidents, &wanted.call_sids)
                .await?
            {
                incidents.insert(
                    row.incident.id,
                    IncidentState {
                        org: OrgId(row.org_id),
                        incident: row.incident,
                        attempts: Vec::new(),
                        new: false,
                        changed: false,
                    },
                );
            }
            let ids: Vec<i64> = incidents.keys().copied().collect();
            for row in store.attempts(&ids).await? {
                if let Some(state) = incidents.get_mut(&row.incident_id) {
                    state.attempts.push(AttemptState {
                        attempt: row.attempt,
                        new: false,
                        changed: false,
                    });
                }
            }
        }
        for command in commands {
            if let Command::Walk {
                line: LineRef::OfIncident,
                incident: IncidentRef::Existing(id),
                ..
            } = command
                && let Some(state) = incidents.get(id)
            {
                wanted.lines.insert(state.incident.line_id);
            }
        }
        let mut lines = BTreeMap::new();
        if !wanted.lines.is_empty() || !wanted.numbers.is_empty() || wanted.only_ladder {
            let rows = store
                .lines(&wanted.lines, &wanted.numbers, wanted.only_ladder)
                .await?;
            for row in rows {
                let line = row.line.into_line();
                lines.insert(
                    line.id,
                    LineState {
                        org: OrgId(row.org_id),
                        line,
                        roster_version: row.roster_version,
                    },
                );
            }
        }
        let next_ids = NextIds::read(store, wanted.opening).await?;
        Ok(Book {
            now,
            incidents,
            lines,
            changed_pools: BTreeSet::new(),
            next_ids,
            events: Vec::new(),
        })
    }

    fn apply(
        &mut self,
        command: &Command,
        rosters: &Rosters,
        now: Timestamp,
    ) -> AppResult<Outcome> {
        let (mut draft, outcome) = match command {
            Command::Walk {
                org,
                line,
                incident,
                request,
                ring_strategy,
            } => {
                let (mut draft, line_org, line) = self.walk_draft(*org, line, incident, now)?;
                let roster = &rosters
                    .get(&line.id)
                    .ok_or(AppError::NotFound("line"))?
                    .roster;
                if draft.state.new {
                    let incident = &draft.state.incident;
                    let (caller, call_sid) =
                        (incident.caller_phone.clone(), incident.call_sid.clone());
                    escalation::opened(&mut draft, &line, &caller, call_sid.as_deref(), request);
                }
                let all = *ring_strategy
                    && line.kind == LineKind::Shift
                    && line.ring_strategy == RingStrategy::Simultaneous;
                let targets = escalation::walk_rules(
                    &mut draft,
                    &line,
                    roster,
                    line.pool_position,
                    request,
                    all,
                    now,
                )?;
                let walked = Walked {
                    org: line_org,
                    incident_id: draft.state.incident.id,
                    line,
                    targets,
                    round: 0,
                };
                (draft, Outcome::Walked(Box::new(walked)))
            }
            Command::Answered {
                org,
                incident,
                phone,
                call_sid,
                request,
            } => {
                let mut draft = self.draft(self.find(*org, *incident)?);
                escalation::answered_rules(&mut draft, phone, call_sid.as_deref(), request);
                (draft, Outcome::Recorded)
            }
            Command::AttemptFailed {
                org,
                incident,
                phone,
                reason,
                call_sid,
                request,
            } => {
                let mut draft = self.draft(self.find(*org, *incident)?);
                escalation::attempt_failed_rules(
                    &mut draft,
                    phone,
                    *reason,
                    call_sid.as_deref(),
                    request,
                );
                (draft, Outcome::Recorded)
            }
            Command::Completed {
                org,
                incident,
                duration,
                request,
            } => {
                let mut draft = self.draft(self.find(*org, *incident)?);
                escalation::completed_rules(&mut draft, *duration, request);
                (draft, Outcome::Recorded)
            }
        };
        // The command succeeded: its changes join the batch.
        if let Some((line, position)) = draft.pool_position
            && let Some(state) = self.lines.get_mut(&line)
        {
            state.line.pool_position = position;
            self.changed_pools.insert(line);
        }
        self.events.append(&mut draft.events);
        self.incidents.insert(draft.state.incident.id, draft.state);
        Ok(outcome)
    }

    /// A walk's line (with its organisation) and incident, opened here for a new call.
    fn walk_draft(
        &mut self,
        org: Option<OrgId>,
        line: &LineRef,
        incident: &IncidentRef,
        now: Timestamp,
    ) -> AppResult<(Draft, OrgId, Line)> {
        let line_id = match line {
            LineRef::Id(id) => Some(*id),
            LineRef::Number(number) => self
                .lines
                .values()
                .find(|l| &l.line.phone_number == number)
                .map(|l| l.line.id),
            LineRef::OfIncident => match incident {
                IncidentRef::Existing(id) => self.find(org, *id)?.incident.line_id.into(),
                _ => None,
            },
            LineRef::OnlyLadder => {
                let mut ladders = self
                    .lines
                    .values()
                    .filter(|l| l.line.kind == LineKind::Ladder);
                match (ladders.next(), ladders.next()) {
                    (Some(only), None) => Some(only.line.id),
                    (None, _) => return Err(AppError::NotFound("ladder line")),
                    (Some(_), Some(_)) => {
                        return Err(AppError::field(
                            "line",
                            "several ladder lines exist; add ?line=<id> to the URL",
                        ));
                    }
                }
            }
        };
        let found = line_id
            .and_then(|id| self.lines.get(&id))
            .filter(|l| org.is_none_or(|o| o == l.org))
            .ok_or(AppError::NotFound("line"))?;
        let (line_org, line) = (found.org, found.line.clone());
        let (caller, call_sid) = match incident {
            IncidentRef::Existing(id) => {
                let state = self.find(Some(line_org), *id)?;
                return Ok((self.draft(state), line_org, line));
            }
            IncidentRef::Call { caller, call_sid } => {
                // The call's latest incident (read, or opened earlier in this batch).
                let latest = self
                    .incidents
                    .values()
                    .rev()
                    .find(|s| s.incident.call_sid.as_deref() == Some(call_sid.as_str()));
                if let Some(state) = latest
                    && state.incident.line_id == line.id
                {
                    return Ok((self.draft(state.clone()), line_org, line));
                }
                (caller.clone(), Some(call_sid.clone()))
            }
            IncidentRef::New { caller, call_sid } => (caller.clone(), call_sid.clone()),
        };
        let hours = line
            .business_hours
            .classify(&escalation::line_tz(&line), now);
        let incident = Incident {
            id: self.next_ids.incident(),
            line_id: line.id,
            caller_phone: caller,
            call_sid,
            status: IncidentStatus::Open.as_str().to_string(),
            hours: hours.as_str().to_string(),
            answered_person_id: None,
            answered_phone: None,
            duration_secs: None,
            voicemail_url: None,
            voicemail_secs: None,
            transcript: None,
            created_at: self.now,
            answered_at: None,
            ended_at: None,
        };
        let state = IncidentState {
            org: line_org,
            incident,
            attempts: Vec::new(),
            new: true,
            changed: true,
        };
        Ok((self.draft(state), line_org, line))
    }

    fn draft(&self, state: IncidentState) -> Draft {
        Draft {
            state,
            now: self.now,
            events: Vec::new(),
            pool_position: None,
        }
    }

    /// The incident `id`, as this batch has it so far. `org` = None for Studio requests, which
    /// are authorised for the whole installation.
    fn find(&self, org: Option<OrgId>, id: i64) -> AppResult<IncidentState> {
        self.incidents
            .get(&id)
            .filter(|s| org.is_none_or(|o| o == s.org))
            .cloned()
            .ok_or(AppError::NotFound("incident"))
    }

    fn round(&self, incident_id: i64) -> i64 {
        self.incidents.get(&incident_id).map_or(0, |s| {
            s.attempts.iter().map(|a| a.attempt.id).max().unwrap_or(0)
        })
    }
    /// Writes the batch: a few statements whatever its size.
    async fn write(&mut self, store: &mut Store<'_, '_>) -> AppResult<()> {
        let new_attempts = self
            .incidents
            .values()
            .flat_map(|s| &s.attempts)
            .filter(|a| a.new)
            .count();
        let mut attempt_ids = self
            .next_ids
            .attempts(store, new_attempts)
            .await?
            .into_iter();
        for state in self.incidents.values_mut() {
            for a in state.attempts.iter_mut().filter(|a| a.new) {
                a.attempt.id = attempt_ids.next().expect("an id for every new attempt");
            }
        }
        let mut new_incidents = Rows::new(&[
            ("id", Int),
            ("org_id", Int),
            ("line_id", Int),
            ("caller_phone", Text),
            ("call_sid", Text),
            ("status", Text),
            ("hours", Text),
            ("answered_person_id", Int),
            ("answered_phone", Text),
            ("duration_secs", Int),
            ("created_at", Int),
            ("answered_at", Int),
            ("ended_at", Int),
            ("updated_at", Int),
        ]);
        let mut changed_incidents = Rows::new(&[
            ("id", Int),
            ("status", Text),
            ("answered_person_id", Int),
            ("answered_phone", Text),
            ("duration_secs", Int),
            ("answered_at", Int),
            ("ended_at", Int),
            ("updated_at", Int),
        ]);
        let mut new_attempts = Rows::new(&[
            ("id", Int),
            ("org_id", Int),
            ("incident_id", Int),
            ("step", Text),
            ("person_id", Int),
            ("person_name", Text),
            ("phone", Text),
            ("result", Text),
            ("call_sid", Text),
            ("started_at", Int),
            ("ended_at", Int),
        ]);
        let mut changed_attempts = Rows::new(&[
            ("id", Int),
            ("result", Text),
            ("call_sid", Text),
            ("ended_at", Int),
        ]);
        for s in self.incidents.values() {
            let i = &s.incident;
            if s.new {
                new_incidents.push(cells![
                    i.id,
                    s.org.0,
                    i.line_id,
                    &i.caller_phone,
                    &i.call_sid,
                    &i.status,
                    &i.hours,
                    i.answered_person_id,
                    &i.answered_phone,
                    i.duration_secs,
                    i.created_at,
                    i.answered_at,
                    i.ended_at,
                    self.now
                ]);
            } else if s.changed {
                changed_incidents.push(cells![
                    i.id,
                    &i.status,
                    i.answered_person_id,
                    &i.answered_phone,
                    i.duration_secs,
                    i.answered_at,
                    i.ended_at,
                    self.now
                ]);
            }
            for a in &s.attempts {
                let at = &a.attempt;
                if a.new {
                    new_attempts.push(cells![
                        at.id,
                        s.org.0,
                        i.id,
                        &at.step,
                        at.person_id,
                        &at.person_name,
                        &at.phone,
                        &at.result,
                        &at.call_sid,
                        at.started_at,
                        at.ended_at
                    ]);
                } else if a.changed {
                    changed_attempts.push(cells![at.id, &at.result, &at.call_sid, at.ended_at]);
                }
            }
        }
        let mut events = Rows::new(&[
            ("org_id", Int),
            ("incident_id", Int),
            ("kind", Text),
            ("detail", Text),
            ("created_at", Int),
        ]);
        for e in &self.events {
            events.push(cells![e.org.0, e.incident_id, e.kind, &e.detail, e.at]);
        }
        let mut pools = Rows::new(&[("id", Int), ("pool_position", Int)]);
        for id in &self.changed_pools {
            pools.push(cells![*id, self.lines[id].line.pool_position]);
        }
        // Parents before children: incidents, then their attempts and events.
        let writes = [
            Write::Insert("incidents", new_incidents),
            Write::Update("incidents", changed_incidents),
            Write::Insert("call_attempts", new_attempts),
            Write::Update("call_attempts", changed_attempts),
            Write::Insert("incident_events", events),
            Write::Update("hotline_lines", pools),
        ];
        for w in writes.iter().filter(|w| !w.rows().rows.is_empty()) {
            store.write(w).await?;
        }
        Ok(())
    }
}

#[derive(FromRow, Deserialize)]
struct IncidentRow {
    org_id: i64,
    #[sqlx(flatten)]
    #[serde(flatten)]
    incident: Incident,
}

#[derive(FromRow, Deserialize)]
struct LineRow {
    org_id: i64,
    roster_version: i64,
    #[sqlx(flatten)]
    #[serde(flatten)]
    line: lines::LineRow,
}

#[derive(FromRow, Deserialize)]
struct AttemptRow {
    incident_id: i64,
    #[sqlx(flatten)]
    #[serde(flatten)]
    attempt: Attempt,
}

/// The largest incident and attempt ids (SQLite).
#[derive(Deserialize)]
struct Largest {
    incidents: i64,
    attempts: i64,
}

/// A value bound to a Postgres read: a number, or text (the JSON lists).
enum Param {
    Int(i64),
    Text(String),
}

/// One value of a row to write: SQLite binds it as NULL, an integer or text; Postgres gets the
/// rows as one JSON array (`null`, a number, a string).
#[derive(Debug, serde::Serialize)]
#[serde(untagged)]
enum Cell<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

impl From<i64> for Cell<'_> {
    fn from(i: i64) -> Self {
        Cell::Int(i)
    }
}

impl From<Option<i64>> for Cell<'_> {
    fn from(i: Option<i64>) -> Self {
        i.map_or(Cell::Null, Cell::Int)
    }
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(t: &'a str) -> Self {
        Cell::Text(t)
    }
}

impl<'a> From<&'a String> for Cell<'a> {
    fn from(t: &'a String) -> Self {
        Cell::Text(t)
    }
}

impl<'a> From<&'a Option<String>> for Cell<'a> {
    fn from(t: &'a Option<String>) -> Self {
        t.as_deref().map_or(Cell::Null, Cell::Text)
    }
}

/// A row of [`Cell`]s, one per column, in order.
macro_rules! cells {
    ($($value:expr),* $(,)?) => {
        vec![$(Cell::from($value)),*]
    };
}
use cells;

impl rusqlite::ToSql for Cell<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Cell::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Cell::Int(i) => ToSqlOutput::from(*i),
            Cell::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
        })
    }
}

/// Where a batch's statements run: the desk's own SQLite transaction, or a Postgres one.
///
/// The reads differ in shape. On SQLite, which runs in this thread, a read is one prepared
/// point lookup per key: each is a plain function call, while a list (`IN (SELECT value FROM
/// json_each(?))`) makes SQLite build a temporary b-tree of its values first. On Postgres,
/// where each statement is a round trip, a read is one statement with the keys as a JSON list
/// (see [`dialect::in_json_list`]), locking the rows it reads.
enum Store<'a, 'c> {
    Sqlite(&'a SqliteTx<'c>),
    Pg(&'a mut sqlx::Transaction<'static, Postgres>),
}

/// The SQLite desk's point reads, in SQLite's own syntax (`?1`), made once.
struct SqliteReads {
    incident_by_id: String,
    latest_incident_of_call: String,
    attempts_of_incident: String,
    line_by_id: String,
    line_by_number: String,
    first_two_ladder_lines: String,
}

static SQLITE_READS: std::sync::LazyLock<SqliteReads> = std::sync::LazyLock::new(|| {
    let incident = format!("SELECT org_id, {INCIDENT_COLUMNS} FROM incidents");
    let line = format!(
        "SELECT l.org_id, {}, o.roster_version FROM hotline_lines l JOIN organisations o ON o.id = l.org_id",
        lines::line_columns("l")
    );
    SqliteReads {
        incident_by_id: format!("{incident} WHERE id = ?1"),
        latest_incident_of_call: format!("{incident} WHERE call_sid = ?1 ORDER BY id DESC LIMIT 1"),
        attempts_of_incident: format!(
            "SELECT {ATTEMPT_COLUMNS} FROM call_attempts WHERE incident_id = ?1 ORDER BY id"
        ),
        line_by_id: format!("{line} WHERE l.id = ?1"),
        line_by_number: format!("{line} WHERE l.phone_number = ?1"),
        first_two_ladder_lines: format!("{line} WHERE l.kind = 'ladder' ORDER BY l.id LIMIT 2"),
    }
});

/// The columns of an [`AttemptRow`].
const ATTEMPT_COLUMNS: &str =
    "incident_id, id, step, person_id, person_name, phone, result, call_sid, started_at, ended_at";

impl Store<'_, '_> {
    /// The incidents `ids` and the latest incident of each of `call_sids`, with their
    /// organisations; on Postgres locked, in id order, so two processes' batches cannot
    /// deadlock (incidents are locked before lines).
    async fn incidents(
        &mut self,
        ids: &BTreeSet<i64>,
        call_sids: &BTreeSet<String>,
    ) -> AppResult<Vec<IncidentRow>> {
        match self {
            Store::Sqlite(tx) => {
                let reads = &*SQLITE_READS;
                let mut rows = tx.fetch_each(&reads.incident_by_id, ids)?;
                rows.extend(tx.fetch_each(&reads.latest_incident_of_call, call_sids)?);
                Ok(rows)
            }
            Store::Pg(tx) => {
                let kind = DbKind::Postgres;
                let sql = format!(
                    "SELECT org_id, {INCIDENT_COLUMNS} FROM incidents WHERE {} OR {} ORDER BY id{}",
                    dialect::in_json_list(kind, "id", 1, Int),
                    // Of each call, its latest incident.
                    dialect::in_subquery(
                        kind,
                        "id",
                        &format!(
                            "SELECT MAX(c.id) FROM incidents c WHERE {} GROUP BY c.call_sid",
                            dialect::in_json_list(kind, "c.call_sid", 2, Text)
                        )
                    ),
                    dialect::for_update(kind)
                );
                pg_fetch(
                    tx,
                    &sql,
                    vec![
                        Param::Text(json_array(ids)),
                        Param::Text(json_array(call_sids)),
                    ],
                )
                .await
            }
        }
    }

    /// The attempts of the incidents `ids`, each incident's in id order.
    async fn attempts(&mut self, ids: &[i64]) -> AppResult<Vec<AttemptRow>> {
        match self {
            Store::Sqlite(tx) => Ok(tx.fetch_each(&SQLITE_READS.attempts_of_incident, ids)?),
            Store::Pg(tx) => {
                let sql = format!(
                    "SELECT {ATTEMPT_COLUMNS} FROM call_attempts WHERE {} ORDER BY id",
                    dialect::in_json_list(DbKind::Postgres, "incident_id", 1, Int)
                );
                pg_fetch(tx, &sql, vec![Param::Text(json_array(ids))]).await
            }
        }
    }

    /// The lines `ids` and those answering `numbers`, with their organisations' roster
    /// versions; with `only_ladder`, also the first two ladder lines of the installation (two
    /// mean "several"). Locked on Postgres.
    async fn lines(
        &mut self,
        ids: &BTreeSet<i64>,
        numbers: &BTreeSet<String>,
        only_ladder: bool,
    ) -> AppResult<Vec<LineRow>> {
        match self {
            Store::Sqlite(tx) => {
                let reads = &*SQLITE_READS;
                let mut rows = tx.fetch_each(&reads.line_by_id, ids)?;
                rows.extend(tx.fetch_each(&reads.line_by_number, numbers)?);
                if only_ladder {
                    rows.extend(tx.fetch::<LineRow>(&reads.first_two_ladder_lines, [])?);
                }
                Ok(rows)
            }
            Store::Pg(tx) => {
                let kind = DbKind::Postgres;
                let sql = format!(
                    "SELECT l.org_id, {}, o.roster_version FROM hotline_lines l JOIN organisations o ON o.id = l.org_id \
                     WHERE {} OR {} \
                     OR ($3 = 1 AND l.id IN (SELECT f.id FROM hotline_lines f WHERE f.kind = 'ladder' ORDER BY f.id LIMIT 2)) \
                     ORDER BY l.id{}",
                    lines::line_columns("l"),
                    dialect::in_json_list(kind, "l.id", 1, Int),
                    dialect::in_json_list(kind, "l.phone_number", 2, Text),
                    dialect::for_update_of(kind, "l"),
                );
                let params = vec![
                    Param::Text(json_array(ids)),
                    Param::Text(json_array(numbers)),
                    Param::Int(i64::from(only_ladder)),
                ];
                pg_fetch(tx, &sql, params).await
            }
        }
    }

    /// Runs one of the batch's writes. SQLite, on the desk's own thread, runs one prepared
    /// statement per row: each costs a call into SQLite, cheaper than packing the rows into
    /// JSON and having SQLite take them apart again. Postgres, where every statement is a
    /// round trip, takes all the rows as one JSON parameter.
    async fn write(&mut self, write: &Write<'_>) -> AppResult<()> {
        match self {
            Store::Sqlite(tx) => {
                let sql = write.row_sql();
                for row in &write.rows().rows {
                    tx.execute(&sql, rusqlite::params_from_iter(row))?;
                }
            }
            Store::Pg(tx) => {
                sqlx::query(sqlx::AssertSqlSafe(write.sql(DbKind::Postgres, 1)))
                    .bind(write.rows().json())
                    .execute(&mut ***tx)
                    .await?;
            }
        }
        Ok(())
    }
}

/// `values` as a JSON array, for [`dialect::in_json_list`].
fn json_array<T: serde::Serialize>(values: impl IntoIterator<Item = T>) -> String {
    let values: Vec<T> = values.into_iter().collect();
    serde_json::to_string(&values).unwrap_or_else(|_| "[]".to_string())
}

/// Fresh ids for a batch's new rows.
enum NextIds {
    /// SQLite: the largest ids when the batch began. The batch holds the write lock, so the
    /// ids after them are its own.
    After { incidents: i64, attempts: i64 },
    /// Postgres: ids from the identity sequences, taken for the batch's new incidents up
    /// front and for its new attempts once they are counted.
    Sequence { incidents: std::vec::IntoIter<i64> },
}

impl NextIds {
    /// Ids for `opening` new incidents (and, on SQLite, for any number of attempts).
    async fn read(store: &mut Store<'_, '_>, opening: usize) -> AppResult<NextIds> {
        match store {
            Store::Sqlite(tx) => {
                let sql = "SELECT (SELECT COALESCE(MAX(id), 0) FROM incidents) AS incidents, \
                           (SELECT COALESCE(MAX(id), 0) FROM call_attempts) AS attempts";
                let Largest {
                    incidents,
                    attempts,
                } = tx
                    .fetch::<Largest>(sql, [])?
                    .into_iter()
                    .next()
                    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no largest ids read")))?;
                Ok(NextIds::After {
                    incidents,
                    attempts,
                })
            }
            Store::Pg(tx) => Ok(NextIds::Sequence {
                incidents: pg_next_ids(tx, "incidents", opening).await?.into_iter(),
            }),
        }
    }

    fn incident(&mut self) -> i64 {
        match self {
            NextIds::After { incidents, .. } => {
                *incidents += 1;
                *incidents
            }
            NextIds::Sequence { incidents } => incidents
                .next()
                .expect("an id was taken for every new incident"),
        }
    }

    async fn attempts(&mut self, store: &mut Store<'_, '_>, n: usize) -> AppResult<Vec<i64>> {
        match (self, store) {
            (NextIds::After { attempts, .. }, _) => {
                let first = *attempts + 1;
                *attempts += n as i64;
                Ok((first..=*attempts).collect())
            }
            (NextIds::Sequence { .. }, Store::Pg(tx)) => pg_next_ids(tx, "call_attempts", n).await,
            (NextIds::Sequence { .. }, Store::Sqlite(_)) => Err(AppError::Internal(
                anyhow::anyhow!("sequence ids asked of SQLite"),
            )),
        }
    }
}

/// `n` ids from `table`'s identity sequence, ascending.
async fn pg_next_ids(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    table: &'static str,
    n: usize,
) -> AppResult<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)"
    );
    let mut ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(n as i64)
        .fetch_all(&mut **tx)
        .await?;
    ids.sort_unstable();
    Ok(ids)
}

/// The rows of `sql` with `params` bound in order, inside the batch's Postgres transaction.
async fn pg_fetch<T>(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    sql: &str,
    params: Vec<Param>,
) -> AppResult<Vec<T>>
where
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let mut query = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql.to_string()));
    for param in params {
        query = match param {
            Param::Int(i) => query.bind(i),
            Param::Text(t) => query.bind(t),
        };
    }
    Ok(query.fetch_all(&mut **tx).await?)
}

/// The rows of one of a batch's writes, a [`Cell`] per column. SQLite binds each row to one
/// prepared statement; Postgres takes them all as one JSON array (`jsonb_array_elements`), so
/// its statement text never changes however many rows there are.
struct Rows<'a> {
    columns: &'static [(&'static str, Column)],
    rows: Vec<Vec<Cell<'a>>>,
}

impl<'a> Rows<'a> {
    fn new(columns: &'static [(&'static str, Column)]) -> Rows<'a> {
        Rows {
            columns,
            rows: Vec::new(),
        }
    }

    /// One row: a value per column, in order.
    fn push(&mut self, row: Vec<Cell<'a>>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// The SQL expression of column `i` of the current row `e`.
    fn value(&self, i: usize) -> String {
        match self.columns[i].1 {
            Int => format!("CAST(e.value ->> {i} AS BIGINT)"),
            Text => format!("e.value ->> {i}"),
        }
    }

    fn json(&self) -> String {
        serde_json::to_string(&self.rows).unwrap_or_else(|_| "[]".to_string())
    }
}

/// One statement of a batch's writes.
enum Write<'a> {
    /// `INSERT INTO table (columns) SELECT ...`, in the rows' order.
    Insert(&'static str, Rows<'a>),
    /// `UPDATE table SET ... WHERE id = <first column>`.
    Update(&'static str, Rows<'a>),
}

impl<'a> Write<'a> {
    fn rows(&self) -> &Rows<'a> {
        match self {
            Write::Insert(_, rows) | Write::Update(_, rows) => rows,
        }
    }

    /// SQLite's statement for one row, its values bound as `?1`..`?n` in column order (an
    /// update's first column is the id).
    fn row_sql(&self) -> String {
        let columns = self.rows().columns;
        match self {
            Write::Insert(table, _) => {
                let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
                let values: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
                format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    names.join(", "),
                    values.join(", ")
                )
            }
            Write::Update(table, _) => {
                let set: Vec<String> = (1..columns.len())
                    .map(|i| format!("{} = ?{}", columns[i].0, i + 1))
                    .collect();
                format!("UPDATE {table} SET {} WHERE id = ?1", set.join(", "))
            }
        }
    }

    fn sql(&self, kind: DbKind, param: usize) -> String {
        let source = dialect::json_rows(kind, param, "e");
        match self {
            Write::Insert(table, rows) => {
                let names: Vec<&str> = rows.columns.iter().map(|(name, _)| *name).collect();
                let values: Vec<String> = (0..rows.columns.len()).map(|i| rows.value(i)).collect();
                format!(
                    "INSERT INTO {table} ({}) SELECT {} FROM {source} ORDER BY e.key",
                    names.join(", "),
                    values.join(", "),
                )
            }
            Write::Update(table, rows) => {
                let set: Vec<String> = (1..rows.columns.len())
                    .map(|i| format!("{} = {}", rows.columns[i].0, rows.value(i)))
                    .collect();
                format!(
                    "UPDATE {table} SET {} FROM {source} WHERE {table}.id = {}",
                    set.join(", "),
                    rows.value(0)
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_array_lists_the_values_in_order() {
        assert_eq!(json_array([3, 1]), "[3,1]");
        assert_eq!(json_array(Vec::<i64>::new()), "[]");
    }

    #[test]
    fn a_row_statement_binds_each_column_in_order_and_updates_by_id() {
        let columns = &[("id", Int), ("kind", Text), ("at", Int)];
        assert_eq!(
            Write::Insert("events", Rows::new(columns)).row_sql(),
            "INSERT INTO events (id, kind, at) VALUES (?1, ?2, ?3)"
        );
        assert_eq!(
            Write::Update("events", Rows::new(columns)).row_sql(),
            "UPDATE events SET kind = ?2, at = ?3 WHERE id = ?1"
        );
    }

    #[test]
    fn a_rows_column_is_read_by_position_and_cast_when_numeric() {
        let rows = Rows::new(&[("id", Int), ("kind", Text)]);
        assert_eq!(rows.value(0), "CAST(e.value ->> 0 AS BIGINT)");
        assert_eq!(rows.value(1), "e.value ->> 1");
    }
}
