//! The pages of the jobs that have not arrived yet: what each one will do, and a note that it
//! is not set up. Each is replaced by its own module when its issue lands.

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};

use super::layout::page;
use super::web::User;
use crate::app::AppState;

/// The five jobs (DESIGN.md): where each lives in the dashboard, its name, what it does.
pub const JOBS: &[(&str, &str, &str)] = &[
    (
        "/calltool",
        "Click-to-call advocacy",
        "A member types a phone number on a campaign page; we call them, play the campaigner's \
         message and a menu (1 connect, 2 replay), then bridge them to a target such as a \
         legislator or a CEO.",
    ),
    (
        "/hotline",
        "Volunteer hotline",
        "An inbound number rings whichever volunteer holds the shift for that group, day and \
         hour; if nobody answers, the caller leaves a voicemail that is transcribed and emailed \
         to the group. Volunteers get next-day shift reminders.",
    ),
    (
        "/dialer",
        "Outbound voice campaigns",
        "A campaign calls its prospects inside a call window in their own time zone, under a \
         daily limit, with retries, answering-machine detection, recording, cost and \
         statistics.",
    ),
    (
        "/hotline#ladder",
        "On-call escalation ladder",
        "An emergency line walks a ladder (primary, secondary, admins, managers, a rotating \
         pool; business hours or after hours) until someone answers, keeping incidents, \
         attempts and an audit trail.",
    ),
    (
        "/texting",
        "SMS campaigns",
        "A recruiter sends personalised texts to smart lists, once or on a recurring schedule, \
         with tracked short links, replies and blast statistics.",
    ),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calltool", get(calltool))
        .route("/dialer", get(dialer))
        .route("/texting", get(texting))
}

/// The jobs whose page is `path` (the hotline page serves two).
fn placeholder(path: &str) -> Markup {
    html! {
        @for (href, name, what) in JOBS.iter().filter(|(h, ..)| h.split('#').next() == Some(path)) {
            section.card id=[href.split_once('#').map(|(_, id)| id)] {
                h2 { (name) }
                p { (what) }
            }
        }
        p.pending { "Not set up yet — arrives with its issue." }
    }
}

async fn calltool(User(session): User) -> Markup {
    page("Call tool", &session, "/calltool", placeholder("/calltool"))
}

async fn dialer(User(session): User) -> Markup {
    page("Dialer", &session, "/dialer", placeholder("/dialer"))
}

async fn texting(User(session): User) -> Markup {
    page("Texting", &session, "/texting", placeholder("/texting"))
}
