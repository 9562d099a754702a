//! People and tokens over the API: validation, roles, and organisation isolation.

use serde_json::json;
use switchboard::accounts::Role;

use crate::support::TestApp;

#[tokio::test]
async fn a_person_is_created_listed_updated_and_deleted() {
    let app = TestApp::spawn().await;
    let (status, ada) = app
        .post_json(
            "/api/v1/people",
            &app.token,
            &json!({"name": "Ada Lovelace", "phone": "+1 (500) 555-0111", "role": "agent"}),
        )
        .await;
    assert_eq!(status, 201, "{ada}");
    assert_eq!(ada["phone"], "+15005550111");
    assert_eq!(ada["available"], true);
    assert_eq!(ada["has_login"], false);
    let id = ada["id"].as_i64().unwrap();
    let (status, people) = app.get("/api/v1/people", &app.token).await;
    assert_eq!(status, 200);
    assert!(
        people
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Ada Lovelace")
    );
    let (status, updated) = app
        .patch_json(
            &format!("/api/v1/people/{id}"),
            &app.token,
            &json!({"available": false}),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["available"], false);
    assert_eq!(updated["name"], "Ada Lovelace");
    let (status, _) = app
        .delete(&format!("/api/v1/people/{id}"), &app.token)
        .await;
    assert_eq!(status, 204);
    let (status, _) = app.get(&format!("/api/v1/people/{id}"), &app.token).await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn bad_person_input_gets_a_400_naming_the_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({"name": "", "role": "agent"}), "name"),
        (
            json!({"name": "A", "role": "agent", "phone": "12345"}),
            "phone",
        ),
        (
            json!({"name": "A", "role": "agent", "email": "not-an-email"}),
            "email",
        ),
        (json!({"name": "A", "role": "wizard"}), "role"),
        (json!({"role": "agent"}), "name"),
        (
            json!({"name": "A", "role": "agent", "colour": "blue"}),
            "colour",
        ),
    ];
    for (body, field) in cases {
        let (status, err) = app.post_json("/api/v1/people", &app.token, &body).await;
        assert_eq!(status, 400, "{body} -> {err}");
        let message = err["error"]["message"].as_str().unwrap_or_default();
        assert!(
            err["error"]["field"] == field || message.contains(field),
            "{body} -> {err}"
        );
    }
    let r = app
        .http
        .post(app.url("/api/v1/people"))
        .bearer_auth(&app.token)
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    app.stop().await;
}

#[tokio::test]
async fn a_duplicate_email_is_a_409_conflict() {
    let app = TestApp::spawn().await;
    let body = json!({"name": "Grace", "email": "grace@example.org", "role": "agent"});
    assert_eq!(
        app.post_json("/api/v1/people", &app.token, &body).await.0,
        201
    );
    let (status, err) = app.post_json("/api/v1/people", &app.token, &body).await;
    assert_eq!(status, 409);
    assert_eq!(err["error"]["field"], "email");
    app.stop().await;
}

#[tokio::test]
async fn another_organisations_ids_answer_404_never_its_data() {
    let app = TestApp::spawn().await;
    let (_, person) = app
        .post_json(
            "/api/v1/people",
            &app.token,
            &json!({"name": "Secret Sam", "role": "agent"}),
        )
        .await;
    let id = person["id"].as_i64().unwrap();
    let (_, other) = app.other_org("other-org").await;
    let (status, body) = app.get(&format!("/api/v1/people/{id}"), &other).await;
    assert_eq!(status, 404);
    assert!(!body.to_string().contains("Secret Sam"));
    assert_eq!(
        app.patch_json(
            &format!("/api/v1/people/{id}"),
            &other,
            &json!({"name": "x"})
        )
        .await
        .0,
        404
    );
    assert_eq!(
        app.delete(&format!("/api/v1/people/{id}"), &other).await.0,
        404
    );
    let (_, listed) = app.get("/api/v1/people", &other).await;
    assert!(!listed.to_string().contains("Secret Sam"));
    app.stop().await;
}

#[tokio::test]
async fn requests_without_a_valid_token_are_401_and_low_roles_are_403() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/api/v1/people", "sbt_nonsense").await.0, 401);
    let r = app
        .http
        .get(app.url("/api/v1/people"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let viewer = app.token_with_role(Role::Viewer).await;
    assert_eq!(app.get("/api/v1/people", &viewer).await.0, 200);
    let (status, _) = app
        .post_json(
            "/api/v1/people",
            &viewer,
            &json!({"name": "X", "role": "agent"}),
        )
        .await;
    assert_eq!(status, 403);
    app.stop().await;
}

#[tokio::test]
async fn a_revoked_token_stops_working_and_its_secret_is_shown_once() {
    let app = TestApp::spawn().await;
    let (status, created) = app
        .post_json(
            "/api/v1/tokens",
            &app.token,
            &json!({"name": "ci", "role": "manager"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("sbt_"));
    assert_eq!(app.get("/api/v1/people", &secret).await.0, 200);
    let (_, listed) = app.get("/api/v1/tokens", &app.token).await;
    assert!(
        !listed.to_string().contains(&secret),
        "token secrets are never listed"
    );
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        app.delete(&format!("/api/v1/tokens/{id}"), &app.token)
            .await
            .0,
        204
    );
    assert_eq!(app.get("/api/v1/people", &secret).await.0, 401);
    app.stop().await;
}

#[tokio::test]
async fn a_token_cannot_mint_a_higher_role_than_its_own() {
    let app = TestApp::spawn().await;
    let admin = app.token_with_role(Role::Admin).await;
    let (status, err) = app
        .post_json(
            "/api/v1/tokens",
            &admin,
            &json!({"name": "up", "role": "owner"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["field"], "role");
    app.stop().await;
}
