//! The dashboard over plain HTTP: every page renders with the navigation, role rules and CSRF
//! hold, bad input comes back inline naming the field, and secrets are never echoed.

mod people;
mod queue;
mod settings;

use reqwest::StatusCode;
use switchboard::accounts;

use crate::support::TestApp;
use crate::support::web_session::WebSession;

const PAGES: &[&str] = &[
    "/",
    "/hotline",
    "/calltool",
    "/dialer",
    "/texting",
    "/people",
    "/settings",
    "/outbox",
    "/jobs",
    "/tokens",
];

#[tokio::test]
async fn every_page_renders_for_an_owner_with_the_navigation_and_its_entry_highlighted() {
    let app = TestApp::spawn().await;
    let owner = WebSession::owner(&app).await;
    for path in PAGES {
        let page = owner.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.html);
        for label in [
            "Overview",
            "Hotline",
            "Call tool",
            "Dialer",
            "Texting",
            "People",
            "Jobs",
        ] {
            assert!(
                page.html.contains(label),
                "{path} lacks the nav entry {label}"
            );
        }
        assert!(page.html.contains(r#"aria-current="page""#) || *path == "/tokens");
        assert!(page.html.contains("/assets/htmx.min.js"), "{path}");
    }
    let people = owner.get("/people").await.html;
    assert!(people.contains(r#"href="/people" class="current" aria-current="page""#));
    let dialer = owner.get("/dialer").await.html;
    assert!(dialer.contains("Not set up yet"), "{dialer}");
    let htmx = app
        .http
        .get(app.url("/assets/htmx.min.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(htmx.status(), StatusCode::OK);
    assert!(htmx.text().await.unwrap().contains("htmx"));
    app.stop().await;
}

#[tokio::test]
async fn a_visitor_without_a_session_is_sent_to_the_login_page() {
    let app = TestApp::spawn().await;
    for path in ["/people", "/settings", "/jobs"] {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers()["location"], "/login");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_form_post_without_or_with_a_wrong_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let owner = WebSession::owner(&app).await;
    let fields = [("name", "Eve"), ("role", "agent")];
    for path in [
        "/people",
        "/settings",
        "/tokens",
        "/settings/numbers",
        "/jobs/1/retry",
    ] {
        let missing = owner.post_raw(path, &fields).await;
        assert_eq!(
            missing.status,
            StatusCode::FORBIDDEN,
            "{path} without _csrf"
        );
        let mut wrong = vec![("_csrf", "guess")];
        wrong.extend_from_slice(&fields);
        let wrong = owner.post_raw(path, &wrong).await;
        assert_eq!(
            wrong.status,
            StatusCode::FORBIDDEN,
            "{path} with a wrong _csrf"
        );
    }
    let people = accounts::store::list_people(&app.state.db, app.org)
        .await
        .unwrap();
    assert_eq!(people.len(), 1, "nobody was added");
    app.stop().await;
}

#[tokio::test]
async fn the_demo_seed_fills_the_people_and_numbers_pages_and_can_run_twice() {
    let app = TestApp::spawn().await;
    switchboard::ui::demo::seed(&app.state).await.unwrap();
    switchboard::ui::demo::seed(&app.state).await.unwrap();
    let owner = WebSession::owner(&app).await;
    let people = owner.get("/people").await.html;
    assert_eq!(people.matches("Ada Lovelace").count(), 1, "seeded once");
    let settings = owner.get("/settings").await.html;
    assert!(settings.contains("+15005550006") && settings.contains("hotline line"));
    let overview = owner.get("/").await.html;
    assert!(overview.contains(r#"<div class="n">3</div><div class="muted">phone numbers"#));
    app.stop().await;
}
