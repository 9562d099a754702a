//! An organisation with its own Twilio account: its texts and calls go through that account
//! (the simulator sees its SID in the path), its lapsed claims are reconciled there, and its
//! calls take that account's pace.

use switchboard::accounts::store as accounts;
use switchboard::telephony::account::account_for;
use switchboard::telephony::outbox::dispatch::{self, DispatchSettings};
use switchboard::telephony::outbox::model::{OutboxKind, OutboxStatus};
use switchboard::telephony::outbox::store;
use twilio::client::CreateMessage;

use super::dispatch::{SENDER, enqueue, enqueue_text, status_of};
use crate::support::{TestApp, TestOptions};

const OWN_SID: &str = "AC0123456789abcdef0123456789abcdef";
const OWN_TOKEN: &str = "fedcba9876543210fedcba9876543210";

/// Gives the test organisation its own account, which the simulator also serves.
async fn own_account(app: &TestApp) -> twilio_sim::Simulator {
    accounts::update_org_settings(
        &app.state.db,
        app.org,
        "default",
        Some(OWN_SID),
        Some(OWN_TOKEN),
        None,
    )
    .await
    .unwrap();
    let sim = app
        .state
        .telephony
        .sim()
        .expect("simulated telephony")
        .simulator
        .clone();
    sim.add_account(OWN_SID, OWN_TOKEN);
    // Its webhooks are checked with its own token from now on.
    app.state.signing_keys.reload().await.unwrap();
    sim
}

#[tokio::test]
async fn the_status_callbacks_of_a_text_on_the_organisations_account_are_signed_with_its_token() {
    let app = TestApp::spawn_with(TestOptions {
        env: vec![("SWITCHBOARD_SIM_SPEED", "200".into())],
        ..TestOptions::default()
    })
    .await;
    own_account(&app).await;
    let id = enqueue_text(&app, "own-cb", "+15005550343", "Delivered?").await;
    let pass = dispatch::dispatch_due(&app.state, &DispatchSettings::default(), "w1")
        .await
        .unwrap();
    assert_eq!(pass.sent, 1, "{pass:?}");
    let sid = status_of(&app, id).await.provider_sid.unwrap();
    // The ledger reaches delivered only if our server accepted the simulator's callbacks,
    // which it checks against the organisation's own token.
    for _ in 0..400 {
        let status = switchboard::telephony::ledger::message_status(&app.state.db, app.org, &sid)
            .await
            .unwrap();
        if status.as_deref() == Some("delivered") {
            return app.stop().await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the text never reached delivered");
}

#[tokio::test]
async fn texts_of_an_organisation_with_its_own_account_are_sent_and_reconciled_on_it() {
    let app = TestApp::spawn().await;
    let sim = own_account(&app).await;
    let installation = app.state.config.twilio_account_sid.clone();
    let before = sim.requests_for_account(&installation);
    let id = enqueue_text(&app, "own-1", "+15005550340", "From our own account").await;
    let pass = dispatch::dispatch_due(&app.state, &DispatchSettings::default(), "w1")
        .await
        .unwrap();
    assert_eq!(pass.sent, 1, "{pass:?}");
    assert!(status_of(&app, id).await.provider_sid.is_some());
    assert_eq!(sim.requests_for_account(OWN_SID), 1);
    assert_eq!(sim.requests_for_account(&installation), before);

    // A worker claims a row, sends it on the organisation's account and dies: reconciliation
    // asks that account, finds the text, and never sends it again.
    app.advance(5);
    let lost = enqueue_text(&app, "own-2", "+15005550341", "Sent before the crash").await;
    let now = app.now().as_millisecond();
    let lease = DispatchSettings::default().lease_ms;
    assert_eq!(
        store::claim_due(&app.state.db, "dead", now, lease, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let account = account_for(&app.state, app.org).await.unwrap();
    assert!(account.own);
    let message = CreateMessage {
        to: "+15005550341".into(),
        from: Some(SENDER.into()),
        body: Some("Sent before the crash".into()),
        ..CreateMessage::default()
    };
    let sid = account.client.create_message(&message).await.unwrap().sid;
    app.advance(lease / 1000 + 1);
    let settled = dispatch::reconcile(&app.state, &DispatchSettings::default(), "w2")
        .await
        .unwrap();
    assert_eq!(settled, 1);
    let row = status_of(&app, lost).await;
    assert_eq!(
        (row.status, row.provider_sid.as_deref()),
        (OutboxStatus::Sent, Some(sid.as_str()))
    );
    // One create by hand and one list by reconciliation, both on the organisation's account.
    assert_eq!(sim.requests_for_account(OWN_SID), 3);
    assert_eq!(sim.requests_for_account(&installation), before);
    app.stop().await;
}

#[tokio::test]
async fn calls_of_an_organisation_with_its_own_account_take_that_accounts_pace() {
    let app = TestApp::spawn().await;
    let sim = own_account(&app).await;
    let url = app.url("/twiml/hello");
    let id = enqueue(
        &app,
        "call-1",
        "+15005550342",
        OutboxKind::Call,
        None,
        Some(&url),
    )
    .await;
    let pass = dispatch::dispatch_due(&app.state, &DispatchSettings::default(), "w1")
        .await
        .unwrap();
    assert_eq!(pass.sent, 1, "{pass:?}");
    assert_eq!(status_of(&app, id).await.status, OutboxStatus::Sent);
    assert_eq!(sim.requests_for_account(OWN_SID), 1);
    // The organisation's account's pace was taken, not the installation's.
    let key = format!("calls:{OWN_SID}");
    let next = store::take_slot(&app.state.db, &key, 1000, app.now().as_millisecond())
        .await
        .unwrap();
    assert_eq!(
        next,
        app.now().as_millisecond() + 1000,
        "the call held the first slot"
    );
    let installation = format!("calls:{}", app.state.config.twilio_account_sid);
    let free = store::take_slot(
        &app.state.db,
        &installation,
        1000,
        app.now().as_millisecond(),
    )
    .await
    .unwrap();
    assert_eq!(
        free,
        app.now().as_millisecond(),
        "the installation's pace was never used"
    );
    app.stop().await;
}
