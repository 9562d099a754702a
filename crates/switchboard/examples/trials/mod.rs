//! What the outbox's trials and benchmarks share (`outbox_crash_trials`, `outbox_rate_bench`,
//! `pace_trial`): a standalone simulator (`switchboard sim serve`) as the provider, live-mode
//! servers pointed at it, the simulator's log of what it was sent, and the arithmetic over that
//! log (rate, the most in any sliding window, duplicates). Each example includes this module
//! with `#[path = "trials/mod.rs"]`; it is not an example of its own.

#![allow(dead_code)] // each example uses its own share of it

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use jiff::{SignedDuration, Timestamp};

pub const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
pub const TOKEN: &str = "0123456789abcdef0123456789abcdef";

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

pub fn http() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?)
}

/// Polls `ready` every 50 ms until it holds or `limit` passes.
pub async fn wait_until<F, Fut>(limit: Duration, ready: F) -> anyhow::Result<()>
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

/// One text or call the simulator took, with the instant it took it.
#[derive(Clone, Debug)]
pub struct Taken {
    pub sid: String,
    pub from: String,
    pub to: String,
    pub body: String,
    pub created: Timestamp,
}

/// A standalone simulator on loopback, killed when dropped.
pub struct Sim {
    pub url: String,
    child: Child,
}

impl Sim {
    /// `BINARY sim serve` with the trials' account, and `args` (rates, speed).
    pub fn start(binary: &str, args: &[&str]) -> anyhow::Result<Sim> {
        let port = free_port()?;
        let listen = format!("127.0.0.1:{port}");
        let child = Command::new(binary)
            .args(["sim", "serve", "--listen", &listen])
            .args(["--account-sid", ACCOUNT, "--auth-token", TOKEN])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting the simulator")?;
        Ok(Sim {
            url: format!("http://{listen}"),
            child,
        })
    }

    pub async fn wait_ready(&self, http: &reqwest::Client) -> anyhow::Result<()> {
        wait_until(Duration::from_secs(30), || async {
            http.get(format!("{}/sim/outbound", self.url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await
        .context("the simulator never answered")
    }

    /// Everything clients sent it so far: texts and calls, each in the order taken.
    pub async fn outbound(
        &self,
        http: &reqwest::Client,
    ) -> anyhow::Result<(Vec<Taken>, Vec<Taken>)> {
        let log: serde_json::Value = http
            .get(format!("{}/sim/outbound", self.url))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let list = |name: &str| -> anyhow::Result<Vec<Taken>> {
            let field = |v: &serde_json::Value, f: &str| v[f].as_str().unwrap_or("").to_string();
            log[name]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| {
                    Ok(Taken {
                        sid: field(v, "sid"),
                        from: field(v, "from"),
                        to: field(v, "to"),
                        body: field(v, "body"),
                        created: field(v, "created").parse().context("a bad instant")?,
                    })
                })
                .collect()
        };
        Ok((list("messages")?, list("calls")?))
    }

    /// Texts it took, by recipient.
    pub async fn texts_by_recipient(
        &self,
        http: &reqwest::Client,
    ) -> anyhow::Result<HashMap<String, usize>> {
        let (texts, _) = self.outbound(http).await?;
        Ok(count_by_recipient(&texts))
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `switchboard serve` in live mode pointed at a simulator, with its own port and data
/// folder; started, killed (SIGKILL) and started again at will; killed when dropped.
pub struct Server {
    binary: String,
    pub port: u16,
    env: Vec<(String, String)>,
    child: Option<Child>,
}

impl Server {
    /// A server on `database_url` (SQLite or PostgreSQL) with the trials' account, errors-only
    /// logs, and `extra` settings (`SWITCHBOARD_TEXTS_PER_SECOND`, ...).
    pub fn new(
        binary: &str,
        data_dir: &Path,
        database_url: &str,
        sim: &Sim,
        extra: &[(&str, String)],
    ) -> anyhow::Result<Server> {
        let port = free_port()?;
        let data = data_dir.display().to_string();
        let mut env: Vec<(String, String)> = [
            ("SWITCHBOARD_LISTEN", format!("127.0.0.1:{port}")),
            ("SWITCHBOARD_PUBLIC_URL", format!("http://127.0.0.1:{port}")),
            ("SWITCHBOARD_DATA_DIR", data),
            ("DATABASE_URL", database_url.to_string()),
            ("SWITCHBOARD_TELEPHONY", "live".into()),
            ("TWILIO_ACCOUNT_SID", ACCOUNT.into()),
            ("TWILIO_AUTH_TOKEN", TOKEN.into()),
            ("TWILIO_API_BASE_URL", sim.url.clone()),
            (
                "SWITCHBOARD_ADMIN_PASSWORD",
                "outbox-trials-password".into(),
            ),
            ("RUST_LOG", "error".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
        Ok(Server {
            binary: binary.to_string(),
            port,
            env,
            child: None,
        })
    }

    /// The binary with this server's settings, for a CLI command (`token create`, ...).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.binary);
        c.args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The process's id while it runs: its outbox worker is `outbox-<pid>`.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Starts `serve` and waits for `/readyz`.
    pub async fn start(&mut self, http: &reqwest::Client) -> anyhow::Result<()> {
        self.child = Some(
            self.command(&["serve"])
                .spawn()
                .context("starting switchboard serve")?,
        );
        wait_until(Duration::from_secs(60), || async {
            http.get(self.url("/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await
        .context("the server never became ready")
    }

    /// SIGKILL, as a crash would.
    pub fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// A new admin token of the default organisation, from `switchboard token create`.
    pub fn admin_token(&self) -> anyhow::Result<String> {
        let out = self
            .command(&[
                "token", "create", "--org", "default", "--name", "trials", "--role", "admin",
            ])
            .stdout(Stdio::piped())
            .output()?;
        if !out.status.success() {
            bail!("switchboard token create failed: {}", out.status);
        }
        Ok(String::from_utf8(out.stdout)?
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .to_string())
    }

    /// Gives the default organisation the number `e164` (`POST /api/v1/phone-numbers`).
    pub async fn add_number(
        &self,
        http: &reqwest::Client,
        token: &str,
        e164: &str,
    ) -> anyhow::Result<()> {
        let added = http
            .post(self.url("/api/v1/phone-numbers"))
            .bearer_auth(token)
            .json(&serde_json::json!({ "e164": e164 }))
            .send()
            .await?;
        if !added.status().is_success() {
            bail!("adding the number {e164}: {}", added.status());
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

/// The i-th of the trials' recipients: +1415555 and four digits, then +1415556... past 9,999.
pub fn recipient(i: usize) -> String {
    format!("+1415{:07}", 5_550_000 + i)
}

pub fn count_by_recipient(taken: &[Taken]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for t in taken {
        *counts.entry(t.to.clone()).or_insert(0) += 1;
    }
    counts
}

/// Sends a second from the first to the last of `times` (sorted): (n - 1) / span.
pub fn achieved_rate(times: &[Timestamp]) -> f64 {
    match (times.first(), times.last()) {
        (Some(first), Some(last)) if times.len() > 1 && last > first => {
            (times.len() - 1) as f64 / last.duration_since(*first).as_secs_f64()
        }
        _ => 0.0,
    }
}

/// The most of `times` (sorted) in any half-open window `[t, t + window)`, and where that
/// window starts: every window that holds the most starts at one of the times.
pub fn most_in_window(times: &[Timestamp], window: SignedDuration) -> (usize, Option<Timestamp>) {
    let (mut most, mut at, mut end) = (0, None, 0);
    for (start, t) in times.iter().enumerate() {
        let limit = t.checked_add(window).unwrap_or(Timestamp::MAX);
        while end < times.len() && times[end] < limit {
            end += 1;
        }
        if end - start > most {
            most = end - start;
            at = Some(*t);
        }
    }
    (most, at)
}

/// Gaps between consecutive `times` (sorted), in milliseconds, sorted.
pub fn gaps_ms(times: &[Timestamp]) -> Vec<f64> {
    let mut gaps: Vec<f64> = times
        .windows(2)
        .map(|w| w[1].duration_since(w[0]).as_secs_f64() * 1000.0)
        .collect();
    gaps.sort_by(f64::total_cmp);
    gaps
}

/// The `p`-th percentile (0-100) of sorted `values`.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * (values.len() - 1) as f64).round() as usize;
    values[i.min(values.len() - 1)]
}

/// The machine's load averages, as `uptime` shows them.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// An `HH:MM-HH:MM` window in UTC (`SWITCHBOARD_QUIET_HOURS` for recipients in UTC) that
/// opens at `opens` and closes at `closes`, both whole minutes.
pub fn utc_window(opens: Timestamp, closes: Timestamp) -> String {
    let hm = |t: Timestamp| {
        t.to_zoned(jiff::tz::TimeZone::UTC)
            .strftime("%H:%M")
            .to_string()
    };
    format!("{}-{}", hm(opens), hm(closes))
}

/// The start of the minute `t` is in.
pub fn minute_of(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second() - t.as_second().rem_euclid(60)).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millisecond(1_800_000_000_000 + ms).unwrap()
    }

    #[test]
    fn the_most_in_a_window_counts_a_half_open_second_from_each_send() {
        let times: Vec<Timestamp> = [0, 500, 999, 1000, 1400, 1450, 3000].map(at).to_vec();
        let (most, from) = most_in_window(&times, SignedDuration::from_secs(1));
        // [500, 1500) holds 500, 999, 1000, 1400, 1450; [0, 1000) only three.
        assert_eq!((most, from), (5, Some(at(500))));
        assert_eq!(most_in_window(&[], SignedDuration::from_secs(1)), (0, None));
    }

    #[test]
    fn the_rate_runs_from_the_first_send_to_the_last() {
        let times: Vec<Timestamp> = (0..101).map(|i| at(i * 10)).collect();
        assert!((achieved_rate(&times) - 100.0).abs() < 1e-9);
        assert_eq!(achieved_rate(&times[..1]), 0.0);
        assert_eq!(gaps_ms(&times[..3]), [10.0, 10.0]);
    }
}
