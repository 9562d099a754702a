//! The ledger of every call leg and text crossing Twilio, fed by status callbacks.
//!
//! Twilio retries callbacks and delivers them out of order. Two rules keep the ledger right:
//! a callback already seen (same sid, same parameters) is stored once and changes nothing; and
//! a status only replaces one that is earlier in the lifecycle ([`supersedes`]), so a late
//! `ringing` never overwrites `completed`.

use sha2::{Digest, Sha256};
use twilio::resources::{CallResource, CallStatus, MessageResource, MessageStatus};
use twilio::webhook::{CallStatusCallback, MessageStatusCallback};

use super::outbound::Owner;
use crate::accounts::OrgId;
use crate::db::Db;
use crate::{with_db, with_tx, with_write};

/// True when a status of rank `incoming` should replace one of rank `current`.
pub fn supersedes(current: u8, incoming: u8) -> bool {
    incoming > current
}

/// Parses a Twilio price ("-0.01300") into micro-units (-13000).
pub fn price_micros(price: Option<&str>) -> Option<i64> {
    let p = price?.trim();
    let (negative, digits) = match p.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, p),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac6: String = frac.chars().chain(std::iter::repeat('0')).take(6).collect();
    let frac: i64 = frac6.parse().ok()?;
    let value = whole.checked_mul(1_000_000)?.checked_add(frac)?;
    Some(if negative { -value } else { value })
}

/// A digest of a callback's parameters: the same callback delivered twice has the same one.
pub fn digest(sid: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut h = Sha256::new();
    h.update(sid.as_bytes());
    for (k, v) in sorted {
        h.update([0]);
        h.update(k.as_bytes());
        h.update([1]);
        h.update(v.as_bytes());
    }
    hex::encode(h.finalize())
}

pub async fn record_call(
    db: &Db,
    org: OrgId,
    owner: Option<Owner>,
    call: &CallResource,
    now: i64,
) -> anyhow::Result<()> {
    let sql = "INSERT INTO calls (org_id, sid, parent_sid, direction, from_number, to_number, status, status_rank, \
               price_micros, price_unit, owner_kind, owner_id, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
               ON CONFLICT (sid) DO UPDATE SET owner_kind = COALESCE(calls.owner_kind, excluded.owner_kind), \
               owner_id = COALESCE(calls.owner_id, excluded.owner_id), direction = excluded.direction, \
               price_micros = COALESCE(excluded.price_micros, calls.price_micros), \
               price_unit = COALESCE(excluded.price_unit, calls.price_unit)";
    // A callback can arrive before the create request returns and add the row first: the
    // upsert then only fills in what the callback could not know (owner, direction, price).
    with_write!(db, p => sqlx::query(sql)
        .bind(org).bind(&call.sid).bind(&call.parent_call_sid).bind(call.direction.as_str())
        .bind(&call.from).bind(&call.to).bind(call.status.as_str()).bind(i64::from(call.status.progress_rank()))
        .bind(price_micros(call.price.as_deref())).bind(&call.price_unit)
        .bind(owner.map(|o| o.kind)).bind(owner.map(|o| o.id)).bind(now)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn record_message(
    db: &Db,
    org: OrgId,
    owner: Option<Owner>,
    m: &MessageResource,
    now: i64,
) -> anyhow::Result<()> {
    let segments: i64 = m.num_segments.parse().ok().unwrap_or(1);
    let sql = "INSERT INTO messages (org_id, sid, direction, from_number, to_number, body, status, status_rank, segments, \
               price_micros, price_unit, error_code, error_message, owner_kind, owner_id, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) \
               ON CONFLICT (sid) DO UPDATE SET body = excluded.body, segments = excluded.segments, \
               direction = excluded.direction, owner_kind = COALESCE(messages.owner_kind, excluded.owner_kind), \
               owner_id = COALESCE(messages.owner_id, excluded.owner_id), \
               price_micros = COALESCE(excluded.price_micros, messages.price_micros), \
               price_unit = COALESCE(excluded.price_unit, messages.price_unit)";
    with_write!(db, p => sqlx::query(sql)
        .bind(org).bind(&m.sid).bind(m.direction.as_str()).bind(m.from.as_deref().unwrap_or_default()).bind(&m.to)
        .bind(&m.body).bind(m.status.as_str()).bind(i64::from(m.status.progress_rank())).bind(segments)
        .bind(price_micros(m.price.as_deref())).bind(&m.price_unit).bind(m.error_code.map(i64::from)).bind(&m.error_message)
        .bind(owner.map(|o| o.kind)).bind(owner.map(|o| o.id)).bind(now)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// What a callback did to the ledger.
#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    /// The same callback was seen before; nothing changed.
    Duplicate,
    /// Stored, but its status is not newer than the ledger's.
    Stale,
    Updated,
}

/// Stores a call status callback once and advances the call's status if it is newer. A call
/// the ledger has not seen (an inbound leg, a dialled child leg) is added.
pub async fn apply_call_callback(
    db: &Db,
    org: OrgId,
    cb: &CallStatusCallback,
    raw: &[(String, String)],
    now: i64,
) -> anyhow::Result<Applied> {
    let mut tx = db.write().await?;
    if !store_event(
        &mut tx,
        org,
        &cb.call_sid,
        cb.call_status.as_str(),
        raw,
        now,
    )
    .await?
    {
        return Ok(Applied::Duplicate);
    }
    let rank = i64::from(cb.call_status.progress_rank());
    let direction = cb.direction.map_or("inbound", |d| d.as_str());
    let insert = "INSERT INTO calls (org_id, sid, parent_sid, direction, from_number, to_number, status, status_rank, created_at, updated_at) \
                  VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $7) ON CONFLICT (sid) DO NOTHING";
    with_tx!(&mut tx, c => sqlx::query(insert).bind(org).bind(&cb.call_sid).bind(&cb.parent_call_sid).bind(direction)
        .bind(&cb.from).bind(&cb.to).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    let is_final = cb.call_status.is_final();
    let started = (cb.call_status == CallStatus::InProgress).then_some(now);
    let ended = is_final.then_some(now);
    // `status_rank < $3` is `supersedes` in SQL: the update and the check are one statement, so
    // two callbacks racing cannot both win.
    let update = "UPDATE calls SET status = $2, status_rank = $3, answered_by = COALESCE($4, answered_by), \
                  duration_secs = COALESCE($5, duration_secs), started_at = COALESCE(started_at, $6), \
                  ended_at = COALESCE($7, ended_at), recording_url = COALESCE($8, recording_url), updated_at = $9 \
                  WHERE sid = $1 AND org_id = $10 AND status_rank < $3";
    let changed = with_tx!(&mut tx, c => sqlx::query(update)
        .bind(&cb.call_sid).bind(cb.call_status.as_str()).bind(rank).bind(cb.answered_by.map(|a| a.as_str()))
        .bind(cb.call_duration.map(i64::from)).bind(started).bind(ended).bind(&cb.recording_url).bind(now).bind(org)
        .execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(if changed > 0 {
        Applied::Updated
    } else {
        Applied::Stale
    })
}

/// Stores a message status callback once and advances the message's status if it is newer.
pub async fn apply_message_callback(
    db: &Db,
    org: OrgId,
    cb: &MessageStatusCallback,
    raw: &[(String, String)],
    now: i64,
) -> anyhow::Result<Applied> {
    let mut tx = db.write().await?;
    if !store_event(
        &mut tx,
        org,
        &cb.message_sid,
        cb.message_status.as_str(),
        raw,
        now,
    )
    .await?
    {
        return Ok(Applied::Duplicate);
    }
    let rank = i64::from(cb.message_status.progress_rank());
    let insert = "INSERT INTO messages (org_id, sid, direction, from_number, to_number, body, status, status_rank, created_at, updated_at) \
                  VALUES ($1, $2, 'outbound-api', $3, $4, '', 'accepted', 0, $5, $5) ON CONFLICT (sid) DO NOTHING";
    with_tx!(&mut tx, c => sqlx::query(insert).bind(org).bind(&cb.message_sid)
        .bind(cb.from.as_deref().unwrap_or_default()).bind(cb.to.as_deref().unwrap_or_default()).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    let sent = matches!(cb.message_status, MessageStatus::Sent).then_some(now);
    let delivered = matches!(cb.message_status, MessageStatus::Delivered).then_some(now);
    let update = "UPDATE messages SET status = $2, status_rank = $3, error_code = COALESCE($4, error_code), \
                  sent_at = COALESCE(sent_at, $5), delivered_at = COALESCE(delivered_at, $6), updated_at = $7 \
                  WHERE sid = $1 AND org_id = $8 AND status_rank < $3";
    let changed = with_tx!(&mut tx, c => sqlx::query(update)
        .bind(&cb.message_sid).bind(cb.message_status.as_str()).bind(rank).bind(cb.error_code.map(i64::from))
        .bind(sent).bind(delivered).bind(now).bind(org)
        .execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(if changed > 0 {
        Applied::Updated
    } else {
        Applied::Stale
    })
}

/// Stores the raw callback; false if this exact callback was stored before.
async fn store_event(
    tx: &mut crate::db::Tx,
    org: OrgId,
    sid: &str,
    status: &str,
    raw: &[(String, String)],
    now: i64,
) -> anyhow::Result<bool> {
    let params = serde_json::to_string(raw)?;
    let sql = "INSERT INTO telephony_events (org_id, resource_sid, status, digest, params, received_at) \
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (digest) DO NOTHING";
    let inserted = with_tx!(tx, c => sqlx::query(sql).bind(org).bind(sid).bind(status).bind(digest(sid, raw))
        .bind(params).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(inserted == 1)
}

/// One call as the ledger holds it.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct CallRow {
    pub sid: String,
    pub parent_sid: Option<String>,
    pub direction: String,
    pub from_number: String,
    pub to_number: String,
    pub status: String,
    pub answered_by: Option<String>,
    pub duration_secs: Option<i64>,
    pub price_micros: Option<i64>,
    pub owner_kind: Option<String>,
    pub owner_id: Option<i64>,
}

pub async fn find_call(db: &Db, org: OrgId, sid: &str) -> anyhow::Result<Option<CallRow>> {
    let sql = "SELECT sid, parent_sid, direction, from_number, to_number, status, answered_by, duration_secs, price_micros, \
               owner_kind, owner_id FROM calls WHERE org_id = $1 AND sid = $2";
    Ok(
        with_db!(db, p => sqlx::query_as::<_, CallRow>(sql).bind(org).bind(sid).fetch_optional(p).await)?,
    )
}

/// The ledger's status of message `sid`.
pub async fn message_status(db: &Db, org: OrgId, sid: &str) -> anyhow::Result<Option<String>> {
    let sql = "SELECT status FROM messages WHERE org_id = $1 AND sid = $2";
    Ok(with_db!(db, p => sqlx::query_scalar(sql).bind(org).bind(sid).fetch_optional(p).await)?)
}

/// How many callbacks the ledger stored for `sid`.
pub async fn count_events(db: &Db, sid: &str) -> anyhow::Result<i64> {
    let sql = "SELECT COUNT(*) FROM telephony_events WHERE resource_sid = $1";
    Ok(with_db!(db, p => sqlx::query_scalar(sql).bind(sid).fetch_one(p).await)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_ringing_never_overwrites_completed_and_a_repeat_changes_nothing() {
        let completed = CallStatus::Completed.progress_rank();
        let ringing = CallStatus::Ringing.progress_rank();
        assert!(!supersedes(completed, ringing));
        assert!(!supersedes(completed, completed));
        assert!(supersedes(ringing, completed));
        assert!(
            !supersedes(completed, CallStatus::Busy.progress_rank()),
            "the first final status stands"
        );
        assert!(supersedes(
            MessageStatus::Delivered.progress_rank(),
            MessageStatus::Read.progress_rank()
        ));
    }

    #[test]
    fn prices_are_read_into_micro_units() {
        for (text, micros) in [
            ("-0.01300", -13_000),
            ("-0.0079", -7_900),
            ("0", 0),
            ("1.5", 1_500_000),
            ("-.25", -250_000),
        ] {
            assert_eq!(price_micros(Some(text)), Some(micros), "{text}");
        }
        assert_eq!(price_micros(Some("free")), None);
        assert_eq!(price_micros(None), None);
    }

    #[test]
    fn the_digest_ignores_parameter_order_but_not_values() {
        let a = vec![
            ("CallStatus".to_string(), "ringing".to_string()),
            ("SequenceNumber".to_string(), "1".to_string()),
        ];
        let b: Vec<_> = a.iter().rev().cloned().collect();
        assert_eq!(digest("CA1", &a), digest("CA1", &b));
        let c = vec![
            ("CallStatus".to_string(), "completed".to_string()),
            ("SequenceNumber".to_string(), "1".to_string()),
        ];
        assert_ne!(digest("CA1", &a), digest("CA1", &c));
    }
}
