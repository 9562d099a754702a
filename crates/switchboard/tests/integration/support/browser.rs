//! A tiny WebDriver (W3C) client for a real headless Chromium: starts `chromedriver` on a free
//! loopback port (killed on drop), opens one session with a fresh profile, and offers the few
//! commands the dashboard tests need. Waits are bounded polls, never fixed sleeps.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// The key under which WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long any wait for the page may take before the test fails.
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

pub struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`
    session: String,
    /// Dropped after `Drop for Browser` has ended the session.
    _driver: Driver,
    _profile: tempfile::TempDir,
    open: bool,
}

pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium. Fails (never skips) when they are missing.
    pub async fn start() -> Browser {
        for binary in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(binary).exists(),
                "{binary} is missing: the browser tests need Chromium and chromedriver; \
                 run scripts/install-chromium.sh"
            );
        }
        // reqwest is built without a default TLS provider; install ring's (as the app does).
        switchboard::app::install_crypto_provider();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut driver = Driver(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start chromedriver"),
        );
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let ready = http.get(format!("{base}/status")).send().await;
            if let Ok(r) = ready
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == true
            {
                break;
            }
            if let Ok(Some(status)) = driver.0.try_wait() {
                panic!("chromedriver exited at start: {status}");
            }
            assert!(
                started.elapsed() < WAIT,
                "chromedriver did not become ready"
            );
            tokio::time::sleep(POLL).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--window-size=1280,900",
        ]
        .map(str::to_string)
        .into_iter()
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}});
        let created = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("POST /session");
        let created: Value = created.json().await.expect("session JSON");
        let id = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromedriver refused the session: {created}"));
        Browser {
            session: format!("{base}/session/{id}"),
            http,
            _driver: driver,
            _profile: profile,
            open: true,
        }
    }

    /// Sends one command; Ok(value) or Err(WebDriver's error message).
    async fn command(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut request = self.http.request(method, format!("{}{path}", self.session));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let ok = response.status().is_success();
        let v: Value = response.json().await.map_err(|e| e.to_string())?;
        if ok {
            Ok(v["value"].clone())
        } else {
            Err(format!(
                "{}: {}",
                v["value"]["error"], v["value"]["message"]
            ))
        }
    }

    async fn run(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.command(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("WebDriver {path}: {e}"))
    }

    pub async fn goto(&self, url: &str) {
        self.run(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub async fn current_url(&self) -> String {
        let v = self.run(reqwest::Method::GET, "/url", None).await;
        v.as_str().unwrap_or_default().to_string()
    }

    pub async fn source(&self) -> String {
        let v = self.run(reqwest::Method::GET, "/source", None).await;
        v.as_str().unwrap_or_default().to_string()
    }

    /// The element matching `css` now, if any.
    pub async fn try_find(&self, css: &str) -> Option<Element<'_>> {
        let body = json!({"using": "css selector", "value": css});
        let v = self
            .command(reqwest::Method::POST, "/element", Some(body))
            .await
            .ok()?;
        let id = v[ELEMENT_KEY].as_str()?.to_string();
        Some(Element { browser: self, id })
    }

    /// Waits (bounded) for an element matching `css`.
    pub async fn find(&self, css: &str) -> Element<'_> {
        let started = Instant::now();
        loop {
            if let Some(e) = self.try_find(css).await {
                return e;
            }
            assert!(
                started.elapsed() < WAIT,
                "no element matches {css} at {}",
                self.current_url().await
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits (bounded) until the text of `css` contains `wanted`; returns that text.
    pub async fn wait_for_text(&self, css: &str, wanted: &str) -> String {
        let started = Instant::now();
        loop {
            if let Some(e) = self.try_find(css).await
                && let Some(text) = e.try_text().await
                && text.contains(wanted)
            {
                return text;
            }
            assert!(
                started.elapsed() < WAIT,
                "{css} never showed {wanted:?} at {}",
                self.current_url().await
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits (bounded) until the page's path is `path`.
    pub async fn wait_for_path(&self, path: &str) {
        let started = Instant::now();
        loop {
            let url = self.current_url().await;
            if url::Url::parse(&url).is_ok_and(|u| u.path() == path) {
                return;
            }
            assert!(started.elapsed() < WAIT, "still at {url}, wanted {path}");
            tokio::time::sleep(POLL).await;
        }
    }

    /// Saves a PNG of the viewport.
    pub async fn screenshot(&self, to: &Path) {
        let v = self.run(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("screenshot is base64");
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).expect("screenshot folder");
        }
        std::fs::write(to, png).expect("write screenshot");
    }

    /// Ends the session (closing Chromium); chromedriver stops on drop.
    pub async fn quit(mut self) {
        let _ = self.command(reqwest::Method::DELETE, "", None).await;
        self.open = false;
    }
}

impl Element<'_> {
    fn path(&self, action: &str) -> String {
        format!("/element/{}/{action}", self.id)
    }

    pub async fn send_keys(&self, text: &str) {
        let body = json!({ "text": text });
        self.browser
            .run(reqwest::Method::POST, &self.path("value"), Some(body))
            .await;
    }

    pub async fn click(&self) {
        self.browser
            .run(reqwest::Method::POST, &self.path("click"), Some(json!({})))
            .await;
    }

    pub async fn text(&self) -> String {
        self.try_text().await.expect("element text")
    }

    async fn try_text(&self) -> Option<String> {
        let v = self
            .browser
            .command(reqwest::Method::GET, &self.path("text"), None)
            .await
            .ok()?;
        v.as_str().map(str::to_string)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if self.open {
            // A test that failed midway: end the session so Chromium exits with its driver.
            // (With a client of its own: the test's client is bound to the test's runtime.)
            let session = self.session.clone();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let http = reqwest::Client::new();
                    http.delete(session)
                        .timeout(Duration::from_secs(5))
                        .send()
                        .await
                })
                .ok()
            })
            .join();
        }
    }
}

/// The chromedriver process, killed as soon as it is dropped (also when `start` fails midway).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Where screenshots go: `target/screenshots/` of the workspace.
pub fn screenshot_path(name: &str) -> std::path::PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(
        |_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        std::path::PathBuf::from,
    );
    target.join("screenshots").join(name)
}
