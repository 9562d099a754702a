//! `TestApp`: the application on a loopback port with its own database, a manual clock and
//! helpers to authenticate and drive the job queue.

use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::Value;
use switchboard::accounts::{self, OrgId, Role};
use switchboard::app::{self, AppState, Running};
use switchboard::clock::Clock;
use switchboard::config::Config;
use switchboard::telephony::Telephony;

/// The instant every test's clock starts at: a Monday afternoon in New York.
pub const T0: &str = "2026-03-02T19:00:00Z";

#[derive(Default)]
pub struct TestOptions {
    pub smtp_url: Option<String>,
    pub workers: usize,
    /// Extra environment-style settings, applied like the real environment would be.
    pub env: Vec<(&'static str, String)>,
    /// Adds job kinds to the application's (tests add test kinds).
    pub jobs: Option<fn(switchboard::jobs::Registry) -> switchboard::jobs::Registry>,
}

pub struct TestApp {
    pub base_url: String,
    pub state: AppState,
    pub clock: Clock,
    pub http: reqwest::Client,
    /// A token of organisation `default` with role owner.
    pub token: String,
    pub org: OrgId,
    running: Option<Running>,
    /// Set by a test that leaves jobs in the queue on purpose.
    leftover_jobs_expected: std::sync::atomic::AtomicBool,
    db: TestDb,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(TestOptions::default()).await
    }

    pub async fn spawn_with(options: TestOptions) -> TestApp {
        app::install_crypto_provider();
        let db = TestDb::create().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut env: Vec<(&str, String)> = vec![
            ("DATABASE_URL", db.url.clone()),
            ("SWITCHBOARD_LISTEN", addr.to_string()),
            ("SWITCHBOARD_PUBLIC_URL", format!("http://{addr}")),
            ("SWITCHBOARD_DATA_DIR", db.dir.path().display().to_string()),
            ("SWITCHBOARD_ADMIN_PASSWORD", "correct-horse-battery".into()),
        ];
        if let Some(smtp) = &options.smtp_url {
            env.push(("SMTP_URL", smtp.clone()));
        }
        env.extend(options.env.iter().cloned());
        let config = Config::load(None, &|k| {
            env.iter()
                .rev()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.clone())
        })
        .expect("test config");
        let clock = Clock::manual(T0.parse().expect("T0"));
        let telephony = Telephony::start(&config).await.expect("telephony");
        let jobs = options.jobs.unwrap_or(|kinds| kinds);
        let state = AppState::with_jobs(config, clock.clone(), telephony, jobs)
            .await
            .expect("app state");
        app::bootstrap(&state).await.expect("bootstrap");
        let org = accounts::store::find_org_by_slug(&state.db, "default")
            .await
            .unwrap()
            .expect("default org");
        let org = org.id;
        let (_, token) =
            accounts::store::create_token(&state.db, org, "test", Role::Owner, clock.now_ms())
                .await
                .unwrap();
        let running = app::start(state.clone(), listener, options.workers).expect("start");
        TestApp {
            base_url: format!("http://{addr}"),
            state,
            clock,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            token,
            org,
            running: Some(running),
            leftover_jobs_expected: std::sync::atomic::AtomicBool::new(false),
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Creates another organisation with an owner token of its own.
    pub async fn other_org(&self, slug: &str) -> (OrgId, String) {
        let now = self.clock.now_ms();
        let org = accounts::store::create_org(&self.state.db, slug, slug, now)
            .await
            .unwrap();
        let (_, token) =
            accounts::store::create_token(&self.state.db, org.id, "other", Role::Owner, now)
                .await
                .unwrap();
        (org.id, token)
    }

    pub async fn token_with_role(&self, role: Role) -> String {
        let (_, token) = accounts::store::create_token(
            &self.state.db,
            self.org,
            "role",
            role,
            self.clock.now_ms(),
        )
        .await
        .unwrap();
        token
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        split(r).await
    }

    pub async fn post_json(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request");
        split(r).await
    }

    pub async fn patch_json(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        let r = self
            .http
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request");
        split(r).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        split(r).await
    }

    /// Runs due schedules and jobs until none is due at the clock's time.
    pub async fn run_jobs(&self) -> usize {
        self.state.run_jobs().await.expect("run_until_idle")
    }

    /// Says that this test leaves jobs queued, running or failed on purpose; otherwise the
    /// test fails when it ends with any.
    pub fn expect_leftover_jobs(&self) {
        self.leftover_jobs_expected
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn advance(&self, secs: i64) {
        self.clock.advance(jiff::SignedDuration::from_secs(secs));
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Stops the server and workers, then checks the job queue (see `Drop`).
    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await.expect("shutdown");
        }
    }
}

/// STYLE.md: a test app asserts that no job was left unprocessed. When a test ends (stopped
/// or not), a job still queued, running or failed fails it, unless the test said it expects
/// some ([`TestApp::expect_leftover_jobs`]). The queue is read over a connection of its own,
/// so the check does not depend on the application's pools, and an error reading it fails the
/// test too.
impl Drop for TestApp {
    fn drop(&mut self) {
        let expected = self
            .leftover_jobs_expected
            .load(std::sync::atomic::Ordering::Relaxed);
        if std::thread::panicking() || expected {
            return;
        }
        let url = self.db.url.clone();
        let left = std::thread::spawn(move || unfinished_jobs(&url))
            .join()
            .expect("the job queue check panicked");
        match left {
            Ok(left) => assert!(
                left.is_empty(),
                "jobs were left in the queue when the test ended (kind, state, count): {left:?}"
            ),
            Err(e) => panic!("could not read the job queue when the test ended: {e:#}"),
        }
    }
}

/// The jobs of the database at `url` that are queued, running or failed: (kind, state, count).
fn unfinished_jobs(url: &str) -> anyhow::Result<Vec<(String, String, i64)>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let sql = "SELECT kind, state, COUNT(*) FROM jobs WHERE state <> 'done' GROUP BY kind, state ORDER BY kind, state";
    rt.block_on(async {
        let rows = if url.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(url).await?;
            let rows = sqlx::query_as(sql).fetch_all(&pool).await?;
            pool.close().await;
            rows
        } else {
            let pool = sqlx::PgPool::connect(url).await?;
            let rows = sqlx::query_as(sql).fetch_all(&pool).await?;
            pool.close().await;
            rows
        };
        Ok(rows)
    })
}

async fn split(r: reqwest::Response) -> (StatusCode, Value) {
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

/// A database of the test's own: a SQLite file in a temp folder, or a fresh PostgreSQL
/// database (dropped afterwards) when SWITCHBOARD_TEST_DATABASE_URL is set.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn create() -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        match std::env::var("SWITCHBOARD_TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let suffix = switchboard::accounts::secrets::token_hash(
                    &switchboard::accounts::secrets::new_token(""),
                );
                let name = format!("sbtest_{}", &suffix[..16]);
                let admin = sqlx::PgPool::connect(&admin_url)
                    .await
                    .expect("connect to SWITCHBOARD_TEST_DATABASE_URL");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&admin)
                    .await
                    .expect("create test database");
                admin.close().await;
                let mut url =
                    url::Url::parse(&admin_url).expect("SWITCHBOARD_TEST_DATABASE_URL is a URL");
                url.set_path(&format!("/{name}"));
                TestDb {
                    url: url.to_string(),
                    dir,
                    pg: Some((admin_url, name)),
                }
            }
            _ => {
                let url = format!("sqlite:{}", dir.path().join("test.db").display());
                TestDb { url, dir, pg: None }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let admin = sqlx::PgPool::connect(&admin_url).await.ok()?;
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&admin)
                        .await
                        .ok()
                })
            })
            .join();
        }
    }
}
