//! Crash trials of the outbox: every recipient gets exactly one text, however often the server
//! is killed while it sends. `scripts/outbox-crash-trials` runs it; CI runs a small count.
//!
//!   outbox_crash_trials BINARY [--runs N] [--texts M] [--kills K]
//!
//! Each run starts a standalone simulator (`switchboard sim serve`) as the provider and a
//! `switchboard serve` in live mode pointed at it (`TWILIO_API_BASE_URL`), on a fresh SQLite
//! file, with a fast pace (200 texts a second) and a 2 s claim lease. A client asks for M texts
//! through `POST /api/v1/messages`, each with its own `Idempotency-Key`, to M recipients,
//! retrying every request until it is answered (the same key, so a retry never sends twice).
//! Meanwhile the server is killed with SIGKILL K times, at random moments, and started again.
//! When every request has been answered, the run waits until the provider holds M texts (or 120
//! s pass) and counts them per recipient: none missing, none twice.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures::StreamExt as _;
use rand::Rng as _;

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const SENDER: &str = "+15005550006";

struct Options {
    binary: String,
    runs: usize,
    texts: usize,
    kills: usize,
}

fn options() -> anyhow::Result<Options> {
    let mut args = std::env::args().skip(1);
    let binary = args
        .next()
        .context("usage: outbox_crash_trials BINARY [--runs N] [--texts M] [--kills K]")?;
    let mut o = Options {
        binary,
        runs: 20,
        texts: 2000,
        kills: 5,
    };
    while let Some(flag) = args.next() {
        let value: usize = args
            .next()
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{flag} needs a whole number"))?;
        match flag.as_str() {
            "--runs" => o.runs = value,
            "--texts" => o.texts = value,
            "--kills" => o.kills = value,
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(o)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// One run's processes and addresses.
struct Run {
    binary: String,
    dir: tempfile::TempDir,
    port: u16,
    sim_url: String,
    http: reqwest::Client,
}

impl Run {
    fn env(&self) -> Vec<(&'static str, String)> {
        let data = self.dir.path().display().to_string();
        vec![
            ("SWITCHBOARD_LISTEN", format!("127.0.0.1:{}", self.port)),
            (
                "SWITCHBOARD_PUBLIC_URL",
                format!("http://127.0.0.1:{}", self.port),
            ),
            ("SWITCHBOARD_DATA_DIR", data.clone()),
            ("DATABASE_URL", format!("sqlite:{data}/switchboard.db")),
            ("SWITCHBOARD_TELEPHONY", "live".into()),
            ("TWILIO_ACCOUNT_SID", ACCOUNT.into()),
            ("TWILIO_AUTH_TOKEN", TOKEN.into()),
            ("TWILIO_API_BASE_URL", self.sim_url.clone()),
            ("SWITCHBOARD_TEXTS_PER_SECOND", "200".into()),
            ("SWITCHBOARD_OUTBOX_LEASE_SECS", "2".into()),
            // Any hour of the day: the trial is about crashes, not the window.
            ("SWITCHBOARD_QUIET_HOURS", "00:00-23:59".into()),
            ("SWITCHBOARD_ADMIN_PASSWORD", "crash-trials-password".into()),
            ("RUST_LOG", "error".into()),
        ]
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.binary);
        c.args(args)
            .envs(self.env())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    async fn start_server(&self) -> anyhow::Result<Child> {
        let child = self
            .command(&["serve"])
            .spawn()
            .context("starting switchboard serve")?;
        wait_until(Duration::from_secs(60), || async {
            self.http
                .get(self.url("/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await
        .context("the server never became ready")?;
        Ok(child)
    }
}

/// Polls `ready` every 50 ms until it holds or `limit` passes.
async fn wait_until<F, Fut>(limit: Duration, ready: F) -> anyhow::Result<()>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if ready().await {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("not after {limit:?}")
}

fn recipient(i: usize) -> String {
    format!("+1415555{i:04}")
}

/// Asks for text `i` until the server answers it (a killed server refuses the connection).
async fn request_text(run: &Run, token: &str, i: usize) {
    let body = serde_json::json!({ "to": recipient(i), "body": format!("Trial text {i}") });
    loop {
        let sent = run
            .http
            .post(run.url("/api/v1/messages"))
            .bearer_auth(token)
            .header("Idempotency-Key", format!("trial-{i}"))
            .json(&body)
            .send()
            .await;
        if sent.is_ok_and(|r| r.status().as_u16() == 200 || r.status().as_u16() == 201) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every text the provider holds: recipient -> count.
async fn provider_texts(run: &Run) -> anyhow::Result<HashMap<String, usize>> {
    let mut counts = HashMap::new();
    let mut next = Some(format!(
        "/2010-04-01/Accounts/{ACCOUNT}/Messages.json?PageSize=1000"
    ));
    while let Some(path) = next {
        let page: serde_json::Value = run
            .http
            .get(format!("{}{path}", run.sim_url))
            .basic_auth(ACCOUNT, Some(TOKEN))
            .send()
            .await?
            .json()
            .await?;
        for m in page["messages"].as_array().into_iter().flatten() {
            *counts
                .entry(m["to"].as_str().unwrap_or("").to_string())
                .or_insert(0) += 1;
        }
        next = page["next_page_uri"].as_str().map(str::to_string);
    }
    Ok(counts)
}

struct Outcome {
    kills: usize,
    received: usize,
    twice: usize,
    missing: usize,
    secs: f64,
}

async fn trial(o: &Options) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let sim_port = free_port()?;
    let run = Run {
        binary: o.binary.clone(),
        dir: tempfile::tempdir()?,
        port: free_port()?,
        sim_url: format!("http://127.0.0.1:{sim_port}"),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?,
    };
    let listen = format!("127.0.0.1:{sim_port}");
    let mut sim = run
        .command(&[
            "sim",
            "serve",
            "--listen",
            &listen,
            "--account-sid",
            ACCOUNT,
            "--auth-token",
            TOKEN,
        ])
        .spawn()
        .context("starting the simulator")?;
    let result = async {
        let mut server = run.start_server().await?;
        let out = run
            .command(&[
                "token", "create", "--org", "default", "--name", "trials", "--role", "admin",
            ])
            .stdout(Stdio::piped())
            .output()?;
        let token = String::from_utf8(out.stdout)?
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .to_string();
        let number = serde_json::json!({ "e164": SENDER });
        let added = run
            .http
            .post(run.url("/api/v1/phone-numbers"))
            .bearer_auth(&token)
            .json(&number)
            .send()
            .await?;
        if !added.status().is_success() {
            bail!("adding the sender number: {}", added.status());
        }
        let requests = futures::stream::iter(0..o.texts)
            .map(|i| request_text(&run, &token, i))
            .buffer_unordered(8)
            .collect::<Vec<()>>();
        let kills = async {
            for _ in 0..o.kills {
                let pause = rand::rng().random_range(100..800);
                tokio::time::sleep(Duration::from_millis(pause)).await;
                server.kill()?; // SIGKILL
                server.wait()?;
                server = run.start_server().await?;
            }
            anyhow::Ok(())
        };
        let ((), killed) = tokio::join!(
            async {
                requests.await;
            },
            kills
        );
        killed?;
        let want = o.texts;
        let _ = wait_until(Duration::from_secs(120), || async {
            provider_texts(&run)
                .await
                .is_ok_and(|c| c.values().sum::<usize>() >= want)
        })
        .await;
        let counts = provider_texts(&run).await?;
        server.kill()?;
        server.wait()?;
        let twice = counts.values().filter(|&&c| c > 1).count();
        let missing = (0..o.texts)
            .filter(|&i| !counts.contains_key(&recipient(i)))
            .count();
        Ok(Outcome {
            kills: o.kills,
            received: counts.values().sum(),
            twice,
            missing,
            secs: started.elapsed().as_secs_f64(),
        })
    }
    .await;
    sim.kill()?;
    sim.wait()?;
    run.dir.close()?;
    result
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    switchboard::services::install_crypto_provider();
    let o = options()?;
    println!(
        "| run | texts asked | kills | texts the provider holds | recipients with two or more | recipients with none | seconds |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let mut failed = 0;
    for n in 1..=o.runs {
        let r = trial(&o).await.with_context(|| format!("run {n}"))?;
        println!(
            "| {n} | {} | {} | {} | {} | {} | {:.1} |",
            o.texts, r.kills, r.received, r.twice, r.missing, r.secs
        );
        if r.twice > 0 || r.missing > 0 || r.received != o.texts {
            failed += 1;
        }
    }
    if failed > 0 {
        bail!(
            "{failed} of {} runs did not give every recipient exactly one text",
            o.runs
        );
    }
    println!("\nevery recipient got exactly one text in every run");
    Ok(())
}
