//! The outbox: the organisation's texts and calls (each sender's queue with its rate and the
//! time it would drain, in the organisation's zone; the latest rows with their status and
//! reason), then its emails, newest first, each body viewable.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use maud::{Markup, html};

use super::layout::{page, when, when_opt};
use super::outbox_sends::texts_and_calls;
use super::web::{UiError, User};
use crate::accounts::Role;
use crate::app::AppState;
use crate::notify;

/// How many emails the page lists.
const LIMIT: i64 = 200;

pub fn router() -> Router<AppState> {
    Router::new().route("/outbox", get(outbox))
}

async fn outbox(State(state): State<AppState>, user: User) -> Result<Markup, UiError> {
    user.require(Role::Manager)?;
    let emails = notify::store::list(&state.db, user.0.org, LIMIT).await?;
    let sends = texts_and_calls(&state, user.0.org).await?;
    let body = html! {
        (sends)
        h2 { "Emails" }
        p.muted {
            "Email goes through " (state.mailer.describe())
            ". Without SMTP it stays here, in the outbox, for you to read."
        }
        @if emails.is_empty() {
            p.muted { "No emails yet." }
        } @else {
            table #emails {
                thead { tr {
                    th { "To" } th { "Subject" } th { "State" } th { "Queued" } th { "Sent" } th { "Error" }
                } }
                tbody {
                    @for e in &emails {
                        tr {
                            td { (e.to_addr) }
                            td {
                                details {
                                    summary { (e.subject) }
                                    pre.body { (e.body_text) }
                                }
                            }
                            td { span class=(format!("state state-{}", e.state)) { (e.state) } }
                            td { (when(e.created_at)) }
                            td { (when_opt(e.sent_at)) }
                            td { (e.error.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Outbox", &user.0, "/outbox", body))
}
