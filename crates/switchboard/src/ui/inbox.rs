//! The inbox (managers): every inbound text to the organisation's numbers, newest first, with
//! the number's owner (or none: the catch-all) and its consent reading (opt-out, opt-in, help,
//! or flagged for review with the day to honour it by). `?only=unowned` shows the catch-all
//! alone: texts to numbers nobody owns, which nobody else reads or answers.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use maud::{Markup, html};
use serde::Deserialize;

use super::hotline::local;
use super::layout::page;
use super::web::{UiError, User};
use crate::accounts::Role;
use crate::app::AppState;
use crate::contacts::model::consent::ReplyKind;
use crate::contacts::model::zones::fallback_zone;
use crate::ids::OrgId;
use crate::telephony::inbound::store::{self, InboxRow};
use crate::telephony::numbers::{Owner, OwnerKind};
use crate::zone::Zone;

/// How many texts the page lists.
const LIMIT: i64 = 200;

pub fn router() -> Router<AppState> {
    Router::new().route("/inbox", get(inbox))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Filter {
    only: Option<String>,
}

/// The zone the inbox's times read in. Organisations have no zone setting yet, so this is the
/// one their rules fall back to (the same the review-by day is counted in).
fn org_zone(_org: OrgId) -> Zone {
    fallback_zone()
}

async fn inbox(
    State(state): State<AppState>,
    user: User,
    Query(filter): Query<Filter>,
) -> Result<Markup, UiError> {
    user.require(Role::Manager)?;
    let org = user.0.org;
    let unowned = filter.only.as_deref() == Some("unowned");
    let texts = store::list(&state.db, org, unowned, LIMIT)
        .await
        .map_err(crate::error::StoreError::from)?;
    let mut names: HashMap<Owner, Option<String>> = HashMap::new();
    for owner in texts.iter().filter_map(|t| t.owner) {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(owner) {
            slot.insert(state.owners.name_of(org, owner).await?);
        }
    }
    let zone = org_zone(org);
    let body = html! {
        nav.subnav aria-label="Inbox" {
            a href="/inbox" class=[(!unowned).then_some("current")] { "Every text" }
            a href="/inbox?only=unowned" class=[unowned.then_some("current")] { "Texts to numbers with no owner" }
        }
        p.muted {
            "Times in " (zone.name()) ". Texts to a number with no owner stay here unanswered; give the number an owner in "
            a href="/settings#numbers" { "Settings" } "."
        }
        @if texts.is_empty() {
            p.muted { "No texts yet." }
        } @else {
            table #inbox {
                thead { tr {
                    th { "Received" } th { "From" } th { "To" } th { "Text" } th { "Consent" }
                } }
                tbody {
                    @for t in &texts {
                        tr {
                            td { (local(t.created_at, zone.tz())) }
                            td { code { (t.sender) } }
                            td { code { (t.recipient) } " " (to_whom(t.owner, &names)) }
                            td { (t.body) }
                            td { (consent(t)) }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Inbox", &user.0, "/inbox", body))
}

/// Whom the number served when the text came: its owner by name (a line, linked), or nobody.
fn to_whom(owner: Option<Owner>, names: &HashMap<Owner, Option<String>>) -> Markup {
    let Some(owner) = owner else {
        return html! { span.muted.unowned { "(no owner)" } };
    };
    let name = names.get(&owner).cloned().flatten();
    html! {
        span.muted { "(" (owner.kind.label()) " "
            @match (owner.kind, name) {
                (OwnerKind::HotlineLine, Some(name)) => a href=(format!("/hotline/lines/{}", owner.id)) { (name) },
                (_, Some(name)) => (name),
                (_, None) => "gone",
            }
        ")" }
    }
}

/// The text's consent reading, as people say it.
fn consent(t: &InboxRow) -> Markup {
    html! {
        @match t.reply_kind {
            ReplyKind::OptOut => span.state { "opt-out" },
            ReplyKind::OptIn => span.state { "opt-in" },
            ReplyKind::Help => span.state { "help" },
            ReplyKind::Review => span.state.review {
                "review by " (t.review_by.as_deref().unwrap_or("?"))
            },
            ReplyKind::Other => span.muted { "—" },
        }
    }
}
