//! Inbound calls and texts to the organisation's numbers, handed to the number's owner: through
//! the simulator (which fetches the number's URLs and signs like Twilio) and, for retries and
//! forged signatures, posted directly as Twilio would.

use std::time::Duration;

use switchboard::contacts::model::consent::ReplyKind;
use switchboard::hotline::demo;
use switchboard::hotline::model::IncidentStatus;
use switchboard::hotline::store::incidents;
use switchboard::telephony::inbound::store as inbox;
use switchboard::telephony::ledger;
use twilio::client::ListMessages;

use super::{CALLER, SPARE, UNOWNED, app, eventually, give, line_id, register, sim};
use crate::hardening_webhooks::{ACCOUNT_SID, B_TOKEN, post_form, set_org_token, tenants};
use crate::support::TestApp;

const MEMBER: &str = "+15005550401";

/// A's SPARE number given to the demo's ladder line; answers the line's id.
async fn spare_on_the_ladder(app: &TestApp) -> switchboard::ids::LineId {
    let number = register(app, &app.token, SPARE).await;
    let ladder = line_id(app, demo::LADDER_LINE).await;
    let (status, body) = give(app, &app.token, number["id"].as_i64().unwrap(), ladder).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["owner"]["name"], "Field Service Emergency");
    ladder
}

/// The simulator's caller rings `to`; waits (bounded) for the call to end and answers its SID.
async fn call_and_wait(app: &TestApp, to: &str) -> String {
    let sid = sim(app).place_inbound_call(CALLER, to, None).await.unwrap();
    let ended = sim(app)
        .wait_for_call_end(&sid, Duration::from_secs(30))
        .await;
    assert!(ended.is_some(), "the call never ended");
    sid
}

fn voice_params<'a>(call_sid: &'a str, to: &'a str) -> [(&'a str, &'a str); 5] {
    [
        ("CallSid", call_sid),
        ("AccountSid", ACCOUNT_SID),
        ("From", CALLER),
        ("To", to),
        ("CallStatus", "ringing"),
    ]
}

#[tokio::test]
async fn a_call_to_a_number_a_line_owns_walks_that_line_through_the_inbound_webhook() {
    let app = app().await;
    let ladder = spare_on_the_ladder(&app).await;
    let sid = call_and_wait(&app, SPARE).await;
    let (org, incident) = incidents::find_by_call(&app.state.db, &sid)
        .await
        .unwrap()
        .expect("the call opened an incident");
    assert_eq!((org, incident.line_id), (app.org, ladder));
    let summary = sim(&app).transcript(&sid).unwrap().summary();
    assert!(
        summary
            .contains("Call for Field Service Emergency from +1 415 555 1234. Press 1 to accept."),
        "{summary}"
    );
    // The number's status callback is the hotline's: the call's end completes the incident.
    eventually("the incident completes", || async {
        incidents::find_by_call(&app.state.db, &sid)
            .await
            .unwrap()
            .is_some_and(|(_, i)| i.status == IncidentStatus::Completed)
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn a_call_to_a_number_nobody_owns_hears_not_in_service_and_is_logged() {
    let app = app().await;
    register(&app, &app.token, UNOWNED).await;
    let sid = call_and_wait(&app, UNOWNED).await;
    let summary = sim(&app).transcript(&sid).unwrap().summary();
    assert!(
        summary.contains("This number is not in service."),
        "{summary}"
    );
    assert!(
        incidents::find_by_call(&app.state.db, &sid)
            .await
            .unwrap()
            .is_none()
    );
    // The call ledger keeps it, fed by the number's status callback.
    eventually("the call ledger has the call, completed", || async {
        ledger::find_call(&app.state.db, app.org, &sid)
            .await
            .unwrap()
            .is_some_and(|c| c.to_number == UNOWNED && c.status == "completed")
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn a_text_to_a_number_nobody_owns_lands_in_the_inbox_unanswered() {
    let app = app().await;
    register(&app, &app.token, UNOWNED).await;
    let sid = sim(&app)
        .deliver_inbound_message(MEMBER, UNOWNED, "Is anyone there?")
        .await
        .unwrap();
    let kept = || async {
        inbox::list(&app.state.db, app.org, true, 10)
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.message_sid == sid)
    };
    eventually("the inbox keeps the text", || async {
        kept().await.is_some()
    })
    .await;
    let text = kept().await.unwrap();
    assert_eq!(
        (text.recipient.as_str(), text.body.as_str(), text.owner),
        (UNOWNED, "Is anyone there?", None)
    );
    assert_eq!(text.reply_kind, ReplyKind::Other);
    // Not answered: the webhook's TwiML has no <Message>, and nothing was sent to the member.
    let params = [
        ("MessageSid", "SMretry0001"),
        ("AccountSid", ACCOUNT_SID),
        ("From", MEMBER),
        ("To", UNOWNED),
        ("Body", "Hello?"),
    ];
    let token = app.state.config.twilio_auth_token.expose().to_string();
    let (status, twiml) = post_form(&app, "/twilio/messages/inbound", &params, &token, None).await;
    assert_eq!(status, 200, "{twiml}");
    assert!(!twiml.contains("<Message"), "{twiml}");
    let replies = app
        .state
        .telephony
        .client()
        .list_messages(&ListMessages {
            to: Some(MEMBER.into()),
            ..ListMessages::default()
        })
        .await
        .unwrap();
    assert!(replies.messages.is_empty(), "{:?}", replies.messages);
    app.stop().await;
}

#[tokio::test]
async fn a_retried_voice_webhook_with_the_same_call_sid_changes_nothing_twice() {
    let app = app().await;
    let ladder = spare_on_the_ladder(&app).await;
    let token = app.state.config.twilio_auth_token.expose().to_string();
    let call = "CA00000000000000000000000000000150";
    let params = voice_params(call, SPARE);
    let first = post_form(&app, "/twilio/voice/inbound", &params, &token, None).await;
    assert_eq!(first.0, 200, "{}", first.1);
    assert!(first.1.contains("<Dial"), "{}", first.1);
    let (_, opened) = incidents::find_by_call(&app.state.db, call)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(opened.line_id, ladder);
    let rung = incidents::attempts(&app.state.db, app.org, opened.id)
        .await
        .unwrap()
        .len();
    // Twilio retries: without an idempotency token, and with one twice.
    let again = post_form(&app, "/twilio/voice/inbound", &params, &token, None).await;
    assert_eq!(again, first);
    for _ in 0..2 {
        let retried = post_form(
            &app,
            "/twilio/voice/inbound",
            &params,
            &token,
            Some("idem-150"),
        )
        .await;
        assert_eq!(retried, first);
    }
    let (_, after) = incidents::find_by_call(&app.state.db, call)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.id, opened.id, "a second incident was opened");
    let attempts = incidents::attempts(&app.state.db, app.org, opened.id)
        .await
        .unwrap();
    assert_eq!(attempts.len(), rung, "someone was rung twice");
    app.stop().await;
}

#[tokio::test]
async fn inbound_webhooks_signed_with_another_organisation_s_token_are_refused() {
    let t = tenants().await;
    let app = &t.app;
    let (status, _) = set_org_token(&t.b_admin().await, B_TOKEN).await;
    assert_eq!(status, 200);
    spare_on_the_ladder(app).await;
    let call = voice_params("CA00000000000000000000000000000151", SPARE);
    let (status, body) = post_form(app, "/twilio/voice/inbound", &call, B_TOKEN, None).await;
    assert_eq!(status, 403, "{body}");
    let text = [
        ("MessageSid", "SMforged0001"),
        ("AccountSid", ACCOUNT_SID),
        ("From", MEMBER),
        ("To", SPARE),
        ("Body", "STOP"),
    ];
    let (status, body) = post_form(app, "/twilio/messages/inbound", &text, B_TOKEN, None).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        inbox::list(&app.state.db, app.org, false, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Signed with the token that does sign A's webhooks, the same call is answered.
    let installation = t.installation_token();
    let (status, body) = post_form(app, "/twilio/voice/inbound", &call, &installation, None).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<Dial"), "{body}");
    t.app.stop().await;
}
