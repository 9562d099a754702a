//! Item 1: a webhook is valid only when signed with the auth token of the account that owns
//! the number (or call) it concerns: the organisation's own token when it has one, else the
//! installation's. An organisation's token has Twilio's form.

use serde_json::json;
use switchboard::hotline::demo;
use switchboard::hotline::model::IncidentStatus;
use switchboard::hotline::store::incidents;

use super::{
    A_TOKEN, B_LINE, B_TOKEN, STUDIO_SECRET, post_form, post_studio, set_org_token, tenants,
    url_in, voice_call,
};

const A_CALL: &str = "CA0000000000000000000000000000a001";
const ATTACKER: &str = "+14155550666";

#[tokio::test]
async fn webhooks_about_one_organisations_calls_signed_with_another_organisations_token_get_403() {
    let t = tenants().await;
    let app = &t.app;
    let (status, html) = set_org_token(&t.b_admin().await, B_TOKEN).await;
    assert_eq!(status, 200, "{html}");
    let installation = t.installation_token();

    // A's ladder line takes a call, signed as Twilio signs it: Ada rings with a whisper.
    let call = voice_call(A_CALL, demo::LADDER_LINE);
    let (status, dial) = post_form(app, "/callrouting/handle", &call, &installation, None).await;
    assert_eq!(status, 200, "{dial}");
    let whisper = url_in(&dial, "/twilio/hotline/whisper?");
    let whisper_answer = whisper.replace("/whisper?", "/whisper-answer?");
    let (_, incident) = incidents::find_by_call(&app.state.db, A_CALL)
        .await
        .unwrap()
        .expect("the call opened an incident");

    // B's admin signs requests about A's number, call and incident with B's own token.
    let forged: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            "/callrouting/handle".into(),
            voice_call("CA0000000000000000000000000000a002", demo::LADDER_LINE),
        ),
        (
            whisper_answer.clone(),
            vec![
                ("CallSid", "CA0000000000000000000000000000b001"),
                ("To", ATTACKER),
                ("Digits", "1"),
            ],
        ),
        (
            "/callrouting/recording".into(),
            vec![
                ("CallSid", A_CALL),
                ("RecordingSid", "RE00000000000000000000000000000001"),
                ("RecordingUrl", "https://attacker.example/voicemail.mp3"),
                ("RecordingDuration", "12"),
            ],
        ),
        (
            "/callrouting/recordingcomplete".into(),
            vec![
                ("CallSid", A_CALL),
                ("RecordingSid", "RE00000000000000000000000000000001"),
                ("RecordingUrl", "https://attacker.example/voicemail.mp3"),
                ("RecordingStatus", "completed"),
                ("RecordingDuration", "12"),
            ],
        ),
        (
            "/callrouting/transcription".into(),
            vec![
                ("CallSid", A_CALL),
                ("TranscriptionSid", "TR00000000000000000000000000000001"),
                ("TranscriptionStatus", "completed"),
                ("TranscriptionText", "call the attacker back"),
            ],
        ),
        (
            "/twilio/hotline/call-status".into(),
            vec![
                ("CallSid", A_CALL),
                ("AccountSid", super::ACCOUNT_SID),
                ("From", super::CALLER),
                ("To", demo::LADDER_LINE),
                ("CallStatus", "completed"),
                ("CallDuration", "3"),
            ],
        ),
        (
            format!("/twilio/calls/status?org={}", app.org),
            vec![
                ("CallSid", A_CALL),
                ("AccountSid", super::ACCOUNT_SID),
                ("From", super::CALLER),
                ("To", demo::LADDER_LINE),
                ("CallStatus", "completed"),
            ],
        ),
    ];
    for (path, params) in &forged {
        let (status, body) = post_form(app, path, params, B_TOKEN, None).await;
        assert_eq!(status, 403, "{path} signed with B's token: {body}");
    }
    // The whisper answer without the organisation in its URL is refused all the same.
    let bare = whisper_answer
        .split('&')
        .filter(|p| !p.starts_with("org="))
        .collect::<Vec<_>>()
        .join("&");
    let (status, _) = post_form(app, &bare, &forged[1].1, B_TOKEN, None).await;
    assert_eq!(status, 403, "{bare}");
    let completed = json!({"incidentId": incident.id, "duration": 1});
    let (status, body) = post_studio(app, "completed", &completed, B_TOKEN).await;
    assert_eq!(
        status, 403,
        "Studio's completed signed with B's token: {body}"
    );

    let after = incidents::find(&app.state.db, app.org, incident.id)
        .await
        .unwrap();
    assert_eq!(after.status, IncidentStatus::Open, "{after:?}");
    assert_eq!(after.answered_phone, None);
    assert_eq!(after.voicemail_url, None);
    assert_eq!(after.transcript, None);
    // B's own line still takes B's calls signed with B's token.
    let b_call = voice_call("CA0000000000000000000000000000b002", B_LINE);
    let (status, body) = post_form(app, "/callrouting/handle", &b_call, B_TOKEN, None).await;
    assert_eq!(status, 200, "{body}");
    // And the installation's Studio secret still reaches A's incident.
    let r = app
        .http
        .post(app.url("/api/telephony/completed"))
        .bearer_auth(STUDIO_SECRET)
        .json(&completed)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    t.app.stop().await;
}

/// Posts a new call to B's line signed with `token`; returns the status.
async fn call_b(app: &crate::support::TestApp, n: u32, token: &str) -> u16 {
    let sid = format!("CA00000000000000000000000000{n:06}");
    let call = voice_call(&sid, B_LINE);
    post_form(app, "/callrouting/handle", &call, token, None)
        .await
        .0
}

#[tokio::test]
async fn an_organisation_with_its_own_token_has_its_webhooks_checked_with_that_token_alone() {
    let t = tenants().await;
    let app = &t.app;
    let installation = t.installation_token();
    let b_admin = t.b_admin().await;
    // Without a token of its own, B's webhooks are signed with the installation's.
    assert_eq!(call_b(app, 1, &installation).await, 200);
    assert_eq!(call_b(app, 2, B_TOKEN).await, 403);
    // With one, only that token signs them.
    assert_eq!(set_org_token(&b_admin, B_TOKEN).await.0, 200);
    assert_eq!(call_b(app, 3, B_TOKEN).await, 200);
    assert_eq!(call_b(app, 4, &installation).await, 403);
    assert_eq!(call_b(app, 5, A_TOKEN).await, 403);
    // Removing it hands B's webhooks back to the installation's token.
    let cleared = b_admin
        .submit(
            "/settings",
            "/settings",
            &[("name", "Organisation"), ("clear_auth_token", "on")],
        )
        .await;
    assert_eq!(cleared.status, 200, "{}", cleared.html);
    assert_eq!(call_b(app, 6, &installation).await, 200);
    assert_eq!(call_b(app, 7, B_TOKEN).await, 403);
    // A's calls are signed with the installation's token all along.
    let a_call = voice_call("CA0000000000000000000000000000a003", demo::LADDER_LINE);
    let (status, _) = post_form(app, "/callrouting/handle", &a_call, &installation, None).await;
    assert_eq!(status, 200);
    t.app.stop().await;
}

#[tokio::test]
async fn an_organisations_auth_token_must_be_32_lowercase_hex_characters() {
    let t = tenants().await;
    let admin = t.b_admin().await;
    for bad in [
        "attacker",
        "0123456789abcdef0123456789abcde",
        "0123456789abcdef0123456789abcdef0",
        "0123456789ABCDEF0123456789ABCDEF",
        "0123456789abcdef0123456789abcdeg",
        "0123456789abcdef 123456789abcdef",
    ] {
        let (status, html) = set_org_token(&admin, bad).await;
        assert_eq!(status, 400, "{bad:?} was accepted");
        assert!(
            html.contains(r#"data-field="twilio_auth_token""#),
            "{bad:?}: {html}"
        );
        assert!(!html.contains(bad), "the refused token is not echoed back");
    }
    let (status, html) = set_org_token(&admin, B_TOKEN).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Settings saved."), "{html}");
    t.app.stop().await;
}
