//! The incident desk: every change to an incident's walk (open it, pick the next target,
//! answered, attempt failed, completed) goes through one task per process, which applies
//! whatever has queued up as one transaction: group commit.
//!
//! A batch reads what its commands touch once, inside its transaction (the incidents, their
//! attempts, the lines' pool positions, locked on Postgres), applies the commands in arrival
//! order to that state in memory (the rules are in [`escalation`](super::escalation)), and
//! writes the result with six statements, however many commands the batch holds (one trip to
//! SQLite's connection thread). Each line's roster (people, ladders, pool, on-call periods,
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
use serde_json::{Value, json};
use sqlx::FromRow;
use tokio::sync::{mpsc, oneshot};

use super::escalation::{self, Roster};
use super::model::ladder::{PriorAttempt, Target};
use super::model::{AttemptResult, IncidentStatus, LineKind};
use super::store::incidents::{Attempt, INCIDENT_COLUMNS, Incident};
use super::store::lines::Line;
use crate::accounts::OrgId;
use crate::clock::Clock;
use crate::db::{Db, DbKind, Tx, dialect};
use crate::http::{AppError, AppResult};
use crate::with_tx;

/// The most commands one transaction takes (bounds its statements' parameter counts).
const MAX_BATCH: usize = 128;

/// Which incident a walk is about.
#[derive(Clone, Debug)]
pub enum IncidentRef {
    Existing(i64),
    /// A new call: the incident is opened by the same transaction that picks its first target.
    New {
        caller: String,
        call_sid: Option<String>,
    },
}

/// One change to an incident, as the Studio endpoints and the native voice flow ask for it.
#[derive(Clone, Debug)]
pub enum Command {
    /// Pick the next target (on a simultaneous shift line with `all`, everyone on shift not
    /// yet tried), or mark the incident exhausted.
    Walk {
        org: OrgId,
        line: Line,
        incident: IncidentRef,
        request: Value,
        all: bool,
    },
    Answered {
        org: Option<OrgId>,
        incident: i64,
        phone: String,
        call_sid: Option<String>,
        request: Value,
    },
    AttemptFailed {
        org: Option<OrgId>,
        incident: i64,
        phone: String,
        reason: AttemptResult,
        call_sid: Option<String>,
        request: Value,
    },
    Completed {
        org: Option<OrgId>,
        incident: i64,
        duration: Option<i64>,
        request: Value,
    },
}

/// What a walk decided.
#[derive(Clone, Debug)]
pub struct Walked {
    pub incident_id: i64,
    /// Empty when the incident is exhausted.
    pub targets: Vec<Target>,
    /// The incident's latest attempt id: the round a `<Dial>` action names.
    pub round: i64,
}

#[derive(Clone, Debug)]
pub enum Outcome {
    Walked(Walked),
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
    /// Starts the desk's task on the current runtime. It ends when the last handle is dropped.
    pub fn start(db: Db, clock: Clock) -> Desk {
        let (queue, inbox) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(db, clock, inbox));
        Desk { queue }
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

async fn run(db: Db, clock: Clock, mut inbox: mpsc::Receiver<Envelope>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut rosters = Rosters::new();
    while inbox.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (commands, replies): (Vec<Command>, Vec<_>) =
            batch.drain(..).map(|e| (e.command, e.reply)).unzip();
        let now = clock.now();
        // A panic fails this batch's requests (their replies are dropped), not the desk.
        let results = std::panic::AssertUnwindSafe(settle(&db, now, &commands, &mut rosters))
            .catch_unwind()
            .await;
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
    db: &Db,
    now: Timestamp,
    commands: &[Command],
    rosters: &mut Rosters,
) -> Vec<AppResult<Outcome>> {
    match apply_batch(db, now, commands, rosters).await {
        Ok(results) => results,
        Err(e) if commands.len() > 1 => {
            tracing::warn!(
                commands = commands.len(),
                error = %e,
                "A batch of incident changes failed; retrying each on its own."
            );
            let mut results = Vec::with_capacity(commands.len());
            for command in commands {
                let one = apply_batch(db, now, std::slice::from_ref(command), rosters).await;
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

async fn apply_batch(
    db: &Db,
    now: Timestamp,
    commands: &[Command],
    rosters: &mut Rosters,
) -> AppResult<Vec<AppResult<Outcome>>> {
    let mut tx = db.begin().await?;
    let mut book = Book::load(&mut tx, commands, now.as_millisecond()).await?;
    for command in commands {
        let Command::Walk { org, line, .. } = command else {
            continue;
        };
        let version = book.roster_versions.get(&line.id).copied();
        let fresh = rosters
            .get(&line.id)
            .is_some_and(|c| Some(c.version) == version && c.kind == line.kind);
        if !fresh && let Some(version) = version {
            // Read through the pool: on SQLite the write lock keeps the roster still meanwhile.
            let roster = Roster::load(db, *org, line).await?;
            rosters.insert(
                line.id,
                CachedRoster {
                    version,
                    kind: line.kind,
                    roster,
                },
            );
        }
    }
    let mut results: Vec<AppResult<Outcome>> = commands
        .iter()
        .map(|c| book.apply(c, rosters, now))
        .collect();
    book.write(&mut tx).await?;
    tx.commit().await?;
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
    pub fn event(&mut self, kind: &'static str, detail: &Value) {
        self.events.push(NewEvent {
            org: self.state.org,
            incident_id: self.state.incident.id,
            kind,
            detail: detail.to_string(),
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

/// Everything a batch reads and writes.
struct Book {
    now: i64,
    incidents: BTreeMap<i64, IncidentState>,
    /// Walked lines' rotating pool positions, and which changed.
    pool_positions: BTreeMap<i64, i64>,
    /// Walked lines' organisations' roster versions.
    roster_versions: BTreeMap<i64, i64>,
    changed_pools: BTreeSet<i64>,
    /// Ids for the batch's new incidents, in order.
    new_ids: std::vec::IntoIter<i64>,
    events: Vec<NewEvent>,
}

impl Book {
    async fn load(tx: &mut Tx, commands: &[Command], now: i64) -> AppResult<Book> {
        let kind = tx.kind();
        let mut existing = BTreeSet::new();
        let mut walked_lines = BTreeSet::new();
        let mut opening = 0;
        for command in commands {
            match command {
                Command::Walk { line, incident, .. } => {
                    match incident {
                        IncidentRef::Existing(id) => existing.insert(*id),
                        IncidentRef::New { .. } => {
                            opening += 1;
                            false
                        }
                    };
                    walked_lines.insert(line.id);
                }
                Command::Answered { incident, .. }
                | Command::AttemptFailed { incident, .. }
                | Command::Completed { incident, .. } => {
                    existing.insert(*incident);
                }
            }
        }
        let ids: Vec<i64> = existing.into_iter().collect();
        let mut incidents = BTreeMap::new();
        if !ids.is_empty() {
            // Locked in id order on Postgres, incidents before lines, so two processes'
            // batches cannot deadlock.
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT org_id, {INCIDENT_COLUMNS} FROM incidents WHERE id IN ({}) ORDER BY id{}",
                placeholders(1, ids.len()),
                dialect::for_update(kind)
            ));
            let rows: Vec<IncidentRow> = with_tx!(&mut *tx, c => {
                let mut q = sqlx::query_as::<_, IncidentRow>(sql);
                for id in &ids { q = q.bind(*id); }
                q.fetch_all(c).await
            })?;
            for row in rows {
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
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT incident_id, id, step, person_id, person_name, phone, result, call_sid, started_at, ended_at \
                 FROM call_attempts WHERE incident_id IN ({}) ORDER BY id",
                placeholders(1, ids.len())
            ));
            let rows: Vec<AttemptRow> = with_tx!(&mut *tx, c => {
                let mut q = sqlx::query_as::<_, AttemptRow>(sql);
                for id in &ids { q = q.bind(*id); }
                q.fetch_all(c).await
            })?;
            for row in rows {
                if let Some(state) = incidents.get_mut(&row.incident_id) {
                    state.attempts.push(AttemptState {
                        attempt: row.attempt,
                        new: false,
                        changed: false,
                    });
                }
            }
        }
        let (mut pool_positions, mut roster_versions) = (BTreeMap::new(), BTreeMap::new());
        if !walked_lines.is_empty() {
            let lines: Vec<i64> = walked_lines.into_iter().collect();
            let lock = match kind {
                DbKind::Postgres => " FOR UPDATE OF l",
                DbKind::Sqlite => "",
            };
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT l.id, l.pool_position, o.roster_version FROM hotline_lines l JOIN organisations o ON o.id = l.org_id \
                 WHERE l.id IN ({}) ORDER BY l.id{lock}",
                placeholders(1, lines.len()),
            ));
            let rows: Vec<(i64, i64, i64)> = with_tx!(&mut *tx, c => {
                let mut q = sqlx::query_as::<_, (i64, i64, i64)>(sql);
                for id in &lines { q = q.bind(*id); }
                q.fetch_all(c).await
            })?;
            for (line, position, version) in rows {
                pool_positions.insert(line, position);
                roster_versions.insert(line, version);
            }
        }
        let new_ids = allocate_ids(tx, "incidents", opening).await?;
        Ok(Book {
            now,
            incidents,
            pool_positions,
            roster_versions,
            changed_pools: BTreeSet::new(),
            new_ids: new_ids.into_iter(),
            events: Vec::new(),
        })
    }

    fn apply(
        &mut self,
        command: &Command,
        rosters: &Rosters,
        now: Timestamp,
    ) -> AppResult<Outcome> {
        let mut draft = match command {
            Command::Walk {
                org,
                line,
                incident: IncidentRef::New { caller, call_sid },
                ..
            } => {
                let id = self
                    .new_ids
                    .next()
                    .expect("an id was allocated for every new incident");
                let hours = line
                    .business_hours
                    .classify(&escalation::line_tz(line), now);
                let incident = Incident {
                    id,
                    line_id: line.id,
                    caller_phone: caller.clone(),
                    call_sid: call_sid.clone(),
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
                self.draft(IncidentState {
                    org: *org,
                    incident,
                    attempts: Vec::new(),
                    new: true,
                    changed: true,
                })
            }
            Command::Walk {
                org,
                incident: IncidentRef::Existing(id),
                ..
            } => self.draft(self.find(Some(*org), *id)?),
            Command::Answered { org, incident, .. }
            | Command::AttemptFailed { org, incident, .. }
            | Command::Completed { org, incident, .. } => self.draft(self.find(*org, *incident)?),
        };
        let pending = match command {
            Command::Walk {
                line,
                incident,
                request,
                all,
                ..
            } => {
                let roster = &rosters
                    .get(&line.id)
                    .ok_or(AppError::NotFound("line"))?
                    .roster;
                if let IncidentRef::New { caller, call_sid } = incident {
                    escalation::opened(&mut draft, line, caller, call_sid.as_deref(), request);
                }
                let position = self.pool_positions.get(&line.id).copied().unwrap_or(0);
                let targets =
                    escalation::walk_rules(&mut draft, line, roster, position, request, *all, now)?;
                Outcome::Walked(Walked {
                    incident_id: draft.state.incident.id,
                    targets,
                    round: 0,
                })
            }
            Command::Answered {
                phone,
                call_sid,
                request,
                ..
            } => {
                escalation::answered_rules(&mut draft, phone, call_sid.as_deref(), request);
                Outcome::Recorded
            }
            Command::AttemptFailed {
                phone,
                reason,
                call_sid,
                request,
                ..
            } => {
                escalation::attempt_failed_rules(
                    &mut draft,
                    phone,
                    *reason,
                    call_sid.as_deref(),
                    request,
                );
                Outcome::Recorded
            }
            Command::Completed {
                duration, request, ..
            } => {
                escalation::completed_rules(&mut draft, *duration, request);
                Outcome::Recorded
            }
        };
        // The command succeeded: its changes join the batch.
        if let Some((line, position)) = draft.pool_position {
            self.pool_positions.insert(line, position);
            self.changed_pools.insert(line);
        }
        self.events.append(&mut draft.events);
        self.incidents.insert(draft.state.incident.id, draft.state);
        Ok(pending)
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
    async fn write(&mut self, tx: &mut Tx) -> AppResult<()> {
        let new_attempts = self
            .incidents
            .values()
            .flat_map(|s| &s.attempts)
            .filter(|a| a.new)
            .count();
        let mut attempt_ids = allocate_ids(tx, "call_attempts", new_attempts)
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
                new_incidents.push(json!([
                    i.id,
                    s.org.0,
                    i.line_id,
                    i.caller_phone,
                    i.call_sid,
                    i.status,
                    i.hours,
                    i.answered_person_id,
                    i.answered_phone,
                    i.duration_secs,
                    i.created_at,
                    i.answered_at,
                    i.ended_at,
                    self.now
                ]));
            } else if s.changed {
                changed_incidents.push(json!([
                    i.id,
                    i.status,
                    i.answered_person_id,
                    i.answered_phone,
                    i.duration_secs,
                    i.answered_at,
                    i.ended_at,
                    self.now
                ]));
            }
            for a in &s.attempts {
                let at = &a.attempt;
                if a.new {
                    new_attempts.push(json!([
                        at.id,
                        s.org.0,
                        i.id,
                        at.step,
                        at.person_id,
                        at.person_name,
                        at.phone,
                        at.result,
                        at.call_sid,
                        at.started_at,
                        at.ended_at
                    ]));
                } else if a.changed {
                    changed_attempts.push(json!([at.id, at.result, at.call_sid, at.ended_at]));
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
        for e in self.events.drain(..) {
            events.push(json!([e.org.0, e.incident_id, e.kind, e.detail, e.at]));
        }
        let mut pools = Rows::new(&[("id", Int), ("pool_position", Int)]);
        for line in &self.changed_pools {
            pools.push(json!([line, self.pool_positions[line]]));
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
        write_all(tx, writes).await
    }
}

#[derive(FromRow)]
struct IncidentRow {
    org_id: i64,
    #[sqlx(flatten)]
    incident: Incident,
}

#[derive(FromRow)]
struct AttemptRow {
    incident_id: i64,
    #[sqlx(flatten)]
    attempt: Attempt,
}

/// `$first, $first+1, ...`: `n` numbered placeholders.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `n` fresh ids for `table`'s rows. Inside the batch's transaction: on SQLite it holds the
/// write lock, so the next rowids are ours; on Postgres they come from the identity sequence.
async fn allocate_ids(tx: &mut Tx, table: &'static str, n: usize) -> AppResult<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let count = n as i64;
    Ok(match tx {
        Tx::Sqlite(t, _) => {
            let sql = sqlx::AssertSqlSafe(format!("SELECT COALESCE(MAX(id), 0) FROM {table}"));
            let max: i64 = sqlx::query_scalar(sql).fetch_one(&mut **t).await?;
            (max + 1..=max + count).collect()
        }
        Tx::Pg(t) => {
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)"
            ));
            let mut ids: Vec<i64> = sqlx::query_scalar(sql)
                .bind(count)
                .fetch_all(&mut **t)
                .await?;
            ids.sort_unstable();
            ids
        }
    })
}

/// How a column travels in a [`Rows`] batch.
#[derive(Clone, Copy)]
enum Column {
    Int,
    Text,
}
use Column::{Int, Text};

/// Rows written by one statement whose text never changes, however many rows there are:
/// they travel as one JSON array parameter that the database unpacks (`json_each` on SQLite,
/// `jsonb_array_elements` on Postgres), so the statement stays prepared and binds one value.
struct Rows {
    columns: &'static [(&'static str, Column)],
    rows: Vec<Value>,
}

impl Rows {
    fn new(columns: &'static [(&'static str, Column)]) -> Rows {
        Rows {
            columns,
            rows: Vec::new(),
        }
    }

    /// One row: a JSON array with a value per column, in order.
    fn push(&mut self, row: Value) {
        debug_assert_eq!(row.as_array().map(Vec::len), Some(self.columns.len()));
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

    /// The rows, bound as parameter `$param`, as a table `e` with columns `value` (the row)
    /// and `key` (its position).
    fn source(kind: DbKind, param: usize) -> String {
        match kind {
            DbKind::Sqlite => format!("json_each(${param}) AS e"),
            DbKind::Postgres => format!(
                "jsonb_array_elements(CAST(${param} AS JSONB)) WITH ORDINALITY AS e(value, key)"
            ),
        }
    }
}

/// One statement of a batch's writes.
enum Write {
    /// `INSERT INTO table (columns) SELECT ...`, in the rows' order.
    Insert(&'static str, Rows),
    /// `UPDATE table SET ... WHERE id = <first column>`.
    Update(&'static str, Rows),
}

impl Write {
    fn rows(&self) -> &Rows {
        match self {
            Write::Insert(_, rows) | Write::Update(_, rows) => rows,
        }
    }

    fn sql(&self, kind: DbKind, param: usize) -> String {
        let source = Rows::source(kind, param);
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

/// Runs `writes` in order. SQLite takes them as one multi-statement query (one trip to its
/// connection thread; a statement with no rows does nothing, so the text never changes);
/// Postgres, which binds parameters one statement at a time, as one query each.
async fn write_all<const N: usize>(tx: &mut Tx, writes: [Write; N]) -> AppResult<()> {
    match tx {
        Tx::Sqlite(t, _) => {
            let sql: Vec<String> = writes
                .iter()
                .enumerate()
                .map(|(i, w)| w.sql(DbKind::Sqlite, i + 1))
                .collect();
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.join(";\n")));
            for w in &writes {
                q = q.bind(w.rows().json());
            }
            q.execute(&mut **t).await?;
        }
        Tx::Pg(t) => {
            for w in writes.iter().filter(|w| !w.rows().rows.is_empty()) {
                sqlx::query(sqlx::AssertSqlSafe(w.sql(DbKind::Postgres, 1)))
                    .bind(w.rows().json())
                    .execute(&mut **t)
                    .await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_from_the_first() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
    }

    #[test]
    fn a_rows_column_is_read_by_position_and_cast_when_numeric() {
        let rows = Rows::new(&[("id", Int), ("kind", Text)]);
        assert_eq!(rows.value(0), "CAST(e.value ->> 0 AS BIGINT)");
        assert_eq!(rows.value(1), "e.value ->> 1");
    }
}
