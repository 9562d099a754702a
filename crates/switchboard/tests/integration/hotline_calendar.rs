//! Private iCalendar feeds: a person's weekly shifts and on-call periods as valid RFC 5545,
//! behind an unguessable URL that admins can read and rotate.

use switchboard::hotline;

use crate::support::TestApp;

async fn demo_app() -> TestApp {
    let app = TestApp::spawn().await;
    hotline::demo::seed(&app.state, app.org).await.unwrap();
    app
}

async fn person_id(app: &TestApp, name: &str) -> switchboard::ids::PersonId {
    switchboard::accounts::store::list_people(&app.state.db, app.org)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == name)
        .unwrap()
        .id
}

async fn feed_url(app: &TestApp, person: switchboard::ids::PersonId) -> String {
    let (status, body) = app
        .get(&format!("/api/v1/people/{person}/calendar"), &app.token)
        .await;
    assert_eq!(status, 200, "{body}");
    body["url"].as_str().unwrap().to_string()
}

async fn fetch(app: &TestApp, url: &str) -> (u16, String) {
    let r = app.http.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Checks the RFC 5545 framing: CRLF everywhere, no physical line over 75 octets, balanced
/// BEGIN/END, and the properties every VEVENT must have. Returns the unfolded lines.
fn check_ical(text: &str) -> Vec<String> {
    assert!(text.ends_with("\r\n"));
    for physical in text.split("\r\n") {
        assert!(!physical.contains('\n'), "bare LF in {physical:?}");
        assert!(physical.len() <= 75, "{physical:?} is over 75 octets");
    }
    let lines: Vec<String> = text
        .replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let mut stack: Vec<String> = Vec::new();
    let mut event: Vec<String> = Vec::new();
    for l in &lines {
        assert!(l.contains(':'), "{l:?} is not a content line");
        if let Some(c) = l.strip_prefix("BEGIN:") {
            stack.push(c.to_string());
            if c == "VEVENT" {
                event.clear();
            }
        } else if let Some(c) = l.strip_prefix("END:") {
            assert_eq!(stack.pop().as_deref(), Some(c), "unbalanced END:{c}");
            if c == "VEVENT" {
                for needed in ["UID:", "DTSTAMP:", "DTSTART", "SUMMARY:"] {
                    assert!(
                        event.iter().any(|p| p.starts_with(needed)),
                        "a VEVENT without {needed}: {event:?}"
                    );
                }
            }
        } else {
            event.push(l.clone());
        }
    }
    assert!(stack.is_empty());
    assert_eq!(lines[0], "BEGIN:VCALENDAR");
    assert!(lines.iter().any(|l| l == "VERSION:2.0"));
    assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
    lines
}

#[tokio::test]
async fn a_volunteers_feed_lists_their_weekday_shifts_in_the_lines_time_zone() {
    let app = demo_app().await;
    let vera = person_id(&app, "Vera Rubin").await;
    let url = feed_url(&app, vera).await;
    assert!(
        url.starts_with(&app.url("/calendar/")) && url.ends_with(".ics"),
        "{url}"
    );
    let r = app.http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let lines = check_ical(&r.text().await.unwrap());
    let has = |l: &str| lines.iter().any(|x| x == l);
    assert!(
        has("DTSTART;TZID=America/New_York:20260302T090000"),
        "{lines:#?}"
    );
    assert!(has("DTEND;TZID=America/New_York:20260302T170000"));
    assert!(has("RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"));
    assert!(has("SUMMARY:Shift: Community Line"));
    assert!(has("TZID:America/New_York"), "a VTIMEZONE for the TZID");
    assert!(
        !lines.iter().any(|l| l.contains("On call")),
        "Vera is not on call"
    );
    // The URL, and the feed, do not change between reads.
    assert_eq!(feed_url(&app, vera).await, url);
    app.stop().await;
}

#[tokio::test]
async fn an_on_call_technicians_feed_lists_their_period_as_utc_events() {
    let app = demo_app().await;
    let ada = person_id(&app, "Ada Lovelace").await;
    let (status, body) = fetch(&app, &feed_url(&app, ada).await).await;
    assert_eq!(status, 200);
    let lines = check_ical(&body);
    let at = lines
        .iter()
        .position(|l| l == "SUMMARY:On call (primary): Field Service Emergency")
        .expect("Ada's on-call period");
    let event = &lines[..at];
    let start = event
        .iter()
        .rev()
        .find(|l| l.starts_with("DTSTART"))
        .unwrap();
    assert!(
        start.starts_with("DTSTART:") && start.ends_with('Z'),
        "{start}"
    );
    assert!(!lines.iter().any(|l| l.contains("(secondary)")));
    let grace = person_id(&app, "Grace Hopper").await;
    let (_, body) = fetch(&app, &feed_url(&app, grace).await).await;
    assert!(body.contains("On call (secondary): Field Service Emergency"));
    app.stop().await;
}

#[tokio::test]
async fn rotating_a_feed_url_invalidates_the_old_one_and_unknown_tokens_are_404() {
    let app = demo_app().await;
    let vera = person_id(&app, "Vera Rubin").await;
    let old = feed_url(&app, vera).await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/people/{vera}/calendar/rotate"),
            &app.token,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let new = body["url"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(fetch(&app, &old).await.0, 404);
    assert_eq!(fetch(&app, &new).await.0, 200);
    assert_eq!(feed_url(&app, vera).await, new);
    assert_eq!(
        fetch(&app, &app.url("/calendar/sbc_nothing.ics")).await.0,
        404
    );
    assert_eq!(fetch(&app, &app.url("/calendar/whatever")).await.0, 404);
    app.stop().await;
}

#[tokio::test]
async fn feed_urls_are_for_admins_of_the_persons_own_organisation() {
    let app = demo_app().await;
    let vera = person_id(&app, "Vera Rubin").await;
    let manager = app
        .token_with_role(switchboard::accounts::Role::Manager)
        .await;
    let (status, _) = app
        .get(&format!("/api/v1/people/{vera}/calendar"), &manager)
        .await;
    assert_eq!(status, 403);
    let (_, other) = app.other_org("elsewhere").await;
    let (status, _) = app
        .get(&format!("/api/v1/people/{vera}/calendar"), &other)
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/people/{vera}/calendar/rotate"),
            &other,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 404);
    app.stop().await;
}

/// The feed URL shown in a "My calendar" page.
fn shown_url(html: &str) -> String {
    let marker = r#"id="feed-url" readonly value=""#;
    let start = html.find(marker).expect("the page shows the feed URL") + marker.len();
    let len = html[start..].find('"').expect("closing quote");
    html[start..start + len].replace("&amp;", "&")
}

#[tokio::test]
async fn a_signed_in_viewer_finds_and_replaces_their_own_feed_url_without_an_admin() {
    let app = demo_app().await;
    let viewer = crate::support::web_session::WebSession::with_role(
        &app,
        switchboard::accounts::Role::Viewer,
    )
    .await;
    let page = viewer.get("/me/calendar").await;
    assert_eq!(page.status, 200, "{}", page.html);
    let url = shown_url(&page.html);
    // The same feed an admin would hand out for this person.
    let me = person_id(&app, "A viewer").await;
    assert_eq!(url, feed_url(&app, me).await);
    let (status, ics) = fetch(&app, &url).await;
    assert_eq!(status, 200);
    check_ical(&ics);

    let replaced = viewer
        .submit("/me/calendar", "/me/calendar/rotate", &[])
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.html);
    let new_url = shown_url(&replaced.html);
    assert_ne!(new_url, url);
    assert_eq!(fetch(&app, &url).await.0, 404, "the old URL stops working");
    assert_eq!(fetch(&app, &new_url).await.0, 200);
    let forged = viewer
        .post_raw("/me/calendar/rotate", &[("_csrf", "forged")])
        .await;
    assert_eq!(forged.status, 403, "a rotation needs the page's CSRF token");
    assert_eq!(fetch(&app, &new_url).await.0, 200);
    app.stop().await;
}
