//! The hotline dashboard over plain HTTP with the demo lines: every page renders, the week
//! grid edits (with notices), the ladder editor, an incident driven through seed 003's API,
//! metrics with a chart, role rules, and other organisations' ids.

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard::accounts::Role;
use switchboard::hotline::{self, store::lines};
use switchboard::notify;

use crate::support::web_session::WebSession;
use crate::support::{TestApp, TestOptions};

const SECRET: &str = "s";

async fn demo_app() -> TestApp {
    let app = TestApp::spawn_with(TestOptions {
        env: vec![("WEBHOOK_SECRET", SECRET.into())],
        ..TestOptions::default()
    })
    .await;
    hotline::demo::seed(&app.state, app.org).await.unwrap();
    app
}

/// (ladder line id, community line id)
async fn line_ids(app: &TestApp) -> (i64, i64) {
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
fn cell(html: &str, day: u8, hour: u8) -> String {
    let marker = format!(r#"id="cell-{day}-{hour}""#);
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no cell {marker}"));
    let start = html[..at].rfind("<td").unwrap();
    let end = start + html[start..].find("</td>").unwrap();
    html[start..end].to_string()
}

async fn studio(app: &TestApp, endpoint: &str, body: Value) -> Value {
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

/// Seed 003's flow for one call: Ada does not answer, Grace answers, a 180 s call.
async fn answered_call(app: &TestApp, sid: &str) -> i64 {
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
async fn the_week_grid_shows_vera_on_monday_at_nine_and_who_is_on_shift_now_and_next() {
    let app = demo_app().await;
    let (_, community) = line_ids(&app).await;
    let owner = WebSession::owner(&app).await;
    let html = owner.get(&format!("/hotline/lines/{community}")).await.html;
    assert!(
        cell(&html, 1, 9).contains("Vera Rubin"),
        "{}",
        cell(&html, 1, 9)
    );
    assert!(!cell(&html, 1, 8).contains("Vera Rubin"));
    assert!(cell(&html, 1, 17).contains("Victor Vasarely"));
    assert!(cell(&html, 6, 10).contains("Wendy Carlos"));
    assert!(
        cell(&html, 1, 14).starts_with(r#"<td class="now filled""#),
        "Monday 14:00 is highlighted: {}",
        cell(&html, 1, 14)
    );
    assert!(
        html.contains("On shift now: <strong>Vera Rubin</strong>"),
        "{html}"
    );
    assert!(html.contains("Next: from Mon 2026-03-02 17:00 EST, <strong>Victor Vasarely</strong>"));
    app.stop().await;
}

#[tokio::test]
async fn adding_and_removing_a_shift_changes_the_grid_and_queues_a_notice() {
    let app = demo_app().await;
    let (_, community) = line_ids(&app).await;
    let owner = WebSession::owner(&app).await;
    let page = format!("/hotline/lines/{community}");
    let people = switchboard::accounts::store::list_people(&app.state.db, app.org)
        .await
        .unwrap();
    let wendy = people
        .iter()
        .find(|p| p.name == "Wendy Carlos")
        .unwrap()
        .id
        .to_string();
    assert!(!cell(&owner.get(&page).await.html, 3, 6).contains("Wendy Carlos"));

    let fields = [
        ("person_id", wendy.as_str()),
        ("weekday", "3"),
        ("start", "06:00"),
        ("end", "08:30"),
    ];
    let added = owner
        .submit(&page, &format!("{page}/shifts"), &fields)
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let html = owner.get(&page).await.html;
    assert!(
        cell(&html, 3, 6).contains("Wendy Carlos") && cell(&html, 3, 8).contains("Wendy Carlos")
    );
    assert!(!cell(&html, 3, 9).contains("Wendy Carlos"));
    let emails = notify::store::list(&app.state.db, app.org, 10)
        .await
        .unwrap();
    assert_eq!(emails[0].to_addr, "wendy.carlos@example.org");
    assert!(
        emails[0]
            .body_text
            .contains("was added: Wednesday 06:00-08:30"),
        "{}",
        emails[0].body_text
    );

    let shift = hotline::store::roster::shifts(&app.state.db, app.org, community)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.weekday == 3 && s.start_minute == 360)
        .unwrap();
    let removed = owner
        .submit(&page, &format!("{page}/shifts/{}/delete", shift.id), &[])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.html);
    assert!(!cell(&owner.get(&page).await.html, 3, 6).contains("Wendy Carlos"));
    let emails = notify::store::list(&app.state.db, app.org, 10)
        .await
        .unwrap();
    assert!(
        emails[0]
            .body_text
            .contains("was removed: Wednesday 06:00-08:30")
    );
    app.run_jobs().await;
    app.stop().await;
}

#[tokio::test]
async fn a_shift_ending_before_it_starts_comes_back_naming_the_end_field() {
    let app = demo_app().await;
    let (_, community) = line_ids(&app).await;
    let owner = WebSession::owner(&app).await;
    let page = format!("/hotline/lines/{community}");
    let person = switchboard::accounts::store::list_people(&app.state.db, app.org)
        .await
        .unwrap()[1]
        .id
        .to_string();
    let fields = [
        ("person_id", person.as_str()),
        ("weekday", "2"),
        ("start", "17:00"),
        ("end", "09:00"),
    ];
    let refused = owner
        .submit(&page, &format!("{page}/shifts"), &fields)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.html);
    assert!(
        refused.html.contains(r#"data-field="end""#),
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains(r#"value="17:00""#),
        "what was typed stays"
    );
    let nobody = [
        ("person_id", ""),
        ("weekday", "2"),
        ("start", "09:00"),
        ("end", "10:00"),
    ];
    let refused = owner
        .submit(&page, &format!("{page}/shifts"), &nobody)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains(r#"data-field="person_id""#));
    let bad_override = [
        ("person_id", person.as_str()),
        ("starts_on", "2026-03-09"),
        ("ends_on", "2026-03-01"),
    ];
    let refused = owner
        .submit(&page, &format!("{page}/overrides"), &bad_override)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains(r#"data-field="ends_on""#));
    app.stop().await;
}

#[tokio::test]
async fn the_ladder_editor_saves_a_reordered_ladder_and_refuses_a_duplicate_step() {
    let app = demo_app().await;
    let (ladder, _) = line_ids(&app).await;
    let owner = WebSession::owner(&app).await;
    let page = format!("/hotline/lines/{ladder}");
    let action = format!("{page}/ladders/business");
    // The business ladder as the form posts it, with "move step 3 (admin) up".
    let mut fields = vec![];
    for kind in ["primary_oncall", "secondary", "admin", "manager"] {
        fields.extend([("kind", kind), ("timeout_secs", "30"), ("pool_size", "3")]);
    }
    fields[4] = ("timeout_secs", "25");
    let mut up = fields.clone();
    up.push(("action", "up:2"));
    let saved = owner.submit(&page, &action, &up).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let steps = lines::ladder(
        &app.state.db,
        app.org,
        ladder,
        hotline::model::Hours::Business,
    )
    .await
    .unwrap();
    let kinds: Vec<&str> = steps.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds, ["primary_oncall", "admin", "secondary", "manager"]);
    assert_eq!(
        steps[2].timeout_secs, 25,
        "the secondary's edited timeout moved with it"
    );

    let mut twice = fields.clone();
    twice[6] = ("kind", "manager");
    twice.push(("action", "save"));
    let refused = owner.submit(&page, &action, &twice).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.html);
    assert!(
        refused.html.contains(r#"data-field="[3].kind""#),
        "{}",
        refused.html
    );
    assert!(refused.html.contains("manager appears twice"));
    let unchanged = lines::ladder(
        &app.state.db,
        app.org,
        ladder,
        hotline::model::Hours::Business,
    )
    .await
    .unwrap();
    assert_eq!(unchanged, steps);

    let mut slow = fields.clone();
    slow[1] = ("timeout_secs", "500");
    slow.push(("action", "save"));
    let refused = owner.submit(&page, &action, &slow).await;
    assert!(refused.html.contains(r#"data-field="[0].timeout_secs""#));

    let removed = owner
        .submit(
            &page,
            &format!("{page}/pool"),
            &[("person", "not-a-person"), ("action", "save")],
        )
        .await;
    assert_eq!(removed.status, StatusCode::BAD_REQUEST);
    assert!(removed.html.contains(r#"data-field="people""#));
    app.stop().await;
}

#[tokio::test]
async fn the_incident_page_shows_the_attempts_of_a_call_driven_through_seed_003s_api() {
    let app = demo_app().await;
    let owner = WebSession::owner(&app).await;
    let live = studio(
        &app,
        "next-target",
        json!({"callerPhone": "+14155551234", "callSid": "CALIVE"}),
    )
    .await;
    let live_id = live["incidentId"].as_i64().unwrap();
    let page = owner
        .get(&format!("/hotline/incidents/{live_id}"))
        .await
        .html;
    assert!(
        page.contains(r#"hx-trigger="every 2s""#),
        "an open incident refreshes itself"
    );
    assert!(page.contains("Ada Lovelace") && page.contains("dialing"));

    let incident = answered_call(&app, "CADONE").await;
    let page = owner.get(&format!("/hotline/incidents/{incident}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.html;
    for text in [
        "primary_oncall",
        "Ada Lovelace",
        "+15005550111",
        "no-answer",
        "secondary",
        "Grace Hopper",
        "answered",
        "completed",
        "180 s",
    ] {
        assert!(
            html.contains(text),
            "the incident page lacks {text}: {html}"
        );
    }
    assert!(
        !html.contains("every 2s"),
        "a finished incident stops refreshing"
    );
    let fragment = owner
        .get(&format!("/hotline/incidents/{incident}/timeline"))
        .await;
    assert!(
        fragment.html.starts_with(r#"<div id="timeline""#),
        "{}",
        fragment.html
    );
    let listed = owner.get("/hotline/incidents?status=completed").await.html;
    assert!(
        listed.contains(&format!("/hotline/incidents/{incident}"))
            && !listed.contains(&format!("/hotline/incidents/{live_id}\""))
    );
    app.stop().await;
}

#[tokio::test]
async fn the_metrics_page_shows_seed_003s_numbers_and_an_svg_chart() {
    let app = demo_app().await;
    let (ladder, _) = line_ids(&app).await;
    answered_call(&app, "CA1").await;
    answered_call(&app, "CA2").await;
    let owner = WebSession::owner(&app).await;
    let page = owner.get(&format!("/hotline/lines/{ladder}/metrics")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let html = page.html;
    assert!(
        html.contains(r#"<div class="card" id="metric-incidents"><div class="n">2</div>"#),
        "{html}"
    );
    assert!(html.contains(r#"id="metric-attempts"><div class="n">2.0</div>"#));
    assert!(html.contains(r#"id="metric-duration"><div class="n">180.0 s</div>"#));
    assert!(html.contains(r#"id="metric-exhausted"><div class="n">0</div>"#));
    assert!(html.contains("<svg") && html.contains(r#"class="answered""#));
    assert!(html.contains("2 incidents over 30 days"));
    let bad = owner
        .get(&format!(
            "/hotline/lines/{ladder}/metrics?from=2026-03-09&to=2026-03-01"
        ))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains(r#"data-field="from""#));
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
        time_zone: "UTC".into(),
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
async fn simulate_a_call_shows_the_simulators_refusal_when_the_number_is_not_provisioned() {
    let app = demo_app().await;
    let (_, community) = line_ids(&app).await;
    let owner = WebSession::owner(&app).await;
    let page = format!("/hotline/lines/{community}");
    assert!(owner.get(&page).await.html.contains("Simulate a call"));
    let r = owner.submit(&page, &format!("{page}/simulate"), &[]).await;
    if r.status == StatusCode::SEE_OTHER {
        // The number is provisioned (hotline::provision): the browser follows the call to
        // its incident, whose timeline is live.
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
    } else {
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.html);
        assert!(
            r.html.contains(r#"data-field="simulate""#)
                && r.html.contains("the simulator could not place the call"),
            "{}",
            r.html
        );
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_finds_the_week_grid_and_the_ladder_editor_in_a_real_browser() {
    use crate::support::browser::{Browser, screenshot_path};
    use crate::support::web_session::{OWNER_EMAIL, OWNER_PASSWORD};

    let app = demo_app().await;
    let (ladder, community) = line_ids(&app).await;
    let browser = Browser::start().await;
    browser.goto(&app.url("/login")).await;
    browser.find("#email").await.send_keys(OWNER_EMAIL).await;
    browser
        .find("#password")
        .await
        .send_keys(OWNER_PASSWORD)
        .await;
    browser.find("button[type=submit]").await.click().await;
    browser.wait_for_path("/").await;

    browser
        .find(r#"header nav a[href="/hotline"]"#)
        .await
        .click()
        .await;
    browser.wait_for_path("/hotline").await;
    browser.wait_for_text("table#lines", "Community Line").await;
    browser
        .find(&format!(r#"a[href="/hotline/lines/{community}"]"#))
        .await
        .click()
        .await;
    browser
        .wait_for_path(&format!("/hotline/lines/{community}"))
        .await;
    browser.wait_for_text("#cell-1-9", "Vera Rubin").await;
    browser.wait_for_text("#onshift-now", "Vera Rubin").await;
    browser
        .goto(&app.url(&format!("/hotline/lines/{community}#shifts")))
        .await;
    browser
        .screenshot(&screenshot_path("hotline-week.png"))
        .await;

    browser
        .find(r#"header nav a[href="/hotline"]"#)
        .await
        .click()
        .await;
    browser.wait_for_path("/hotline").await;
    browser
        .find(&format!(r#"a[href="/hotline/lines/{ladder}"]"#))
        .await
        .click()
        .await;
    browser
        .wait_for_path(&format!("/hotline/lines/{ladder}"))
        .await;
    browser.wait_for_text("#oncall-now", "Ada Lovelace").await;
    browser
        .wait_for_text("#ladder-business", "Business hours")
        .await;
    // Move the business ladder's third step (admin) up, through the real form.
    browser
        .find(r##"#ladder-business button[value="up:2"]"##)
        .await
        .click()
        .await;
    browser
        .wait_for_path(&format!("/hotline/lines/{ladder}"))
        .await;
    let started = std::time::Instant::now();
    loop {
        let steps = lines::ladder(
            &app.state.db,
            app.org,
            ladder,
            hotline::model::Hours::Business,
        )
        .await
        .unwrap();
        if steps[1].kind.as_str() == "admin" {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 15,
            "the ladder was not saved: {steps:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    browser.wait_for_text("#pool", "Ken Thompson").await;
    browser
        .goto(&app.url(&format!("/hotline/lines/{ladder}#ladder")))
        .await;
    browser
        .wait_for_text("#ladder-business", "Save ladder")
        .await;
    browser.screenshot(&screenshot_path("hotline.png")).await;

    // An open incident's timeline fills in live (htmx polls every 2 s) and stops when done.
    let first = studio(
        &app,
        "next-target",
        json!({"callerPhone": "+14155551234", "callSid": "CABROWSER"}),
    )
    .await;
    let incident = first["incidentId"].as_i64().unwrap();
    browser
        .goto(&app.url(&format!("/hotline/incidents/{incident}")))
        .await;
    browser.wait_for_text("#attempts", "Ada Lovelace").await;
    let failed = json!({"incidentId": incident, "targetPhone": first["nextPhoneE164"], "reason": "busy", "callSid": "CABROWSER"});
    studio(&app, "attempt-failed", failed).await;
    let second = studio(
        &app,
        "next-target",
        json!({"incidentId": incident, "callerPhone": "+14155551234", "callSid": "CABROWSER"}),
    )
    .await;
    // The ladder was just reordered: the admins come second now.
    browser.wait_for_text("#attempts", "Alan Turing").await;
    let answered = json!({"incidentId": incident, "answeredPhone": second["nextPhoneE164"], "callSid": "CABROWSER"});
    studio(&app, "answered", answered).await;
    studio(
        &app,
        "completed",
        json!({"incidentId": incident, "callSid": "CABROWSER", "duration": 42}),
    )
    .await;
    browser.wait_for_text("#incident-status", "completed").await;
    browser
        .wait_for_text("#events", "Completed after a 42 s call")
        .await;
    browser
        .screenshot(&screenshot_path("hotline-incident.png"))
        .await;
    browser
        .goto(&app.url(&format!("/hotline/lines/{ladder}/metrics")))
        .await;
    browser.wait_for_text("#metric-duration", "42.0 s").await;
    browser
        .screenshot(&screenshot_path("hotline-metrics.png"))
        .await;
    browser.quit().await;
    app.stop().await;
}
