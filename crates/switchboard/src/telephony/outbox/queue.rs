//! The outbox's queues as the organisation sees them: per sender (texts) and per account
//! (calls), how many rows wait, at what rate they leave and when the last would go if
//! dispatch went on from now (`eta::drain`); totals by status; the rows themselves, newest
//! first. `estimate` is what a job asks before a launch: when would `extra` more sends from
//! this sender finish?

use jiff::Timestamp;

use super::dispatch::DispatchSettings;
use super::eta::{Backlog, Drain, drain};
use super::model::{OutboxKind, OutboxStatus};
use super::store::OutboxRow;
use crate::clock::from_ms;
use crate::db::Db;
use crate::ids::OrgId;
use crate::services::Services;
use crate::telephony::account::account_for;
use crate::telephony::pacing::{Pace, Rate};
use crate::with_db;

/// Rows still to go: pending, or claimed by a worker that has not finished them.
const LIVE: &str = "(status = 'pending' OR status = 'claimed')";

/// Which queue: the texts of one sender number, or the organisation's calls (one pace per
/// account).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane<'a> {
    Texts { sender: &'a str },
    Calls,
}

/// A queue's estimate.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub kind: OutboxKind,
    /// The sender number (texts) or the account SID (calls).
    pub sender: String,
    /// Rows still to go, with the `extra` asked about.
    pub queued: u64,
    /// Of those, rows due later (waiting for a window or their earliest time).
    pub later: u64,
    pub rate: Rate,
    /// The pace's next free slot (now, when it is idle).
    pub next_free_slot: Timestamp,
    /// When the queue would drain; `None` when it is empty.
    pub drain: Option<Drain>,
}

/// When the queue of `lane` would drain if `extra` more sends were added now: the figure a
/// job shows as "capacity and ETA" before a launch (`extra` = 0: the queue as it is).
pub async fn estimate(
    services: &Services,
    org: OrgId,
    lane: Lane<'_>,
    extra: u64,
    now: Timestamp,
) -> anyhow::Result<Estimate> {
    let settings = DispatchSettings::from_config(&services.config.outbound);
    let account = account_for(services, org).await?.sid;
    let (kind, sender) = match lane {
        Lane::Texts { sender } => (OutboxKind::Text, sender),
        Lane::Calls => (OutboxKind::Call, account.as_str()),
    };
    let (key, rate) = settings.pace(kind, sender, &account);
    let db = &services.db;
    let backlog = backlog(db, org, lane, now).await?.with_extra(now, extra);
    let pace = Pace {
        next_at: pace_next_at(db, &key).await?.map_or(now, from_ms),
    };
    let later = backlog
        .waiting
        .iter()
        .filter(|(due, _)| *due > now)
        .map(|(_, n)| n)
        .sum();
    let held = held_count(db, org, lane).await?;
    Ok(Estimate {
        kind,
        sender: sender.to_string(),
        queued: backlog.len() + held,
        later,
        rate,
        next_free_slot: pace.next_at.max(now),
        drain: drain(pace, rate, &backlog, now),
    })
}

/// The lane's SQL condition and its one parameter ($2).
fn lane_filter(lane: Lane<'_>) -> (&'static str, &str) {
    match lane {
        Lane::Texts { sender } => ("kind = 'text' AND sender = $2", sender),
        Lane::Calls => ("kind = 'call' AND '' = $2", ""),
    }
}

/// The lane's rows still to go, grouped by the minute they are due (`eta` says why).
async fn backlog(db: &Db, org: OrgId, lane: Lane<'_>, now: Timestamp) -> sqlx::Result<Backlog> {
    let (filter, param) = lane_filter(lane);
    let held = sqlx::AssertSqlSafe(format!(
        "SELECT MAX(send_at) FROM outbox WHERE org_id = $1 AND {filter} AND {LIVE} \
         AND send_at IS NOT NULL"
    ));
    let held_until: Option<i64> =
        with_db!(db, p => sqlx::query_scalar(held).bind(org).bind(param).fetch_one(p).await)?;
    let groups = sqlx::AssertSqlSafe(format!(
        "SELECT MIN(due_at), COUNT(*) FROM outbox WHERE org_id = $1 AND {filter} AND {LIVE} \
         AND send_at IS NULL GROUP BY due_at / 60000 ORDER BY MIN(due_at)"
    ));
    let rows: Vec<(i64, i64)> =
        with_db!(db, p => sqlx::query_as(groups).bind(org).bind(param).fetch_all(p).await)?;
    let now_ms = now.as_millisecond();
    Ok(Backlog {
        held_until: held_until.map(from_ms),
        waiting: rows
            .into_iter()
            .map(|(due, n)| (from_ms(due.max(now_ms)), n.max(0) as u64))
            .collect(),
    })
}

async fn held_count(db: &Db, org: OrgId, lane: Lane<'_>) -> sqlx::Result<u64> {
    let (filter, param) = lane_filter(lane);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM outbox WHERE org_id = $1 AND {filter} AND {LIVE} AND send_at IS NOT NULL"
    ));
    let n: i64 =
        with_db!(db, p => sqlx::query_scalar(sql).bind(org).bind(param).fetch_one(p).await)?;
    Ok(n.max(0) as u64)
}

/// The pace's next free slot (ms), if it was ever used.
async fn pace_next_at(db: &Db, key: &str) -> sqlx::Result<Option<i64>> {
    let sql = "SELECT next_at FROM paces WHERE key = $1";
    with_db!(db, p => sqlx::query_scalar(sql).bind(key).fetch_optional(p).await)
}

/// The organisation's queues with rows still to go: each sender number with texts, and its
/// calls when it has any.
pub async fn lanes(db: &Db, org: OrgId) -> sqlx::Result<Vec<(OutboxKind, String)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT kind, CASE WHEN kind = 'text' THEN sender ELSE '' END FROM outbox \
         WHERE org_id = $1 AND {LIVE} ORDER BY 1 DESC, 2"
    ));
    with_db!(db, p => sqlx::query_as(sql).bind(org).fetch_all(p).await)
}

/// How many of the organisation's rows are in each status.
pub async fn totals(db: &Db, org: OrgId) -> sqlx::Result<Vec<(OutboxStatus, i64)>> {
    let sql =
        "SELECT status, COUNT(*) FROM outbox WHERE org_id = $1 GROUP BY status ORDER BY status";
    with_db!(db, p => sqlx::query_as(sql).bind(org).fetch_all(p).await)
}

/// Which rows to list.
#[derive(Clone, Copy, Debug, Default)]
pub struct ItemFilter<'a> {
    pub status: Option<OutboxStatus>,
    pub owner_kind: Option<&'a str>,
    /// Rows older than this id (the previous page's last).
    pub before: Option<i64>,
    pub limit: i64,
}

/// The organisation's rows, newest first.
pub async fn items(db: &Db, org: OrgId, f: &ItemFilter<'_>) -> sqlx::Result<Vec<OutboxRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM outbox WHERE org_id = $1 AND ($2 IS NULL OR status = $2) \
         AND ($3 IS NULL OR owner_kind = $3) AND ($4 IS NULL OR id < $4) ORDER BY id DESC LIMIT $5",
        super::store::COLUMNS
    ));
    with_db!(db, p => sqlx::query_as(sql).bind(org).bind(f.status).bind(f.owner_kind)
        .bind(f.before).bind(f.limit).fetch_all(p).await)
}
