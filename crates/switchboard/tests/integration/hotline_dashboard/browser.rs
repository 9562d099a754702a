//! The hotline pages in a real headless Chromium: the week grid, the ladder editor, a live
//! incident timeline and the metrics, with screenshots in `target/screenshots/`.

use serde_json::json;
use switchboard::hotline::{self, store::lines};

use super::{demo_app, line_ids, studio};
use crate::support::browser::{Browser, screenshot_path};
use crate::support::web_session::{OWNER_EMAIL, OWNER_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_finds_the_week_grid_and_the_ladder_editor_in_a_real_browser() {
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
        .screenshot(&screenshot_path("hotline-lines.png"))
        .await;
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
        .screenshot(&screenshot_path("hotline-line.png"))
        .await;
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
