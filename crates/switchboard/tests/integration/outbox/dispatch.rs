use switchboard::contacts::model::consent::{Channel, ConsentSource};
use switchboard::contacts::store::consent::{self, ConsentEvent};
use switchboard::telephony::outbox::dispatch::{self, DispatchSettings, Pass};
use switchboard::telephony::outbox::model::{OutboxKind, OutboxStatus, SkipReason};
use switchboard::telephony::outbox::store::{self, Enqueued, NewSend};
use switchboard::zone::Zone;
use twilio::client::{CreateMessage, ListMessages};

use crate::support::TestApp;

pub(super) const SENDER: &str = "+15005550006";

fn new_york() -> Zone {
    Zone::parse("America/New_York").unwrap()
}

pub(super) async fn enqueue_text(
    app: &TestApp,
    key: &str,
    to: &str,
    body: &str,
) -> switchboard::ids::OutboxId {
    enqueue(app, key, to, OutboxKind::Text, Some(body), None).await
}

/// Enqueues a text (with `body`) or a call (with `call_url`) from [`SENDER`], due now.
pub(super) async fn enqueue(
    app: &TestApp,
    key: &str,
    to: &str,
    kind: OutboxKind,
    body: Option<&str>,
    call_url: Option<&str>,
) -> switchboard::ids::OutboxId {
    let zone = new_york();
    let send = NewSend {
        org: app.org,
        owner_kind: "api",
        owner_id: None,
        key,
        kind,
        recipient: to,
        sender: SENDER,
        body,
        call_url,
        earliest_at: app.now().as_millisecond(),
        latest_at: None,
        recipient_zone: None,
        fallback_zone: &zone,
        waits_for_window: true,
    };
    let mut tx = app.state.db.write().await.unwrap();
    let out = store::enqueue(&mut tx, &send, app.now().as_millisecond())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    match out {
        Enqueued::New(id) => id,
        Enqueued::Existing(row) => row.id,
    }
}

/// The texts the simulator holds to `to` from our sender, over real HTTP.
pub(super) async fn texts_to(app: &TestApp, to: &str) -> Vec<String> {
    let page = app
        .state
        .telephony
        .client()
        .list_messages(&ListMessages {
            to: Some(to.into()),
            from: Some(SENDER.into()),
            ..ListMessages::default()
        })
        .await
        .unwrap();
    page.messages.into_iter().map(|m| m.body).collect()
}

pub(super) async fn status_of(app: &TestApp, id: switchboard::ids::OutboxId) -> store::OutboxRow {
    store::get(&app.state.db, app.org, id)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn texts_leave_a_sender_one_a_second_each_exactly_once() {
    let app = TestApp::spawn().await;
    let pacing = DispatchSettings::default();
    let recipients = ["+15005550201", "+15005550202", "+15005550203"];
    for (n, to) in recipients.iter().enumerate() {
        enqueue_text(&app, &format!("k{n}"), to, "Meeting at 6").await;
    }
    let first = dispatch::dispatch_due(&app.state, &pacing, "w1")
        .await
        .unwrap();
    assert_eq!(
        first,
        Pass {
            sent: 1,
            waiting: 2,
            ..Pass::default()
        }
    );
    // Nothing more is due until the next second.
    let idle = dispatch::dispatch_due(&app.state, &pacing, "w1")
        .await
        .unwrap();
    assert_eq!(idle, Pass::default());
    for _ in 0..2 {
        app.advance(1);
        let pass = dispatch::dispatch_due(&app.state, &pacing, "w1")
            .await
            .unwrap();
        assert_eq!(pass.sent, 1, "{pass:?}");
    }
    app.advance(10);
    assert_eq!(
        dispatch::dispatch_due(&app.state, &pacing, "w1")
            .await
            .unwrap(),
        Pass::default()
    );
    for to in recipients {
        assert_eq!(
            texts_to(&app, to).await,
            vec!["Meeting at 6".to_string()],
            "{to}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn an_opted_out_number_is_skipped_even_when_it_opted_out_after_the_text_was_queued() {
    let app = TestApp::spawn().await;
    let id = enqueue_text(&app, "stop", "+15005550204", "Reminder").await;
    let event = ConsentEvent {
        phone: "+15005550204".into(),
        channel: Channel::Sms,
        opted_in: false,
        source: ConsentSource::Keyword,
        note: None,
        created_at: app.now().as_millisecond(),
    };
    consent::record(&app.state.db, app.org, &event)
        .await
        .unwrap();
    let pass = dispatch::dispatch_due(&app.state, &DispatchSettings::default(), "w1")
        .await
        .unwrap();
    assert_eq!(pass.skipped, 1);
    let row = status_of(&app, id).await;
    assert_eq!(
        (row.status, row.skip_reason),
        (OutboxStatus::Skipped, Some(SkipReason::OptedOut))
    );
    assert!(texts_to(&app, "+15005550204").await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_text_queued_at_night_waits_for_eight_in_the_morning_in_the_recipients_zone() {
    let app = TestApp::spawn().await;
    // T0 is 14:00 in New York; 22:00 is eight hours later.
    app.advance(8 * 3600);
    let id = enqueue_text(&app, "night", "+15005550205", "Good morning").await;
    let pass = dispatch::dispatch_due(&app.state, &DispatchSettings::default(), "w1")
        .await
        .unwrap();
    assert_eq!(pass.waiting, 1);
    let row = status_of(&app, id).await;
    assert_eq!(row.status, OutboxStatus::Pending);
    assert_eq!(
        row.due_at,
        "2026-03-03T13:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond()
    );
    app.advance(10 * 3600);
    let pass = dispatch::dispatch_due(&app.state, &DispatchSettings::default(), "w1")
        .await
        .unwrap();
    assert_eq!(pass.sent, 1);
    assert_eq!(texts_to(&app, "+15005550205").await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_claim_whose_worker_died_is_settled_by_the_providers_record_never_sent_twice() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let sent_before_crash = enqueue_text(&app, "a", "+15005550206", "Sent before the crash").await;
    let never_sent = enqueue_text(&app, "b", "+15005550207", "Never sent").await;
    let now = app.now().as_millisecond();
    // A worker claims both, sends the first to the provider, and dies before recording it.
    let claimed = store::claim_due(db, "dead-worker", now, lease(), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    let first = CreateMessage {
        to: "+15005550206".into(),
        from: Some(SENDER.into()),
        body: Some("Sent before the crash".into()),
        ..CreateMessage::default()
    };
    let sid = app
        .state
        .telephony
        .client()
        .create_message(&first)
        .await
        .unwrap()
        .sid;
    // Nothing happens to them until their lease lapses.
    assert_eq!(
        dispatch::reconcile(&app.state, &DispatchSettings::default(), "w2")
            .await
            .unwrap(),
        0
    );
    app.advance(lease() / 1000 + 1);
    assert_eq!(
        dispatch::reconcile(&app.state, &DispatchSettings::default(), "w2")
            .await
            .unwrap(),
        2
    );
    let row = status_of(&app, sent_before_crash).await;
    assert_eq!(
        (row.status, row.provider_sid.as_deref()),
        (OutboxStatus::Sent, Some(sid.as_str()))
    );
    assert_eq!(
        status_of(&app, never_sent).await.status,
        OutboxStatus::Pending
    );
    for _ in 0..3 {
        dispatch::dispatch_due(&app.state, &DispatchSettings::default(), "w2")
            .await
            .unwrap();
        app.advance(1);
    }
    assert_eq!(texts_to(&app, "+15005550206").await.len(), 1);
    assert_eq!(
        texts_to(&app, "+15005550207").await,
        vec!["Never sent".to_string()]
    );
    app.stop().await;
}

/// The claim's lease the dispatcher has by default.
fn lease() -> i64 {
    switchboard::telephony::outbox::dispatch::DispatchSettings::default().lease_ms
}
