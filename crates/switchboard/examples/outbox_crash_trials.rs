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

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures::StreamExt as _;
use rand::Rng as _;

#[path = "trials/mod.rs"]
mod trials;

use trials::{Server, Sim, recipient, wait_until};

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

/// Asks for text `i` until the server answers it (a killed server refuses the connection).
async fn request_text(http: &reqwest::Client, url: &str, token: &str, i: usize) {
    let body = serde_json::json!({ "to": recipient(i), "body": format!("Trial text {i}") });
    loop {
        let sent = http
            .post(url)
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

struct Outcome {
    kills: usize,
    received: usize,
    twice: usize,
    missing: usize,
    secs: f64,
}

async fn trial(o: &Options) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let http = trials::http()?;
    let dir = tempfile::tempdir()?;
    let sim = Sim::start(&o.binary, &[])?;
    let database = format!("sqlite:{}/switchboard.db", dir.path().display());
    let settings = [
        ("SWITCHBOARD_TEXTS_PER_SECOND", "200".to_string()),
        ("SWITCHBOARD_OUTBOX_LEASE_SECS", "2".into()),
        // Any hour of the day: the trial is about crashes, not the window.
        ("SWITCHBOARD_QUIET_HOURS", "00:00-23:59".into()),
    ];
    let mut server = Server::new(&o.binary, dir.path(), &database, &sim, &settings)?;
    server.start(&http).await?;
    let token = server.admin_token()?;
    server.add_number(&http, &token, SENDER).await?;
    // The requests go to the port, whichever process listens on it.
    let url = server.url("/api/v1/messages");
    let requests = futures::stream::iter(0..o.texts)
        .map(|i| request_text(&http, &url, &token, i))
        .buffer_unordered(8)
        .collect::<Vec<()>>();
    let kills = async {
        for _ in 0..o.kills {
            let pause = rand::rng().random_range(100..800);
            tokio::time::sleep(Duration::from_millis(pause)).await;
            server.kill()?; // SIGKILL
            server.start(&http).await?;
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
        sim.texts_by_recipient(&http)
            .await
            .is_ok_and(|c| c.values().sum::<usize>() >= want)
    })
    .await;
    let counts = sim.texts_by_recipient(&http).await?;
    server.kill()?;
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
