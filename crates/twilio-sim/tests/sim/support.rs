//! Test harness: a simulator on port 0 and a tiny TwiML app that records (and checks the
//! signature of) every request the simulator sends it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::Value;
use twilio_sim::{CallStatus, SimConfig, SimServer, Simulator, Transcript};

pub const TOKEN: &str = "test-auth-token-0123456789abcdef";
pub const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
/// The app's number in most tests.
pub const APP_NUMBER: &str = "+15005550006";

type Pairs = Vec<(String, String)>;

/// One request the app received.
#[derive(Clone, Debug)]
pub struct Hit {
    pub path: String,
    pub method: String,
    pub params: Vec<(String, String)>,
    pub signature_ok: bool,
}

impl Hit {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct AppState {
    url: Mutex<String>,
    routes: Mutex<HashMap<String, (u16, String)>>,
    hits: Mutex<Vec<Hit>>,
}

/// A simulator and a TwiML app, both on loopback.
pub struct TestEnv {
    pub sim: Simulator,
    pub _server: Option<SimServer>,
    pub base: String,
    pub app_url: String,
    app: Arc<AppState>,
    pub http: reqwest::Client,
}

pub fn config() -> SimConfig {
    SimConfig {
        account_sid: ACCOUNT.to_owned(),
        auth_token: TOKEN.to_owned(),
        speed: 100.0,
        calls_per_second: 1000.0,
        messages_per_second: 1000.0,
        ..SimConfig::default()
    }
}

impl TestEnv {
    pub async fn start() -> TestEnv {
        TestEnv::with_config(config()).await
    }

    pub async fn with_config(cfg: SimConfig) -> TestEnv {
        let app = Arc::new(AppState::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let app_url = format!("http://{}", listener.local_addr().unwrap());
        *app.url.lock().unwrap() = app_url.clone();
        let router = axum::Router::new().fallback(handle).with_state(app.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        let (sim, server) = Simulator::bind(cfg, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let base = server.base_url();
        let http = reqwest::Client::new();
        TestEnv {
            sim,
            _server: Some(server),
            base,
            app_url,
            app,
            http,
        }
    }

    /// Serves `twiml` (status 200) at `path` on the app.
    pub fn route(&self, path: &str, twiml: &str) {
        self.route_status(path, 200, twiml);
    }

    pub fn route_status(&self, path: &str, status: u16, body: &str) {
        self.app
            .routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), (status, body.to_owned()));
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.app_url)
    }

    /// Every request the app got on `path` so far.
    pub fn hits(&self, path: &str) -> Vec<Hit> {
        self.app
            .hits
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.path == path)
            .cloned()
            .collect()
    }

    pub fn all_hits(&self) -> Vec<Hit> {
        self.app.hits.lock().unwrap().clone()
    }

    /// Waits until `path` got at least `n` requests.
    pub async fn wait_hits(&self, path: &str, n: usize) -> Vec<Hit> {
        let started = Instant::now();
        loop {
            let hits = self.hits(path);
            if hits.len() >= n || started.elapsed() > Duration::from_secs(20) {
                return hits;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub fn assert_all_signed(&self) {
        let hits = self.all_hits();
        assert!(!hits.is_empty());
        for hit in hits {
            assert!(
                hit.signature_ok,
                "bad signature on {} {}",
                hit.method, hit.path
            );
        }
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .http
            .post(format!(
                "{}/2010-04-01/Accounts/{ACCOUNT}/{path}",
                self.base
            ))
            .basic_auth(ACCOUNT, Some(TOKEN))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let url = if path.starts_with('/') {
            format!("{}{path}", self.base)
        } else {
            format!("{}/2010-04-01/Accounts/{ACCOUNT}/{path}", self.base)
        };
        let response = self
            .http
            .get(url)
            .basic_auth(ACCOUNT, Some(TOKEN))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Registers `number` with the app's `/voice` and `/sms` routes.
    pub async fn register(&self, number: &str, extra: &[(&str, &str)]) -> Value {
        let voice = self.url("/voice");
        let sms = self.url("/sms");
        let mut form = vec![
            ("PhoneNumber", number),
            ("VoiceUrl", voice.as_str()),
            ("SmsUrl", sms.as_str()),
        ];
        form.extend_from_slice(extra);
        let (status, body) = self.post("IncomingPhoneNumbers.json", &form).await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// Creates a call to `to` whose TwiML is at the app's `path`, with every status event.
    pub async fn call(&self, to: &str, path: &str, extra: &[(&str, &str)]) -> String {
        let url = self.url(path);
        let status_cb = self.url("/status");
        let mut form = vec![
            ("To", to),
            ("From", APP_NUMBER),
            ("Url", url.as_str()),
            ("StatusCallback", status_cb.as_str()),
            (
                "StatusCallbackEvent",
                "initiated ringing answered completed",
            ),
        ];
        form.extend_from_slice(extra);
        let (status, body) = self.post("Calls.json", &form).await;
        assert_eq!(status, 201, "{body}");
        body["sid"].as_str().unwrap().to_owned()
    }

    pub async fn end(&self, sid: &str) -> CallStatus {
        self.sim
            .wait_for_call_end(sid, Duration::from_secs(30))
            .await
            .expect("the call ends")
    }

    pub fn transcript(&self, sid: &str) -> Transcript {
        self.sim.transcript(sid).expect("a transcript")
    }
}

async fn handle(
    State(app): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let base = app.url.lock().unwrap().clone();
    let full = format!("{base}{uri}");
    let signature = headers
        .get("X-Twilio-Signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (params, signed): (Pairs, Pairs) = if method == Method::POST {
        let p: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
        (p.clone(), p)
    } else {
        (
            url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
                .into_owned()
                .collect(),
            Vec::new(),
        )
    };
    let signature_ok = twilio::signature::validate(TOKEN, &full, &signed, signature);
    let path = uri.path().to_owned();
    app.hits.lock().unwrap().push(Hit {
        path: path.clone(),
        method: method.to_string(),
        params,
        signature_ok,
    });
    match app.routes.lock().unwrap().get(&path) {
        Some((status, body)) => (StatusCode::from_u16(*status).unwrap(), body.clone()),
        None => (StatusCode::OK, "<Response></Response>".to_owned()),
    }
}

/// The kinds of a transcript's events, as `type:detail` strings, for order assertions.
pub fn kinds(t: &Transcript) -> Vec<String> {
    serde_json::to_value(t).unwrap()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let kind = e["type"].as_str().unwrap().to_owned();
            match kind.as_str() {
                "verb" => format!("verb:{}", e["verb"].as_str().unwrap()),
                "status" => format!("status:{}", e["status"].as_str().unwrap()),
                _ => kind,
            }
        })
        .collect()
}
