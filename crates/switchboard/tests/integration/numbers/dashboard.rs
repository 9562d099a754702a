//! The dashboard's numbers (on the settings page) with their owners, and the inbox.

use reqwest::StatusCode;
use switchboard::accounts::Role;
use switchboard::hotline::demo;

use super::{SPARE, UNOWNED, app, line_id, register};
use crate::hardening_webhooks::{ACCOUNT_SID, post_form};
use crate::support::TestApp;
use crate::support::web_session::WebSession;

#[tokio::test]
async fn the_numbers_page_names_each_owner_and_gives_a_free_number_to_a_line_or_releases_it() {
    let app = app().await;
    let id = register(&app, &app.token, SPARE).await["id"]
        .as_i64()
        .unwrap();
    let ladder = line_id(&app, demo::LADDER_LINE).await.get().to_string();
    let community = line_id(&app, demo::COMMUNITY_LINE).await.get().to_string();
    let owner = WebSession::owner(&app).await;
    let page = owner.get("/settings").await;
    assert!(page.html.contains("No owner"), "{}", page.html);
    assert!(
        page.html.contains(&format!(
            r#"<option value="{ladder}">Field Service Emergency</option>"#
        )),
        "{}",
        page.html
    );
    let given = owner
        .submit(
            "/settings",
            &format!("/settings/numbers/{id}/owner"),
            &[("line", &ladder)],
        )
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.html);
    let page = owner.get("/settings").await;
    assert!(
        page.html.contains(&format!(
            r#"<a href="/hotline/lines/{ladder}">Field Service Emergency</a>"#
        )),
        "{}",
        page.html
    );
    let taken = owner
        .submit(
            "/settings",
            &format!("/settings/numbers/{id}/owner"),
            &[("line", &community)],
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(
        taken.html.contains(r#"data-field="owner""#)
            && taken
                .html
                .contains("hotline line 'Field Service Emergency'"),
        "{}",
        taken.html
    );
    let released = owner
        .submit("/settings", &format!("/settings/numbers/{id}/release"), &[])
        .await;
    assert_eq!(released.status, StatusCode::SEE_OTHER);
    let (_, list) = app.get("/api/v1/phone-numbers", &app.token).await;
    assert!(list[0]["owner"].is_null(), "{list}");
    app.stop().await;
}

/// Posts a signed inbound text as Twilio would.
async fn text_in(app: &TestApp, sid: &str, to: &str, body: &str) {
    let params = [
        ("MessageSid", sid),
        ("AccountSid", ACCOUNT_SID),
        ("From", "+15005550401"),
        ("To", to),
        ("Body", body),
    ];
    let token = app.state.config.twilio_auth_token.expose().to_string();
    let (status, twiml) = post_form(app, "/twilio/messages/inbound", &params, &token, None).await;
    assert_eq!(status, 200, "{twiml}");
}

#[tokio::test]
async fn the_inbox_lists_every_text_newest_first_with_its_owner_and_consent_reading_in_the_zone() {
    let app = app().await;
    register(&app, &app.token, UNOWNED).await;
    register(&app, &app.token, demo::COMMUNITY_LINE).await;
    let community = line_id(&app, demo::COMMUNITY_LINE).await;
    text_in(&app, "SMinbox01", UNOWNED, "Hello, who is this?").await;
    app.advance(60);
    text_in(
        &app,
        "SMinbox02",
        demo::COMMUNITY_LINE,
        "please stop texting me",
    )
    .await;
    app.advance(60);
    text_in(&app, "SMinbox03", UNOWNED, "STOP").await;
    let manager = WebSession::with_role(&app, Role::Manager).await;
    let page = manager.get("/inbox").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.html;
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing: {html}"))
    };
    assert!(at("STOP") < at("please stop texting me"));
    assert!(at("please stop texting me") < at("Hello, who is this?"));
    assert!(html.contains("Times in America/New_York"), "{html}");
    assert!(html.contains("Mon 2026-03-02 14:00 EST"), "{html}");
    assert!(html.contains("opt-out"), "{html}");
    assert!(html.contains("review by 2026-03-16"), "{html}");
    assert!(
        html.contains(&format!(
            r#"<a href="/hotline/lines/{community}">Community Line</a>"#
        )),
        "{html}"
    );
    assert!(html.contains("(no owner)"), "{html}");
    let unowned = manager.get("/inbox?only=unowned").await;
    assert!(unowned.html.contains("Hello, who is this?"));
    assert!(!unowned.html.contains("please stop texting me"));
    let viewer = WebSession::with_role(&app, Role::Viewer).await;
    assert_eq!(viewer.get("/inbox").await.status, StatusCode::FORBIDDEN);
    app.stop().await;
}
