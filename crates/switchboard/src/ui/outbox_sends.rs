//! The outbox page's "Texts and calls": each queue (a sender number's texts, an account's
//! calls) with its length, rate and the time it would drain, in the organisation's zone; then
//! the latest rows with their status and why they were skipped or failed.

use jiff::Timestamp;
use maud::{Markup, html};

use crate::app::AppState;
use crate::contacts::model::zones::fallback_zone;
use crate::http::AppError;
use crate::ids::OrgId;
use crate::telephony::outbox::model::OutboxStatus;
use crate::telephony::outbox::queue::{self, ItemFilter};
use crate::telephony::outbox::queue_api::estimates;
use crate::zone::Zone;

/// How many of the latest rows the page lists.
const LATEST: i64 = 25;

pub async fn texts_and_calls(state: &AppState, org: OrgId) -> Result<Markup, AppError> {
    let now = state.clock.now();
    // Organisations have no zone of their own yet: times are shown in the zone rules fall
    // back to for recipients whose zone is unknown, and the zone is named.
    let zone = fallback_zone();
    let queues = estimates(&state.services, org, now).await?;
    let filter = ItemFilter {
        limit: LATEST,
        ..ItemFilter::default()
    };
    let rows = queue::items(&state.db, org, &filter).await?;
    let totals = queue::totals(&state.db, org).await?;
    let local = |t: Timestamp| local_time(t, &zone);
    Ok(html! {
        h2 { "Texts and calls" }
        p.muted {
            "Every text and call waits here for its turn: each sender number sends at its rate, "
            "only inside the recipient's quiet hours (" a href="/settings/texts" { "set them" } "), "
            "never to a number that opted out (" a href="/consent" { "look up a number's consent" } "). "
            "Times are in " (zone.name()) "."
        }
        p #outbox-totals {
            @for (status, n) in &totals { span.tag { (status) ": " (n) } " " }
        }
        @if queues.is_empty() {
            p.muted { "Nothing is waiting to be sent." }
        } @else {
            table #outbox-queues {
                thead { tr {
                    th { "Sender" } th { "Waiting" } th { "Of which for their window" }
                    th { "Rate" } th { "Next free slot" } th { "Expected finish" }
                } }
                tbody {
                    @for q in &queues {
                        tr {
                            td { (q.kind) " · " (q.sender) }
                            td { (q.queued) }
                            td { (q.later) }
                            td { (format!("{:.3}", q.rate.sends_per_second()).trim_end_matches('0').trim_end_matches('.')) " a second" }
                            td { (local(q.next_free_slot)) }
                            td { (q.drain.map_or_else(|| "—".to_string(), |d| local(d.finishes_at))) }
                        }
                    }
                }
            }
        }
        @if !rows.is_empty() {
            h3 { "Latest" }
            table #outbox-rows {
                thead { tr {
                    th { "To" } th { "From" } th { "For" } th { "Status" } th { "Reason or error" } th { "Queued" } th { "Finished" }
                } }
                tbody {
                    @for r in &rows {
                        tr {
                            td { (r.recipient) }
                            td { (r.sender) }
                            td { (r.owner_kind) }
                            td { span class=(format!("state state-{}", r.status)) { (r.status) } }
                            td {
                                @if let Some(reason) = r.skip_reason { (reason) }
                                @if let Some(m) = &r.error_message {
                                    (r.error_code.map(|c| format!("{c}: ")).unwrap_or_default()) (m)
                                }
                                @if r.status == OutboxStatus::Pending && r.due_at > now.as_millisecond() {
                                    "waits until " (local(crate::clock::from_ms(r.due_at)))
                                }
                            }
                            td { (super::layout::when(r.created_at)) }
                            td { (super::layout::when_opt(r.finished_at)) }
                        }
                    }
                }
            }
        }
    })
}

fn local_time(t: Timestamp, zone: &Zone) -> String {
    t.to_zoned(zone.tz().clone())
        .strftime("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}
