//! The scene every probe plays in: the demo's organisation A (`default`, its owner and its
//! lines), and a second organisation B made with the CLI as an operator would (an admin, an
//! owner, people to attack, API tokens), plus a line and two volunteers of B's own.

use std::path::Path;

use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};

use crate::http::{Api, Twilio, Web, client};

/// A's owner, created by `serve` on an empty database (password: SWITCHBOARD_ADMIN_PASSWORD).
pub const A_OWNER: &str = "admin@localhost";
pub const B_SLUG: &str = "probe-b";
pub const B_ADMIN: &str = "admin@probe-b.example";
pub const B_OWNER: &str = "owner@probe-b.example";
/// Whose email organisation A copies (item 2).
pub const B_VICTIM: &str = "victim@probe-b.example";
/// Who changes their password with another session open (item 5).
pub const B_MOVER: &str = "mover@probe-b.example";
/// Who signs in with forged origins (item 5).
pub const B_VISITOR: &str = "visitor@probe-b.example";
/// Real accounts whose wrong passwords are timed (item 5).
pub const B_TIMED: [&str; 2] = ["timed.one@probe-b.example", "timed.two@probe-b.example"];
/// The name of B's owner's API token (item 3 tries to revoke it).
pub const B_OWNER_TOKEN: &str = "probe-b-owner";

/// The demo's ladder and shift lines (README, "Demo data").
pub const A_LADDER_NUMBER: &str = "+15005550100";
pub const A_COMMUNITY_NUMBER: &str = "+15005550200";
/// Organisation `default` is the first organisation of an empty database.
pub const A_ORG_ID: i64 = 1;
pub const B_LINE_NUMBER: &str = "+15005550300";
/// The account SID put in webhooks (the server does not check it).
pub const ACCOUNT_SID: &str = "AC00000000000000000000000000000000";

/// The server's limits as the probe run configures them (issue 14's decisions, item 4).
pub struct Limits {
    pub header_secs: u64,
    pub body_secs: u64,
    pub idle_secs: u64,
    pub max_connections: usize,
}

pub struct Ctx {
    pub base: String,
    pub addr: std::net::SocketAddr,
    pub twilio: Twilio,
    /// The installation's Twilio auth token (TWILIO_AUTH_TOKEN), which signs A's webhooks.
    pub install_token: String,
    pub metrics_token: String,
    pub limits: Limits,
    pub a_owner_password: String,
    /// Every B person's password.
    pub b_password: String,
    pub a: Api,
    pub b: Api,
    pub a_web: Web,
    pub b_web: Web,
    pub a_ladder: i64,
    pub b_line: i64,
    pub b_volunteers: [i64; 2],
    pub b_owner: i64,
}

fn env(name: &str) -> Result<String> {
    std::env::var(name).with_context(|| format!("{name} must be set (scripts/probe sets it)"))
}

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `binary` with `args` (and `stdin`), in the probe's environment, which is the
/// server's; returns standard output.
async fn cli(binary: &Path, args: &[&str], stdin: Option<&str>) -> Result<String> {
    use tokio::io::AsyncWriteExt as _;
    let mut cmd = tokio::process::Command::new(binary);
    cmd.args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(stdin.unwrap_or("").as_bytes()).await?;
    }
    let out = child.wait_with_output().await?;
    if !out.status.success() {
        bail!(
            "switchboard {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn user(binary: &Path, email: &str, role: &str, password: &str) -> Result<()> {
    let args = [
        "user",
        "create",
        "--org",
        B_SLUG,
        "--email",
        email,
        "--role",
        role,
        "--password-stdin",
    ];
    cli(binary, &args, Some(&format!("{password}\n"))).await?;
    Ok(())
}

async fn token(binary: &Path, org: &str, name: &str, role: &str) -> Result<String> {
    let out = cli(
        binary,
        &[
            "token", "create", "--org", org, "--name", name, "--role", role,
        ],
        None,
    )
    .await?;
    out.lines()
        .last()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .context("token create printed no token")
}

/// The id of the element of the JSON array `list` whose `key` is `value`.
pub fn id_where(list: &Value, key: &str, value: &str) -> Result<i64> {
    list.as_array()
        .and_then(|items| items.iter().find(|x| x[key].as_str() == Some(value)))
        .and_then(|x| x["id"].as_i64())
        .with_context(|| format!("nothing with {key} = {value}"))
}

pub async fn prepare(base: &str, binary: &Path) -> Result<Ctx> {
    let addr = base
        .trim_start_matches("http://")
        .parse()
        .context("--url must be http://IP:PORT")?;
    let b_password = "probe-b-password-1".to_string();
    cli(
        binary,
        &["org", "create", "--slug", B_SLUG, "--name", "Probe B"],
        None,
    )
    .await?;
    let users = [
        (B_ADMIN, "admin"),
        (B_OWNER, "owner"),
        (B_VICTIM, "admin"),
        (B_MOVER, "admin"),
        (B_VISITOR, "viewer"),
        (B_TIMED[0], "viewer"),
        (B_TIMED[1], "viewer"),
    ];
    for (email, role) in users {
        user(binary, email, role, &b_password).await?;
    }
    let a = Api::new(
        base,
        &token(binary, "default", "probe-a-admin", "admin").await?,
    );
    let b = Api::new(
        base,
        &token(binary, B_SLUG, "probe-b-admin", "admin").await?,
    );
    token(binary, B_SLUG, B_OWNER_TOKEN, "owner").await?;
    let a_owner_password = env("SWITCHBOARD_ADMIN_PASSWORD")?;
    let a_web = Web::sign_in(base, "127.0.0.1", A_OWNER, &a_owner_password).await?;
    let b_web = Web::sign_in(base, "127.0.0.1", B_ADMIN, &b_password).await?;
    let a_lines = a.read("/api/v1/hotline/lines").await?;
    let b_people = b.read("/api/v1/people").await?;
    let b_line = b
        .create(
            "/api/v1/hotline/lines",
            &json!({ "name": "Probe B line", "kind": "shift", "phone_number": B_LINE_NUMBER }),
        )
        .await?;
    let mut b_volunteers = [0; 2];
    for (i, v) in b_volunteers.iter_mut().enumerate() {
        let person = json!({ "name": format!("Probe Volunteer {i}"),
            "phone": format!("+1500555031{i}"), "role": "agent" });
        *v = b.create("/api/v1/people", &person).await?["id"]
            .as_i64()
            .context("person id")?;
    }
    Ok(Ctx {
        base: base.to_string(),
        addr,
        twilio: Twilio {
            client: client("127.0.0.1"),
            base: base.to_string(),
        },
        install_token: env("TWILIO_AUTH_TOKEN")?,
        metrics_token: env("SWITCHBOARD_METRICS_TOKEN")?,
        limits: Limits {
            header_secs: env_num("SWITCHBOARD_HTTP_HEADER_TIMEOUT_SECS", 10),
            body_secs: env_num("SWITCHBOARD_HTTP_BODY_TIMEOUT_SECS", 30),
            idle_secs: env_num("SWITCHBOARD_HTTP_IDLE_TIMEOUT_SECS", 60),
            max_connections: env_num("SWITCHBOARD_HTTP_MAX_CONNECTIONS", 1024),
        },
        a_owner_password,
        b_password,
        a_ladder: id_where(&a_lines, "phone_number", A_LADDER_NUMBER)?,
        b_line: b_line["id"].as_i64().context("line id")?,
        b_volunteers,
        b_owner: id_where(&b_people, "email", B_OWNER)?,
        a,
        b,
        a_web,
        b_web,
    })
}
