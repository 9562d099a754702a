//! The job queue and outbox pages: retrying a failed job, reading queued email.

use reqwest::StatusCode;
use switchboard::jobs::{self, EnqueueOptions};
use switchboard::notify::{self, Email};

use crate::support::TestApp;
use crate::support::web_session::WebSession;

#[tokio::test]
async fn retry_on_a_failed_job_requeues_it() {
    let app = TestApp::spawn().await;
    let now = app.clock.now_ms();
    let mut tx = app.state.db.write().await.unwrap();
    let options = EnqueueOptions::default();
    let id = jobs::store::insert(
        &mut tx,
        Some(app.org),
        "test_unknown",
        "{}",
        &options,
        1,
        now,
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
    let claimed = jobs::store::claim(&app.state.db, "w1", now)
        .await
        .unwrap()
        .unwrap();
    jobs::store::fail(
        &app.state.db,
        &claimed,
        "w1",
        "the mail server said no",
        now,
    )
    .await
    .unwrap();
    let owner = WebSession::owner(&app).await;
    let page = owner.get("/jobs").await.html;
    assert!(page.contains("the mail server said no") && page.contains("Retry"));
    let retried = owner
        .submit("/jobs", &format!("/jobs/{id}/retry"), &[])
        .await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER);
    let row = jobs::store::find(&app.state.db, id).await.unwrap().unwrap();
    assert_eq!((row.state.as_str(), row.attempts), ("queued", 0));
    let again = owner
        .submit("/jobs", &format!("/jobs/{id}/retry"), &[])
        .await;
    assert_eq!(
        again.status,
        StatusCode::NOT_FOUND,
        "only failed jobs are retried"
    );
    // The retried job is of a kind this version does not know: it stays queued.
    app.expect_leftover_jobs();
    app.stop().await;
}

#[tokio::test]
async fn the_outbox_lists_emails_with_their_body_and_the_overview_counts_them() {
    let app = TestApp::spawn().await;
    let email = Email {
        to: "vera@example.org".into(),
        subject: "Your shift tomorrow".into(),
        body: "09:00-17:00 on the Community Line".into(),
    };
    let mut tx = app.state.db.write().await.unwrap();
    notify::queue(&mut tx, Some(app.org), &email, app.clock.now_ms())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.run_jobs().await;
    let owner = WebSession::owner(&app).await;
    let outbox = owner.get("/outbox").await.html;
    assert!(
        outbox.contains("<summary>Your shift tomorrow</summary>"),
        "{outbox}"
    );
    assert!(outbox.contains("09:00-17:00 on the Community Line"));
    assert!(outbox.contains("2026-03-02 19:00 UTC"), "times read as UTC");
    let overview = owner.get("/").await.html;
    assert!(overview.contains("emails in the outbox") && overview.contains("simulated"));
    app.stop().await;
}
