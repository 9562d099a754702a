//! Settling claims whose worker died. A row is claimed before it is sent and finished after
//! the provider answers, so a worker that dies in between leaves a claimed row without a SID.
//! When its lease lapses, `reconcile` asks the provider (on the organisation's own account,
//! when it has one: the account the row was sent on) for a message or call to that recipient
//! from that sender since the claim: if there is one, the row was sent and takes its SID; if
//! not, it goes back to be sent. What remains uncovered is written down in docs/outbox.md.

use twilio::client::{Client, ListCalls, ListMessages};

use super::dispatch::{Contexts, DispatchSettings, PASS_LIMIT};
use super::model::OutboxKind;
use super::store::{self, Finish, OutboxRow};
use crate::services::Services;

/// Takes over the claims whose lease lapsed and settles each with the provider's record:
/// sent (with the SID found) or back to pending. Returns how many it settled.
pub async fn reconcile(
    services: &Services,
    settings: &DispatchSettings,
    worker: &str,
) -> anyhow::Result<usize> {
    let now_ms = services.clock.now_ms();
    let rows = store::take_over_lapsed(&services.db, worker, now_ms, settings.lease_ms, PASS_LIMIT)
        .await?;
    let mut settled = 0;
    let mut contexts = Contexts::default();
    for row in &rows {
        let since = row.claimed_at.unwrap_or(row.created_at);
        let client = &contexts
            .of(services, settings, row.org_id)
            .await?
            .account
            .client;
        let found = provider_record(client, row, since).await?;
        let done = match found {
            Some(sid) => {
                tracing::info!(outbox.id = %row.id, sid, "a lapsed claim had been sent");
                store::finish(
                    &services.db,
                    row.id,
                    worker,
                    &Finish::Sent { sid: &sid },
                    now_ms,
                )
                .await?
            }
            None => {
                store::release(&services.db, row.id, worker, now_ms, row.send_at, now_ms).await?
            }
        };
        settled += usize::from(done);
    }
    Ok(settled)
}

/// The SID of the provider's record of `row`'s send, if it has one: a text to the row's
/// recipient from its sender with its body, or a call between them, dated no earlier than
/// `since` (ms, less the clock skew).
async fn provider_record(
    client: &Client,
    row: &OutboxRow,
    since: i64,
) -> anyhow::Result<Option<String>> {
    let (to, from) = (Some(row.recipient.clone()), Some(row.sender.clone()));
    let sends: Vec<(String, Option<String>)> = match row.kind {
        OutboxKind::Text => {
            let query = ListMessages {
                to,
                from,
                page_size: Some(100),
                ..ListMessages::default()
            };
            let page = client.list_messages(&query).await?;
            page.messages
                .into_iter()
                .filter(|m| Some(m.body.as_str()) == row.body.as_deref())
                .map(|m| (m.sid, m.date_created))
                .collect()
        }
        OutboxKind::Call => {
            let query = ListCalls {
                to,
                from,
                page_size: Some(100),
                ..ListCalls::default()
            };
            let page = client.list_calls(&query).await?;
            page.calls
                .into_iter()
                .map(|c| (c.sid, c.date_created))
                .collect()
        }
    };
    Ok(sends
        .into_iter()
        .find(|(_, date)| created_at_or_after(date.as_deref(), since))
        .map(|(sid, _)| sid))
}

/// How far before a claim a provider's record may be dated and still be the claim's send: our
/// clock and the provider's may disagree by this much.
const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// Whether an RFC 2822 date (Twilio's form) is no earlier than `since` (ms), less the skew
/// two clocks may have.
fn created_at_or_after(date: Option<&str>, since: i64) -> bool {
    date.and_then(|d| jiff::fmt::rfc2822::parse(d).ok())
        .is_some_and(|z| z.timestamp().as_millisecond() >= since - CLOCK_SKEW_MS)
}
