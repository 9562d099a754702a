//! The dashboard's texts and calls: the outbox page's queues and rows, a number's consent
//! page (opt out by hand), and the settings for the help text and quiet hours.

use reqwest::StatusCode;
use switchboard::accounts::Role;
use switchboard::contacts::model::consent::{Channel, ConsentSource};
use switchboard::contacts::store::consent;

use super::dispatch::{SENDER, enqueue_text};
use crate::support::TestApp;
use crate::support::web_session::WebSession;

#[tokio::test]
async fn the_outbox_page_shows_each_senders_queue_with_its_finish_in_the_zone_and_the_rows() {
    let app = TestApp::spawn().await;
    for n in 0..3 {
        enqueue_text(&app, &format!("d{n}"), &format!("+1500555036{n}"), "Hello").await;
    }
    let owner = WebSession::owner(&app).await;
    let page = owner.get("/outbox").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.html;
    assert!(html.contains("Texts and calls"), "{html}");
    assert!(html.contains(&format!("text · {SENDER}")), "{html}");
    // T0 is 14:00 in New York; three texts at one a second: the last at 14:00:02.
    assert!(html.contains("2026-03-02 14:00:02 EST"), "{html}");
    assert!(html.contains("America/New_York"), "{html}");
    assert!(html.contains("+15005550362"), "{html}");
    assert!(html.contains(r#"href="/consent""#), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn a_number_is_opted_out_by_hand_from_its_consent_page_and_an_agent_cannot_opt_it_in() {
    let app = TestApp::spawn().await;
    let owner = WebSession::owner(&app).await;
    let lookup = owner.get("/consent?phone=500-555-0370").await;
    assert_eq!(lookup.status, StatusCode::SEE_OTHER);
    let path = lookup.location.unwrap();
    assert_eq!(path, "/consent/%2B15005550370");
    let done = owner
        .submit(
            &path,
            &path,
            &[
                ("channel", "sms"),
                ("opted_in", "false"),
                ("note", "asked at the door"),
            ],
        )
        .await;
    assert_eq!(
        (done.status, done.location.as_deref()),
        (StatusCode::SEE_OTHER, Some(path.as_str()))
    );
    let page = owner.get(&path).await;
    assert!(page.html.contains("opted out"), "{}", page.html);
    assert!(page.html.contains("asked at the door"), "{}", page.html);
    let history = consent::history(&app.state.db, app.org, "+15005550370")
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].channel, history[0].source),
        (Channel::Sms, ConsentSource::Dashboard)
    );
    let agent = WebSession::with_role(&app, Role::Agent).await;
    let refused = agent
        .submit(&path, &path, &[("channel", "sms"), ("opted_in", "true")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = owner.get("/consent?phone=not-a-number").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("not-a-number"), "{}", bad.html);
    let without_csrf = owner
        .post_raw(&path, &[("channel", "sms"), ("opted_in", "false")])
        .await;
    assert_eq!(without_csrf.status, StatusCode::FORBIDDEN);
    assert_eq!(
        consent::history(&app.state.db, app.org, "+15005550370")
            .await
            .unwrap()
            .len(),
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn the_help_text_and_quiet_hours_are_set_in_settings_and_bad_times_are_refused() {
    let app = TestApp::spawn().await;
    let owner = WebSession::owner(&app).await;
    let settings = owner.get("/settings").await;
    assert!(settings.html.contains(r#"href="/settings/texts""#));
    let form = "/settings/texts";
    let page = owner.get(form).await;
    assert!(
        page.html
            .contains("Default organisation: reply STOP to unsubscribe."),
        "{}",
        page.html
    );
    let bad = owner
        .submit(
            form,
            form,
            &[
                ("help_text", ""),
                ("quiet_hours_start", "25:00"),
                ("quiet_hours_end", "20:00"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("25:00"), "{}", bad.html);
    let saved = owner
        .submit(
            form,
            form,
            &[
                ("help_contact", "help@example.org"),
                ("quiet_hours_start", "09:00"),
                ("quiet_hours_end", "20:00"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = owner.get(form).await;
    assert!(
        page.html
            .contains("Default organisation: reply STOP to unsubscribe. Help: help@example.org"),
        "{}",
        page.html
    );
    assert!(page.html.contains(r#"value="09:00""#), "{}", page.html);
    app.stop().await;
}
