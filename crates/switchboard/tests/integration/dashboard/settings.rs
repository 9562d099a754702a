//! Settings, phone numbers and API tokens: nothing secret is ever sent back.

use reqwest::StatusCode;
use serde_json::json;
use switchboard::accounts::{self, Role};

use crate::support::TestApp;
use crate::support::web_session::WebSession;

#[tokio::test]
async fn adding_a_duplicate_phone_number_is_refused_naming_e164() {
    let app = TestApp::spawn().await;
    let owner = WebSession::owner(&app).await;
    let number = [("e164", "+14155550100"), ("friendly_name", "Main")];
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
    assert_eq!(list[0]["friendly_name"], "Main");
    assert!(list[0]["owner"].is_null(), "{list}");
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
    assert!(app.state.signing_keys.check(Some(app.org), |t| t == token));
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
