//! The telephony shell against the real simulator: calls and texts cross HTTP, signed status
//! callbacks feed the ledger idempotently and in order; unsigned webhooks get 403.

use std::time::Duration;

use switchboard::telephony::{self, Owner, ledger};
use twilio::client::{CreateCall, CreateMessage};
use twilio_sim::{Behaviour, Outcome};

use crate::support::{TestApp, TestOptions};

const FROM: &str = "+15005550006";

async fn fast_app() -> TestApp {
    TestApp::spawn_with(TestOptions {
        env: vec![("SWITCHBOARD_SIM_SPEED", "200".into())],
        ..TestOptions::default()
    })
    .await
}

fn sim(app: &TestApp) -> &twilio_sim::Simulator {
    &app.state
        .telephony
        .sim()
        .expect("simulated telephony")
        .simulator
}

/// Waits (bounded) until the ledger shows `status` for `sid`.
async fn wait_for_status(app: &TestApp, sid: &str, status: &str) -> ledger::CallRow {
    for _ in 0..400 {
        if let Some(row) = ledger::find_call(&app.state.db, app.org, sid)
            .await
            .unwrap()
            && row.status == status
        {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "call {sid} never reached {status}: {:?}",
        ledger::find_call(&app.state.db, app.org, sid).await
    );
}

#[tokio::test]
async fn a_placed_call_is_ledgered_and_its_signed_callbacks_move_it_to_completed() {
    let app = fast_app().await;
    let to = "+15005550111";
    sim(&app).set_behaviour(
        to,
        Behaviour {
            answer_after_secs: 2.0,
            talk_secs: 1.0,
            ..Behaviour::default()
        },
    );
    let call = CreateCall {
        to: to.into(),
        from: FROM.into(),
        twiml: Some("<Response><Say>Testing the line.</Say></Response>".into()),
        ..CreateCall::default()
    };
    let placed = telephony::place_call(
        &app.state,
        app.org,
        Some(Owner {
            kind: "test",
            id: 7,
        }),
        call,
    )
    .await
    .unwrap();
    assert!(placed.sid.starts_with("CA"));
    let row = wait_for_status(&app, &placed.sid, "completed").await;
    assert_eq!(row.owner_kind.as_deref(), Some("test"));
    assert_eq!(row.owner_id, Some(7));
    assert!(row.duration_secs.is_some_and(|d| d >= 1), "{row:?}");
    let events = ledger::count_events(&app.state.db, &placed.sid)
        .await
        .unwrap();
    assert!(
        events >= 3,
        "initiated, ringing, answered and completed callbacks arrive: {events}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_busy_number_ends_busy_in_the_ledger() {
    let app = fast_app().await;
    let to = "+15005550112";
    sim(&app).set_behaviour(
        to,
        Behaviour {
            outcome: Outcome::Busy,
            ..Behaviour::default()
        },
    );
    let call = CreateCall {
        to: to.into(),
        from: FROM.into(),
        twiml: Some("<Response><Hangup/></Response>".into()),
        ..CreateCall::default()
    };
    let placed = telephony::place_call(&app.state, app.org, None, call)
        .await
        .unwrap();
    wait_for_status(&app, &placed.sid, "busy").await;
    app.stop().await;
}

#[tokio::test]
async fn a_magic_invalid_number_is_a_typed_error_with_twilios_code() {
    let app = fast_app().await;
    let call = CreateCall {
        to: "+15005550001".into(),
        from: FROM.into(),
        twiml: Some("<Response/>".into()),
        ..CreateCall::default()
    };
    let err = telephony::place_call(&app.state, app.org, None, call)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(21211));
    app.stop().await;
}

#[tokio::test]
async fn a_sent_text_is_ledgered_and_reaches_delivered() {
    let app = fast_app().await;
    let text = CreateMessage {
        to: "+15005550113".into(),
        from: Some(FROM.into()),
        body: Some("Shift reminder".into()),
        ..CreateMessage::default()
    };
    let sent = telephony::send_text(&app.state, app.org, None, text)
        .await
        .unwrap();
    for _ in 0..400 {
        let status = ledger::message_status(&app.state.db, app.org, &sent.sid)
            .await
            .unwrap();
        if status.as_deref() == Some("delivered") {
            return app.stop().await;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the text never reached delivered");
}

fn signed_form(
    app: &TestApp,
    path: &str,
    params: &[(&str, &str)],
) -> (String, Vec<(String, String)>, String) {
    let url = app.state.config.public_url_for(path);
    let pairs: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let signature =
        twilio::signature::sign(app.state.config.twilio_auth_token.expose(), &url, &pairs);
    (app.url(path), pairs, signature)
}

async fn post_callback(app: &TestApp, path: &str, params: &[(&str, &str)]) -> u16 {
    let (url, pairs, signature) = signed_form(app, path, params);
    let r = app
        .http
        .post(url)
        .header("X-Twilio-Signature", signature)
        .form(&pairs)
        .send()
        .await
        .unwrap();
    r.status().as_u16()
}

#[tokio::test]
async fn a_repeated_callback_changes_nothing_and_a_late_ringing_never_overwrites_completed() {
    let app = fast_app().await;
    let path = format!("/twilio/calls/status?org={}", app.org);
    let sid = "CA0123456789abcdef0123456789abcdef";
    let base = [
        ("CallSid", sid),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", FROM),
        ("To", "+15005550114"),
    ];
    let completed: Vec<(&str, &str)> = base
        .iter()
        .copied()
        .chain([
            ("CallStatus", "completed"),
            ("CallDuration", "42"),
            ("SequenceNumber", "3"),
        ])
        .collect();
    let ringing: Vec<(&str, &str)> = base
        .iter()
        .copied()
        .chain([("CallStatus", "ringing"), ("SequenceNumber", "1")])
        .collect();
    assert_eq!(post_callback(&app, &path, &completed).await, 204);
    assert_eq!(
        post_callback(&app, &path, &completed).await,
        204,
        "a retry is accepted"
    );
    assert_eq!(
        post_callback(&app, &path, &ringing).await,
        204,
        "a late one is accepted"
    );
    let row = ledger::find_call(&app.state.db, app.org, sid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, "completed");
    assert_eq!(row.duration_secs, Some(42));
    assert_eq!(
        ledger::count_events(&app.state.db, sid).await.unwrap(),
        2,
        "the repeat was stored once"
    );
    app.stop().await;
}

#[tokio::test]
async fn webhooks_with_a_missing_or_wrong_signature_get_403() {
    let app = fast_app().await;
    let path = format!("/twilio/calls/status?org={}", app.org);
    let params = [
        ("CallSid", "CA1"),
        ("AccountSid", "AC1"),
        ("From", FROM),
        ("To", FROM),
        ("CallStatus", "completed"),
    ];
    let (url, pairs, signature) = signed_form(&app, &path, &params);
    let unsigned = app.http.post(&url).form(&pairs).send().await.unwrap();
    assert_eq!(unsigned.status(), 403);
    let wrong = app
        .http
        .post(&url)
        .header("X-Twilio-Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        .form(&pairs)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let mut tampered = pairs.clone();
    tampered[4].1 = "busy".into();
    let tampered = app
        .http
        .post(&url)
        .header("X-Twilio-Signature", &signature)
        .form(&tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(
        tampered.status(),
        403,
        "a changed parameter breaks the signature"
    );
    let other_org = app.url(&format!("/twilio/calls/status?org={}", app.org.get() + 1));
    let moved = app
        .http
        .post(other_org)
        .header("X-Twilio-Signature", &signature)
        .form(&pairs)
        .send()
        .await
        .unwrap();
    assert_eq!(
        moved.status(),
        403,
        "the organisation in the URL is covered by the signature"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_signed_callback_missing_a_required_field_is_a_400_naming_it() {
    let app = fast_app().await;
    let path = format!("/twilio/calls/status?org={}", app.org);
    let status = post_callback(
        &app,
        &path,
        &[("AccountSid", "AC1"), ("CallStatus", "completed")],
    )
    .await;
    assert_eq!(status, 400);
    app.stop().await;
}
