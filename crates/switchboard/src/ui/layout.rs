//! The page layout (navigation for the five jobs), the embedded assets, and small render
//! helpers every page shares (times, the CSRF field, inline form errors).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};

use crate::accounts::store::Session;
use crate::app::AppState;

const STYLE: &str = include_str!("../../assets/switchboard.css");
/// htmx 2, vendored from the npm package `htmx.org` (`dist/htmx.min.js`): no CDN, ever.
const HTMX: &str = include_str!("../../assets/htmx.min.js");

pub fn assets_router() -> Router<AppState> {
    Router::new()
        .route(
            "/assets/switchboard.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css")], STYLE).into_response() }),
        )
        .route(
            "/assets/htmx.min.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], HTMX).into_response() }),
        )
}

/// The navigation: the five jobs, then the organisation's own pages.
pub const NAV: &[(&str, &str)] = &[
    ("/", "Overview"),
    ("/hotline", "Hotline"),
    ("/calltool", "Call tool"),
    ("/dialer", "Dialer"),
    ("/texting", "Texting"),
    ("/contacts", "Contacts"),
    ("/people", "People"),
    ("/settings", "Settings"),
    ("/outbox", "Outbox"),
    ("/inbox", "Inbox"),
    ("/jobs", "Jobs"),
];

/// A full page for a signed-in user; `current` is the navigation entry to highlight.
pub fn page(title: &str, session: &Session, current: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Switchboard" }
                link rel="stylesheet" href="/assets/switchboard.css";
                // htmx would add its indicator styles as an inline <style>, which the
                // Content-Security-Policy (ui/guard.rs) refuses; no page uses them.
                meta name="htmx-config" content=r#"{"includeIndicatorStyles":false}"#;
                script src="/assets/htmx.min.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/" { "Switchboard" }
                    nav aria-label="Main" {
                        @for (href, label) in NAV {
                            @let here = *href == current;
                            a href=(href) class=[here.then_some("current")]
                                aria-current=[here.then_some("page")] { (label) }
                        }
                    }
                    form.logout method="post" action="/logout" {
                        (csrf(session))
                        span.who { (session.person_name) " · " (session.role) }
                        a.who href="/me/calendar" { "My calendar" }
                        button.secondary type="submit" { "Sign out" }
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

/// The hidden synchronizer token every state-changing form carries.
pub fn csrf(session: &Session) -> Markup {
    html! { input type="hidden" name="_csrf" value=(session.csrf_token); }
}

/// A form error the page shows above the form, naming the field it is about.
#[derive(Clone, Debug)]
pub struct FieldError {
    pub field: Option<String>,
    pub message: String,
}

impl FieldError {
    pub fn is_about(&self, field: &str) -> bool {
        self.field.as_deref() == Some(field)
    }
}

/// The error banner: "phone: '12' is not a phone number…".
pub fn form_error(error: Option<&FieldError>) -> Markup {
    html! {
        @if let Some(e) = error {
            p.error role="alert" data-field=[e.field.as_deref()] {
                @if let Some(f) = &e.field { strong { (f) } ": " }
                (e.message)
            }
        }
    }
}

/// An epoch-millisecond time as "2026-03-02 19:00 UTC".
pub fn when(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => "?".to_string(),
    }
}

/// Like [`when`], with a dash for "never".
pub fn when_opt(ms: Option<i64>) -> String {
    ms.map_or_else(|| "—".to_string(), when)
}

pub fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_utc_minutes() {
        assert_eq!(when(1_772_478_000_000), "2026-03-02 19:00 UTC");
        assert_eq!(when_opt(None), "—");
    }
}
