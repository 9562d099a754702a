//! Item 5, sessions: a new password ends the person's other sessions (whoever set it).

use reqwest::StatusCode;
use switchboard::accounts::Role;

use super::{owner_id, person_with_login};
use crate::support::TestApp;
use crate::support::web_session::{OWNER_EMAIL, WebSession, sign_in_attempt};

#[tokio::test]
async fn changing_a_password_ends_the_persons_other_sessions() {
    let app = TestApp::spawn().await;
    let here = WebSession::owner(&app).await;
    let laptop = WebSession::owner(&app).await;
    let admin_id = person_with_login(
        &app,
        app.org,
        "ops@example.org",
        Role::Admin,
        Some("ops-password-1"),
    )
    .await;
    let admin = WebSession::sign_in(&app, "ops@example.org", "ops-password-1").await;
    let owner = owner_id(&app).await;
    let own = format!("/people/{owner}");
    let page = here
        .submit(
            &own,
            &format!("{own}/password"),
            &[("password", "a-new-owner-password")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        here.get("/").await.status,
        StatusCode::OK,
        "this session goes on"
    );
    let ended = laptop.get("/").await;
    assert_eq!(
        ended.status,
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    assert_eq!(ended.location.as_deref(), Some("/login"));
    assert_eq!(
        admin.get("/").await.status,
        StatusCode::OK,
        "other people stay signed in"
    );
    let theirs = format!("/people/{admin_id}");
    let page = here
        .submit(
            &theirs,
            &format!("{theirs}/password"),
            &[("password", "ops-password-2")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        admin.get("/").await.status,
        StatusCode::SEE_OTHER,
        "their sessions ended"
    );
    let r = sign_in_attempt(&app, &app.http, OWNER_EMAIL, "a-new-owner-password").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}
