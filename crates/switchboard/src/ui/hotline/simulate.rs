//! In simulated mode, "Simulate a call": someone at +14155551234 calls the line through the
//! simulator, and the browser follows the call to its incident, whose timeline fills in live.

use std::time::Duration;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::line::{LineView, refused};
use super::{Failure, Fields, field};
use crate::accounts::Role;
use crate::accounts::store::Session;
use crate::app::AppState;
use crate::hotline::store::{incidents, lines};
use crate::http::AppError;
use crate::ids::LineId;
use crate::ui::layout::{csrf, form_error, page};
use crate::ui::web::{UiError, User, from_htmx, see_other};

/// The caller every simulated call comes from.
pub const SIMULATED_CALLER: &str = "+14155551234";
const SIMULATE: &str = "simulate";

pub fn button(session: &Session, v: &LineView, failure: Option<&Failure>) -> Markup {
    let f = Failure::of(failure, SIMULATE);
    html! {
        @if session.role.allows(Role::Manager) {
            section.card.simulate #simulate {
                (form_error(f.map(|f| &f.error)))
                form.inline method="post" action=(format!("{}/simulate", v.href())) {
                    (csrf(session))
                    button type="submit" { "Simulate a call" }
                }
                " " span.muted { "Simulated telephony: " (SIMULATED_CALLER) " calls " (v.line.phone_number) " and you watch the incident unfold." }
            }
        }
    }
}

/// Where the browser goes to follow a call: its incident, or the page that waits for it.
async fn follow(state: &AppState, user: &User, sid: &str) -> Result<Option<String>, UiError> {
    Ok(incidents::find_by_call(&state.db, sid)
        .await?
        .filter(|(org, _)| *org == user.0.org)
        .map(|(_, incident)| format!("/hotline/incidents/{}", incident.id)))
}

pub async fn place(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<LineId>,
    Form(fields): Form<Fields>,
) -> Result<Response, UiError> {
    user.check_csrf(field(&fields, "_csrf"))?;
    user.require(Role::Manager)?;
    let line = lines::find_line(&state.db, user.0.org, id)
        .await
        .map_err(|e| user.refuse(e))?;
    let Some(sim) = state.telephony.sim() else {
        return Err(user.refuse(AppError::conflict(
            "simulate",
            "telephony is live: simulated calls exist only in simulated mode",
        )));
    };
    let sid = match sim
        .simulator
        .place_inbound_call(SIMULATED_CALLER, &line.phone_number, None)
        .await
    {
        Ok(sid) => sid,
        Err(e) => {
            let err = AppError::conflict(
                "simulate",
                format!("the simulator could not place the call: {e}"),
            );
            return refused(&state, &user, id, SIMULATE, err, Fields::new()).await;
        }
    };
    tracing::info!(call.sid = %sid, line.id = %id, "simulated call placed from the dashboard");
    // The line's webhook usually opens the incident within a few milliseconds; wait briefly
    // so the browser lands on the incident itself, else on the page that waits for it.
    for _ in 0..20 {
        if let Some(to) = follow(&state, &user, &sid).await? {
            return Ok(see_other(&to));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(see_other(&format!("/hotline/calls/{sid}")))
}

/// Waits for the call's incident (htmx polls this page) and then goes there. Only a call to
/// one of the organisation's lines is shown; any other is not found.
pub async fn wait(
    State(state): State<AppState>,
    user: User,
    Path(sid): Path<String>,
    headers: HeaderMap,
) -> Result<Response, UiError> {
    if let Some(to) = follow(&state, &user, &sid).await? {
        if from_htmx(&headers) {
            let mut r = ().into_response();
            if let Ok(v) = HeaderValue::from_str(&to) {
                r.headers_mut().insert("hx-redirect", v);
            }
            return Ok(r);
        }
        return Ok(see_other(&to));
    }
    let transcript = state
        .telephony
        .sim()
        .and_then(|sim| sim.simulator.transcript(&sid));
    let Some(transcript) = transcript else {
        return Err(user.refuse(AppError::NotFound("call")));
    };
    let ours = match called(&transcript) {
        Some(number) => lines::find_line_by_number(&state.db, number)
            .await?
            .is_some_and(|(org, _)| org == user.0.org),
        None => false,
    };
    if !ours {
        return Err(user.refuse(AppError::NotFound("call")));
    }
    let status = serde_json::to_string_pretty(&transcript).ok();
    let body = html! {
        div #waiting hx-get=(format!("/hotline/calls/{sid}")) hx-trigger="every 1s" hx-select="#waiting" hx-swap="outerHTML" {
            p.pending role="status" { "Call " code { (sid) } " placed; waiting for the line to open its incident…" }
            @if let Some(s) = status { details { summary { "What the simulator saw so far" } pre.body { (s) } } }
            p.muted { "If nothing happens, the line's number may not be set up in the simulator yet (no voice URL), or the call did not reach the line. "
                a href="/hotline/incidents" { "All incidents" } }
        }
    };
    Ok(page("Simulated call", &user.0, "/hotline", body).into_response())
}

/// The number a simulated call was placed to: the `To` of its first webhook.
fn called(transcript: &twilio_sim::Transcript) -> Option<&str> {
    transcript.events.iter().find_map(|e| match &e.kind {
        twilio_sim::EventKind::Fetch { params, .. } if e.leg == transcript.call_sid => {
            params.get("To").map(String::as_str)
        }
        _ => None,
    })
}
