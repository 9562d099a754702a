//! Email: a real SMTP exchange with a sink, and the outbox when no SMTP is configured.

use switchboard::notify::store::EmailState;
use switchboard::notify::{self, Email};

use crate::support::smtp::SmtpSink;
use crate::support::{TestApp, TestOptions};

fn reminder() -> Email {
    Email {
        to: "vera@example.org".into(),
        subject: "Your shift tomorrow".into(),
        body: "09:00-17:00 on the Community Line".into(),
    }
}

async fn queue(app: &TestApp, email: &Email) -> i64 {
    let mut tx = app.state.db.write().await.unwrap();
    let id = notify::queue(&mut tx, Some(app.org), email, app.clock.now_ms())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn with_smtp_configured_an_email_crosses_a_real_smtp_exchange_once() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(TestOptions {
        smtp_url: Some(sink.url.clone()),
        ..TestOptions::default()
    })
    .await;
    queue(&app, &reminder()).await;
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(app.run_jobs().await, 0);
    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert!(
        received[0].from.contains("switchboard@localhost"),
        "{:?}",
        received[0].from
    );
    assert_eq!(received[0].to, vec!["<vera@example.org>".to_string()]);
    assert!(
        received[0].data.contains("Subject: Your shift tomorrow"),
        "{}",
        received[0].data
    );
    assert!(received[0].data.contains("09:00-17:00"));
    let rows = notify::store::list(&app.state.db, app.org, 10)
        .await
        .unwrap();
    assert_eq!(rows[0].state, EmailState::Sent);
    app.stop().await;
}

#[tokio::test]
async fn without_smtp_an_email_lands_in_the_outbox() {
    let app = TestApp::spawn().await;
    queue(&app, &reminder()).await;
    app.run_jobs().await;
    let rows = notify::store::list(&app.state.db, app.org, 10)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, EmailState::Outbox);
    assert_eq!(rows[0].subject, "Your shift tomorrow");
    app.stop().await;
}

#[tokio::test]
async fn an_unreachable_smtp_server_leaves_the_email_queued_for_retry() {
    // A port nothing listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::spawn_with(TestOptions {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        ..TestOptions::default()
    })
    .await;
    queue(&app, &reminder()).await;
    app.run_jobs().await;
    let rows = notify::store::list(&app.state.db, app.org, 10)
        .await
        .unwrap();
    assert_eq!(rows[0].state, EmailState::Queued);
    let (_, jobs) = app.get("/api/v1/jobs?state=queued", &app.token).await;
    assert!(
        jobs[0]["last_error"].as_str().unwrap().contains("SMTP"),
        "{jobs}"
    );
    app.expect_leftover_jobs();
    app.stop().await;
}
