//! Item 3: one authorisation rule for API tokens and dashboard sessions. An admin cannot
//! deactivate, demote or delete the owner, nor revoke an owner's token, whichever way they ask.

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard::accounts::{self, Role};

use super::owner_id;
use crate::support::TestApp;
use crate::support::web_session::{WebSession, sign_in_attempt};

fn message(err: &Value) -> &str {
    err["error"]["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn an_admin_or_manager_token_cannot_deactivate_demote_or_delete_the_owner() {
    let app = TestApp::spawn().await;
    let owner = owner_id(&app).await;
    let path = format!("/api/v1/people/{owner}");
    for role in [Role::Admin, Role::Manager] {
        let token = app.token_with_role(role).await;
        for change in [
            json!({"active": false}),
            json!({"role": "admin"}),
            json!({"available": false}),
        ] {
            let (status, err) = app.patch_json(&path, &token, &change).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{role} sends {change}: {err}"
            );
            assert!(
                message(&err).contains("above"),
                "{role} sends {change}: {err}"
            );
        }
        let (status, err) = app.delete(&path, &token).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{role} deletes the owner: {err}"
        );
    }
    let (_, still) = app.get(&path, &app.token).await;
    assert_eq!(
        (still["role"].as_str(), still["active"].as_bool()),
        (Some("owner"), Some(true))
    );
    let r = sign_in_attempt(&app, &app.http, "admin@localhost", "correct-horse-battery").await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the owner still signs in"
    );
    // The rule is about the owner, not about admins changing people at all.
    let admin = app.token_with_role(Role::Admin).await;
    let body = json!({"name": "Ada", "role": "agent"});
    let (_, ada) = app.post_json("/api/v1/people", &admin, &body).await;
    let ada = format!("/api/v1/people/{}", ada["id"]);
    let (status, _) = app
        .patch_json(&ada, &admin, &json!({"active": false}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.delete(&ada, &admin).await.0, StatusCode::NO_CONTENT);
    app.stop().await;
}

/// The id of the token `TestApp` made for the owner.
async fn owner_token_id(app: &TestApp) -> i64 {
    let tokens = accounts::store::list_tokens(&app.state.db, app.org)
        .await
        .unwrap();
    tokens
        .iter()
        .find(|t| t.role == Role::Owner)
        .expect("the owner's token")
        .id
}

#[tokio::test]
async fn an_admin_token_cannot_revoke_an_owner_token() {
    let app = TestApp::spawn().await;
    let admin = app.token_with_role(Role::Admin).await;
    let path = format!("/api/v1/tokens/{}", owner_token_id(&app).await);
    let (status, err) = app.delete(&path, &admin).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert!(message(&err).contains("above"), "{err}");
    assert_eq!(
        app.get("/api/v1/people", &app.token).await.0,
        StatusCode::OK
    );
    let (_, manager) = app
        .post_json(
            "/api/v1/tokens",
            &admin,
            &json!({"name": "m", "role": "manager"}),
        )
        .await;
    let path = format!("/api/v1/tokens/{}", manager["id"]);
    assert_eq!(app.delete(&path, &admin).await.0, StatusCode::NO_CONTENT);
    app.stop().await;
}

#[tokio::test]
async fn an_admin_session_cannot_revoke_an_owner_token() {
    let app = TestApp::spawn().await;
    let admin = WebSession::with_role(&app, Role::Admin).await;
    let action = format!("/tokens/{}/revoke", owner_token_id(&app).await);
    let page = admin.submit("/tokens", &action, &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.html);
    assert!(page.html.contains("above"), "{}", page.html);
    assert_eq!(
        app.get("/api/v1/people", &app.token).await.0,
        StatusCode::OK
    );
    app.stop().await;
}
