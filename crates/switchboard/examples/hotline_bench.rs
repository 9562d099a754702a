//! Benchmark of the hotline's Twilio-facing endpoints against a bare axum handler that returns
//! constant TwiML, measured in the same run on the same machine.
//!
//!   cargo run --release -p switchboard --example hotline_bench -- [SECONDS] [postgres://...]
//!
//! Each scenario: 32 concurrent keep-alive connections (`HOTLINE_BENCH_CONNECTIONS` to change)
//! on loopback for SECONDS (default 10), taken as one-second slices in turn with the other
//! scenarios, so the baseline and the endpoints meet the same machine, after one round that
//! is not counted (then, on PostgreSQL, ANALYZE, as autovacuum would run). `HOTLINE_BENCH_ONLY=next-target` (any part of a
//! scenario's name) runs the matching scenarios alone, e.g. under a profiler.
//! `next-target` creates an incident per request (no incidentId), checks the request's
//! X-Twilio-Signature (JSON body with bodySHA256), walks the demo ladder and writes the
//! attempt and its audit events. `/callrouting/handle` is a signed Twilio voice webhook (form
//! body) for the demo's Community Line, a new call (its own CallSid, so its own incident and
//! signature) per request. Each slice's requests are made (bodies built, webhooks signed)
//! before its clock starts, as a load generator replays prepared requests. Prints requests/s, p50/p99/p99.9 latency, the CPU time the process
//! (server and client together) spent per request, and the incident desk's mean batch (commands
//! per transaction, and its time). `HOTLINE_BENCH_METRICS=1` also prints the desk's and the
//! SQLite checkpointer's histograms at the end; `HOTLINE_BENCH_PROGRESS=1` prints each round's
//! requests/s per scenario, to see the machine drift.

// The allocator `switchboard` itself runs with (see src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use switchboard::app::{self, AppState};
use switchboard::clock::Clock;
use switchboard::config::Config;
use switchboard::telephony::Telephony;

/// Concurrent connections per scenario: 32, or `HOTLINE_BENCH_CONNECTIONS`.
static CONNECTIONS: std::sync::LazyLock<usize> = std::sync::LazyLock::new(|| {
    std::env::var("HOTLINE_BENCH_CONNECTIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32)
});

/// The n-th request's body and X-Twilio-Signature.
type Request = Box<dyn Fn(u64) -> (String, Option<String>) + Send + Sync>;

/// Requests made ready before each slice, at least.
const MIN_PREPARED: usize = 20_000;

/// A slice's requests, made before its clock starts (a load generator replays prepared
/// requests: signing each webhook is Twilio's work, not the server's); taken in turn.
struct Prepared {
    requests: Vec<(String, Option<String>)>,
    next: AtomicUsize,
}

struct Scenario {
    name: &'static str,
    /// Requests made so far, across slices: numbers each request (its CallSid).
    sent: Arc<std::sync::atomic::AtomicU64>,
    /// How many requests to make ready before the next slice: a quarter more than the last
    /// slice sent.
    to_prepare: AtomicUsize,
    url: String,
    content_type: &'static str,
    request: Arc<Request>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let pg_url = args.get(2).cloned();
    let dir = tempfile::tempdir()?;
    let db_url = match &pg_url {
        Some(admin) => fresh_pg_database(admin).await?,
        None => format!("sqlite:{}", dir.path().join("bench.db").display()),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let env = [
        ("DATABASE_URL", db_url.clone()),
        ("SWITCHBOARD_PUBLIC_URL", format!("http://{addr}")),
        ("SWITCHBOARD_DATA_DIR", dir.path().display().to_string()),
        (
            "SWITCHBOARD_ADMIN_PASSWORD",
            "benchmark-password".to_string(),
        ),
    ];
    let config = Config::load(None, &|k| {
        env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    })?;
    // Monday 14:00 in New York: business hours, Vera on shift.
    let clock = Clock::starting_at("2026-03-02T19:00:00Z".parse()?);
    let telephony = Telephony::start(&config).await?;
    let token = config.twilio_auth_token.expose().to_string();
    let state = AppState::new(config, clock, telephony).await?;
    app::bootstrap(&state).await?;
    switchboard::ui::demo::seed(&state).await?;
    let running = app::start(state.clone(), listener, 0)?;

    let bare = bare_server().await?;
    let base = format!("http://{addr}");
    let json_body = r#"{"incidentId":null,"callerPhone":"+14155551234","callSid":"CA00000000000000000000000000000001"}"#;
    let next_target_path = format!(
        "/api/telephony/next-target?bodySHA256={}",
        twilio::signature::body_sha256(json_body.as_bytes())
    );
    let handle_url = format!("{base}/callrouting/handle");
    let account_sid = state.config.twilio_account_sid.clone();
    let form = move |n: u64| {
        vec![
            ("AccountSid".to_string(), account_sid.clone()),
            ("CallSid".to_string(), format!("CA{n:032x}")),
            ("CallStatus".to_string(), "ringing".to_string()),
            ("Direction".to_string(), "inbound".to_string()),
            ("From".to_string(), "+14155551234".to_string()),
            (
                "To".to_string(),
                switchboard::hotline::demo::COMMUNITY_LINE.to_string(),
            ),
        ]
    };
    let bare_body = serde_urlencoded::to_string(form(0))?;
    let next_target_signature =
        twilio::signature::sign(&token, &format!("{base}{next_target_path}"), &[]);
    let scenarios = [
        Scenario {
            sent: Arc::new(std::sync::atomic::AtomicU64::new(1)),
            to_prepare: AtomicUsize::new(MIN_PREPARED),
            name: "bare axum constant TwiML",
            url: format!("{bare}/twiml"),
            content_type: "application/x-www-form-urlencoded",
            request: Arc::new(Box::new(move |_| (bare_body.clone(), None))),
        },
        Scenario {
            sent: Arc::new(std::sync::atomic::AtomicU64::new(1)),
            to_prepare: AtomicUsize::new(MIN_PREPARED),
            name: "POST /api/telephony/next-target",
            url: format!("{base}{next_target_path}"),
            content_type: "application/json",
            request: Arc::new(Box::new(move |_| {
                (json_body.to_string(), Some(next_target_signature.clone()))
            })),
        },
        Scenario {
            sent: Arc::new(std::sync::atomic::AtomicU64::new(1)),
            to_prepare: AtomicUsize::new(MIN_PREPARED),
            name: "POST /callrouting/handle",
            url: handle_url.clone(),
            content_type: "application/x-www-form-urlencoded",
            request: Arc::new(Box::new(move |n| {
                let params = form(n);
                let body = serde_urlencoded::to_string(&params).expect("form");
                let signature = twilio::signature::sign(&token, &handle_url, &params);
                (body, Some(signature))
            })),
        },
    ];
    let backend = if pg_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let only = std::env::var("HOTLINE_BENCH_ONLY").unwrap_or_default();
    let scenarios: Vec<Scenario> = scenarios
        .into_iter()
        .filter(|s| s.name.contains(only.as_str()))
        .collect();
    println!(
        "backend {backend}, {} connections, {seconds} s per scenario in 1 s slices taken in turn",
        *CONNECTIONS
    );
    // The scenarios take turns, a second each, so that every one of them meets the same
    // machine: on a shared host the speed of the bare handler alone drifts by a third within
    // a minute, and a baseline measured before the others would flatter or blame them.
    let mut tallies: Vec<Tally> = scenarios.iter().map(|_| Tally::default()).collect();
    let clients: Vec<reqwest::Client> = scenarios
        .iter()
        .map(|_| {
            reqwest::Client::builder()
                .pool_max_idle_per_host(*CONNECTIONS)
                .build()
        })
        .collect::<Result<_, _>>()?;
    let progress = std::env::var_os("HOTLINE_BENCH_PROGRESS").is_some();
    // One round first, not counted: connections open, statements are prepared, and the
    // tables hold some rows.
    for (s, client) in scenarios.iter().zip(&clients) {
        slice(s, client, SLICE, &mut Tally::default()).await;
    }
    if let switchboard::db::Db::Pg(pool) = &state.db {
        // Statistics, as autovacuum gathers within a minute of the first writes (this
        // machine's server runs with autovacuum off). Without any, a plan that PostgreSQL
        // cached while the tables were nearly empty scans them whole, and every request gets
        // slower as they grow. ANALYZE also makes the cached plans be made again.
        sqlx::query("ANALYZE").execute(pool).await?;
    }
    for round in 1..=seconds {
        let mut line = format!("  round {round:>3}:");
        for ((s, client), tally) in scenarios.iter().zip(&clients).zip(&mut tallies) {
            let done = slice(s, client, SLICE, tally).await;
            line.push_str(&format!(
                " {:>7.0} req/s",
                done as f64 / SLICE.as_secs_f64()
            ));
        }
        if progress {
            eprintln!("{line}");
        }
    }
    println!(
        "{:<34} {:>10} {:>9} {:>9} {:>10} {:>12} {:>8} {:>7} {:>9}",
        "scenario",
        "req/s",
        "p50 ms",
        "p99 ms",
        "p99.9 ms",
        "CPU µs/req",
        "errors",
        "batch",
        "batch µs"
    );
    for (s, tally) in scenarios.iter().zip(&mut tallies) {
        let r = tally.figures();
        let (batch, batch_us) = match tally.desk.batches {
            0.0 => ("-".to_string(), "-".to_string()),
            n => (
                format!("{:.1}", tally.desk.commands / n),
                format!("{:.0}", tally.desk.seconds * 1e6 / n),
            ),
        };
        println!(
            "{:<34} {:>10.0} {:>9.2} {:>9.2} {:>10.2} {:>12.0} {:>8} {:>7} {:>9}",
            s.name, r.per_second, r.p50, r.p99, r.p999, r.cpu_us, r.errors, batch, batch_us
        );
    }
    if std::env::var_os("HOTLINE_BENCH_METRICS").is_some() {
        for line in switchboard::http::metrics::handle().render().lines() {
            if line.starts_with("hotline_desk") || line.starts_with("sqlite_checkpoint") {
                println!("{line}");
            }
        }
    }
    running.shutdown().await?;
    Ok(())
}

/// How long a scenario runs before the next takes its turn.
const SLICE: Duration = Duration::from_secs(1);

/// One scenario's figures.
struct Figures {
    per_second: f64,
    /// Latency percentiles, ms.
    p50: f64,
    p99: f64,
    p999: f64,
    /// CPU time of the whole process per request.
    cpu_us: f64,
    errors: usize,
}

/// What a scenario's slices have measured so far.
#[derive(Default)]
struct Tally {
    /// Milliseconds, one per successful request.
    latencies: Vec<f64>,
    errors: usize,
    seconds: f64,
    cpu_seconds: f64,
    desk: DeskTotals,
}

impl Tally {
    fn figures(&mut self) -> Figures {
        let all = &mut self.latencies;
        all.sort_by(|a, b| a.total_cmp(b));
        let pct = |p: f64| {
            all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
                .copied()
                .unwrap_or(f64::NAN)
        };
        Figures {
            per_second: all.len() as f64 / self.seconds,
            p50: pct(0.50),
            p99: pct(0.99),
            p999: pct(0.999),
            cpu_us: self.cpu_seconds * 1e6 / all.len().max(1) as f64,
            errors: self.errors,
        }
    }
}

/// The incident desk's batches so far, from the process's Prometheus recorder: how many, the
/// commands they held, and the time they took.
#[derive(Default)]
struct DeskTotals {
    batches: f64,
    commands: f64,
    seconds: f64,
}

impl DeskTotals {
    fn read() -> DeskTotals {
        let text = switchboard::http::metrics::handle().render();
        let value = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        DeskTotals {
            batches: value("hotline_desk_batch_commands_count"),
            commands: value("hotline_desk_batch_commands_sum"),
            seconds: value("hotline_desk_batch_seconds_sum"),
        }
    }

    fn add_since(&mut self, before: &DeskTotals) {
        let now = DeskTotals::read();
        self.batches += now.batches - before.batches;
        self.commands += now.commands - before.commands;
        self.seconds += now.seconds - before.seconds;
    }
}

/// Runs `s` on every connection for `duration`, adding what it measured to `tally`; returns
/// how many requests succeeded.
async fn slice(
    s: &Scenario,
    client: &reqwest::Client,
    duration: Duration,
    tally: &mut Tally,
) -> usize {
    let count = s.to_prepare.load(Ordering::Relaxed);
    let first = s.sent.fetch_add(count as u64, Ordering::Relaxed);
    let prepared = Arc::new(Prepared {
        requests: (0..count as u64).map(|i| (s.request)(first + i)).collect(),
        next: AtomicUsize::new(0),
    });
    let desk_before = DeskTotals::read();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let cpu_before = process_cpu_seconds();
    let mut tasks = Vec::new();
    for _ in 0..*CONNECTIONS {
        let (client, stop, sent) = (client.clone(), stop.clone(), s.sent.clone());
        let (url, ct, request) = (s.url.clone(), s.content_type, s.request.clone());
        let prepared = prepared.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let ready = prepared
                    .requests
                    .get(prepared.next.fetch_add(1, Ordering::Relaxed));
                let (body, signature) = match ready {
                    Some(r) => r.clone(),
                    // More than prepared: made on the spot.
                    None => request(sent.fetch_add(1, Ordering::Relaxed)),
                };
                let t = Instant::now();
                let mut req = client.post(&url).header("content-type", ct).body(body);
                if let Some(sig) = &signature {
                    req = req.header("X-Twilio-Signature", sig);
                }
                match req.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut done = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            done += l.len();
            tally.latencies.extend(l);
            tally.errors += e;
        }
    }
    tally.seconds += started.elapsed().as_secs_f64();
    tally.cpu_seconds += process_cpu_seconds() - cpu_before;
    tally.desk.add_since(&desk_before);
    s.to_prepare
        .store((done + done / 4).max(MIN_PREPARED), Ordering::Relaxed);
    done
}

/// CPU time this process (server and client together) has used, in seconds; NaN where
/// /proc is missing. Steadier than req/s on a shared machine: a change that saves work shows
/// here even when the machine's speed wanders.
fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // After the command name in parentheses: state is field 3, utime 14 and stime 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        // Clock ticks are 100 per second on Linux.
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => f64::NAN,
    }
}

/// The baseline: axum answering constant TwiML, nothing else.
async fn bare_server() -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let twiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>Hello</Say><Dial timeout=\"20\"><Number>+15005550211</Number></Dial></Response>";
    let app = axum::Router::new().route(
        "/twiml",
        axum::routing::post(move || async move { ([("content-type", "text/xml")], twiml) }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}"))
}

async fn fresh_pg_database(admin_url: &str) -> anyhow::Result<String> {
    let name = format!("sbbench_{}", std::process::id());
    let admin = sqlx::PgPool::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&admin)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await?;
    let mut url = url::Url::parse(admin_url)?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}
