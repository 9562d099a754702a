//! The signed-in person's own calendar feed: its private URL, to paste into a calendar app,
//! and a button that replaces it (the old URL stops working) if it was shared by mistake.

use axum::Form;
use axum::extract::State;
use maud::{Markup, html};
use serde::Deserialize;

use crate::accounts::store::Session;
use crate::app::AppState;
use crate::hotline::http::calendar::feed_url;
use crate::hotline::store::feeds;
use crate::ui::layout::{csrf, page};
use crate::ui::web::{UiError, User};

pub async fn show(State(state): State<AppState>, User(session): User) -> Result<Markup, UiError> {
    let now = state.clock.now_ms();
    let token = feeds::token_of(&state.db, session.org, session.person_id, now).await?;
    Ok(calendar_page(&session, &feed_url(&state, &token).url, None))
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct RotateForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub async fn rotate(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<RotateForm>,
) -> Result<Markup, UiError> {
    user.check_csrf(&form.csrf)?;
    let session = &user.0;
    let now = state.clock.now_ms();
    let token = feeds::rotate(&state.db, session.org, session.person_id, now).await?;
    tracing::info!(
        person.id = %session.person_id,
        "A person replaced their own calendar feed URL."
    );
    let notice = "This is a new URL; the old one no longer works.";
    Ok(calendar_page(
        session,
        &feed_url(&state, &token).url,
        Some(notice),
    ))
}

fn calendar_page(session: &Session, url: &str, notice: Option<&str>) -> Markup {
    let body = html! {
        @if let Some(n) = notice { p.notice role="status" { (n) } }
        p { "Your shifts and on-call periods, as a calendar feed. Add this URL to your calendar app "
            "(\"subscribe to calendar\" or \"add from URL\"); it keeps itself up to date." }
        p { input #feed-url readonly value=(url) aria-label="Calendar feed URL"; }
        p { "Anyone with the URL can read your schedule. If it was shared by mistake, replace it:" }
        form method="post" action="/me/calendar/rotate" {
            (csrf(session))
            button.secondary type="submit" { "Replace the URL" }
        }
    };
    page("My calendar", session, "/me/calendar", body)
}
