use switchboard::telephony::outbox::model::{OutboxKind, OutboxStatus, SkipReason};
use switchboard::telephony::outbox::store::{self, EnqueueError, Enqueued, Finish, NewSend};
use switchboard::zone::Zone;

use crate::support::TestApp;

static NEW_YORK: std::sync::LazyLock<Zone> =
    std::sync::LazyLock::new(|| Zone::parse("America/New_York").unwrap());

fn text<'a>(app: &TestApp, key: &'a str, body: &'a str) -> NewSend<'a> {
    NewSend {
        org: app.org,
        owner_kind: "api",
        owner_id: None,
        key,
        kind: OutboxKind::Text,
        recipient: "+15005550006",
        sender: "+15005550001",
        body: Some(body),
        call_url: None,
        earliest_at: app.now().as_millisecond(),
        latest_at: None,
        recipient_zone: None,
        fallback_zone: &NEW_YORK,
        waits_for_window: true,
    }
}

async fn enqueue(app: &TestApp, send: &NewSend<'_>) -> Result<Enqueued, EnqueueError> {
    let mut tx = app.state.db.write().await.unwrap();
    let out = store::enqueue(&mut tx, send, app.now().as_millisecond()).await;
    tx.commit().await.unwrap();
    out
}

#[tokio::test]
async fn a_key_makes_one_row_and_the_same_key_for_another_request_is_refused() {
    let app = TestApp::spawn().await;
    let Enqueued::New(id) = enqueue(&app, &text(&app, "k1", "Hello")).await.unwrap() else {
        panic!("the first enqueue makes a row");
    };
    match enqueue(&app, &text(&app, "k1", "Hello")).await.unwrap() {
        Enqueued::Existing(row) => {
            assert_eq!(row.id, id);
            assert_eq!(row.status, OutboxStatus::Pending);
        }
        Enqueued::New(_) => panic!("the same key made a second row"),
    }
    assert!(matches!(
        enqueue(&app, &text(&app, "k1", "Goodbye")).await,
        Err(EnqueueError::KeyReused(_))
    ));
    app.stop().await;
}

#[tokio::test]
async fn a_due_row_is_claimed_by_one_worker_of_many() {
    let app = TestApp::spawn().await;
    enqueue(&app, &text(&app, "once", "Hello")).await.unwrap();
    let now = app.now().as_millisecond();
    let claims = futures::future::join_all((0..8).map(|n| {
        let db = app.state.db.clone();
        async move {
            store::claim_due(&db, &format!("w{n}"), now, lease(), 10)
                .await
                .unwrap()
        }
    }))
    .await;
    let claimed: Vec<_> = claims.into_iter().flatten().collect();
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!(claimed[0].claims, 1);
    app.stop().await;
}

#[tokio::test]
async fn only_the_claiming_worker_finishes_a_row_and_a_lapsed_claim_is_taken_over() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    enqueue(&app, &text(&app, "lapse", "Hello")).await.unwrap();
    let now = app.now().as_millisecond();
    let row = store::claim_due(db, "w1", now, lease(), 1)
        .await
        .unwrap()
        .remove(0);
    let sent = Finish::Sent { sid: "SM1" };
    assert!(!store::finish(db, row.id, "w2", &sent, now).await.unwrap());
    // Before the lease ends nobody takes it over; after, one worker does.
    assert!(
        store::take_over_lapsed(db, "w2", now + lease() - 1, lease(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let taken = store::take_over_lapsed(db, "w2", now + lease() + 1, lease(), 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    assert!(!store::finish(db, row.id, "w1", &sent, now).await.unwrap());
    assert!(store::finish(db, row.id, "w2", &sent, now).await.unwrap());
    let row = store::get(db, app.org, row.id).await.unwrap().unwrap();
    assert_eq!(row.status, OutboxStatus::Sent);
    assert_eq!(row.provider_sid.as_deref(), Some("SM1"));
    app.stop().await;
}

#[tokio::test]
async fn a_claim_is_held_for_sending_only_while_its_lease_runs_and_never_once_taken_over() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    enqueue(&app, &text(&app, "hold", "Hello")).await.unwrap();
    let now = app.now().as_millisecond();
    let row = store::claim_due(db, "w1", now, lease(), 1)
        .await
        .unwrap()
        .remove(0);
    // Another worker cannot hold it; its own worker can, and the lease runs on from then.
    assert!(
        !store::hold(db, row.id, "w2", now + 1, now + 1 + lease())
            .await
            .unwrap()
    );
    assert!(
        store::hold(db, row.id, "w1", now + lease() - 1, now + 2 * lease())
            .await
            .unwrap()
    );
    assert!(
        store::take_over_lapsed(db, "w2", now + lease() + 1, lease(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Once the lease has lapsed the worker may no longer send it, taken over or not.
    let late = now + 2 * lease() + 1;
    assert!(
        !store::hold(db, row.id, "w1", late, late + lease())
            .await
            .unwrap()
    );
    let taken = store::take_over_lapsed(db, "w2", late, lease(), 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    assert!(
        !store::hold(db, row.id, "w1", late, late + lease())
            .await
            .unwrap()
    );
    app.stop().await;
}

#[tokio::test]
async fn a_released_row_waits_until_its_due_time_and_a_pending_row_can_be_cancelled() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    enqueue(&app, &text(&app, "wait", "Hello")).await.unwrap();
    let now = app.now().as_millisecond();
    let row = store::claim_due(db, "w1", now, lease(), 1)
        .await
        .unwrap()
        .remove(0);
    assert!(
        store::release(db, row.id, "w1", now + 5_000, Some(now + 5_000), now)
            .await
            .unwrap()
    );
    assert!(
        store::claim_due(db, "w1", now + 4_999, lease(), 1)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store::next_due(db).await.unwrap(), Some(now + 5_000));
    assert!(store::cancel(db, app.org, row.id, now).await.unwrap());
    let row = store::get(db, app.org, row.id).await.unwrap().unwrap();
    assert_eq!(
        (row.status, row.skip_reason),
        (OutboxStatus::Skipped, Some(SkipReason::Cancelled))
    );
    assert!(
        store::claim_due(db, "w1", now + 10_000, lease(), 1)
            .await
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}

#[tokio::test]
async fn a_pace_gives_every_caller_its_own_slot_one_interval_apart() {
    let app = TestApp::spawn().await;
    let now = app.now().as_millisecond();
    let slots = futures::future::join_all((0..20).map(|_| {
        let db = app.state.db.clone();
        async move {
            store::take_slot(&db, "texts:+15005550001", 100, now)
                .await
                .unwrap()
        }
    }))
    .await;
    let mut sorted = slots.clone();
    sorted.sort();
    let expected: Vec<i64> = (0..20).map(|k| now + 100 * k).collect();
    assert_eq!(sorted, expected);
    // Idle for a minute: the next slot is now, not a burst of saved-up ones.
    let later = now + 60_000;
    assert_eq!(
        store::take_slot(&app.state.db, "texts:+15005550001", 100, later)
            .await
            .unwrap(),
        later
    );
    assert_eq!(
        store::take_slot(&app.state.db, "texts:+15005550001", 100, later)
            .await
            .unwrap(),
        later + 100
    );
    app.stop().await;
}

/// The claim's lease the dispatcher has by default.
fn lease() -> i64 {
    switchboard::telephony::outbox::dispatch::DispatchSettings::default().lease_ms
}
