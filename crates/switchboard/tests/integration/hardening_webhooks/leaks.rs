//! Item 7, the smaller leaks: a simulated call's page shows only the signed-in
//! organisation's calls; `/metrics` needs its token when one is set and otherwise answers only
//! loopback clients; made-up HTTP methods add no metric series; and taking a number another
//! organisation uses is answered like any unavailable number.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use switchboard::hotline::demo;

use super::{CALLER, tenants};
use crate::support::web_session::WebSession;
use crate::support::{TestApp, TestOptions};

#[tokio::test]
async fn a_simulated_calls_page_shows_only_the_signed_in_organisations_calls() {
    let t = tenants().await;
    let app = &t.app;
    let sim = &app.state.telephony.sim().expect("simulated").simulator;
    let sid = sim
        .place_inbound_call(CALLER, demo::LADDER_LINE, None)
        .await
        .unwrap();
    let path = format!("/hotline/calls/{sid}");
    let b = t.b_admin().await.get(&path).await;
    assert_eq!(b.status, 404, "{}", b.html);
    assert!(!b.html.contains(CALLER), "{}", b.html);
    let a = WebSession::owner(app).await.get(&path).await;
    assert!(
        a.status == 303 || a.status == 200,
        "A follows its own call: {} {}",
        a.status,
        a.html
    );
    let unknown = WebSession::owner(app)
        .await
        .get("/hotline/calls/CA0123456789abcdef0123456789abcdef")
        .await;
    assert_eq!(unknown.status, 404);
    sim.wait_for_call_end(&sid, Duration::from_secs(30))
        .await
        .expect("the call ends");
    t.app.stop().await;
}

async fn fetch(request: reqwest::RequestBuilder) -> (u16, String) {
    let r = request.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn metrics_need_the_metrics_token_when_one_is_set() {
    let token = "metrics-scraper-secret-0123456789";
    let app = TestApp::spawn_with(TestOptions {
        env: vec![("SWITCHBOARD_METRICS_TOKEN", token.into())],
        ..TestOptions::default()
    })
    .await;
    let url = app.url("/metrics");
    let (status, _) = fetch(app.http.get(&url)).await;
    assert_eq!(status, 401, "no token, even from loopback");
    let (status, _) = fetch(app.http.get(&url).bearer_auth("guess")).await;
    assert_eq!(status, 401);
    let (status, body) = fetch(app.http.get(&url).bearer_auth(token)).await;
    assert_eq!(status, 200);
    assert!(body.contains("http_requests_total"), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn without_a_metrics_token_metrics_answer_only_loopback_clients() {
    let app = TestApp::spawn().await;
    let url = app.url("/metrics");
    let (status, _) = fetch(app.http.get(&url)).await;
    assert_eq!(status, 200, "a scraper on this machine");
    // A request relayed by a proxy on this machine comes from someone else.
    for (name, value) in [
        ("x-forwarded-for", "203.0.113.7"),
        ("forwarded", "for=203.0.113.7;proto=https"),
        ("x-real-ip", "203.0.113.7"),
    ] {
        let (status, body) = fetch(app.http.get(&url).header(name, value)).await;
        assert_eq!(status, 403, "{name}: {body}");
        assert!(!body.contains("http_requests_total"), "{body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn made_up_http_methods_add_no_metric_series() {
    let app = TestApp::spawn().await;
    for i in 0..40 {
        let method = Method::from_bytes(format!("PROBE{i}").as_bytes()).unwrap();
        let r = app
            .http
            .request(method, app.url("/healthz"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{}", r.status());
    }
    let (status, body) = fetch(app.http.get(app.url("/metrics"))).await;
    assert_eq!(status, 200);
    assert!(!body.contains("PROBE"), "made-up methods became labels");
    assert!(body.contains(r#"method="other""#), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn taking_a_number_another_organisation_uses_is_answered_like_any_unavailable_number() {
    let t = tenants().await;
    let app = &t.app;
    let line =
        |number: &str| json!({"name": "Another Line", "kind": "shift", "phone_number": number});
    // A takes its own number twice, and B takes A's: the same answer, which names nobody.
    let (own_status, own) = app
        .post_json(
            "/api/v1/hotline/lines",
            &app.token,
            &line(demo::COMMUNITY_LINE),
        )
        .await;
    let (status, theirs) = app
        .post_json(
            "/api/v1/hotline/lines",
            &t.b_api,
            &line(demo::COMMUNITY_LINE),
        )
        .await;
    assert_eq!((status, &theirs), (own_status, &own));
    assert!(status.is_client_error(), "{status}");
    assert_eq!(theirs["error"]["field"], "phone_number", "{theirs}");
    let message = theirs["error"]["message"].as_str().unwrap();
    for telling in [
        "another",
        "already",
        "registered",
        "organisation",
        "Community",
    ] {
        assert!(!message.contains(telling), "{message}");
    }
    // The same when B moves its own line onto A's number.
    let (_, b_lines) = app.get("/api/v1/hotline/lines", &t.b_api).await;
    let b_line = b_lines[0]["id"].as_i64().unwrap();
    let r = app
        .http
        .put(app.url(&format!("/api/v1/hotline/lines/{b_line}")))
        .bearer_auth(&t.b_api)
        .json(&line(demo::COMMUNITY_LINE))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), own_status);
    let moved: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        moved["error"]["message"], own["error"]["message"],
        "{moved}"
    );
    // The organisation's registered numbers: the same again.
    let number = json!({"e164": "+15005550999"});
    let (added, _) = app
        .post_json("/api/v1/phone-numbers", &app.token, &number)
        .await;
    assert_eq!(added, 201);
    let (own_status, own) = app
        .post_json("/api/v1/phone-numbers", &app.token, &number)
        .await;
    let (status, theirs) = app
        .post_json("/api/v1/phone-numbers", &t.b_api, &number)
        .await;
    assert_eq!((status, &theirs), (own_status, &own));
    assert_eq!(theirs["error"]["field"], "e164", "{theirs}");
    let message = theirs["error"]["message"].as_str().unwrap();
    for telling in ["another", "already", "registered", "organisation"] {
        assert!(!message.contains(telling), "{message}");
    }
    t.app.stop().await;
}
