use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard::accounts::Role;
use twilio::client::ListMessages;

use crate::support::TestApp;

const NUMBER: &str = "+15005550006";

async fn with_number(app: &TestApp) {
    let (status, body) = app
        .post_json(
            "/api/v1/phone-numbers",
            &app.token,
            &json!({ "e164": NUMBER }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn send(app: &TestApp, key: Option<&str>, body: &Value) -> (StatusCode, Value) {
    let mut request = app
        .http
        .post(app.url("/api/v1/messages"))
        .bearer_auth(&app.token)
        .json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn texts_to(app: &TestApp, to: &str) -> usize {
    let query = ListMessages {
        to: Some(to.into()),
        ..ListMessages::default()
    };
    let page = app
        .state
        .telephony
        .client()
        .list_messages(&query)
        .await
        .unwrap();
    page.messages.len()
}

#[tokio::test]
async fn a_text_sent_twice_with_one_idempotency_key_is_sent_once_and_answered_alike() {
    let app = TestApp::spawn().await;
    with_number(&app).await;
    let text = json!({ "to": "+15005550301", "body": "Your shift starts at 6" });
    let (status, first) = send(&app, Some("shift-1"), &text).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["status"], "sent");
    assert_eq!(first["from"], NUMBER);
    assert!(
        first["sid"].as_str().is_some_and(|s| s.starts_with("SM")),
        "{first}"
    );
    let (status, again) = send(&app, Some("shift-1"), &text).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((&again["id"], &again["sid"]), (&first["id"], &first["sid"]));
    assert_eq!(texts_to(&app, "+15005550301").await, 1);
    let other = json!({ "to": "+15005550301", "body": "Something else" });
    let (status, err) = send(&app, Some("shift-1"), &other).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["error"]["field"], "Idempotency-Key");
    app.stop().await;
}

#[tokio::test]
async fn a_text_beyond_the_senders_pace_is_queued_with_the_time_it_will_go() {
    let app = TestApp::spawn().await;
    with_number(&app).await;
    let (_, first) = send(&app, None, &json!({ "to": "+15005550302", "body": "One" })).await;
    assert_eq!(first["status"], "sent");
    let (status, second) = send(&app, None, &json!({ "to": "+15005550303", "body": "Two" })).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(second["status"], "queued", "{second}");
    let one_second_later = app
        .now()
        .checked_add(jiff::SignedDuration::from_secs(1))
        .unwrap();
    assert_eq!(second["queued_until"], one_second_later.to_string());
    assert_eq!(texts_to(&app, "+15005550303").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_bad_text_is_refused_naming_its_field() {
    let app = TestApp::spawn().await;
    let ok_to = "+15005550304";
    let (status, err) = send(&app, None, &json!({ "to": ok_to, "body": "Hi" })).await;
    assert_eq!(
        (status, &err["error"]["field"]),
        (StatusCode::BAD_REQUEST, &json!("from")),
        "no number yet"
    );
    with_number(&app).await;
    let cases = [
        (json!({ "to": "not a phone", "body": "Hi" }), "to"),
        (json!({ "to": ok_to, "body": "  " }), "body"),
        (json!({ "to": ok_to, "body": "x".repeat(1601) }), "body"),
        (json!({ "to": ok_to, "body": "Hi\u{0}" }), "body"),
        (
            json!({ "to": ok_to, "body": "Hi", "from": "+15005550999" }),
            "from",
        ),
        (
            json!({ "to": ok_to, "body": "Hi", "time_zone": "Mars/Olympus" }),
            "time_zone",
        ),
    ];
    for (body, field) in cases {
        let (status, err) = send(&app, None, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {err}");
        assert_eq!(err["error"]["field"], field, "{body}: {err}");
    }
    let (status, err) = send(
        &app,
        Some(&"k".repeat(256)),
        &json!({ "to": ok_to, "body": "Hi" }),
    )
    .await;
    assert_eq!(
        (status, &err["error"]["field"]),
        (StatusCode::BAD_REQUEST, &json!("Idempotency-Key"))
    );
    assert_eq!(texts_to(&app, ok_to).await, 0);
    let viewer = app.token_with_role(Role::Viewer).await;
    let response = app
        .http
        .post(app.url("/api/v1/messages"))
        .bearer_auth(viewer)
        .json(&json!({ "to": ok_to, "body": "Hi" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn a_queued_text_is_sent_by_the_servers_dispatcher_when_its_slot_comes() {
    let app = TestApp::spawn_with(crate::support::TestOptions {
        workers: 1,
        ..crate::support::TestOptions::default()
    })
    .await;
    with_number(&app).await;
    send(&app, None, &json!({ "to": "+15005550305", "body": "One" })).await;
    let (_, queued) = send(&app, None, &json!({ "to": "+15005550306", "body": "Two" })).await;
    assert_eq!(queued["status"], "queued");
    app.advance(1);
    // The dispatcher looks at least once a second; wait (bounded) for it to send.
    for _ in 0..200 {
        if texts_to(&app, "+15005550306").await == 1 {
            return app.stop().await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the queued text was never sent");
}

#[tokio::test]
async fn the_configured_pace_and_quiet_hours_are_kept() {
    let app = TestApp::spawn_with(crate::support::TestOptions {
        env: vec![
            ("SWITCHBOARD_TEXTS_PER_SECOND", "0.5".into()),
            ("SWITCHBOARD_QUIET_HOURS", "15:00-21:00".into()),
        ],
        ..crate::support::TestOptions::default()
    })
    .await;
    with_number(&app).await;
    // 14:00 in New York: the window opens at 15:00.
    let (_, early) = send(&app, None, &json!({ "to": "+15005550307", "body": "One" })).await;
    assert_eq!(early["status"], "queued");
    assert_eq!(early["queued_until"], "2026-03-02T20:00:00Z");
    app.advance(3600);
    let (_, first) = send(&app, None, &json!({ "to": "+15005550308", "body": "Two" })).await;
    let (_, second) = send(
        &app,
        None,
        &json!({ "to": "+15005550309", "body": "Three" }),
    )
    .await;
    assert_eq!(first["status"], "sent", "{first}");
    let two_seconds_later = app
        .now()
        .checked_add(jiff::SignedDuration::from_secs(2))
        .unwrap();
    assert_eq!(second["queued_until"], two_seconds_later.to_string());
    app.stop().await;
}

#[tokio::test]
async fn live_mode_sends_through_the_configured_api_base_url() {
    // A standalone simulator stands in for a Twilio-compatible provider.
    let account = "AC0123456789abcdef0123456789abcdef";
    let token = "0123456789abcdef0123456789abcdef";
    let config = twilio_sim::SimConfig {
        account_sid: account.into(),
        auth_token: token.into(),
        ..twilio_sim::SimConfig::default()
    };
    let (provider, server) = twilio_sim::Simulator::bind(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let app = TestApp::spawn_with(crate::support::TestOptions {
        env: vec![
            ("SWITCHBOARD_TELEPHONY", "live".into()),
            ("TWILIO_ACCOUNT_SID", account.into()),
            ("TWILIO_AUTH_TOKEN", token.into()),
            ("TWILIO_API_BASE_URL", server.base_url()),
        ],
        ..crate::support::TestOptions::default()
    })
    .await;
    with_number(&app).await;
    let (status, sent) = send(&app, None, &json!({ "to": "+15005550310", "body": "Live" })).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["status"], "sent", "{sent}");
    let sid = sent["sid"].as_str().unwrap();
    assert!(
        provider.message_status(sid).is_some(),
        "the provider has no {sid}"
    );
    app.stop().await;
}
