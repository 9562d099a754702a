//! The outbox's dispatch rate, measured at the provider. `scripts/bench-outbox-rate` runs it.
//!
//!   outbox_rate_bench BINARY [--texts N] [--rate R] [--closing-texts M] [--concurrency C]
//!
//! One standalone simulator (`switchboard sim serve`) is the provider. First the baseline: the
//! load generator posts N texts straight to the simulator's `Messages.json` (C at a time), which
//! is what the machine can take with no outbox in between. Then two runs, each of a release
//! `switchboard serve` in live mode on a fresh SQLite file, one sender number paced at R texts a
//! second (`SWITCHBOARD_TEXTS_PER_SECOND`), recipients in UTC:
//!
//! 1. N texts through `POST /api/v1/messages` (C requests at a time, each with its own
//!    `Idempotency-Key`), the window (`SWITCHBOARD_QUIET_HOURS`) open for the whole run;
//! 2. M texts with a window that closes at a whole minute about halfway through: what was sent
//!    must all be before the close, and every other text must be queued until the next opening
//!    (asked again with the same keys, which answers with the row as it stands).
//!
//! Every figure comes from the simulator's own log (`GET /sim/outbound`: each text with the
//! instant it was taken, to the microsecond): the achieved rate from the first send to the last,
//! the most in any sliding 1 s window, the gaps between sends, texts sent twice, texts outside
//! the window. Prints a Markdown table; exits non-zero when a check fails.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures::StreamExt as _;
use jiff::{SignedDuration, Timestamp};

#[path = "trials/mod.rs"]
mod trials;

use trials::{Server, Sim, Taken, recipient, wait_until};

const SENDER: &str = "+15005550006";
/// The baseline's sender: any number that is not one of Twilio's magic failing ones.
const BASELINE_SENDER: &str = "+14155550100";

struct Options {
    binary: String,
    texts: usize,
    rate: f64,
    closing_texts: usize,
    concurrency: usize,
}

fn options() -> anyhow::Result<Options> {
    let mut args = std::env::args().skip(1);
    let binary = args.next().context(
        "usage: outbox_rate_bench BINARY [--texts N] [--rate R] [--closing-texts M] [--concurrency C]",
    )?;
    let mut o = Options {
        binary,
        texts: 10_000,
        rate: 100.0,
        closing_texts: 3_000,
        concurrency: 8,
    };
    while let Some(flag) = args.next() {
        let value: f64 = args
            .next()
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{flag} needs a number"))?;
        match flag.as_str() {
            "--texts" => o.texts = value as usize,
            "--rate" => o.rate = value,
            "--closing-texts" => o.closing_texts = value as usize,
            "--concurrency" => o.concurrency = value as usize,
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(o)
}

/// What one run measured.
struct Figures {
    name: String,
    asked: usize,
    /// Requests a second the load generator got answered while queueing.
    queued_per_sec: f64,
    sent: usize,
    rate: f64,
    most_in_1s: usize,
    gap_p50: f64,
    gap_p99: f64,
    gap_max: f64,
    twice: usize,
    outside: usize,
    load: String,
}

impl Figures {
    fn of(
        name: &str,
        asked: usize,
        queued_per_sec: f64,
        texts: &[Taken],
        window: (Timestamp, Timestamp),
        load: String,
    ) -> Figures {
        let mut times: Vec<Timestamp> = texts.iter().map(|t| t.created).collect();
        times.sort();
        let gaps = trials::gaps_ms(&times);
        let counts = trials::count_by_recipient(texts);
        Figures {
            name: name.to_string(),
            asked,
            queued_per_sec,
            sent: texts.len(),
            rate: trials::achieved_rate(&times),
            most_in_1s: trials::most_in_window(&times, SignedDuration::from_secs(1)).0,
            gap_p50: trials::percentile(&gaps, 50.0),
            gap_p99: trials::percentile(&gaps, 99.0),
            gap_max: gaps.last().copied().unwrap_or(0.0),
            twice: counts.values().filter(|&&c| c > 1).count(),
            outside: times
                .iter()
                .filter(|&&t| t < window.0 || t >= window.1)
                .count(),
            load,
        }
    }

    fn row(&self, configured: f64) -> String {
        let off = if self.rate > 0.0 && configured > 0.0 {
            format!("{:+.2} %", (self.rate / configured - 1.0) * 100.0)
        } else {
            "-".into()
        };
        format!(
            "| {} | {} | {:.0} | {} | {:.2} | {off} | {} | {:.1} / {:.1} / {:.1} | {} | {} | {} |",
            self.name,
            self.asked,
            self.queued_per_sec,
            self.sent,
            self.rate,
            self.most_in_1s,
            self.gap_p50,
            self.gap_p99,
            self.gap_max,
            self.twice,
            self.outside,
            self.load
        )
    }
}

/// The baseline: `texts` posted straight to the simulator, `concurrency` at a time.
async fn baseline(o: &Options, sim: &Sim, http: &reqwest::Client) -> anyhow::Result<Figures> {
    let load = trials::load();
    let url = format!(
        "{}/2010-04-01/Accounts/{}/Messages.json",
        sim.url,
        trials::ACCOUNT
    );
    let started = Instant::now();
    let answers = futures::stream::iter(0..o.texts)
        .map(|i| {
            let form = [
                ("To", recipient(i)),
                ("From", BASELINE_SENDER.to_string()),
                ("Body", format!("Baseline text {i}")),
            ];
            let request = http
                .post(&url)
                .basic_auth(trials::ACCOUNT, Some(trials::TOKEN))
                .form(&form);
            async move {
                request
                    .send()
                    .await
                    .is_ok_and(|r| r.status().as_u16() == 201)
            }
        })
        .buffer_unordered(o.concurrency)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await;
    let secs = started.elapsed().as_secs_f64();
    if answers != o.texts {
        bail!("the simulator took {answers} of {} baseline texts", o.texts);
    }
    let (texts, _) = sim.outbound(http).await?;
    let texts: Vec<Taken> = texts
        .into_iter()
        .filter(|t| t.from == BASELINE_SENDER)
        .collect();
    let all_day = (Timestamp::MIN, Timestamp::MAX);
    let load = format!("{load} → {}", trials::load());
    Ok(Figures::of(
        "baseline: straight to the simulator",
        o.texts,
        o.texts as f64 / secs,
        &texts,
        all_day,
        load,
    ))
}

/// A server paced at `o.rate` on a fresh SQLite file, with the window `window` (UTC).
async fn server(
    o: &Options,
    sim: &Sim,
    http: &reqwest::Client,
    dir: &tempfile::TempDir,
    window: (Timestamp, Timestamp),
) -> anyhow::Result<(Server, String)> {
    let database = format!("sqlite:{}/switchboard.db", dir.path().display());
    let settings = [
        ("SWITCHBOARD_TEXTS_PER_SECOND", o.rate.to_string()),
        (
            "SWITCHBOARD_QUIET_HOURS",
            trials::utc_window(window.0, window.1),
        ),
    ];
    let mut server = Server::new(&o.binary, dir.path(), &database, sim, &settings)?;
    server.start(http).await?;
    let token = server.admin_token()?;
    server.add_number(http, &token, SENDER).await?;
    Ok((server, token))
}

/// Asks for texts `from..to` through `POST /api/v1/messages`; returns each answer's JSON by
/// index and the requests answered a second.
async fn ask(
    o: &Options,
    server: &Server,
    http: &reqwest::Client,
    token: &str,
    texts: std::ops::Range<usize>,
) -> anyhow::Result<(Vec<serde_json::Value>, f64)> {
    let url = server.url("/api/v1/messages");
    let started = Instant::now();
    let count = texts.len();
    let answers: Vec<anyhow::Result<serde_json::Value>> = futures::stream::iter(texts)
        .map(|i| {
            let body = serde_json::json!({
                "to": recipient(i), "body": format!("Rate text {i}"), "time_zone": "UTC",
            });
            let request = http
                .post(&url)
                .bearer_auth(token)
                .header("Idempotency-Key", format!("rate-{i}"))
                .json(&body);
            async move {
                let answer = request.send().await?;
                let status = answer.status();
                let json: serde_json::Value = answer.json().await?;
                if !status.is_success() {
                    bail!("text {i}: {status} {json}");
                }
                Ok(json)
            }
        })
        .buffered(o.concurrency)
        .collect()
        .await;
    let secs = started.elapsed().as_secs_f64();
    Ok((
        answers.into_iter().collect::<anyhow::Result<_>>()?,
        count as f64 / secs,
    ))
}

/// The server's texts to recipients `texts` that the simulator holds.
async fn sent(
    sim: &Sim,
    http: &reqwest::Client,
    texts: std::ops::Range<usize>,
) -> anyhow::Result<Vec<Taken>> {
    let ours: std::collections::HashSet<String> = texts.map(recipient).collect();
    let (taken, _) = sim.outbound(http).await?;
    Ok(taken
        .into_iter()
        .filter(|t| t.from == SENDER && ours.contains(&t.to))
        .collect())
}

/// Run 1: `o.texts` texts, the window open throughout.
async fn open_run(o: &Options, sim: &Sim, http: &reqwest::Client) -> anyhow::Result<Figures> {
    let dir = tempfile::tempdir()?;
    let now = trials::minute_of(Timestamp::now());
    let window = (
        now - SignedDuration::from_hours(1),
        now + SignedDuration::from_hours(2),
    );
    let (mut server, token) = server(o, sim, http, &dir, window).await?;
    let load = trials::load();
    let (_, per_sec) = ask(o, &server, http, &token, 0..o.texts).await?;
    let limit = Duration::from_secs_f64(o.texts as f64 / o.rate * 1.5 + 60.0);
    let done = wait_until(limit, || async {
        sent(sim, http, 0..o.texts)
            .await
            .is_ok_and(|t| t.len() >= o.texts)
    })
    .await;
    // A moment more, for any text sent twice to show.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let texts = sent(sim, http, 0..o.texts).await?;
    server.kill()?;
    if done.is_err() {
        eprintln!(
            "only {} of {} texts reached the simulator",
            texts.len(),
            o.texts
        );
    }
    let load = format!("{load} → {}", trials::load());
    Ok(Figures::of(
        "the outbox, window open",
        o.texts,
        per_sec,
        &texts,
        window,
        load,
    ))
}

/// What run 2 found besides its figures.
struct Closing {
    figures: Figures,
    closes: Timestamp,
    /// Texts the API says are queued until the next opening / anything else.
    waiting: usize,
    not_waiting: usize,
    last_before_close_ms: f64,
}

/// Run 2: `o.closing_texts` texts, the window closing about halfway through.
async fn closing_run(o: &Options, sim: &Sim, http: &reqwest::Client) -> anyhow::Result<Closing> {
    let dir = tempfile::tempdir()?;
    let half = SignedDuration::from_secs_f64(o.closing_texts as f64 / o.rate / 2.0);
    // The first whole minute far enough ahead to start the server and queue half the texts.
    let closes = trials::minute_of(Timestamp::now() + half + SignedDuration::from_secs(70));
    let window = (closes - SignedDuration::from_hours(2), closes);
    let (mut server, token) = server(o, sim, http, &dir, window).await?;
    let start_at = closes - half;
    if let Ok(wait) = Duration::try_from(start_at.duration_since(Timestamp::now())) {
        tokio::time::sleep(wait).await;
    }
    let load = trials::load();
    let first = o.texts; // recipients the first run did not use
    let (_, per_sec) = ask(o, &server, http, &token, first..first + o.closing_texts).await?;
    // Every row whose slot fell after the close has been claimed and sent back by then.
    let settled = closes + half + SignedDuration::from_secs(3);
    if let Ok(wait) = Duration::try_from(settled.duration_since(Timestamp::now())) {
        tokio::time::sleep(wait).await;
    }
    let texts = sent(sim, http, first..first + o.closing_texts).await?;
    let (again, _) = ask(o, &server, http, &token, first..first + o.closing_texts).await?;
    server.kill()?;
    let next_opening = window.0 + SignedDuration::from_hours(24);
    let waiting = again
        .iter()
        .filter(|a| {
            a["status"] == "queued"
                && a["queued_until"]
                    .as_str()
                    .and_then(|u| u.parse::<Timestamp>().ok())
                    == Some(next_opening)
        })
        .count();
    let sent_by_api = again.iter().filter(|a| a["status"] == "sent").count();
    let last = texts.iter().map(|t| t.created).max();
    let load = format!("{load} → {}", trials::load());
    Ok(Closing {
        figures: Figures::of(
            "the outbox, window closing mid-run",
            o.closing_texts,
            per_sec,
            &texts,
            window,
            load,
        ),
        closes,
        waiting,
        not_waiting: o.closing_texts - waiting - sent_by_api,
        last_before_close_ms: last.map_or(0.0, |l| closes.duration_since(l).as_secs_f64() * 1000.0),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    switchboard::services::install_crypto_provider();
    let o = options()?;
    let http = trials::http()?;
    // The simulator lets texts leave at once (its own per-sender queue is not what is measured).
    let sim = Sim::start(&o.binary, &["--messages-per-second", "1000"])?;
    sim.wait_ready(&http).await?;
    println!(
        "{} texts at a configured {} a second, {} requests at a time; load averages before → after each run\n",
        o.texts, o.rate, o.concurrency
    );
    let base = baseline(&o, &sim, &http).await?;
    let open = open_run(&o, &sim, &http).await?;
    let closing = closing_run(&o, &sim, &http).await?;
    println!(
        "| run | texts asked | asked per s | texts sent | sends per s | vs configured | most in any 1 s | gap ms p50 / p99 / max | sent twice | outside the window | load |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    println!("{}", base.row(0.0));
    println!("{}", open.row(o.rate));
    println!("{}", closing.figures.row(o.rate));
    println!(
        "\nwindow closing at {}: the last text went {:.1} ms before it; {} texts queued until the next opening, {} neither sent nor waiting",
        closing.closes, closing.last_before_close_ms, closing.waiting, closing.not_waiting
    );
    let mut failures = Vec::new();
    if open.sent != o.texts {
        failures.push(format!("{} of {} texts were sent", open.sent, o.texts));
    }
    if (open.rate / o.rate - 1.0).abs() > 0.01 {
        failures.push(format!(
            "the rate was {:.2} a second, not within 1 % of {}",
            open.rate, o.rate
        ));
    }
    for f in [&open, &closing.figures] {
        if f.twice > 0 || f.outside > 0 {
            failures.push(format!(
                "{}: {} sent twice, {} outside the window",
                f.name, f.twice, f.outside
            ));
        }
    }
    if closing.figures.sent + closing.waiting != o.closing_texts {
        failures.push(format!(
            "window closing: {} sent and {} waiting of {}",
            closing.figures.sent, closing.waiting, o.closing_texts
        ));
    }
    if !failures.is_empty() {
        bail!("{}", failures.join("; "));
    }
    println!("every check held");
    Ok(())
}
