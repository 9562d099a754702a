//! Load benchmark: 10,000 concurrent simulated calls against a trivial TwiML app, all on
//! loopback. Prints calls/s, p50/p99 time to completion, errors, peak concurrency and peak RSS.
//!
//! ```text
//! cargo run -p twilio-sim --example load [-- CALLS SPEED]
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use twilio_sim::{CallStatus, SimConfig, Simulator};

const ACCOUNT: &str = "AC22222222222222222222222222222222";
const TOKEN: &str = "load-test-token";
/// Requests creating calls at once (the simulator has no limit; this bounds the client).
const CREATE_CONCURRENCY: usize = 128;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let calls: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000)
        .min(100_000);
    let speed: f64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10.0);

    let app = axum::Router::new().fallback(|| async {
        "<Response><Say>This is a load test call.</Say><Pause length=\"20\"/><Hangup/></Response>"
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let app_url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let cfg = SimConfig {
        account_sid: ACCOUNT.into(),
        auth_token: TOKEN.into(),
        speed,
        calls_per_second: 100_000.0,
        messages_per_second: 1_000.0,
        seed: 7,
        ..SimConfig::default()
    };
    let (sim, server) = Simulator::bind(cfg, "127.0.0.1:0".parse()?).await?;
    let base = server.base_url();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CREATE_CONCURRENCY)
        .build()?;
    let numbers = format!("{base}/2010-04-01/Accounts/{ACCOUNT}/IncomingPhoneNumbers.json");
    let voice = format!("{app_url}/voice");
    http.post(&numbers)
        .basic_auth(ACCOUNT, Some(TOKEN))
        .form(&[
            ("PhoneNumber", "+15005550006"),
            ("VoiceUrl", voice.as_str()),
        ])
        .send()
        .await?
        .error_for_status()?;

    println!(
        "placing {calls} calls at speed {speed} (seeded mix of answer / no-answer / busy / machine)"
    );
    let errors = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let create_url = format!("{base}/2010-04-01/Accounts/{ACCOUNT}/Calls.json");
    let results: Vec<Option<(Duration, Duration, CallStatus)>> = futures::stream::iter(0..calls)
        .map(|n| {
            let (http, sim, errors, url, voice) = (
                http.clone(),
                sim.clone(),
                errors.clone(),
                create_url.clone(),
                voice.clone(),
            );
            async move {
                let to = format!("+1415{:07}", 5_550_000 + n);
                let t0 = Instant::now();
                let created = http
                    .post(&url)
                    .basic_auth(ACCOUNT, Some(TOKEN))
                    .form(&[
                        ("To", to.as_str()),
                        ("From", "+15005550006"),
                        ("Url", voice.as_str()),
                    ])
                    .send()
                    .await;
                let sid = match created {
                    Ok(r) if r.status().as_u16() == 201 => {
                        r.json::<serde_json::Value>().await.ok()?["sid"]
                            .as_str()?
                            .to_owned()
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        return None;
                    }
                };
                let created_at = started.elapsed();
                // Each waiter runs on its own task so the stream keeps creating calls.
                let waiter = tokio::spawn(async move {
                    sim.wait_for_call_end(&sid, Duration::from_secs(600)).await
                });
                Some((waiter, t0, created_at))
            }
        })
        .buffer_unordered(CREATE_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|r| async move {
            let (waiter, t0, created_at) = r?;
            let status = waiter.await.ok()??;
            Some((created_at, t0.elapsed(), status))
        })
        .collect::<futures::stream::FuturesUnordered<_>>()
        .collect::<Vec<_>>()
        .await;
    let wall = started.elapsed();

    let mut latencies: Vec<Duration> = Vec::new();
    let mut intervals = Vec::new();
    let mut by_status = std::collections::BTreeMap::<&str, usize>::new();
    for r in &results {
        match r {
            Some((created_at, latency, status)) => {
                latencies.push(*latency);
                intervals.push((*created_at, *created_at + *latency));
                *by_status.entry(status.as_str()).or_default() += 1;
            }
            None => {
                errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let mut app_errors = 0;
    for call in sim.transcript_errors() {
        app_errors += call;
    }
    println!(
        "completed:        {} of {calls} in {:.2} s",
        latencies.len(),
        wall.as_secs_f64()
    );
    println!(
        "throughput:       {:.0} calls/s",
        latencies.len() as f64 / wall.as_secs_f64()
    );
    println!(
        "time to complete: p50 {:.0} ms, p99 {:.0} ms (real time, at speed {speed})",
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3
    );
    println!("final statuses:   {by_status:?}");
    println!(
        "errors:           {} REST/timeouts, {app_errors} application errors",
        errors.load(Ordering::Relaxed)
    );
    println!(
        "peak concurrency: {} calls alive at once",
        peak_overlap(&mut intervals)
    );
    println!("peak RSS:         {} MiB", peak_rss_kib() / 1024);
    server.shutdown().await;
    Ok(())
}

/// The most intervals overlapping at any instant.
fn peak_overlap(intervals: &mut [(Duration, Duration)]) -> usize {
    let mut edges: Vec<(Duration, i64)> = intervals
        .iter()
        .flat_map(|(a, b)| [(*a, 1), (*b, -1)])
        .collect();
    edges.sort();
    let (mut now, mut peak) = (0i64, 0i64);
    for (_, delta) in edges {
        now += delta;
        peak = peak.max(now);
    }
    peak as usize
}

/// Peak resident set size (VmHWM) of this process, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}
