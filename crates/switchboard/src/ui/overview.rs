//! The overview: what the organisation has, what the queue is doing, and the five jobs.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use maud::{Markup, html};

use super::layout::page;
use super::placeholders::JOBS;
use super::web::{UiError, User};
use crate::accounts::store;
use crate::app::AppState;
use crate::jobs::JobState;
use crate::telephony::numbers;
use crate::{jobs, notify};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(overview))
}

/// How many recent emails the outbox card looks at.
const OUTBOX_WINDOW: i64 = 500;

async fn overview(State(state): State<AppState>, User(session): User) -> Result<Markup, UiError> {
    let org = store::find_org(&state.db, session.org).await?;
    let people = store::list_people(&state.db, session.org).await?.len();
    let numbers = numbers::store::list(&state.db, session.org).await?.len();
    let counts = jobs::store::count_by_state(&state.db, Some(session.org)).await?;
    let count = |s: JobState| counts.iter().find(|(n, _)| *n == s).map_or(0, |(_, n)| *n);
    let emails = notify::store::list(&state.db, session.org, OUTBOX_WINDOW).await?;
    let in_outbox = emails
        .iter()
        .filter(|e| e.state == crate::notify::store::EmailState::Outbox)
        .count();
    let mode = format!("{:?}", state.config.telephony).to_lowercase();
    let cards: [(&str, String, &str); 5] = [
        ("/people", people.to_string(), "people"),
        ("/settings#numbers", numbers.to_string(), "phone numbers"),
        ("/jobs", count(JobState::Queued).to_string(), "queued jobs"),
        (
            "/jobs#failed",
            count(JobState::Failed).to_string(),
            "failed jobs",
        ),
        ("/outbox", in_outbox.to_string(), "emails in the outbox"),
    ];
    let body = html! {
        p.muted {
            "Organisation " strong { (org.name) }
            " · telephony " strong.mode { (mode) }
            " · email " (state.mailer.describe())
        }
        div.cards {
            @for (href, n, label) in &cards {
                a.card href=(href) { div.n { (n) } div.muted { (label) } }
            }
        }
        h2 { "The five jobs" }
        ul.jobs {
            @for (href, name, what) in JOBS {
                li { a href=(href) { (name) } " — " span.muted { (what) } }
            }
        }
    };
    Ok(page("Overview", &session, "/", body))
}
