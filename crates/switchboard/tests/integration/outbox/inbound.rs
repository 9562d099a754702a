use reqwest::StatusCode;
use serde_json::json;
use switchboard::contacts::model::consent::{Channel, ReplyKind};
use switchboard::contacts::store::consent;
use switchboard::telephony::inbound::{OPTED_OUT_REPLY, store as inbox};

use crate::support::TestApp;

pub(super) const NUMBER: &str = "+15005550006";
pub(super) const MEMBER: &str = "+15005550401";

/// Posts a signed inbound text to our number, as Twilio would; returns the status and TwiML.
pub(super) async fn text_in(
    app: &TestApp,
    sid: &str,
    from: &str,
    body: &str,
) -> (StatusCode, String) {
    let path = "/twilio/messages/inbound";
    let url = app.state.config.public_url_for(path);
    let params: Vec<(String, String)> = [
        ("MessageSid", sid),
        ("AccountSid", app.state.config.twilio_account_sid.as_str()),
        ("From", from),
        ("To", NUMBER),
        ("Body", body),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let signature =
        twilio::signature::sign(app.state.config.twilio_auth_token.expose(), &url, &params);
    let response = app
        .http
        .post(app.url(path))
        .header("X-Twilio-Signature", signature)
        .form(&params)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

pub(super) async fn with_number(app: &TestApp) {
    let (status, _) = app
        .post_json(
            "/api/v1/phone-numbers",
            &app.token,
            &json!({ "e164": NUMBER }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn stop_opts_the_sender_out_once_and_the_next_text_to_them_is_skipped() {
    let app = TestApp::spawn().await;
    with_number(&app).await;
    let (status, twiml) = text_in(&app, "SMin1", MEMBER, "STOP").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !twiml.contains("<Message"),
        "the carrier answers STOP itself: {twiml}"
    );
    // Twilio retries the webhook: kept once, one consent event.
    text_in(&app, "SMin1", MEMBER, "STOP").await;
    let history = consent::history(&app.state.db, app.org, MEMBER)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert!(
        consent::opted_out(&app.state.db, app.org, MEMBER, Channel::Sms)
            .await
            .unwrap()
    );
    let (status, sent) = app
        .post_json(
            "/api/v1/messages",
            &app.token,
            &json!({ "to": MEMBER, "body": "Hello" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        (&sent["status"], &sent["skip_reason"]),
        (&json!("skipped"), &json!("opted-out"))
    );
    // START opts them back in.
    text_in(&app, "SMin2", MEMBER, "start").await;
    assert!(
        !consent::opted_out(&app.state.db, app.org, MEMBER, Channel::Sms)
            .await
            .unwrap()
    );
    app.stop().await;
}

#[tokio::test]
async fn a_stop_the_carrier_does_not_answer_is_confirmed_by_us_and_a_plea_is_flagged_for_review() {
    let app = TestApp::spawn().await;
    with_number(&app).await;
    let (_, twiml) = text_in(&app, "SMin3", MEMBER, "Stop.").await;
    assert!(twiml.contains(OPTED_OUT_REPLY), "{twiml}");
    assert!(
        consent::opted_out(&app.state.db, app.org, MEMBER, Channel::Sms)
            .await
            .unwrap()
    );
    let other = "+15005550402";
    let (_, twiml) = text_in(&app, "SMin4", other, "please stop texting me").await;
    assert!(!twiml.contains("<Message"), "{twiml}");
    assert!(
        !consent::opted_out(&app.state.db, app.org, other, Channel::Sms)
            .await
            .unwrap()
    );
    let kept = inbox::list(&app.state.db, app.org, false, 10)
        .await
        .unwrap();
    let plea = kept.iter().find(|r| r.message_sid == "SMin4").unwrap();
    assert_eq!(plea.reply_kind, ReplyKind::Review);
    // Received Monday 2026-03-02 (New York): ten business days later.
    assert_eq!(plea.review_by.as_deref(), Some("2026-03-16"));
    app.stop().await;
}

#[tokio::test]
async fn an_inbound_text_with_oversized_fields_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    with_number(&app).await;
    let (status, body) = text_in(&app, "SMin5", &"1".repeat(40), "Hi").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("From"), "{body}");
    let (status, _) = text_in(&app, "SMin6", MEMBER, &"x".repeat(1601)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        inbox::list(&app.state.db, app.org, false, 10)
            .await
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}
