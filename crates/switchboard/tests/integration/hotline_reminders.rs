//! The volunteer line's next-day shift reminders: one schedule per line at its reminder time, one email
//! per volunteer with shifts tomorrow (overrides applied), never twice.

use serde_json::json;
use switchboard::hotline::jobs::reminders::SendShiftReminders;
use switchboard::hotline::{self, store::lines};
use switchboard::jobs::{self, EnqueueOptions};

use crate::support::smtp::{Captured, SmtpSink};
use crate::support::{TestApp, TestOptions};

async fn app_with_sink() -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(TestOptions {
        smtp_url: Some(sink.url.clone()),
        ..TestOptions::default()
    })
    .await;
    hotline::demo::seed(&app.state, app.org).await.unwrap();
    (app, sink)
}

fn recipients(received: &[Captured]) -> Vec<String> {
    let mut to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    to
}

/// The message with quoted-printable soft line breaks undone (lettre folds long lines).
fn text(m: &Captured) -> String {
    m.data.replace("=\n", "")
}

async fn community_line_id(app: &TestApp) -> switchboard::ids::LineId {
    lines::find_line_by_number(&app.state.db, hotline::demo::COMMUNITY_LINE)
        .await
        .unwrap()
        .unwrap()
        .1
        .id
}

/// Monday 2 March 2026, 17:59 and 18:00 in New York (EST).
const MONDAY_1759: &str = "2026-03-02T22:59:00Z";
const MONDAY_1800: &str = "2026-03-02T23:00:00Z";

#[tokio::test]
async fn at_the_reminder_time_each_volunteer_with_shifts_tomorrow_gets_one_email() {
    let (app, sink) = app_with_sink().await;
    app.clock.set(MONDAY_1759.parse().unwrap());
    app.run_jobs().await;
    assert!(sink.received().is_empty(), "nothing before 18:00");

    app.clock.set(MONDAY_1800.parse().unwrap());
    app.run_jobs().await;
    let received = sink.received();
    assert_eq!(
        recipients(&received),
        vec![
            "<vera.rubin@example.org>".to_string(),
            "<victor.vasarely@example.org>".to_string()
        ],
        "only the two volunteers with shifts on Tuesday"
    );
    let vera = received.iter().find(|m| m.to[0].contains("vera")).unwrap();
    assert!(
        text(vera)
            .contains("Your shifts on Community Line tomorrow, Tuesday 3 March: 09:00-17:00 (America/New_York)"),
        "{}",
        vera.data
    );
    let victor = received
        .iter()
        .find(|m| m.to[0].contains("victor"))
        .unwrap();
    assert!(text(victor).contains("17:00-21:00"), "{}", victor.data);

    // A retried or duplicated run of the same day's job emails nobody again.
    let line_id = community_line_id(&app).await;
    jobs::enqueue_now(
        &app.state.db,
        Some(app.org),
        &SendShiftReminders { line_id },
        EnqueueOptions::default(),
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    app.run_jobs().await;
    assert_eq!(sink.received().len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn saturdays_reminder_goes_to_the_weekend_volunteer_for_sunday() {
    let (app, sink) = app_with_sink().await;
    // Saturday 7 March 2026, 18:00 EST (DST starts the next night).
    app.clock.set("2026-03-07T23:00:00Z".parse().unwrap());
    app.run_jobs().await;
    let received = sink.received();
    assert_eq!(
        recipients(&received),
        vec!["<wendy.carlos@example.org>".to_string()]
    );
    assert!(
        text(&received[0]).contains("tomorrow, Sunday 8 March: 10:00-16:00 (America/New_York)"),
        "{}",
        received[0].data
    );
    app.stop().await;
}

#[tokio::test]
async fn an_override_changes_who_is_reminded() {
    let (app, sink) = app_with_sink().await;
    let line_id = community_line_id(&app).await;
    let people = switchboard::accounts::store::list_people(&app.state.db, app.org)
        .await
        .unwrap();
    let id = |name: &str| people.iter().find(|p| p.name == name).unwrap().id;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/hotline/lines/{line_id}/overrides"),
            &app.token,
            &json!({"person_id": id("Wendy Carlos"), "replaces_person_id": id("Vera Rubin"),
                    "starts_on": "2026-03-03", "ends_on": "2026-03-03"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    app.clock.set(MONDAY_1800.parse().unwrap());
    app.run_jobs().await;
    let received = sink.received();
    assert_eq!(
        recipients(&received),
        vec![
            "<victor.vasarely@example.org>".to_string(),
            "<wendy.carlos@example.org>".to_string()
        ]
    );
    let wendy = received.iter().find(|m| m.to[0].contains("wendy")).unwrap();
    assert!(
        text(wendy).contains("Tuesday 3 March: 09:00-17:00"),
        "{}",
        wendy.data
    );
    app.stop().await;
}

#[tokio::test]
async fn the_reminder_schedule_follows_the_line_through_update_and_delete() {
    let app = TestApp::spawn().await;
    let mut line = json!({"name": "Night Line", "kind": "shift", "phone_number": "+15005550300",
                          "time_zone": "Europe/London", "reminder_time": "19:30"});
    let (status, created) = app
        .post_json("/api/v1/hotline/lines", &app.token, &line)
        .await;
    assert_eq!(status, 201, "{created}");
    let id = switchboard::ids::LineId::new(created["id"].as_i64().unwrap());
    let (active, next) = schedule_row(&app, id).await;
    assert!(active);
    assert_eq!(
        ts(next),
        "2026-03-02T19:30:00Z",
        "19:30 in London (GMT), today"
    );

    line["reminder_time"] = json!("07:00");
    let r = app
        .http
        .put(app.url(&format!("/api/v1/hotline/lines/{id}")))
        .bearer_auth(&app.token)
        .json(&line)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, next) = schedule_row(&app, id).await;
    assert_eq!(ts(next), "2026-03-03T07:00:00Z", "07:00 tomorrow");

    let (status, _) = app
        .delete(&format!("/api/v1/hotline/lines/{id}"), &app.token)
        .await;
    assert_eq!(status, 204);
    let (active, _) = schedule_row(&app, id).await;
    assert!(!active, "a deleted line's reminders stop");
    app.stop().await;
}

fn ts(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
}

async fn schedule_row(app: &TestApp, line_id: switchboard::ids::LineId) -> (bool, i64) {
    let name = switchboard::hotline::jobs::reminders::schedule_name(line_id);
    let sql = "SELECT active, next_run_at FROM schedules WHERE name = $1";
    switchboard::with_db!(&app.state.db, p => sqlx::query_as(sql).bind(name).fetch_one(p).await.unwrap())
}
