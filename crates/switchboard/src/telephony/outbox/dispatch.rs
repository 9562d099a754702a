//! The outbox's workers. A pass claims the rows that are due, and for each: decides with the
//! checks of that moment (`model::decide`: expired, opted out, the recipient's quiet hours),
//! takes its slot of the pace (one per sender number for texts, one per account for calls),
//! and, when the slot is now, sends it and records the provider's SID. A row whose slot is
//! later goes back with the slot it holds, so it never takes a second one.
//!
//! Each organisation's rows keep its own quiet hours (Settings; else the installation's) and
//! go through its own Twilio account when it has one (`telephony::account`), which is also
//! the account whose call pace they take. A row claimed but never finished is settled by
//! `reconcile` (its own file).

use std::collections::HashMap;

use jiff::Timestamp;
use twilio::client::{CreateCall, CreateMessage};

use super::model::{Decision, OutboxKind, SkipReason, Timing, decide};
use super::store::{self, Finish, OutboxRow};
use crate::contacts::model::consent::Channel;
use crate::contacts::model::quiet_hours::QuietHours;
use crate::contacts::model::zones::recipient_zone;
use crate::contacts::store::consent;
use crate::ids::OrgId;
use crate::services::Services;
use crate::telephony::account::{Account, account_for};
use crate::telephony::pacing::{NumberKind, Rate, number_kind};
use crate::telephony::{Owner, place_call_on, send_text_on};
use crate::zone::Zone;

pub use super::reconcile::reconcile;

/// How many rows one pass claims.
pub const PASS_LIMIT: i64 = 50;
/// Twilio's error for a send to a number that opted out with the carrier.
const UNSUBSCRIBED: u32 = 21610;

/// The rates and the window the dispatcher keeps.
#[derive(Clone, Debug)]
pub struct DispatchSettings {
    pub calls: Rate,
    pub long_code_texts: Rate,
    pub toll_free_texts: Rate,
    pub short_code_texts: Rate,
    /// The installation's quiet hours, kept by organisations that set none of their own.
    pub quiet_hours: QuietHours,
    /// How long a claim holds a row before another worker reconciles it.
    pub lease_ms: i64,
}

impl Default for DispatchSettings {
    /// The configuration's defaults: Twilio's rates, 08:00-21:00, a 60 s lease.
    fn default() -> DispatchSettings {
        DispatchSettings::from_config(&crate::config::OutboundSettings::default())
    }
}

impl DispatchSettings {
    /// The rates and window configured (`SWITCHBOARD_*_PER_SECOND`, `SWITCHBOARD_QUIET_HOURS`).
    pub fn from_config(settings: &crate::config::OutboundSettings) -> DispatchSettings {
        // The configuration checks the bounds `Rate` and `QuietHours` need; a value outside
        // them (a hand-built settings value) becomes one a second, or 08:00-21:00, rather than
        // stopping the dispatcher.
        let rate = |r: f64| Rate::per_second(r).unwrap_or(Rate::ONE_A_SECOND);
        let (opens, closes) = settings.quiet_hours;
        DispatchSettings {
            calls: rate(settings.calls_per_second),
            long_code_texts: rate(settings.long_code_texts_per_second),
            toll_free_texts: rate(settings.toll_free_texts_per_second),
            short_code_texts: rate(settings.short_code_texts_per_second),
            quiet_hours: QuietHours::new(opens, closes).unwrap_or_default(),
            lease_ms: (settings.lease_secs * 1000.0) as i64,
        }
    }

    /// The pace a row is sent at: its key and its rate.
    pub fn pace_of(&self, row: &OutboxRow, account_sid: &str) -> (String, Rate) {
        self.pace(row.kind, &row.sender, account_sid)
    }

    /// The pace of a kind of send from `sender` on account `account_sid`: calls share the
    /// account's, texts have one per sender number.
    pub fn pace(&self, kind: OutboxKind, sender: &str, account_sid: &str) -> (String, Rate) {
        match kind {
            OutboxKind::Call => (format!("calls:{account_sid}"), self.calls),
            OutboxKind::Text => (format!("texts:{sender}"), self.text_rate(sender)),
        }
    }

    /// The rate texts leave `sender` at, by its kind of number.
    pub fn text_rate(&self, sender: &str) -> Rate {
        match number_kind(sender) {
            NumberKind::LongCode => self.long_code_texts,
            NumberKind::TollFree => self.toll_free_texts,
            NumberKind::ShortCode => self.short_code_texts,
        }
    }
}

/// What a pass needs of each organisation whose rows it handles: its quiet hours and its
/// Twilio account, read once per pass.
pub struct OrgContext {
    pub quiet_hours: QuietHours,
    pub account: Account,
}

impl OrgContext {
    pub async fn load(
        services: &Services,
        settings: &DispatchSettings,
        org: OrgId,
    ) -> anyhow::Result<OrgContext> {
        let (_, outbound) = crate::accounts::outbound::store::load(&services.db, org).await?;
        Ok(OrgContext {
            quiet_hours: outbound.quiet_hours_or(settings.quiet_hours),
            account: account_for(services, org).await?,
        })
    }
}

/// The organisations' contexts met so far in a pass.
#[derive(Default)]
pub struct Contexts(HashMap<OrgId, OrgContext>);

impl Contexts {
    pub async fn of(
        &mut self,
        services: &Services,
        settings: &DispatchSettings,
        org: OrgId,
    ) -> anyhow::Result<&OrgContext> {
        use std::collections::hash_map::Entry;
        Ok(match self.0.entry(org) {
            Entry::Occupied(found) => found.into_mut(),
            Entry::Vacant(slot) => slot.insert(OrgContext::load(services, settings, org).await?),
        })
    }
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Given back to wait for their window or their slot.
    pub waiting: usize,
    /// Left claimed: the provider's answer was lost; reconciled when the lease lapses.
    pub unknown: usize,
    /// Not sent: the lease lapsed before the row's turn came; whoever took it over settles it.
    pub lapsed: usize,
}

/// One pass over the due rows at the clock's now.
pub async fn dispatch_due(
    services: &Services,
    settings: &DispatchSettings,
    worker: &str,
) -> anyhow::Result<Pass> {
    let now = services.clock.now();
    let rows = store::claim_due(
        &services.db,
        worker,
        now.as_millisecond(),
        settings.lease_ms,
        PASS_LIMIT,
    )
    .await?;
    let mut pass = Pass::default();
    let mut contexts = Contexts::default();
    for row in rows {
        let ctx = contexts.of(services, settings, row.org_id).await?;
        handle(services, settings, ctx, worker, &row, now, &mut pass).await?;
    }
    Ok(pass)
}

/// Claims row `id` of `org` and handles it now, if it is pending and due: what an API request
/// does so that its text goes at once when its pace allows.
pub async fn dispatch_one(
    services: &Services,
    settings: &DispatchSettings,
    worker: &str,
    org: OrgId,
    id: crate::ids::OutboxId,
) -> anyhow::Result<Pass> {
    let now = services.clock.now();
    let mut pass = Pass::default();
    if let Some(row) = store::claim_one(
        &services.db,
        org,
        id,
        worker,
        now.as_millisecond(),
        settings.lease_ms,
    )
    .await?
    {
        let ctx = OrgContext::load(services, settings, org).await?;
        handle(services, settings, &ctx, worker, &row, now, &mut pass).await?;
    }
    Ok(pass)
}

async fn handle(
    services: &Services,
    settings: &DispatchSettings,
    ctx: &OrgContext,
    worker: &str,
    row: &OutboxRow,
    now: Timestamp,
    pass: &mut Pass,
) -> anyhow::Result<()> {
    let (db, now_ms) = (&services.db, now.as_millisecond());
    let channel = match row.kind {
        OutboxKind::Text => Channel::Sms,
        OutboxKind::Call => Channel::Voice,
    };
    let opted_out = consent::opted_out(db, row.org_id, &row.recipient, channel).await?;
    let zone = zone_of(row);
    let timing = Timing {
        earliest: ms(row.earliest_at),
        latest: row.latest_at.map(ms),
        waits_for_window: row.waits_for_window,
    };
    let validity = match decide(row.kind, &timing, opted_out, &ctx.quiet_hours, &zone, now) {
        Decision::Skip(reason) => {
            store::finish(db, row.id, worker, &Finish::Skipped(reason), now_ms).await?;
            pass.skipped += 1;
            return Ok(());
        }
        Decision::WaitUntil(at) => {
            store::release(db, row.id, worker, at.as_millisecond(), None, now_ms).await?;
            pass.waiting += 1;
            return Ok(());
        }
        Decision::Send { validity_secs } => validity_secs,
    };
    if row.send_at.is_none() {
        let (key, rate) = settings.pace_of(row, &ctx.account.sid);
        let interval = rate.interval.as_millis() as i64;
        let slot = store::take_slot(db, &key, interval.max(1), now_ms).await?;
        if slot > now_ms {
            store::release(db, row.id, worker, slot, Some(slot), now_ms).await?;
            pass.waiting += 1;
            return Ok(());
        }
    }
    // A batch is handled one row after another, and a slow machine can spend the lease before
    // reaching this row: renew it now, or leave the row to whoever takes the lapsed claim over.
    let sending_at = services.clock.now_ms();
    if !store::hold(
        db,
        row.id,
        worker,
        sending_at,
        sending_at + settings.lease_ms,
    )
    .await?
    {
        tracing::warn!(outbox.id = %row.id, "the claim lapsed before sending; left to reconciliation");
        pass.lapsed += 1;
        return Ok(());
    }
    let owner = Owner {
        kind: "outbox",
        id: row.id.get(),
    };
    let sent = match row.kind {
        OutboxKind::Text => {
            let message = CreateMessage {
                to: row.recipient.clone(),
                from: Some(row.sender.clone()),
                body: row.body.clone(),
                validity_period: validity.and_then(|v| u32::try_from(v).ok()),
                ..CreateMessage::default()
            };
            send_text_on(
                services,
                &ctx.account.client,
                row.org_id,
                Some(owner),
                message,
            )
            .await
            .map(|m| m.sid)
        }
        OutboxKind::Call => {
            let call = CreateCall {
                to: row.recipient.clone(),
                from: row.sender.clone(),
                url: row.call_url.clone(),
                ..CreateCall::default()
            };
            place_call_on(services, &ctx.account.client, row.org_id, Some(owner), call)
                .await
                .map(|c| c.sid)
        }
    };
    let how = match &sent {
        Ok(sid) => Finish::Sent { sid },
        Err(twilio::client::Error::Api { code, .. }) if *code == UNSUBSCRIBED => {
            let event = consent::ConsentEvent {
                phone: row.recipient.clone(),
                channel,
                opted_in: false,
                source: crate::contacts::model::consent::ConsentSource::Carrier,
                note: Some(format!(
                    "Twilio error {UNSUBSCRIBED}: the number opted out with the carrier"
                )),
                created_at: now_ms,
            };
            consent::record(db, row.org_id, &event).await?;
            Finish::Skipped(SkipReason::OptedOut)
        }
        Err(twilio::client::Error::Api { code, message, .. }) => Finish::Failed {
            code: Some(i64::from(*code)),
            message,
        },
        Err(err) => {
            // No answer: the provider may have it. The lease lapses and `reconcile` asks.
            tracing::warn!(outbox.id = %row.id, error = %err, "no answer from the provider; the row is reconciled later");
            pass.unknown += 1;
            return Ok(());
        }
    };
    match how {
        Finish::Sent { .. } => pass.sent += 1,
        Finish::Failed { .. } => pass.failed += 1,
        Finish::Skipped(_) => pass.skipped += 1,
    }
    store::finish(db, row.id, worker, &how, now_ms).await?;
    Ok(())
}

pub(super) fn zone_of(row: &OutboxRow) -> Zone {
    let own = row
        .recipient_zone
        .as_deref()
        .and_then(|z| Zone::parse(z).ok());
    let fallback = Zone::parse(&row.fallback_zone).unwrap_or_else(|_| Zone::utc());
    recipient_zone(own.as_ref(), &row.recipient, &fallback)
}

fn ms(at: i64) -> Timestamp {
    crate::clock::from_ms(at)
}
