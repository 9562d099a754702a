//! Stored input has limits (docs/limits.md): each case the hardening issue found stored is
//! now refused with a 4xx naming the field, through the API and the dashboard alike.

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard::hotline::store::lines;

use crate::hotline_dashboard::{SECRET, demo_app, line_ids};
use crate::support::TestApp;
use crate::support::web_session::WebSession;

/// A 400 naming `field`, whose message mentions `needle` and does not echo a huge value.
#[track_caller]
fn assert_refused(status: StatusCode, body: &Value, field: &str, needle: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {body:.300}");
    assert_eq!(body["error"]["field"], field, "{body:.300}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(needle), "{field}: {message:.300}");
    assert!(
        body.to_string().len() < 1000,
        "the answer repeats the input"
    );
}

async fn person_id(app: &TestApp, name: &str) -> i64 {
    let (_, people) = app.get("/api/v1/people", &app.token).await;
    people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))["id"]
        .as_i64()
        .unwrap()
}

fn line(extra: Value) -> Value {
    let mut line = json!({"name": "Night Line", "kind": "shift", "phone_number": "+15005550300"});
    line.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    line
}

#[tokio::test]
async fn an_email_of_a_megabyte_is_refused_naming_email() {
    let app = TestApp::spawn().await;
    let huge = format!("{}@example.org", "a".repeat(1024 * 1024));
    let person = json!({"name": "Huge", "email": huge, "role": "agent"});
    let (status, body) = app.post_json("/api/v1/people", &app.token, &person).await;
    assert_refused(status, &body, "email", "254");
    let long = format!("{}@example.org", "a".repeat(250));
    let person = json!({"name": "Long", "email": long, "role": "agent"});
    let (status, body) = app.post_json("/api/v1/people", &app.token, &person).await;
    assert_refused(status, &body, "email", "254");
    let fine = json!({"name": "Fine", "email": "fine@example.org", "role": "agent"});
    let (status, body) = app.post_json("/api/v1/people", &app.token, &fine).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn notification_addresses_are_at_most_ten_and_never_repeated() {
    let app = TestApp::spawn().await;
    let repeated = vec!["line@example.org"; 5000];
    let (status, body) = app
        .post_json(
            "/api/v1/hotline/lines",
            &app.token,
            &line(json!({"notify_emails": repeated})),
        )
        .await;
    assert_refused(status, &body, "notify_emails", "at most 10");
    let (status, body) = app
        .post_json(
            "/api/v1/hotline/lines",
            &app.token,
            &line(json!({"notify_emails": ["line@example.org", " Line@Example.org"]})),
        )
        .await;
    assert_refused(status, &body, "notify_emails", "twice");
    let eleven: Vec<String> = (0..11).map(|i| format!("n{i}@example.org")).collect();
    let (status, body) = app
        .post_json(
            "/api/v1/hotline/lines",
            &app.token,
            &line(json!({"notify_emails": eleven})),
        )
        .await;
    assert_refused(status, &body, "notify_emails", "at most 10");
    let (status, body) = app
        .post_json(
            "/api/v1/hotline/lines",
            &app.token,
            &line(json!({"notify_emails": &eleven[..10]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn business_days_are_at_most_the_seven_days_each_once() {
    let app = demo_app().await;
    let hours = |weekdays: Value| {
        line(
            json!({"business_hours": {"weekdays": weekdays, "start_minute": 480,
                                      "end_minute": 1080, "holidays": []}}),
        )
    };
    let (status, body) = app
        .post_json(
            "/api/v1/hotline/lines",
            &app.token,
            &hours(json!(vec![1; 100_000])),
        )
        .await;
    assert_refused(status, &body, "business_hours.weekdays", "7");
    let (status, body) = app
        .post_json(
            "/api/v1/hotline/lines",
            &app.token,
            &hours(json!([1, 2, 1])),
        )
        .await;
    assert_refused(status, &body, "business_hours.weekdays", "twice");

    // The dashboard's settings form: a day ticked twice, or a day that is not one.
    let (_, community) = line_ids(&app).await;
    let owner = WebSession::owner(&app).await;
    let page = format!("/hotline/lines/{community}");
    for days in [["1", "1"], ["1", "8"], ["1", "x"]] {
        let mut fields = community_settings();
        fields.retain(|(k, _)| *k != "weekday");
        fields.extend(days.iter().map(|d| ("weekday", *d)));
        let refused = owner.submit(&page, &page, &fields).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{days:?}");
        assert!(
            refused.html.contains(r#"data-field="weekday""#)
                || refused.html.contains(r#"data-field="weekdays""#),
            "{days:?}: {}",
            refused.html
        );
    }
    let saved = lines::find_line(&app.state.db, app.org, community)
        .await
        .unwrap();
    assert_eq!(saved.business_hours.weekdays, [1, 2, 3, 4, 5]);
    app.stop().await;
}

#[tokio::test]
async fn dates_before_2000_or_after_2100_are_refused() {
    let app = demo_app().await;
    let (ladder, community) = line_ids(&app).await;
    let vera = person_id(&app, "Vera Rubin").await;
    let path = format!("/api/v1/hotline/lines/{community}/overrides");
    let year_zero = json!({"person_id": vera, "starts_on": "0000-01-01", "ends_on": "2026-03-08"});
    let (status, body) = app.post_json(&path, &app.token, &year_zero).await;
    assert_refused(status, &body, "starts_on", "2000-01-01");
    let far = json!({"person_id": vera, "starts_on": "2026-03-02", "ends_on": "9999-12-31"});
    let (status, body) = app.post_json(&path, &app.token, &far).await;
    assert_refused(status, &body, "ends_on", "2100-12-31");

    let ada = person_id(&app, "Ada Lovelace").await;
    let path = format!("/api/v1/hotline/lines/{ladder}/oncall");
    let oncall = json!({"primary_person_id": ada, "starts_at": "0000-01-01T00:00:00Z",
                        "ends_at": "2026-03-09T00:00:00Z"});
    let (status, body) = app.post_json(&path, &app.token, &oncall).await;
    assert_refused(status, &body, "starts_at", "2000-01-01");

    let holidays = line(
        json!({"business_hours": {"weekdays": [1], "start_minute": 480,
                                                  "end_minute": 1080, "holidays": ["0000-12-25"]}}),
    );
    let (status, body) = app
        .post_json("/api/v1/hotline/lines", &app.token, &holidays)
        .await;
    assert_refused(status, &body, "business_hours.holidays", "2000-01-01");
    app.stop().await;
}

#[tokio::test]
async fn a_studio_call_duration_must_be_within_a_day() {
    let app = demo_app().await;
    let studio = |endpoint: &'static str, body: Value| {
        let request = app
            .http
            .post(app.url(&format!("/api/telephony/{endpoint}")))
            .bearer_auth(SECRET)
            .json(&body);
        async move {
            let r = request.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, first) = studio(
        "next-target",
        json!({"callerPhone": "+14155551234", "callSid": "CA-duration"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let incident = first["incidentId"].as_i64().unwrap();
    for duration in [
        json!(1_i64 << 62),
        json!("4611686018427387904"),
        json!(86_401),
    ] {
        let (status, body) = studio(
            "completed",
            json!({"incidentId": incident, "duration": duration}),
        )
        .await;
        assert_refused(status, &body, "duration", "86400");
    }
    let (status, body) = studio(
        "completed",
        json!({"incidentId": incident, "duration": 180}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn the_same_person_cannot_be_primary_and_secondary_on_call() {
    let app = demo_app().await;
    let (ladder, _) = line_ids(&app).await;
    let ada = person_id(&app, "Ada Lovelace").await;
    let grace = person_id(&app, "Grace Hopper").await;
    let path = format!("/api/v1/hotline/lines/{ladder}/oncall");
    let both = json!({"primary_person_id": ada, "secondary_person_id": ada,
                      "starts_at": "2026-03-02T09:00:00-05:00", "ends_at": "2026-03-09T09:00:00-05:00"});
    let (status, body) = app.post_json(&path, &app.token, &both).await;
    assert_refused(status, &body, "secondary_person_id", "primary");

    let rotation =
        json!({"people": [ada, grace, ada], "starts_at": "2026-03-02T09:00:00-05:00", "weeks": 3});
    let (status, body) = app
        .post_json(&format!("{path}/rotation"), &app.token, &rotation)
        .await;
    assert_refused(status, &body, "people", "twice");

    let (_, periods) = app.get(&path, &app.token).await;
    for p in periods.as_array().unwrap() {
        assert_ne!(p["primary_person_id"], p["secondary_person_id"], "{p}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_nul_byte_in_a_phone_is_refused_not_dropped() {
    let app = demo_app().await;
    let nul = "+14155551234\u{0}";
    for phone in [nul, "+1415555\u{0}1234", "\u{0}+14155551234"] {
        let person = json!({"name": "Nul", "phone": phone, "role": "agent"});
        let (status, body) = app.post_json("/api/v1/people", &app.token, &person).await;
        assert_refused(status, &body, "phone", "control character");
    }
    let ada = person_id(&app, "Ada Lovelace").await;
    let (status, body) = app
        .patch_json(
            &format!("/api/v1/people/{ada}"),
            &app.token,
            &json!({"phone": nul}),
        )
        .await;
    assert_refused(status, &body, "phone", "control character");
    let (status, body) = app
        .post_json(
            "/api/v1/hotline/lines",
            &app.token,
            &line(json!({"phone_number": "+1500555\u{0}0300"})),
        )
        .await;
    assert_refused(status, &body, "phone_number", "control character");
    let r = app
        .http
        .post(app.url("/api/telephony/next-target"))
        .bearer_auth(SECRET)
        .json(&json!({"callerPhone": nul, "callSid": "CA-nul"}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    assert_refused(
        status,
        &r.json().await.unwrap(),
        "callerPhone",
        "control character",
    );
    app.stop().await;
}

#[tokio::test]
async fn control_characters_in_stored_text_are_refused() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "/api/v1/people",
            json!({"name": "Ada\u{0}", "role": "agent"}),
            "name",
        ),
        (
            "/api/v1/people",
            json!({"name": "Ada", "email": "ada\u{0}@example.org", "role": "agent"}),
            "email",
        ),
        (
            "/api/v1/tokens",
            json!({"name": "ci\u{7}", "role": "viewer"}),
            "name",
        ),
        (
            "/api/v1/phone-numbers",
            json!({"e164": "+15005550301", "friendly_name": "Main\u{1b}[2J"}),
            "friendly_name",
        ),
        (
            "/api/v1/hotline/lines",
            line(json!({"name": "Night\nLine"})),
            "name",
        ),
    ];
    for (path, body, field) in cases {
        let (status, answer) = app.post_json(path, &app.token, &body).await;
        assert_refused(status, &answer, field, "control character");
    }
    app.stop().await;
}

/// The community line's settings form as the demo saved it.
fn community_settings() -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", "Community Line"),
        ("phone_number", "+15005550200"),
        ("time_zone", "America/New_York"),
        ("kind", "shift"),
        ("business_start", "08:00"),
        ("business_end", "18:00"),
        ("weekday", "1"),
        ("weekday", "2"),
        ("weekday", "3"),
        ("weekday", "4"),
        ("weekday", "5"),
        ("holidays", ""),
        ("ring_strategy", "sequential"),
        ("ring_timeout_secs", "30"),
        ("notify_emails", "line@example.org"),
        ("reminder_time", "18:00"),
    ]
}

#[tokio::test]
async fn the_dashboard_refuses_reminder_time_99_99_and_keeps_the_saved_time() {
    let app = demo_app().await;
    let (_, community) = line_ids(&app).await;
    let owner = WebSession::owner(&app).await;
    let page = format!("/hotline/lines/{community}");
    let mut fields = community_settings();
    fields.retain(|(k, _)| *k != "reminder_time");
    fields.push(("reminder_time", "19:15"));
    let saved = owner.submit(&page, &page, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);

    for bad in ["99:99", "24:00", "18", "noon"] {
        fields.retain(|(k, _)| *k != "reminder_time");
        fields.push(("reminder_time", bad));
        let refused = owner.submit(&page, &page, &fields).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            refused.html.contains(r#"data-field="reminder_time""#),
            "{bad}: {}",
            refused.html
        );
        assert!(refused.html.contains("is not a time like 18:00"), "{bad}");
        let line = lines::find_line(&app.state.db, app.org, community)
            .await
            .unwrap();
        assert_eq!(line.reminder_minute, 19 * 60 + 15, "{bad}: kept 19:15");
    }

    // Adding a line with it is refused too, and adds nothing.
    let new_line = [
        ("name", "Night Line"),
        ("kind", "shift"),
        ("phone_number", "+15005550300"),
        ("time_zone", "America/New_York"),
        ("reminder_time", "99:99"),
    ];
    let refused = owner.submit("/hotline", "/hotline", &new_line).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.html.contains(r#"data-field="reminder_time""#));
    let (_, all) = app.get("/api/v1/hotline/lines", &app.token).await;
    assert_eq!(
        all.as_array().unwrap().len(),
        2,
        "the demo's two lines: {all}"
    );
    app.stop().await;
}
