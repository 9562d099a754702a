//! The job queue: counts by state, failed jobs with a Retry button, and the recent jobs.

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{csrf, page, when, when_opt};
use super::web::{UiError, User, from_htmx, see_other};
use crate::accounts::Role;
use crate::app::AppState;
use crate::http::AppError;
use crate::ids::JobId;
use crate::jobs::{self, JobState};

/// How many jobs each table lists.
const LIMIT: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(list))
        .route("/jobs/{id}/retry", post(retry))
}

async fn list(State(state): State<AppState>, user: User) -> Result<Markup, UiError> {
    user.require(Role::Manager)?;
    let session = &user.0;
    let counts = jobs::store::count_by_state(&state.db, Some(session.org)).await?;
    let failed = jobs::store::list(&state.db, session.org, Some(JobState::Failed), LIMIT).await?;
    let recent = jobs::store::list(&state.db, session.org, None, LIMIT).await?;
    let admin = session.role.allows(Role::Admin);
    let count = |s: JobState| counts.iter().find(|(n, _)| *n == s).map_or(0, |(_, n)| *n);
    let body = html! {
        div.cards {
            @for s in JobState::ALL {
                div.card id=(format!("jobs-{}", s.as_str())) { div.n { (count(*s)) } div.muted { (s.as_str()) } }
            }
        }
        h2 id="failed" { "Failed jobs" }
        @if failed.is_empty() {
            p.muted { "No failed jobs." }
        } @else {
            table #failed-jobs {
                thead { tr { th { "#" } th { "Kind" } th { "Attempts" } th { "Last error" } th { "Failed at" } th {} } }
                tbody {
                    @for j in &failed {
                        tr {
                            td { (j.id) }
                            td { code { (j.kind) } }
                            td { (j.attempts) " / " (j.max_attempts) }
                            td { (j.last_error.as_deref().unwrap_or("")) }
                            td { (when_opt(j.finished_at)) }
                            td {
                                @if admin {
                                    @let action = format!("/jobs/{}/retry", j.id);
                                    form.inline method="post" action=(action) hx-post=(action)
                                        hx-target="closest td" hx-swap="innerHTML" {
                                        (csrf(session))
                                        button.small type="submit" { "Retry" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Recent jobs" }
        table #recent-jobs {
            thead { tr { th { "#" } th { "Kind" } th { "State" } th { "Attempts" } th { "Created" } th { "Run at" } th { "Finished" } } }
            tbody {
                @for j in &recent {
                    tr {
                        td { (j.id) }
                        td { code { (j.kind) } }
                        td { span class=(format!("state state-{}", j.state)) { (j.state) } }
                        td { (j.attempts) " / " (j.max_attempts) }
                        td { (when(j.created_at)) }
                        td { (when(j.run_at)) }
                        td { (when_opt(j.finished_at)) }
                    }
                }
            }
        }
    };
    Ok(page("Jobs", session, "/jobs", body))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Puts a failed job back in the queue and wakes the workers.
async fn retry(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<JobId>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let now = state.clock.now_ms();
    if !jobs::store::retry_failed(&state.db, user.0.org, id, now).await? {
        return Err(user.refuse(AppError::NotFound("failed job")));
    }
    state.wake_workers();
    if from_htmx(&headers) {
        return Ok(html! { span.notice { "Requeued" } }.into_response());
    }
    Ok(see_other("/jobs"))
}
