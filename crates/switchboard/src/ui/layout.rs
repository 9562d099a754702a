//! The page layout (navigation for the five jobs) and the embedded assets.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};

use crate::accounts::store::Session;
use crate::app::AppState;

const STYLE: &str = include_str!("../../assets/switchboard.css");

pub fn assets_router() -> Router<AppState> {
    Router::new().route(
        "/assets/switchboard.css",
        get(|| async { ([(header::CONTENT_TYPE, "text/css")], STYLE).into_response() }),
    )
}

/// The navigation: the five jobs, then the organisation's own pages.
pub const NAV: &[(&str, &str)] = &[
    ("/", "Overview"),
    ("/hotline", "Hotline"),
    ("/calltool", "Call tool"),
    ("/dialer", "Dialer"),
    ("/texting", "Texting"),
    ("/people", "People"),
    ("/settings", "Settings"),
    ("/outbox", "Outbox"),
    ("/jobs", "Jobs"),
];

/// A full page for a signed-in user.
pub fn page(title: &str, session: &Session, current: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Switchboard" }
                link rel="stylesheet" href="/assets/switchboard.css";
            }
            body {
                header.top {
                    a.brand href="/" { "Switchboard" }
                    nav {
                        @for (href, label) in NAV {
                            a href=(href) class=[(*href == current).then_some("current")] { (label) }
                        }
                    }
                    form.logout method="post" action="/logout" {
                        input type="hidden" name="_csrf" value=(session.csrf_token);
                        span.who { (session.person_name) " · " (session.role) }
                        button type="submit" { "Sign out" }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// A page for visitors who are not signed in.
pub fn bare_page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Switchboard" }
                link rel="stylesheet" href="/assets/switchboard.css";
            }
            body.bare { main { (body) } }
        }
    }
}
