//! People pages: adding with inline errors, role rules, other organisations' ids, editing,
//! the availability toggle and passwords.

use reqwest::StatusCode;
use switchboard::accounts::{self, NewPerson, Role};

use crate::support::TestApp;
use crate::support::web_session::WebSession;

async fn person(
    app: &TestApp,
    org: accounts::OrgId,
    name: &str,
    role: Role,
) -> switchboard::ids::PersonId {
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
