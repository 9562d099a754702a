//! The dashboard over plain HTTP: every page renders with the navigation, role rules and CSRF
//! hold, bad input comes back inline naming the field, and secrets are never echoed.

use reqwest::StatusCode;
use serde_json::json;
use switchboard::accounts::{self, NewPerson, Role};
use switchboard::jobs::{self, EnqueueOptions};
use switchboard::notify::{self, Email};

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

async fn person(app: &TestApp, org: accounts::OrgId, name: &str, role: Role) -> i64 {
    let new = NewPerson {
        name: name.into(),
        email: None,
        phone: Some("+15005550199".into()),
        role,
        available: true,
        active: true,
    };
    accounts::store::create_person(&app.state.db, org, &new, None, 0)
        .await
        .unwrap()
        .id
}

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
async fn a_viewer_sees_the_people_but_cannot_add_or_change_them() {
    let app = TestApp::spawn().await;
    let ada = person(&app, app.org, "Ada", Role::Agent).await;
    let viewer = WebSession::with_role(&app, Role::Viewer).await;
    let page = viewer.get("/people").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Ada") && !page.html.contains("Add person"));
    let add = [("name", "Eve"), ("role", "viewer")];
    let refused = viewer.submit("/people", "/people", &add).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    let toggle = viewer
        .submit("/people", &format!("/people/{ada}/available"), &[])
        .await;
    assert_eq!(toggle.status, StatusCode::FORBIDDEN);
    let settings = viewer.get("/settings").await;
    assert_eq!(settings.status, StatusCode::FORBIDDEN);
    assert!(
        settings.html.contains("<nav"),
        "a refusal keeps the navigation"
    );
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
async fn adding_a_person_with_a_bad_phone_re_renders_the_form_naming_the_phone_field() {
    let app = TestApp::spawn().await;
    let owner = WebSession::owner(&app).await;
    let bad = [("name", "Grace"), ("phone", "12345"), ("role", "agent")];
    let page = owner.submit("/people", "/people", &bad).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.html);
    assert!(page.html.contains(r#"data-field="phone""#), "{}", page.html);
    assert!(
        page.html.contains(r#"value="Grace""#),
        "what was typed stays"
    );
    let good = [
        ("name", "Grace"),
        ("phone", "+1 415 555 0100"),
        ("role", "agent"),
    ];
    let page = owner.submit("/people", "/people", &good).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let listed = owner.get(page.location.as_deref().unwrap()).await.html;
    assert!(listed.contains("Added Grace.") && listed.contains("+14155550100"));
    app.stop().await;
}

#[tokio::test]
async fn an_admin_cannot_grant_a_role_above_their_own_or_change_an_owner() {
    let app = TestApp::spawn().await;
    let admin = WebSession::with_role(&app, Role::Admin).await;
    let page = admin
        .submit(
            "/people",
            "/people",
            &[("name", "Mallory"), ("role", "owner")],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.html.contains(r#"data-field="role""#), "{}", page.html);
    let owner_id = accounts::store::list_people(&app.state.db, app.org)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.role == Role::Owner)
        .unwrap()
        .id;
    let demote = [("role", "viewer"), ("active", "on")];
    let page = admin
        .submit("/people", &format!("/people/{owner_id}"), &demote)
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn another_organisations_person_answers_404_on_the_edit_url() {
    let app = TestApp::spawn().await;
    let (other, _) = app.other_org("elsewhere").await;
    let theirs = person(&app, other, "Not yours", Role::Agent).await;
    let owner = WebSession::owner(&app).await;
    assert_eq!(owner.get(&format!("/people/{theirs}")).await.status, 404);
    let edit = [("role", "agent"), ("phone", "+15005550100")];
    let page = owner
        .submit("/people", &format!("/people/{theirs}"), &edit)
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let toggle = owner
        .submit("/people", &format!("/people/{theirs}/available"), &[])
        .await;
    assert_eq!(toggle.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn an_owner_edits_a_person_toggles_availability_and_sets_a_password_they_can_use() {
    let app = TestApp::spawn().await;
    let owner = WebSession::owner(&app).await;
    let id = person(&app, app.org, "Vera", Role::Agent).await;
    let path = format!("/people/{id}");
    let edit = [
        ("role", "manager"),
        ("phone", "+15005550123"),
        ("active", "on"),
    ];
    assert_eq!(owner.submit(&path, &path, &edit).await.status, 303);
    let vera = accounts::store::find_person(&app.state.db, app.org, id)
        .await
        .unwrap();
    assert_eq!((vera.role, vera.available), (Role::Manager, false));
    let csrf = owner.get("/people").await.csrf();
    let toggle = format!("/people/{id}/available");
    let row = owner
        .post_with(&toggle, &[("_csrf", &csrf)], &[("HX-Request", "true")])
        .await;
    assert_eq!(row.status, StatusCode::OK);
    assert!(row.html.starts_with("<tr") && row.html.contains("Make unavailable"));
    let password = format!("{path}/password");
    let short = owner
        .submit(&path, &password, &[("password", "short")])
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(short.html.contains(r#"data-field="password""#));
    accounts::store::update_person(
        &app.state.db,
        app.org,
        id,
        &accounts::PersonPatch {
            email: Some("vera@example.org".into()),
            ..Default::default()
        },
        0,
    )
    .await
    .unwrap();
    let set = owner
        .submit(&path, &password, &[("password", "vera-long-password")])
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.html);
    let vera = WebSession::sign_in(&app, "vera@example.org", "vera-long-password").await;
    assert_eq!(vera.get("/").await.status, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn adding_a_duplicate_phone_number_is_refused_naming_e164() {
    let app = TestApp::spawn().await;
    let owner = WebSession::owner(&app).await;
    let number = [
        ("e164", "+14155550100"),
        ("friendly_name", "Main"),
        ("purpose", "hotline line"),
    ];
    let added = owner
        .submit("/settings", "/settings/numbers", &number)
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let again = owner
        .submit("/settings", "/settings/numbers", &number)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.html.contains(r#"data-field="e164""#),
        "{}",
        again.html
    );
    let (status, body) = app
        .post_json(
            "/api/v1/phone-numbers",
            &app.token,
            &json!({"e164": "+1 415 555 0100"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["field"], "e164");
    let (status, list) = app.get("/api/v1/phone-numbers", &app.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list[0]["purpose"], "hotline line");
    let id = list[0]["id"].as_i64().unwrap();
    let (_, other_token) = app.other_org("elsewhere").await;
    let path = format!("/api/v1/phone-numbers/{id}");
    assert_eq!(
        app.delete(&path, &other_token).await.0,
        StatusCode::NOT_FOUND
    );
    let viewer = app.token_with_role(Role::Viewer).await;
    assert_eq!(app.delete(&path, &viewer).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.delete(&path, &app.token).await.0,
        StatusCode::NO_CONTENT
    );
    app.stop().await;
}

#[tokio::test]
async fn a_new_token_secret_is_shown_once_and_never_in_the_list() {
    let app = TestApp::spawn().await;
    let owner = WebSession::owner(&app).await;
    let page = owner
        .submit(
            "/tokens",
            "/tokens",
            &[("name", "CRM sync"), ("role", "agent")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page.html.find("sbt_").expect("the secret is shown");
    let secret: String = page.html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let list = owner.get("/tokens").await.html;
    assert!(list.contains("CRM sync") && !list.contains(&secret));
    assert_eq!(app.get("/api/v1/people", &secret).await.0, StatusCode::OK);
    let id = accounts::store::list_tokens(&app.state.db, app.org)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "CRM sync")
        .unwrap()
        .id;
    let revoked = owner
        .submit("/tokens", &format!("/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/api/v1/people", &secret).await.0,
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

#[tokio::test]
async fn retry_on_a_failed_job_requeues_it() {
    let app = TestApp::spawn().await;
    let now = app.clock.now_ms();
    let mut tx = app.state.db.begin().await.unwrap();
    let options = EnqueueOptions::default();
    let id = jobs::store::insert(
        &mut tx,
        Some(app.org),
        "test_unknown",
        "{}",
        &options,
        1,
        now,
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
    let claimed = jobs::store::claim(&app.state.db, "w1", now)
        .await
        .unwrap()
        .unwrap();
    jobs::store::fail(
        &app.state.db,
        &claimed,
        "w1",
        "the mail server said no",
        now,
    )
    .await
    .unwrap();
    let owner = WebSession::owner(&app).await;
    let page = owner.get("/jobs").await.html;
    assert!(page.contains("the mail server said no") && page.contains("Retry"));
    let retried = owner
        .submit("/jobs", &format!("/jobs/{id}/retry"), &[])
        .await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER);
    let row = jobs::store::find(&app.state.db, id).await.unwrap().unwrap();
    assert_eq!((row.state.as_str(), row.attempts), ("queued", 0));
    let again = owner
        .submit("/jobs", &format!("/jobs/{id}/retry"), &[])
        .await;
    assert_eq!(
        again.status,
        StatusCode::NOT_FOUND,
        "only failed jobs are retried"
    );
    app.stop().await;
}

#[tokio::test]
async fn settings_save_the_twilio_account_and_never_echo_the_auth_token_back() {
    let app = TestApp::spawn().await;
    let owner = WebSession::owner(&app).await;
    let token = "f00dfeedf00dfeedf00dfeedf00dfeed";
    let sid = format!("AC{}", "0123456789abcdef".repeat(2));
    let fields = [
        ("name", "Community Line"),
        ("twilio_account_sid", sid.as_str()),
        ("twilio_auth_token", token),
        ("public_url", "https://phones.example.org"),
    ];
    let saved = owner.submit("/settings", "/settings", &fields).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    assert!(saved.html.contains("Settings saved.") && !saved.html.contains(token));
    assert!(saved.html.contains(r#"<span id="token-state">set</span>"#));
    assert!(app.state.signing_tokens().iter().any(|t| t == token));
    let page = owner.get("/settings").await.html;
    assert!(page.contains("Community Line") && !page.contains(token));
    let bad = [
        ("name", "Community Line"),
        ("twilio_account_sid", "AC12"),
        ("twilio_auth_token", token),
    ];
    let refused = owner.submit("/settings", "/settings", &bad).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains(r#"data-field="twilio_account_sid""#));
    assert!(
        !refused.html.contains(token),
        "not even when the form comes back"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_outbox_lists_emails_with_their_body_and_the_overview_counts_them() {
    let app = TestApp::spawn().await;
    let email = Email {
        to: "vera@example.org".into(),
        subject: "Your shift tomorrow".into(),
        body: "09:00-17:00 on the Community Line".into(),
    };
    let mut tx = app.state.db.begin().await.unwrap();
    notify::queue(&mut tx, Some(app.org), &email, app.clock.now_ms())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.run_jobs().await;
    let owner = WebSession::owner(&app).await;
    let outbox = owner.get("/outbox").await.html;
    assert!(
        outbox.contains("<summary>Your shift tomorrow</summary>"),
        "{outbox}"
    );
    assert!(outbox.contains("09:00-17:00 on the Community Line"));
    assert!(outbox.contains("2026-03-02 19:00 UTC"), "times read as UTC");
    let overview = owner.get("/").await.html;
    assert!(overview.contains("emails in the outbox") && overview.contains("simulated"));
    app.stop().await;
}
