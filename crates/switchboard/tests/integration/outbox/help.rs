//! HELP and INFO: the organisation's help text, the same answer to a retry, never on top of the
//! carrier's own answer; and the organisation's own quiet hours in the outbox.

use switchboard::accounts::outbound::{self, store as org_outbound};
use switchboard::contacts::model::quiet_hours::QuietHours;
use switchboard::telephony::outbox::dispatch::{self, DispatchSettings};
use switchboard::telephony::outbox::model::OutboxStatus;

use super::dispatch::{enqueue_text, status_of, texts_to};
use super::inbound::{MEMBER, text_in, with_number};
use crate::support::TestApp;

#[tokio::test]
async fn help_is_answered_with_the_organisations_text_and_a_retry_gets_the_same_answer() {
    let app = TestApp::spawn().await;
    with_number(&app).await;
    // By default the help text names the organisation.
    let (_, twiml) = text_in(&app, "SMhelp1", MEMBER, "Help?").await;
    assert!(
        twiml.contains("<Message>Default organisation: reply STOP to unsubscribe.</Message>"),
        "{twiml}"
    );
    let own = outbound::clean("Harbour Tenants: call 555-0100 for help.", "", "", "").unwrap();
    org_outbound::save(&app.state.db, app.org, &own)
        .await
        .unwrap();
    let (_, first) = text_in(&app, "SMhelp2", MEMBER, "info.").await;
    assert!(
        first.contains("<Message>Harbour Tenants: call 555-0100 for help.</Message>"),
        "{first}"
    );
    // Twilio retries the same MessageSid only when our first answer did not reach it, so
    // the retry's answer is the one text the member gets.
    let (_, retry) = text_in(&app, "SMhelp2", MEMBER, "info.").await;
    assert_eq!(retry, first);
    app.stop().await;
}

#[tokio::test]
async fn an_exact_help_keyword_on_a_long_code_is_left_to_the_carriers_answer() {
    let app = TestApp::spawn().await;
    with_number(&app).await;
    for (sid, body) in [("SMhelp3", "HELP"), ("SMhelp4", " info ")] {
        let (_, twiml) = text_in(&app, sid, MEMBER, body).await;
        assert!(!twiml.contains("<Message"), "{body}: {twiml}");
    }
    app.stop().await;
}

#[tokio::test]
async fn an_organisations_own_quiet_hours_move_a_text_to_its_window() {
    let app = TestApp::spawn().await;
    // T0 is 14:00 in New York: inside the default window, outside 16:00-20:00.
    let hours = outbound::clean("", "", "16:00", "20:00").unwrap();
    assert_eq!(
        hours.quiet_hours,
        Some(
            QuietHours::new(
                outbound::hh_mm("s", "16:00").unwrap(),
                outbound::hh_mm("e", "20:00").unwrap()
            )
            .unwrap()
        )
    );
    org_outbound::save(&app.state.db, app.org, &hours)
        .await
        .unwrap();
    let id = enqueue_text(&app, "windowed", "+15005550310", "See you tonight").await;
    let settings = DispatchSettings::default();
    let pass = dispatch::dispatch_due(&app.state, &settings, "w1")
        .await
        .unwrap();
    assert_eq!(pass.waiting, 1, "{pass:?}");
    let row = status_of(&app, id).await;
    let sixteen: jiff::Timestamp = "2026-03-02T21:00:00Z".parse().unwrap();
    assert_eq!(
        (row.status, row.due_at),
        (OutboxStatus::Pending, sixteen.as_millisecond())
    );
    app.advance(2 * 3600);
    let pass = dispatch::dispatch_due(&app.state, &settings, "w1")
        .await
        .unwrap();
    assert_eq!(pass.sent, 1, "{pass:?}");
    assert_eq!(
        texts_to(&app, "+15005550310").await,
        vec!["See you tonight".to_string()]
    );
    // Another organisation keeps the installation's window.
    let (other, _) = app.other_org("other").await;
    let (_, of_other) = org_outbound::load(&app.state.db, other).await.unwrap();
    assert_eq!(of_other.quiet_hours, None);
    app.stop().await;
}
