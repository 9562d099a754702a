//! An incident driven through the on-call routing API's API, seen on its page (live while open) and in the
//! line's metrics.

use reqwest::StatusCode;
use serde_json::json;

use super::{answered_call, demo_app, line_ids, studio};
use crate::support::web_session::WebSession;

#[tokio::test]
async fn the_incident_page_shows_the_attempts_of_a_call_driven_through_the_routing_api() {
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
async fn the_metrics_page_shows_the_key_numbers_and_an_svg_chart() {
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
