//! Item 2: a sign-in email belongs to one person in the whole installation. Another
//! organisation cannot create, rename or give a password to a person with it; nobody is
//! shadowed, and its owner still signs in with their own password.

use reqwest::StatusCode;
use serde_json::json;
use switchboard::accounts::{self, Role};

use super::person_with_login;
use crate::support::TestApp;
use crate::support::web_session::{WebSession, sign_in_attempt};

const VICTIM: &str = "boss@rival.org";
const VICTIM_PASSWORD: &str = "rival-password-1";

#[tokio::test]
async fn creating_a_person_with_an_email_that_signs_in_elsewhere_is_a_409_naming_email() {
    let app = TestApp::spawn().await;
    let (rival, _) = app.other_org("rival").await;
    person_with_login(&app, rival, VICTIM, Role::Owner, Some(VICTIM_PASSWORD)).await;
    // The default organisation (the lower id, which used to win) tries both ways in.
    let owner = WebSession::owner(&app).await;
    let add = [
        ("name", "Mallory"),
        ("email", "Boss@Rival.org"),
        ("role", "agent"),
    ];
    let page = owner.submit("/people", "/people", &add).await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.html);
    assert!(page.html.contains(r#"data-field="email""#), "{}", page.html);
    assert!(
        page.html.contains("already used to sign in"),
        "{}",
        page.html
    );
    let body = json!({"name": "Mallory", "email": "BOSS@rival.org", "role": "agent"});
    let (status, err) = app.post_json("/api/v1/people", &app.token, &body).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["field"], "email");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already used to sign in"),
        "{err}"
    );
    let people = accounts::store::list_people(&app.state.db, app.org)
        .await
        .unwrap();
    assert!(
        people.iter().all(|p| p.email.as_deref() != Some(VICTIM)),
        "nobody was added"
    );
    let victim = sign_in_attempt(&app, &app.http, VICTIM, VICTIM_PASSWORD).await;
    assert_eq!(
        victim.status(),
        StatusCode::SEE_OTHER,
        "the owner still signs in"
    );
    app.stop().await;
}

#[tokio::test]
async fn renaming_a_person_to_an_email_that_signs_in_elsewhere_is_a_409_naming_email() {
    let app = TestApp::spawn().await;
    let (rival, _) = app.other_org("rival").await;
    person_with_login(&app, rival, VICTIM, Role::Owner, Some(VICTIM_PASSWORD)).await;
    let body = json!({"name": "Mallory", "email": "mallory@example.org", "role": "agent"});
    let (status, mallory) = app.post_json("/api/v1/people", &app.token, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{mallory}");
    let path = format!("/api/v1/people/{}", mallory["id"]);
    let (status, err) = app
        .patch_json(&path, &app.token, &json!({"email": "Boss@Rival.org"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["field"], "email");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already used to sign in"),
        "{err}"
    );
    let (_, still) = app.get(&path, &app.token).await;
    assert_eq!(still["email"], "mallory@example.org");
    app.stop().await;
}

#[tokio::test]
async fn a_password_for_an_email_that_signs_in_elsewhere_is_refused_and_nothing_is_shadowed() {
    let app = TestApp::spawn().await;
    let (rival, _) = app.other_org("rival").await;
    // The rival's owner exists before they have a login, so the default organisation can
    // still add a person with the same email (neither signs in yet) ...
    let victim = person_with_login(&app, rival, VICTIM, Role::Owner, None).await;
    let body = json!({"name": "Mallory", "email": VICTIM, "role": "agent"});
    let (status, mallory) = app.post_json("/api/v1/people", &app.token, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{mallory}");
    let hash = accounts::secrets::hash_password(VICTIM_PASSWORD).unwrap();
    accounts::store::set_password(&app.state.db, rival, victim, &hash, None, 0)
        .await
        .unwrap();
    // ... but once the rival's owner signs in with it, nobody else gets a password for it.
    let owner = WebSession::owner(&app).await;
    let person_page = format!("/people/{}", mallory["id"]);
    let password = [("password", "mallory-password-1")];
    let page = owner
        .submit(&person_page, &format!("{person_page}/password"), &password)
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.html);
    assert!(page.html.contains(r#"data-field="email""#), "{}", page.html);
    assert!(
        page.html.contains("already used to sign in"),
        "{}",
        page.html
    );
    let victim = sign_in_attempt(&app, &app.http, VICTIM, VICTIM_PASSWORD).await;
    assert_eq!(
        victim.status(),
        StatusCode::SEE_OTHER,
        "the owner still signs in"
    );
    let shadow = sign_in_attempt(&app, &app.http, VICTIM, "mallory-password-1").await;
    assert_eq!(shadow.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}
