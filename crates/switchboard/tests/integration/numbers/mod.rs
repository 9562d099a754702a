//! Numbers with typed owners (issue 15, section 1): inbound calls and texts handed to the
//! number's owner through the simulator over real HTTP with real signatures (`dispatch`), the
//! API's owners and their refusals (`api`), and the dashboard's numbers and inbox (`dashboard`).
//! Organisation A (`default`) has the demo's lines; the numbers below are registered as tests
//! need them.

mod api;
mod dashboard;
mod dispatch;

use std::time::Duration;

use serde_json::{Value, json};
use switchboard::hotline::demo;
use switchboard::hotline::store::lines;
use switchboard::ids::LineId;

use crate::support::{TestApp, TestOptions};

/// Monday 14:00 in New York: business hours, the ladder's people answer.
pub const MONDAY_AFTERNOON: &str = "2026-03-02T19:00:00Z";
pub const CALLER: &str = "+14155551234";
/// A number A registers that no line was saved with.
pub const SPARE: &str = "+15005550150";
/// Another, that stays without an owner.
pub const UNOWNED: &str = "+15005550151";

/// The installation with the demo's lines in A, at business hours, the simulator fast.
pub async fn app() -> TestApp {
    let app = TestApp::spawn_with(TestOptions {
        env: vec![("SWITCHBOARD_SIM_SPEED", "100".into())],
        ..TestOptions::default()
    })
    .await;
    app.clock.set(MONDAY_AFTERNOON.parse().unwrap());
    demo::seed(&app.state, app.org).await.unwrap();
    app
}

pub fn sim(app: &TestApp) -> &twilio_sim::Simulator {
    &app.state.telephony.sim().expect("simulated").simulator
}

/// Registers `e164` in A through the API; returns the number's JSON.
pub async fn register(app: &TestApp, token: &str, e164: &str) -> Value {
    let (status, body) = app
        .post_json("/api/v1/phone-numbers", token, &json!({ "e164": e164 }))
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

/// The id of the demo line answering `number`.
pub async fn line_id(app: &TestApp, number: &str) -> LineId {
    lines::find_line_by_number(&app.state.db, number)
        .await
        .unwrap()
        .expect("a demo line")
        .1
        .id
}

/// Gives number `id` to hotline line `line` through the API.
pub async fn give(app: &TestApp, token: &str, id: i64, line: LineId) -> (u16, Value) {
    let r = app
        .http
        .put(app.url(&format!("/api/v1/phone-numbers/{id}/owner")))
        .bearer_auth(token)
        .json(&json!({ "kind": "hotline-line", "id": line }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Waits (bounded) until `check` holds, polling; panics naming `what` when it never does.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..400 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("never happened: {what}");
}
