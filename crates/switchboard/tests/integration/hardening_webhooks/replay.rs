//! Item 8: Twilio sends the same `I-Twilio-Idempotency-Token` on every retry of a webhook. A
//! second request with a token already answered (for the same organisation) gets the first
//! answer and is not processed again.

use switchboard::hotline::demo;
use switchboard::hotline::model::IncidentStatus;
use switchboard::hotline::store::incidents;

use super::{B_LINE, post_form, tenants, url_in, voice_call};

const CALL: &str = "CA0000000000000000000000000000c001";
/// Ada Lovelace, primary on call on the demo's ladder line: rung first.
const ADA: &str = "+15005550111";

#[tokio::test]
async fn a_voice_webhook_retried_with_the_same_idempotency_token_is_answered_like_the_first() {
    let t = tenants().await;
    let (app, token) = (&t.app, t.installation_token());
    let call = voice_call(CALL, demo::LADDER_LINE);
    let (status, first) = post_form(
        app,
        "/callrouting/handle",
        &call,
        &token,
        Some("ID-voice-1"),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    assert!(first.contains(ADA), "{first}");
    // Ada does not answer: the walk goes on to Grace.
    let dial_result = url_in(&first, "/twilio/hotline/dial-result?");
    let no_answer = [
        ("CallSid", CALL),
        ("AccountSid", super::ACCOUNT_SID),
        ("DialCallStatus", "no-answer"),
    ];
    let (status, walked) =
        post_form(app, &dial_result, &no_answer, &token, Some("ID-dial-1")).await;
    assert_eq!(status, 200, "{walked}");
    assert_ne!(walked, first);
    // Twilio retries the voice webhook (its first answer was lost): the first answer again.
    let (status, retried) = post_form(
        app,
        "/callrouting/handle",
        &call,
        &token,
        Some("ID-voice-1"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        retried, first,
        "the retry is answered like the first request"
    );
    // The same request under a new token is a new request: where the walk is now.
    let (_, again) = post_form(
        app,
        "/callrouting/handle",
        &call,
        &token,
        Some("ID-voice-2"),
    )
    .await;
    assert_eq!(again, walked);
    t.app.stop().await;
}

#[tokio::test]
async fn a_whisper_answer_retried_with_the_same_idempotency_token_is_not_processed_again() {
    let t = tenants().await;
    let (app, token) = (&t.app, t.installation_token());
    let call = voice_call(CALL, demo::LADDER_LINE);
    let (_, dial) = post_form(app, "/callrouting/handle", &call, &token, None).await;
    let answer_path =
        url_in(&dial, "/twilio/hotline/whisper?").replace("/whisper?", "/whisper-answer?");
    let leg = "CA0000000000000000000000000000c002";
    let pressed = |digits: &'static str| vec![("CallSid", leg), ("To", ADA), ("Digits", digits)];
    let (status, declined) = post_form(
        app,
        &answer_path,
        &pressed("2"),
        &token,
        Some("ID-whisper-1"),
    )
    .await;
    assert_eq!(status, 200, "{declined}");
    // A request carrying the same token is the same request: answered as declined, and Ada
    // has not taken the call.
    let (status, retried) = post_form(
        app,
        &answer_path,
        &pressed("1"),
        &token,
        Some("ID-whisper-1"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(retried, declined);
    let (_, incident) = incidents::find_by_call(&app.state.db, CALL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(incident.status, IncidentStatus::Open, "{incident:?}");
    assert_eq!(incident.answered_phone, None);
    // A new token is processed: Ada takes the call after all.
    let (_, accepted) = post_form(
        app,
        &answer_path,
        &pressed("1"),
        &token,
        Some("ID-whisper-2"),
    )
    .await;
    assert_ne!(accepted, declined);
    let incident = incidents::find(&app.state.db, app.org, incident.id)
        .await
        .unwrap();
    assert_eq!(incident.answered_phone.as_deref(), Some(ADA));
    t.app.stop().await;
}

#[tokio::test]
async fn an_idempotency_token_seen_for_one_organisation_is_new_for_another() {
    let t = tenants().await;
    let (app, token) = (&t.app, t.installation_token());
    let a_call = voice_call(CALL, demo::LADDER_LINE);
    let (_, a) = post_form(
        app,
        "/callrouting/handle",
        &a_call,
        &token,
        Some("ID-shared"),
    )
    .await;
    assert!(a.contains(ADA), "{a}");
    let b_call = voice_call("CA0000000000000000000000000000c003", B_LINE);
    let (status, b) = post_form(
        app,
        "/callrouting/handle",
        &b_call,
        &token,
        Some("ID-shared"),
    )
    .await;
    assert_eq!(status, 200, "{b}");
    assert_ne!(b, a, "B's call gets B's own answer");
    assert!(!b.contains(ADA), "{b}");
    let (org, _) = incidents::find_by_call(&app.state.db, "CA0000000000000000000000000000c003")
        .await
        .unwrap()
        .expect("B's call was processed");
    assert_eq!(org, t.b);
    t.app.stop().await;
}
