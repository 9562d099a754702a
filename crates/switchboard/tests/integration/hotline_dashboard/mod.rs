//! The hotline dashboard with the demo lines: every page renders (over plain HTTP, and in a
//! real browser), the week grid and ladder editors, incidents and metrics, role rules, and
//! other organisations' ids.

mod browser;
mod incidents;
mod roster;

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard::accounts::Role;
use switchboard::hotline::{self, store::lines};

use crate::support::web_session::WebSession;
use crate::support::{TestApp, TestOptions};

pub(crate) const SECRET: &str = "s";

pub(crate) async fn demo_app() -> TestApp {
    let app = TestApp::spawn_with(TestOptions {
        env: vec![("WEBHOOK_SECRET", SECRET.into())],
        ..TestOptions::default()
    })
    .await;
    hotline::demo::seed(&app.state, app.org).await.unwrap();
    app
}

/// (ladder line id, community line id)
pub(crate) async fn line_ids(
    app: &TestApp,
) -> (switchboard::ids::LineId, switchboard::ids::LineId) {
    let find = |n| lines::find_line_by_number(&app.state.db, n);
    let ladder = find(hotline::demo::LADDER_LINE)
        .await
        .unwrap()
        .unwrap()
        .1
        .id;
    let community = find(hotline::demo::COMMUNITY_LINE)
        .await
        .unwrap()
        .unwrap()
        .1
        .id;
    (ladder, community)
}

/// The contents of the week-grid cell for `day` (1 = Monday) and `hour`.
pub(crate) fn cell(html: &str, day: u8, hour: u8) -> String {
    let marker = format!(r#"id="cell-{day}-{hour}""#);
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no cell {marker}"));
    let start = html[..at].rfind("<td").unwrap();
    let end = start + html[start..].find("</td>").unwrap();
    html[start..end].to_string()
}

pub(crate) async fn studio(app: &TestApp, endpoint: &str, body: Value) -> Value {
    let r = app
        .http
        .post(app.url(&format!("/api/telephony/{endpoint}")))
        .bearer_auth(SECRET)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// The on-call routing API's flow for one call: Ada does not answer, Grace answers, a 180 s call.
pub(crate) async fn answered_call(app: &TestApp, sid: &str) -> i64 {
    let first = studio(
        app,
        "next-target",
        json!({"callerPhone": "+14155551234", "callSid": sid}),
    )
    .await;
    let incident = first["incidentId"].as_i64().unwrap();
    let failed = json!({"incidentId": incident, "targetPhone": first["nextPhoneE164"], "reason": "no-answer", "callSid": sid});
    studio(app, "attempt-failed", failed).await;
    app.advance(30);
    let second = studio(
        app,
        "next-target",
        json!({"incidentId": incident, "callerPhone": "+14155551234", "callSid": sid}),
    )
    .await;
    app.advance(5);
    let answered =
        json!({"incidentId": incident, "answeredPhone": second["nextPhoneE164"], "callSid": sid});
    studio(app, "answered", answered).await;
    app.advance(180);
    studio(
        app,
        "completed",
        json!({"incidentId": incident, "callSid": sid, "duration": 180}),
    )
    .await;
    incident
}

#[tokio::test]
async fn every_hotline_page_renders_for_an_owner_with_the_demo_lines() {
    let app = demo_app().await;
    let (ladder, community) = line_ids(&app).await;
    let owner = WebSession::owner(&app).await;
    let list = owner.get("/hotline").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    for text in [
        "Field Service Emergency",
        "Community Line",
        "+15005550100",
        "America/New_York",
        "Add a line",
    ] {
        assert!(list.html.contains(text), "/hotline lacks {text}");
    }
    assert!(
        list.html
            .contains("on call: Ada Lovelace (primary), Grace Hopper (secondary)"),
        "{}",
        list.html
    );
    assert!(
        list.html.contains("on shift: Vera Rubin"),
        "Monday 14:00 in New York"
    );
    assert!(list.html.contains("business hours"));
    for path in [
        format!("/hotline/lines/{ladder}"),
        format!("/hotline/lines/{community}"),
        format!("/hotline/lines/{ladder}/metrics"),
        "/hotline/incidents".to_string(),
        "/hotline/incidents?status=open".to_string(),
    ] {
        let page = owner.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.html);
        assert!(
            page.html.contains(r#"href="/hotline" class="current""#),
            "{path}"
        );
    }
    let line = owner.get(&format!("/hotline/lines/{ladder}")).await.html;
    assert!(
        line.contains("Ladders") && line.contains("Rotating pool") && line.contains("Save ladder")
    );
    assert!(line.contains("Ken Thompson") && line.contains("inactive"));
    let oncall = &line[line.find(r#"id="oncall-now""#).unwrap()..];
    assert!(
        oncall.starts_with(r#"id="oncall-now">On call now: primary <strong>Ada Lovelace"#),
        "{}",
        &oncall[..200]
    );
    let bad = owner.get("/hotline/incidents?status=lost").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains(r#"data-field="status""#));
    app.stop().await;
}

#[tokio::test]
async fn a_viewer_sees_the_hotline_but_cannot_edit_it() {
    let app = demo_app().await;
    let (ladder, community) = line_ids(&app).await;
    let viewer = WebSession::with_role(&app, Role::Viewer).await;
    let page = viewer.get(&format!("/hotline/lines/{community}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Vera Rubin") && !page.html.contains("Add shift"));
    let ladder_page = viewer.get(&format!("/hotline/lines/{ladder}")).await.html;
    assert!(!ladder_page.contains("Save ladder"));
    let people = switchboard::accounts::store::list_people(&app.state.db, app.org)
        .await
        .unwrap();
    let vera = people
        .iter()
        .find(|p| p.name == "Vera Rubin")
        .unwrap()
        .id
        .to_string();
    let shift = [
        ("person_id", vera.as_str()),
        ("weekday", "1"),
        ("start", "06:00"),
        ("end", "07:00"),
    ];
    for (action, fields) in [
        (format!("/hotline/lines/{community}/shifts"), &shift[..]),
        (
            format!("/hotline/lines/{ladder}/ladders/business"),
            &[
                ("kind", "admin"),
                ("timeout_secs", "30"),
                ("pool_size", "3"),
                ("action", "save"),
            ][..],
        ),
        (
            format!("/hotline/lines/{ladder}"),
            &[
                ("name", "Renamed"),
                ("kind", "ladder"),
                ("phone_number", "+15005550100"),
            ][..],
        ),
        (
            "/hotline".to_string(),
            &[
                ("name", "New"),
                ("kind", "shift"),
                ("phone_number", "+15005550300"),
            ][..],
        ),
    ] {
        let refused = viewer.submit("/hotline", &action, fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{action}");
    }
    let manager = WebSession::with_role(&app, Role::Manager).await;
    let added = manager
        .submit(
            "/hotline",
            &format!("/hotline/lines/{community}/shifts"),
            &shift,
        )
        .await;
    assert_eq!(
        added.status,
        StatusCode::SEE_OTHER,
        "a manager edits shifts"
    );
    let ladder_post = manager
        .submit(
            "/hotline",
            &format!("/hotline/lines/{ladder}/pool"),
            &[("action", "save")],
        )
        .await;
    assert_eq!(
        ladder_post.status,
        StatusCode::FORBIDDEN,
        "but not the pool"
    );
    app.run_jobs().await;
    app.stop().await;
}

#[tokio::test]
async fn another_organisations_line_and_incident_answer_404() {
    let app = demo_app().await;
    let (ladder, _) = line_ids(&app).await;
    let (other, _) = app.other_org("elsewhere").await;
    let settings = lines::LineSettings {
        name: "Theirs".into(),
        kind: hotline::model::LineKind::Shift,
        phone_number: "+15005550900".into(),
        time_zone: switchboard::zone::Zone::utc(),
        business_hours: hotline::model::BusinessHours::weekdays_8_to_6(),
        ring_strategy: hotline::model::RingStrategy::Sequential,
        ring_timeout_secs: 20,
        notify_emails: vec![],
        reminder_minute: 0,
    };
    let theirs = lines::create_line(&app.state.db, other, &settings, 0)
        .await
        .unwrap()
        .id;
    let owner = WebSession::owner(&app).await;
    for path in [
        format!("/hotline/lines/{theirs}"),
        format!("/hotline/lines/{theirs}/metrics"),
        "/hotline/incidents/999999".to_string(),
        "/hotline/lines/999999".to_string(),
    ] {
        assert_eq!(
            owner.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let post = owner
        .submit(
            &format!("/hotline/lines/{ladder}"),
            &format!("/hotline/lines/{theirs}/shifts"),
            &[
                ("person_id", "1"),
                ("weekday", "1"),
                ("start", "09:00"),
                ("end", "10:00"),
            ],
        )
        .await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn an_admin_creates_a_line_and_a_bad_number_comes_back_naming_the_field() {
    let app = demo_app().await;
    let owner = WebSession::owner(&app).await;
    let bad = [
        ("name", "Night line"),
        ("kind", "shift"),
        ("phone_number", "12"),
        ("time_zone", "America/New_York"),
    ];
    let refused = owner.submit("/hotline", "/hotline", &bad).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.html);
    assert!(
        refused.html.contains(r#"data-field="phone_number""#)
            && refused.html.contains(r#"value="Night line""#)
    );
    let taken = [
        ("name", "Night line"),
        ("kind", "shift"),
        ("phone_number", "+15005550200"),
        ("time_zone", "America/New_York"),
    ];
    let refused = owner.submit("/hotline", "/hotline", &taken).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.html.contains(r#"data-field="phone_number""#));
    let good = [
        ("name", "Night line"),
        ("kind", "ladder"),
        ("phone_number", "+15005550300"),
        ("time_zone", "Europe/Paris"),
    ];
    let created = owner.submit("/hotline", "/hotline", &good).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let page = owner.get(created.location.as_deref().unwrap()).await.html;
    assert!(
        page.contains("Night line")
            && page.contains("Europe/Paris")
            && page.contains("Save ladder")
    );
    app.stop().await;
}

#[tokio::test]
async fn simulate_a_call_follows_the_call_to_its_live_incident() {
    let app = demo_app().await;
    let (_, community) = line_ids(&app).await;
    let owner = WebSession::owner(&app).await;
    let page = format!("/hotline/lines/{community}");
    assert!(owner.get(&page).await.html.contains("Simulate a call"));
    let r = owner.submit(&page, &format!("{page}/simulate"), &[]).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the demo's numbers are provisioned: {}",
        r.html
    );
    let mut incident = owner.get(&r.location.unwrap()).await;
    if let Some(waited) = incident.location.clone() {
        incident = owner.get(&waited).await;
    }
    assert_eq!(incident.status, StatusCode::OK);
    assert!(incident.html.contains("+14155551234") && incident.html.contains("Community Line"));
    assert!(
        incident.html.contains(r#"hx-trigger="every 2s""#),
        "{}",
        incident.html
    );
    app.stop().await;
}

#[tokio::test]
async fn simulate_a_call_shows_the_simulators_refusal_when_the_number_is_not_provisioned() {
    let app = demo_app().await;
    // Saved straight to the store, so nothing pointed the simulator's number at us.
    let settings = switchboard::hotline::store::lines::LineSettings {
        name: "Unprovisioned".into(),
        kind: switchboard::hotline::model::LineKind::Shift,
        phone_number: "+15005550299".into(),
        time_zone: switchboard::zone::Zone::parse("America/New_York").unwrap(),
        business_hours: switchboard::hotline::model::BusinessHours::weekdays_8_to_6(),
        ring_strategy: switchboard::hotline::model::RingStrategy::Sequential,
        ring_timeout_secs: 20,
        notify_emails: Vec::new(),
        reminder_minute: 18 * 60,
    };
    let line = switchboard::hotline::store::lines::create_line(
        &app.state.db,
        app.org,
        &settings,
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    let owner = WebSession::owner(&app).await;
    let page = format!("/hotline/lines/{}", line.id);
    let r = owner.submit(&page, &format!("{page}/simulate"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.html);
    assert!(
        r.html.contains(r#"data-field="simulate""#)
            && r.html.contains("the simulator could not place the call"),
        "{}",
        r.html
    );
    app.stop().await;
}
