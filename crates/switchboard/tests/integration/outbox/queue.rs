//! `/api/v1/outbox` and `/api/v1/outbox/items`: each sender's queue with its rate and the time
//! it would drain; the rows, a page at a time; `queue::estimate` for a launch being planned.

use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::json;
use switchboard::telephony::outbox::queue::{self, Lane};
use switchboard::telephony::outbox::store;

use super::dispatch::{SENDER, enqueue_text};
use crate::support::TestApp;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[tokio::test]
async fn three_hundred_texts_at_one_a_second_drain_three_hundred_seconds_after_the_next_free_slot()
{
    let app = TestApp::spawn().await;
    for n in 0..300 {
        enqueue_text(
            &app,
            &format!("blast-{n}"),
            &format!("+1500555{:04}", 1000 + n),
            "Vote today",
        )
        .await;
    }
    // The sender's pace is booked ten seconds ahead: its next free slot is 19:00:11.
    let ten_ahead = app.now().as_millisecond() + 10_000;
    store::take_slot(&app.state.db, &format!("texts:{SENDER}"), 1000, ten_ahead)
        .await
        .unwrap();
    let (status, overview) = app.get("/api/v1/outbox", &app.token).await;
    assert_eq!(status, StatusCode::OK, "{overview}");
    let queue = &overview["queues"][0];
    assert_eq!(queue["kind"], json!("text"));
    assert_eq!(queue["sender"], json!(SENDER));
    assert_eq!(queue["pending"], json!(300));
    assert_eq!(queue["rate_per_second"], json!(1.0));
    assert_eq!(queue["next_free_slot"], json!("2026-03-02T19:00:11Z"));
    // The first at 19:00:11, the 300th 299 s later.
    assert_eq!(queue["starts_at"], json!("2026-03-02T19:00:11Z"));
    assert_eq!(queue["finishes_at"], json!("2026-03-02T19:05:10Z"));
    assert_eq!(queue["drain_secs"], json!(310.0));
    assert_eq!(overview["totals"]["pending"], json!(300));
    assert_eq!(overview["totals"]["sent"], json!(0));
    // A launch of 100 more, planned now, would finish 100 s later.
    let plan = queue::estimate(
        &app.state,
        app.org,
        Lane::Texts { sender: SENDER },
        100,
        app.now(),
    )
    .await
    .unwrap();
    assert_eq!(plan.queued, 400);
    assert_eq!(plan.drain.unwrap().finishes_at, at("2026-03-02T19:06:50Z"));
    // Another organisation sees no queue.
    let (_, other) = app.other_org("other").await;
    let (_, theirs) = app.get("/api/v1/outbox", &other).await;
    assert_eq!(theirs["queues"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn rows_waiting_for_the_window_start_when_it_opens() {
    let app = TestApp::spawn().await;
    // 22:00 in New York: the window opens at 08:00, 13:00 UTC tomorrow.
    app.advance(8 * 3600);
    enqueue_text(&app, "night", "+15005550320", "Good morning").await;
    switchboard::telephony::outbox::dispatch::dispatch_due(
        &app.state,
        &switchboard::telephony::outbox::dispatch::DispatchSettings::default(),
        "w1",
    )
    .await
    .unwrap();
    let (_, overview) = app.get("/api/v1/outbox", &app.token).await;
    let queue = &overview["queues"][0];
    assert_eq!(queue["waiting_for_window"], json!(1));
    assert_eq!(queue["finishes_at"], json!("2026-03-03T13:00:00Z"));
    app.stop().await;
}

#[tokio::test]
async fn the_items_list_pages_newest_first_and_filters_by_status() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(
            enqueue_text(
                &app,
                &format!("item-{n}"),
                &format!("+150055503{:02}", 30 + n),
                "Hi",
            )
            .await,
        );
    }
    assert!(
        store::cancel(&app.state.db, app.org, ids[1], app.now().as_millisecond())
            .await
            .unwrap()
    );
    let (status, page) = app.get("/api/v1/outbox/items?limit=2", &app.token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let got: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, vec![ids[2].get(), ids[1].get()]);
    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    let (_, rest) = app
        .get(
            &format!("/api/v1/outbox/items?limit=2&cursor={cursor}"),
            &app.token,
        )
        .await;
    assert_eq!(rest["items"][0]["id"], json!(ids[0].get()));
    assert_eq!(rest["next_cursor"], json!(null));
    let (_, skipped) = app
        .get(
            "/api/v1/outbox/items?status=skipped&owner_kind=api",
            &app.token,
        )
        .await;
    let skipped = skipped["items"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["skip_reason"], json!("cancelled"));
    assert_eq!(skipped[0]["recipient"], json!("+15005550331"));
    for (query, field) in [
        ("status=lost", "status"),
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("cursor=-4", "cursor"),
    ] {
        let (status, body) = app
            .get(&format!("/api/v1/outbox/items?{query}"), &app.token)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["field"], json!(field), "{query}");
    }
    let (_, other) = app.other_org("other").await;
    let (_, theirs) = app.get("/api/v1/outbox/items", &other).await;
    assert_eq!(theirs["items"], json!([]));
    app.stop().await;
}
