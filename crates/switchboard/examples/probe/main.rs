//! Replays issue 14's attacks against a running `switchboard serve --demo` and prints a table
//! per item: probes tried, refused correctly, accepted wrongly, answered with a 5xx. Exits 1
//! when any probe was accepted wrongly, answered 5xx or could not run.
//!
//!   probe --url http://127.0.0.1:PORT --binary PATH
//!
//! `scripts/probe` starts the server and runs this; the environment is the server's
//! (TWILIO_AUTH_TOKEN, SWITCHBOARD_ADMIN_PASSWORD, SWITCHBOARD_METRICS_TOKEN, the
//! SWITCHBOARD_HTTP_* limits, the data directory), because the probe sets up organisation B
//! with `PATH org create`, `user create` and `token create` against the same database.
//! What each item checks: docs/security.md.

mod accounts;
mod http;
mod input;
mod leaks;
mod replay;
mod report;
mod server;
mod setup;
mod signin;
mod webhooks;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};

use report::Report;

struct Args {
    url: String,
    binary: PathBuf,
}

fn parse_args() -> Result<Args> {
    let mut url = None;
    let mut binary = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--url" => url = args.next(),
            "--binary" => binary = args.next().map(PathBuf::from),
            other => bail!("unknown argument '{other}'; usage: probe --url URL --binary PATH"),
        }
    }
    Ok(Args {
        url: url
            .context("--url is required")?
            .trim_end_matches('/')
            .to_string(),
        binary: binary.context("--binary is required")?,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    switchboard::app::install_crypto_provider();
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("probe: {e:#}");
            return ExitCode::from(2);
        }
    };
    println!(
        "Setting up organisation B (CLI) and sessions against {}",
        args.url
    );
    let ctx = match setup::prepare(&args.url, &args.binary).await {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("probe: set-up failed: {e:#}");
            return ExitCode::from(2);
        }
    };
    let mut report = Report::default();
    let r = &mut report;
    heading(1);
    webhooks::run(&ctx, r).await;
    heading(2);
    accounts::shadowing(&ctx, r).await;
    heading(3);
    accounts::owner(&ctx, r).await;
    heading(4);
    server::run(&ctx, r).await;
    heading(5);
    signin::run(&ctx, r).await;
    heading(6);
    input::run(&ctx, r).await;
    heading(7);
    leaks::run(&ctx, r).await;
    heading(8);
    replay::run(&ctx, r).await;
    println!("\n{}", report.table());
    if report.all_held() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn heading(item: usize) {
    println!("\nItem {}", report::ITEMS[item - 1]);
}
