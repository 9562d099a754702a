//! The shared pace across server processes on PostgreSQL. `scripts/pace-trial-postgres` runs it;
//! CI runs a short one.
//!
//!   pace_trial BINARY --postgres ADMIN_URL [--seconds S] [--texts-per-second R] [--calls-per-second C]
//!
//! Two scenarios, each on a database created for it on ADMIN_URL's server and dropped after:
//! three `switchboard serve` processes on that database, in live mode against one standalone
//! simulator, one sender number paced at R texts a second and the account at C calls a second,
//! a 10 s claim lease. R x S texts and C x S calls (about S seconds of work) are written into
//! the outbox in one transaction, as an owner would; the three dispatchers share them. In the
//! second scenario one process is killed with SIGKILL a third of the way through.
//!
//! Checked from the simulator's log (`GET /sim/outbound`, instants to the microsecond) and the
//! outbox (which process's worker sent each row, and the pace's slot it held):
//! - the slots the shared pace granted, over all processes: never more than the rate in any
//!   1 s window (the GCRA here allows no burst: one slot every 1/R s);
//! - the sends as the provider took them, for every process and every combination of
//!   processes: the most in any sliding 1 s window. A send leaves some ms after its slot (more
//!   on a machine short of CPU), so a 1 s window at the provider may hold the slots of a window
//!   stretched by the latest send: allowed is the rate times (1 s + that lateness), plus one;
//! - every row sent, none twice, none missing.
//!
//! Prints a Markdown table per scenario; exits non-zero when a check fails.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context as _, bail};
use jiff::{SignedDuration, Timestamp};
use switchboard::db::Db;
use switchboard::telephony::outbox::model::OutboxKind;
use switchboard::telephony::outbox::store::{self, NewSend};
use switchboard::zone::Zone;

#[path = "trials/mod.rs"]
mod trials;

use trials::{Server, Sim, Taken, recipient, wait_until};

const SENDER: &str = "+15005550006";
const PROCESSES: usize = 3;
/// Recipients of calls start here, apart from the texts'.
const FIRST_CALLEE: usize = 500_000;

struct Options {
    binary: String,
    postgres: String,
    seconds: f64,
    text_rate: f64,
    call_rate: f64,
}

fn options() -> anyhow::Result<Options> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: pace_trial BINARY --postgres ADMIN_URL [--seconds S] [--texts-per-second R] [--calls-per-second C]";
    let binary = args.next().context(usage)?;
    let mut o = Options {
        binary,
        postgres: String::new(),
        seconds: 30.0,
        text_rate: 20.0,
        call_rate: 2.0,
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<f64>()
                .with_context(|| format!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--postgres" => o.postgres = value.clone(),
            "--seconds" => o.seconds = number()?,
            "--texts-per-second" => o.text_rate = number()?,
            "--calls-per-second" => o.call_rate = number()?,
            other => bail!("unknown argument {other}"),
        }
    }
    if !o.postgres.starts_with("postgres") {
        bail!("{usage}");
    }
    Ok(o)
}

/// `admin` with its database replaced by `name`.
fn database_url(admin: &str, name: &str) -> anyhow::Result<String> {
    let mut url = url::Url::parse(admin).context("--postgres is not a URL")?;
    url.set_path(name);
    Ok(url.to_string())
}

/// One row of the outbox as the trial reads it back.
#[derive(sqlx::FromRow)]
struct Row {
    kind: String,
    status: String,
    claimed_by: Option<String>,
    provider_sid: Option<String>,
    send_at: Option<i64>,
}

/// What a scenario found, for its table and checks.
struct Outcome {
    lines: Vec<String>,
    failures: Vec<String>,
}

/// A scenario on its own database, dropped afterwards whatever happened.
async fn scenario(o: &Options, kill: bool) -> anyhow::Result<Outcome> {
    let name = format!(
        "switchboard_pace_trial_{}_{}",
        std::process::id(),
        if kill { "kill" } else { "steady" }
    );
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&o.postgres).await?;
    let drop = || sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    sqlx::query(drop()).execute(&mut admin).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await?;
    let outcome = run(o, kill, &database_url(&o.postgres, &name)?).await;
    sqlx::query(drop()).execute(&mut admin).await?;
    outcome
}

async fn run(o: &Options, kill: bool, url: &str) -> anyhow::Result<Outcome> {
    let http = trials::http()?;
    let sim = Sim::start(
        &o.binary,
        &[
            "--messages-per-second",
            "1000",
            "--calls-per-second",
            "1000",
        ],
    )?;
    sim.wait_ready(&http).await?;
    let now = trials::minute_of(Timestamp::now());
    let window = (
        now - SignedDuration::from_hours(1),
        now + SignedDuration::from_hours(2),
    );
    let settings = [
        ("SWITCHBOARD_TEXTS_PER_SECOND", o.text_rate.to_string()),
        ("SWITCHBOARD_CALLS_PER_SECOND", o.call_rate.to_string()),
        // Long enough that a process starved of CPU on a busy machine is not taken for dead
        // (docs/outbox.md: a worker that stalls past its lease may send a row twice).
        ("SWITCHBOARD_OUTBOX_LEASE_SECS", "10".into()),
        (
            "SWITCHBOARD_QUIET_HOURS",
            trials::utc_window(window.0, window.1),
        ),
    ];
    let dirs = (0..PROCESSES)
        .map(|_| tempfile::tempdir())
        .collect::<Result<Vec<_>, _>>()?;
    let mut servers = dirs
        .iter()
        .map(|d| Server::new(&o.binary, d.path(), url, &sim, &settings))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // The first migrates the database; the others start on it.
    servers[0].start(&http).await?;
    let token = servers[0].admin_token()?;
    servers[0].add_number(&http, &token, SENDER).await?;
    for s in &mut servers[1..] {
        s.start(&http).await?;
    }
    let workers: HashMap<String, usize> = servers
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((format!("outbox-{}", s.pid()?), i + 1)))
        .collect();
    let (texts, calls) = (
        (o.text_rate * o.seconds).round() as usize,
        (o.call_rate * o.seconds).round() as usize,
    );
    let db = Db::connect(url).await?;
    let org = enqueue(&db, texts, calls, &servers[0].url("/pace-trial/no-twiml")).await?;
    let load = trials::load();
    let mut killed = None;
    if kill {
        tokio::time::sleep(Duration::from_secs_f64(o.seconds / 3.0)).await;
        servers[1].kill()?;
        killed = Some(Timestamp::now());
    }
    let all_in = wait_until(Duration::from_secs_f64(o.seconds * 3.0 + 30.0), || async {
        sim.outbound(&http)
            .await
            .is_ok_and(|(t, c)| t.len() >= texts && c.len() >= calls)
    })
    .await;
    // Longer than a lease, for a second send of anything to show.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (sent_texts, sent_calls) = sim.outbound(&http).await?;
    let rows: Vec<Row> = {
        let Db::Pg(pool) = &db else {
            bail!("not PostgreSQL")
        };
        sqlx::query_as(
            "SELECT kind, status, claimed_by, provider_sid, send_at FROM outbox WHERE org_id = $1",
        )
        .bind(org)
        .fetch_all(pool)
        .await?
    };
    for s in &mut servers {
        s.kill()?;
    }
    let load = format!("{load} → {}", trials::load());
    let mut outcome = Outcome {
        lines: Vec::new(),
        failures: Vec::new(),
    };
    if all_in.is_err() {
        outcome.failures.push(format!(
            "after the wait the simulator held {} of {texts} texts and {} of {calls} calls",
            sent_texts.len(),
            sent_calls.len()
        ));
    }
    let title = if kill {
        "one process killed (SIGKILL)"
    } else {
        "three processes"
    };
    outcome.lines.push(format!(
        "### {title}: {texts} texts at {}/s, {calls} calls at {}/s; load {load}",
        o.text_rate, o.call_rate
    ));
    if let (Some(at), Some(first)) = (killed, sent_texts.iter().map(|t| t.created).min()) {
        outcome.lines.push(format!(
            "process 2 killed {:.1} s after the first send",
            at.duration_since(first).as_secs_f64()
        ));
    }
    let kinds = [
        ("texts", "text", o.text_rate, &sent_texts),
        ("calls", "call", o.call_rate, &sent_calls),
    ];
    check(&mut outcome, &kinds, &rows, &workers, (texts, calls));
    Ok(outcome)
}

/// Writes the trial's texts and calls into the outbox in one transaction; the organisation.
async fn enqueue(
    db: &Db,
    texts: usize,
    calls: usize,
    call_url: &str,
) -> anyhow::Result<switchboard::ids::OrgId> {
    let org = switchboard::accounts::store::find_org_by_slug(db, "default")
        .await?
        .context("no default organisation")?
        .id;
    let (now, utc) = (Timestamp::now().as_millisecond(), Zone::utc());
    let mut tx = db.write().await?;
    for i in 0..texts + calls {
        let (kind, to, body, url) = if i < texts {
            (
                OutboxKind::Text,
                recipient(i),
                Some(format!("Pace trial text {i}")),
                None,
            )
        } else {
            (
                OutboxKind::Call,
                recipient(FIRST_CALLEE + i),
                None,
                Some(call_url),
            )
        };
        let key = format!("pace-{i}");
        let send = NewSend {
            org,
            owner_kind: "pace-trial",
            owner_id: None,
            key: &key,
            kind,
            recipient: &to,
            sender: SENDER,
            body: body.as_deref(),
            call_url: url,
            earliest_at: now,
            latest_at: None,
            recipient_zone: Some(&utc),
            fallback_zone: &utc,
            waits_for_window: true,
        };
        store::enqueue(&mut tx, &send, now).await?;
    }
    tx.commit().await?;
    Ok(org)
}

/// Every non-empty combination of the processes 1..=PROCESSES, as lists.
fn combinations() -> Vec<Vec<usize>> {
    (1..1u32 << PROCESSES)
        .map(|mask| {
            (0..PROCESSES)
                .filter(|p| mask & (1 << p) != 0)
                .map(|p| p + 1)
                .collect()
        })
        .collect()
}

type Kind<'a> = (&'a str, &'a str, f64, &'a Vec<Taken>);

fn check(
    outcome: &mut Outcome,
    kinds: &[Kind<'_>],
    rows: &[Row],
    workers: &HashMap<String, usize>,
    asked: (usize, usize),
) {
    let second = SignedDuration::from_secs(1);
    // Which process sent each SID (by its worker, outbox-<pid>), and each row's slot.
    let by_sid: HashMap<&str, &Row> = rows
        .iter()
        .filter_map(|r| Some((r.provider_sid.as_deref()?, r)))
        .collect();
    let process = |sid: &str| {
        by_sid
            .get(sid)
            .and_then(|r| r.claimed_by.as_deref())
            .and_then(|w| workers.get(w).copied())
    };
    // How late after its slot the latest send of each kind went, in seconds.
    let latest = |kind: &str, taken: &[Taken]| {
        taken
            .iter()
            .filter_map(|t| {
                let row = by_sid.get(t.sid.as_str())?;
                (row.kind == kind).then_some(t.created.as_millisecond() - row.send_at?)
            })
            .max()
            .unwrap_or(0)
            .max(0) as f64
            / 1000.0
    };
    let mut header = String::from("| processes |");
    let mut rule = String::from("| --- |");
    for (name, _, rate, _) in kinds {
        header.push_str(&format!(
            " {name} sent | most {name} in any 1 s (rate {rate}) |"
        ));
        rule.push_str(" --- | --- |");
    }
    outcome.lines.push(header);
    outcome.lines.push(rule);
    for combo in combinations() {
        let label = match combo.len() {
            1 => format!("process {}", combo[0]),
            n if n == PROCESSES => "all three".to_string(),
            _ => combo
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(" + "),
        };
        let mut line = format!("| {label} |");
        for (name, kind, rate, taken) in kinds {
            let mut times: Vec<Timestamp> = taken
                .iter()
                .filter(|t| process(&t.sid).is_some_and(|p| combo.contains(&p)))
                .map(|t| t.created)
                .collect();
            times.sort();
            let most = trials::most_in_window(&times, second).0;
            line.push_str(&format!(" {} | {most} |", times.len()));
            let allowed = (rate * (1.0 + latest(kind, taken))).ceil() as usize + 1;
            if most > allowed {
                outcome.failures.push(format!(
                    "{label}: {most} {name} in 1 s, more than {allowed}"
                ));
            }
        }
        outcome.lines.push(line);
    }
    for (name, kind, rate, taken) in kinds {
        let unattributed = taken.iter().filter(|t| process(&t.sid).is_none()).count();
        let mut slots: Vec<Timestamp> = rows
            .iter()
            .filter(|r| r.kind == *kind)
            .filter_map(|r| r.send_at)
            .filter_map(|ms| Timestamp::from_millisecond(ms).ok())
            .collect();
        slots.sort();
        let most_slots = trials::most_in_window(&slots, second).0;
        let mut late: Vec<f64> = taken
            .iter()
            .filter_map(|t| {
                let slot = by_sid.get(t.sid.as_str())?.send_at?;
                Some((t.created.as_millisecond() - slot) as f64)
            })
            .collect();
        late.sort_by(f64::total_cmp);
        let counts = trials::count_by_recipient(taken);
        let twice = counts.values().filter(|&&c| c > 1).count();
        let want = if *kind == "text" { asked.0 } else { asked.1 };
        let unsent = rows
            .iter()
            .filter(|r| r.kind == *kind && r.status != "sent")
            .count();
        outcome.lines.push(format!(
            "{name}: {} of {want} taken by the provider, {twice} recipients twice, {unsent} rows not sent, {unattributed} not traced to a process; \
             the pace's slots: most in any 1 s {most_slots} ({} of {} rows held one); sent after their slot by ms p50 {:.0} / p99 {:.0} / max {:.0}",
            taken.len(),
            slots.len(),
            rows.iter().filter(|r| r.kind == *kind).count(),
            trials::percentile(&late, 50.0),
            trials::percentile(&late, 99.0),
            late.last().copied().unwrap_or(0.0),
        ));
        for (to, _) in counts.iter().filter(|(_, c)| **c > 1) {
            for t in taken.iter().filter(|t| &t.to == to) {
                let row = by_sid.get(t.sid.as_str());
                outcome.lines.push(format!(
                    "  {name} to {to} twice: {} at {}, outbox row: {}",
                    t.sid,
                    t.created,
                    row.map_or("none holds this SID".to_string(), |r| format!(
                        "{} by {:?}, slot {:?}",
                        r.status, r.claimed_by, r.send_at
                    ))
                ));
            }
        }
        if most_slots > rate.ceil() as usize {
            outcome
                .failures
                .push(format!("the pace granted {most_slots} {name} slots in 1 s"));
        }
        if twice > 0 || unsent > 0 || taken.len() != want || counts.len() != want {
            outcome.failures.push(format!(
                "{name}: {} taken, {} recipients, {twice} twice, {unsent} not sent, of {want}",
                taken.len(),
                counts.len()
            ));
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    switchboard::services::install_crypto_provider();
    let o = options()?;
    let mut failures = Vec::new();
    for kill in [false, true] {
        let outcome = scenario(&o, kill).await?;
        println!("{}\n", outcome.lines.join("\n"));
        failures.extend(outcome.failures);
    }
    if !failures.is_empty() {
        bail!("{}", failures.join("; "));
    }
    println!(
        "no process or combination of processes went over the shared rate; every row was sent once"
    );
    Ok(())
}
