//! `switchboard sim ...`: run the simulator alone, or place a call or a text on a running one.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::behaviour::Scenario;
use crate::sim::{SimConfig, Simulator};

/// The simulator's commands.
#[derive(Debug, clap::Subcommand)]
pub enum SimCommand {
    /// Run a Twilio-compatible simulator: point a Twilio client's base URL at it.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8089")]
        listen: SocketAddr,
        /// The account SID clients authenticate with.
        #[arg(
            long,
            env = "SIM_ACCOUNT_SID",
            default_value = "AC00000000000000000000000000000000"
        )]
        account_sid: String,
        /// The auth token clients authenticate with; it also signs every webhook.
        #[arg(
            long,
            env = "SIM_AUTH_TOKEN",
            default_value = "00000000000000000000000000000000",
            hide_env_values = true
        )]
        auth_token: String,
        /// Run rings, speech and waits this many times faster than real time.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Outbound calls leaving per (virtual) second; more are queued, never refused.
        #[arg(long, default_value_t = 1.0)]
        calls_per_second: f64,
        /// Texts leaving per (virtual) second per sender number.
        #[arg(long, default_value_t = 1.0)]
        messages_per_second: f64,
        /// Seed for the behaviour of numbers the scenario does not script.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Scenario file (TOML or JSON) scripting the people behind numbers.
        #[arg(long)]
        scenario: Option<PathBuf>,
    },
    /// Call one of the simulator's numbers as a scripted caller, wait for the end, print the
    /// transcript.
    Call {
        /// The running simulator, e.g. http://127.0.0.1:8089.
        #[arg(long)]
        sim_url: String,
        /// The caller's number.
        #[arg(long)]
        from: String,
        /// The account's number to call (registered with a voice URL).
        #[arg(long)]
        to: String,
        /// Digits the caller presses, one comma-separated entry per <Gather> (e.g. "1,2").
        #[arg(long)]
        press: Option<String>,
    },
    /// Text one of the simulator's numbers and print the message SID.
    Text {
        /// The running simulator, e.g. http://127.0.0.1:8089.
        #[arg(long)]
        sim_url: String,
        /// The sender's number.
        #[arg(long)]
        from: String,
        /// The account's number to text (registered with an SMS URL).
        #[arg(long)]
        to: String,
        /// What the text says.
        #[arg(long)]
        body: String,
    },
}

/// Runs a simulator command to completion (`serve` runs until Ctrl-C).
pub async fn run(cmd: SimCommand) -> anyhow::Result<()> {
    match cmd {
        SimCommand::Serve {
            listen,
            account_sid,
            auth_token,
            speed,
            calls_per_second,
            messages_per_second,
            seed,
            scenario,
        } => {
            let scenario = match scenario {
                Some(path) => Scenario::load(&path)?,
                None => Scenario::default(),
            };
            let cfg = SimConfig {
                account_sid,
                auth_token,
                speed,
                calls_per_second,
                messages_per_second,
                seed,
                scenario,
            };
            let (_sim, server) = Simulator::bind(cfg, listen)
                .await
                .with_context(|| format!("listening on {listen}"))?;
            println!("Twilio simulator listening on {}", server.base_url());
            tokio::signal::ctrl_c()
                .await
                .context("waiting for Ctrl-C")?;
            server.shutdown().await;
            Ok(())
        }
        SimCommand::Call {
            sim_url,
            from,
            to,
            press,
        } => {
            let http = client()?;
            let base = sim_url.trim_end_matches('/');
            let mut body = json!({ "from": from, "to": to });
            if let Some(press) = press {
                let entries: Vec<&str> = press.split(',').map(str::trim).collect();
                body["behaviour"] = json!({ "press": entries, "answer_after_secs": 0 });
            }
            let sid = post_json(&http, &format!("{base}/sim/calls"), &body).await?;
            println!("{sid}");
            let status = wait_for_end(&http, base, &sid).await?;
            let transcript: Value = http
                .get(format!("{base}/sim/calls/{sid}/transcript"))
                .send()
                .await?
                .json()
                .await?;
            for event in transcript["events"].as_array().into_iter().flatten() {
                println!("{}", summarise(event));
            }
            println!("final status: {status}");
            Ok(())
        }
        SimCommand::Text {
            sim_url,
            from,
            to,
            body,
        } => {
            let http = client()?;
            let base = sim_url.trim_end_matches('/');
            let sid = post_json(
                &http,
                &format!("{base}/sim/messages"),
                &json!({ "from": from, "to": to, "body": body }),
            )
            .await?;
            println!("{sid}");
            Ok(())
        }
    }
}

fn client() -> anyhow::Result<reqwest::Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .context("building an HTTP client")
}

async fn post_json(http: &reqwest::Client, url: &str, body: &Value) -> anyhow::Result<String> {
    let response = http
        .post(url)
        .json(body)
        .send()
        .await
        .with_context(|| format!("POST {url}"))?;
    let status = response.status();
    let answer: Value = response
        .json()
        .await
        .with_context(|| format!("reading the answer of POST {url}"))?;
    if !status.is_success() {
        bail!(
            "{url} answered {status}: {}",
            answer["error"]["message"].as_str().unwrap_or("no message")
        );
    }
    answer["sid"]
        .as_str()
        .map(str::to_owned)
        .context("the answer has no sid")
}

async fn wait_for_end(http: &reqwest::Client, base: &str, sid: &str) -> anyhow::Result<String> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3600) {
        let state: Value = http
            .get(format!("{base}/sim/calls/{sid}"))
            .send()
            .await?
            .json()
            .await?;
        if state["final"].as_bool() == Some(true) {
            return Ok(state["status"].as_str().unwrap_or("unknown").to_owned());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("call {sid} did not end within an hour")
}

fn summarise(event: &Value) -> String {
    let at = event["at"].as_str().unwrap_or_default();
    let what = match event["type"].as_str().unwrap_or_default() {
        "status" => format!("status {}", event["status"].as_str().unwrap_or_default()),
        "fetch" => format!(
            "fetch {} {} → {}",
            event["method"].as_str().unwrap_or_default(),
            event["url"].as_str().unwrap_or_default(),
            event["status"]
        ),
        "verb" => format!(
            "<{}> {}",
            event["verb"].as_str().unwrap_or_default(),
            event["detail"].as_str().unwrap_or_default()
        ),
        "digits" => format!("pressed {}", event["digits"]),
        "dial" => format!(
            "dialled {} as {}",
            event["to"].as_str().unwrap_or_default(),
            event["child_sid"].as_str().unwrap_or_default()
        ),
        "callback" => format!(
            "callback {} → {}",
            event["url"].as_str().unwrap_or_default(),
            event["status"]
        ),
        "error" => format!(
            "error {}: {}",
            event["code"],
            event["message"].as_str().unwrap_or_default()
        ),
        other => other.to_owned(),
    };
    format!("{at} {what}")
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: super::SimCommand,
    }

    #[test]
    fn the_commands_are_well_formed_and_parse_their_flags() {
        Cli::command().debug_assert();
        let cli = Cli::parse_from([
            "sim",
            "call",
            "--sim-url",
            "http://x",
            "--from",
            "+1",
            "--to",
            "+2",
            "--press",
            "1,2",
        ]);
        assert!(
            matches!(cli.command, super::SimCommand::Call { press: Some(p), .. } if p == "1,2")
        );
    }
}
