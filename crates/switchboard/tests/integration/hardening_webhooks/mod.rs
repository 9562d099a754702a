//! Issue 14, tried as an attacker would: webhooks are checked with the token of the account
//! that owns what they concern (`tokens`), the smaller leaks are closed (`leaks`), and a
//! request Twilio retries with the same `I-Twilio-Idempotency-Token` is answered like the
//! first (`replay`). Two organisations share the installation: A (`default`, with the demo
//! lines) and B, whose admin signs in to the dashboard.

mod leaks;
mod replay;
mod tokens;

use serde_json::Value;
use switchboard::accounts::{self, NewPerson, OrgId, Role};
use switchboard::hotline::demo;

use crate::support::web_session::WebSession;
use crate::support::{TestApp, TestOptions};

/// Monday 14:00 in New York: business hours, Vera on shift.
pub const MONDAY_AFTERNOON: &str = "2026-03-02T19:00:00Z";
pub const CALLER: &str = "+14155551234";
pub const ACCOUNT_SID: &str = "AC00000000000000000000000000000000";
/// Organisation B's own Twilio auth token (Twilio's form: 32 lowercase hex digits).
pub const B_TOKEN: &str = "0123456789abcdef0123456789abcdef";
/// Organisation A's own token, when a test gives it one.
pub const A_TOKEN: &str = "fedcba9876543210fedcba9876543210";
/// Organisation B's own line.
pub const B_LINE: &str = "+15005550300";
pub const STUDIO_SECRET: &str = "studio-shared-secret";
const B_ADMIN: &str = "admin@b.example.org";
const B_PASSWORD: &str = "b-admin-long-password";

/// The installation with the demo in organisation A and a second organisation B that has a
/// line of its own.
pub struct Tenants {
    pub app: TestApp,
    pub b: OrgId,
    /// An owner API token of organisation B.
    pub b_api: String,
}

pub async fn tenants() -> Tenants {
    tenants_with(Vec::new()).await
}

pub async fn tenants_with(env: Vec<(&'static str, String)>) -> Tenants {
    let mut env = env;
    env.push(("SWITCHBOARD_SIM_SPEED", "100".into()));
    env.push(("WEBHOOK_SECRET", STUDIO_SECRET.into()));
    let app = TestApp::spawn_with(TestOptions {
        env,
        ..TestOptions::default()
    })
    .await;
    app.clock.set(MONDAY_AFTERNOON.parse().unwrap());
    demo::seed(&app.state, app.org).await.unwrap();
    let (b, b_api) = app.other_org("org-b").await;
    let hash = accounts::secrets::hash_password(B_PASSWORD).unwrap();
    let admin = NewPerson {
        name: "Bea Admin".into(),
        email: Some(B_ADMIN.into()),
        phone: None,
        role: Role::Admin,
        available: true,
        active: true,
    };
    accounts::store::create_person(&app.state.db, b, &admin, Some(&hash), 0)
        .await
        .unwrap();
    let line = serde_json::json!({"name": "B Line", "kind": "shift", "phone_number": B_LINE});
    let (status, body) = app.post_json("/api/v1/hotline/lines", &b_api, &line).await;
    assert_eq!(status, 201, "{body}");
    Tenants { app, b, b_api }
}

impl Tenants {
    /// B's admin, signed in to the dashboard.
    pub async fn b_admin(&self) -> WebSession<'_> {
        WebSession::sign_in(&self.app, B_ADMIN, B_PASSWORD).await
    }

    /// The installation's configured auth token.
    pub fn installation_token(&self) -> String {
        self.app.state.config.twilio_auth_token.expose().to_string()
    }
}

/// Saves `token` as the signed-in admin's organisation's own Twilio auth token; returns the
/// settings page's status and HTML.
pub async fn set_org_token(admin: &WebSession<'_>, token: &str) -> (u16, String) {
    let page = admin
        .submit(
            "/settings",
            "/settings",
            &[("name", "Organisation"), ("twilio_auth_token", token)],
        )
        .await;
    (page.status.as_u16(), page.html)
}

/// Posts `params` to `path` as Twilio would, signed with `token`, with an
/// `I-Twilio-Idempotency-Token` when given. Returns the status and body.
pub async fn post_form(
    app: &TestApp,
    path: &str,
    params: &[(&str, &str)],
    token: &str,
    idempotency: Option<&str>,
) -> (u16, String) {
    let pairs: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let url = app.state.config.public_url_for(path);
    let mut request = app
        .http
        .post(app.url(path))
        .header(
            "X-Twilio-Signature",
            twilio::signature::sign(token, &url, &pairs),
        )
        .form(&pairs);
    if let Some(id) = idempotency {
        request = request.header("I-Twilio-Idempotency-Token", id);
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap().replace(&app.base_url, ""))
}

/// Posts `body` as JSON to a routing API endpoint, signed with `token` through `bodySHA256`
/// as Studio signs it.
pub async fn post_studio(app: &TestApp, endpoint: &str, body: &Value, token: &str) -> (u16, Value) {
    let body = body.to_string();
    let path = format!(
        "/api/telephony/{endpoint}?bodySHA256={}",
        twilio::signature::body_sha256(body.as_bytes())
    );
    let url = app.state.config.public_url_for(&path);
    let r = app
        .http
        .post(app.url(&path))
        .header(
            "X-Twilio-Signature",
            twilio::signature::sign(token, &url, &[]),
        )
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The form of a call to `to`, as Twilio posts it to the number's voice URL.
pub fn voice_call<'a>(call_sid: &'a str, to: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("CallSid", call_sid),
        ("AccountSid", ACCOUNT_SID),
        ("From", CALLER),
        ("To", to),
        ("Called", to),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
    ]
}

/// The path and query of the first URL in `twiml` that starts with `path` (our base URL
/// already taken out), with `&amp;` read back as `&`.
pub fn url_in(twiml: &str, path: &str) -> String {
    let start = twiml
        .find(path)
        .unwrap_or_else(|| panic!("no {path} in {twiml}"));
    let rest = &twiml[start..];
    let end = rest.find('"').expect("closing quote");
    rest[..end].replace("&amp;", "&")
}
