//! `/api/v1/consent/{phone}`: a number's consent and history, changed by hand; the outbox
//! honours an opt-out made after a text was queued; another organisation sees none of it.

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard::accounts::Role;
use switchboard::telephony::outbox::dispatch::{self, DispatchSettings};
use switchboard::telephony::outbox::model::{OutboxStatus, SkipReason};

use super::dispatch::{enqueue_text, status_of, texts_to};
use super::inbound::{MEMBER, text_in, with_number};
use crate::support::TestApp;

fn path(phone: &str) -> String {
    format!("/api/v1/consent/{}", phone.replace('+', "%2B"))
}

async fn change(app: &TestApp, token: &str, phone: &str, body: Value) -> (StatusCode, Value) {
    app.post_json(&path(phone), token, &body).await
}

#[tokio::test]
async fn an_opt_out_by_api_skips_a_text_queued_before_it_when_the_text_is_claimed() {
    let app = TestApp::spawn().await;
    let to = "+15005550301";
    let id = enqueue_text(&app, "queued-first", to, "Rally at noon").await;
    let (status, consent) = change(
        &app,
        &app.token,
        to,
        json!({ "channel": "sms", "opted_in": false, "note": "asked by phone" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{consent}");
    assert_eq!(consent["sms"]["opted_in"], json!(false));
    assert_eq!(consent["sms"]["source"], json!("api"));
    assert_eq!(consent["voice"]["opted_in"], json!(true));
    let pass = dispatch::dispatch_due(&app.state, &DispatchSettings::default(), "w1")
        .await
        .unwrap();
    assert_eq!(pass.skipped, 1, "{pass:?}");
    let row = status_of(&app, id).await;
    assert_eq!(
        (row.status, row.skip_reason),
        (OutboxStatus::Skipped, Some(SkipReason::OptedOut))
    );
    assert!(texts_to(&app, to).await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn the_history_lists_every_change_oldest_first_with_its_source() {
    let app = TestApp::spawn().await;
    with_number(&app).await;
    text_in(&app, "SMhist1", MEMBER, "STOP").await;
    app.advance(60);
    change(
        &app,
        &app.token,
        MEMBER,
        json!({ "channel": "sms", "opted_in": true }),
    )
    .await;
    app.advance(60);
    change(
        &app,
        &app.token,
        MEMBER,
        json!({ "channel": "voice", "opted_in": false }),
    )
    .await;
    // A national number of the +1 plan names the same number.
    let (status, consent) = app
        .get(&path("500 555 0401").replace(" ", "%20"), &app.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{consent}");
    assert_eq!(consent["phone"], json!(MEMBER));
    let history: Vec<(String, bool, String)> = consent["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["channel"].as_str().unwrap().to_string(),
                e["opted_in"].as_bool().unwrap(),
                e["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("sms", false, "keyword"),
        ("sms", true, "api"),
        ("voice", false, "api"),
    ]
    .map(|(c, o, s)| (c.to_string(), o, s.to_string()));
    assert_eq!(history, expected);
    assert_eq!(consent["history"][0]["at"], json!("2026-03-02T19:00:00Z"));
    assert_eq!(consent["sms"]["opted_in"], json!(true));
    assert_eq!(consent["voice"]["opted_in"], json!(false));
    app.stop().await;
}

#[tokio::test]
async fn another_organisations_token_sees_an_empty_ledger_for_the_number() {
    let app = TestApp::spawn().await;
    let to = "+15005550302";
    change(
        &app,
        &app.token,
        to,
        json!({ "channel": "sms", "opted_in": false }),
    )
    .await;
    let (_, other) = app.other_org("other").await;
    let (status, seen) = app.get(&path(to), &other).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["history"], json!([]));
    assert_eq!(seen["sms"]["opted_in"], json!(true));
    // Its own opt-in does not touch ours.
    let (status, _) = change(
        &app,
        &other,
        to,
        json!({ "channel": "sms", "opted_in": true }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, ours) = app.get(&path(to), &app.token).await;
    assert_eq!(ours["sms"]["opted_in"], json!(false));
    assert_eq!(ours["history"].as_array().unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn bad_numbers_fields_and_roles_are_refused_and_nothing_is_recorded() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/api/v1/consent/not-a-number", &app.token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], json!("phone"));
    let to = "+15005550303";
    let cases = [
        (json!({ "channel": "fax", "opted_in": false }), "channel"),
        (json!({ "channel": "sms" }), "opted_in"),
        (
            json!({ "channel": "sms", "opted_in": false, "note": "x".repeat(501) }),
            "note",
        ),
        (
            json!({ "channel": "sms", "opted_in": false, "extra": 1 }),
            "extra",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = change(&app, &app.token, to, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert!(answer.to_string().contains(field), "{field}: {answer}");
    }
    let agent = app.token_with_role(Role::Agent).await;
    let (status, _) = change(
        &app,
        &agent,
        to,
        json!({ "channel": "sms", "opted_in": true }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = change(
        &app,
        &agent,
        to,
        json!({ "channel": "sms", "opted_in": false }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, consent) = app.get(&path(to), &app.token).await;
    assert_eq!(consent["history"].as_array().unwrap().len(), 1);
    let (status, _) = app.get(&path(to), "not-a-token").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}
