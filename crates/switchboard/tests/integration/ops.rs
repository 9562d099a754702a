//! Operations endpoints and the dashboard's sign-in over plain HTTP.

use crate::support::TestApp;
use crate::support::web_session::sign_in_attempt;

#[tokio::test]
async fn health_readiness_metrics_docs_and_login_answer() {
    let app = TestApp::spawn().await;
    for (path, needle) in [
        ("/healthz", "ok"),
        ("/readyz", "ready"),
        ("/api/openapi.json", "\"openapi\""),
        ("/api/docs/", "swagger"),
        ("/login", "Sign in"),
    ] {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let body = r.text().await.unwrap();
        assert!(
            body.to_lowercase().contains(&needle.to_lowercase()),
            "{path}: {body:.200}"
        );
    }
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("http_requests_total"), "{metrics:.500}");
    assert!(
        metrics.contains("jobs{state=\"queued\"}"),
        "{metrics:.2000}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_lists_the_native_api() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/people",
        "/api/v1/people/{id}",
        "/api/v1/tokens",
        "/api/v1/jobs",
        "/api/v1/phone-numbers",
        "/api/v1/hotline/lines",
        "/api/v1/hotline/lines/{id}/shifts",
        "/api/v1/hotline/lines/{id}/oncall/rotation",
        "/api/v1/hotline/lines/{id}/ladders/{hours}",
        "/api/v1/hotline/lines/{id}/metrics",
        "/api/v1/hotline/incidents/{id}",
        "/api/v1/people/{id}/calendar",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from OpenAPI"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn signing_in_sets_an_httponly_samesite_cookie_and_wrong_passwords_are_refused() {
    let app = TestApp::spawn().await;
    let bad = sign_in_attempt(&app, &app.http, "admin@localhost", "wrong").await;
    assert_eq!(bad.status(), 401);
    let ok = sign_in_attempt(&app, &app.http, "admin@localhost", "correct-horse-battery").await;
    assert_eq!(ok.status(), 303);
    let cookie = ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("sb_session="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();
    let home = app
        .http
        .get(app.url("/"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("Overview"));
    let anonymous = app.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        anonymous.status(),
        303,
        "the overview redirects to /login without a session"
    );
    app.stop().await;
}

#[tokio::test]
async fn logging_out_needs_the_forms_csrf_token() {
    let app = TestApp::spawn().await;
    let ok = sign_in_attempt(&app, &app.http, "admin@localhost", "correct-horse-battery").await;
    let session = crate::support::web_session::cookies_of(&ok)
        .split("; ")
        .find(|c| c.starts_with("sb_session="))
        .expect("a session cookie")
        .to_string();
    let forged = app
        .http
        .post(app.url("/logout"))
        .header("cookie", &session)
        .form(&[("_csrf", "guess")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(
        app.http
            .get(app.url("/"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "still signed in"
    );
    app.stop().await;
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled() {
    let app = TestApp::spawn().await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let r = sign_in_attempt(&app, &app.http, "admin@localhost", "nope").await;
        statuses.push(r.status().as_u16());
    }
    assert_eq!(&statuses[..5], &[401; 5]);
    assert_eq!(statuses[6], 429, "{statuses:?}");
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_path_is_a_json_404_naming_it() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/api/v1/nowhere", &app.token).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/api/v1/nowhere")
    );
    app.stop().await;
}
