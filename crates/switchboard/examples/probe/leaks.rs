//! Item 7: smaller leaks. B's user opens the log of A's simulated call (404 expected);
//! `/metrics` is read without or with a wrong token while SWITCHBOARD_METRICS_TOKEN is set
//! (401/403 expected); made-up HTTP methods must add no label series; taking a number A uses
//! must answer a 4xx that does not say the number is in use.

use anyhow::{Context as _, Result, bail};
use reqwest::Method;
use serde_json::{Value, json};

use crate::http::{Answer, send};
use crate::report::{Check, Report};
use crate::setup::{A_COMMUNITY_NUMBER, A_LADDER_NUMBER, Ctx};

/// Words by which an answer tells that someone already has the number.
const REVEALING: [&str; 7] = [
    "already",
    "another",
    "serves",
    "in use",
    "used by",
    "taken",
    "belongs to",
];

pub async fn run(ctx: &Ctx, report: &mut Report) {
    report.record(
        7,
        "B's user opens the simulator's log of A's call",
        calls_log(ctx).await,
    );
    let metrics = format!("{}/metrics", ctx.base);
    let anonymous = send(ctx.twilio.client.get(&metrics)).await;
    report.record(
        7,
        "/metrics without a token while SWITCHBOARD_METRICS_TOKEN is set",
        anonymous.map(|a| Check::status_in(&a, &[401, 403])),
    );
    let wrong = send(ctx.twilio.client.get(&metrics).bearer_auth("not-the-token")).await;
    report.record(
        7,
        "/metrics with a wrong token",
        wrong.map(|a| Check::status_in(&a, &[401, 403])),
    );
    report.record(
        7,
        "100 made-up HTTP methods on a known route add method labels",
        made_up_methods(ctx, "/healthz", "PROBE").await,
    );
    report.record(
        7,
        "100 made-up HTTP methods on unknown paths add label series",
        made_up_methods(ctx, "/no-such-page", "ZAP").await,
    );
    let number = |e164: &str| json!({ "e164": e164, "friendly_name": "Ours now" });
    let taken = ctx
        .b
        .post("/api/v1/phone-numbers", &number(A_LADDER_NUMBER))
        .await;
    report.record(
        7,
        "B registers A's number (API)",
        taken.map(|a| discreet(&a)),
    );
    let line = json!({ "name": "Copy", "kind": "shift", "phone_number": A_LADDER_NUMBER });
    let taken = ctx.b.post("/api/v1/hotline/lines", &line).await;
    report.record(
        7,
        "B makes a line on A's number (API)",
        taken.map(|a| discreet(&a)),
    );
    let fields = [("e164", A_COMMUNITY_NUMBER), ("friendly_name", "Ours now")];
    let taken = ctx.b_web.post("/settings/numbers", &fields).await;
    report.record(
        7,
        "B adds A's number in Settings (dashboard)",
        taken.map(|a| discreet(&a)),
    );
}

/// A 4xx whose message does not tell that the number is someone's.
fn discreet(a: &Answer) -> Check {
    let message = a.error_message().to_lowercase();
    let told = REVEALING.iter().find(|w| message.contains(*w));
    let check = Check::judge(a, (400..500).contains(&a.status) && told.is_none());
    match told {
        Some(w) if check.verdict != crate::report::Verdict::ServerError => {
            Check::failed(format!("{} (says \"{w}\")", a.brief()))
        }
        _ => check,
    }
}

/// A's owner places a simulated call from the dashboard; B's admin asks for its log.
async fn calls_log(ctx: &Ctx) -> Result<Check> {
    let placed = ctx
        .a_web
        .post(&format!("/hotline/lines/{}/simulate", ctx.a_ladder), &[])
        .await?;
    let to = placed
        .header("location")
        .with_context(|| format!("simulate answered {}", placed.brief()))?;
    let sid = match to.strip_prefix("/hotline/calls/") {
        Some(sid) => sid.to_string(),
        None => {
            let id = to
                .strip_prefix("/hotline/incidents/")
                .with_context(|| format!("simulate went to {to}"))?;
            let incident = ctx
                .a
                .read(&format!("/api/v1/hotline/incidents/{id}"))
                .await?;
            find_str(&incident, "call_sid").context("the incident has no call_sid")?
        }
    };
    let a = ctx.b_web.get(&format!("/hotline/calls/{sid}")).await?;
    let mut check = Check::status_in(&a, &[403, 404]);
    if a.status == 200 && a.body.contains("What the simulator saw") {
        check.detail = format!("200, with the simulator's log of A's call {sid}");
    }
    Ok(check)
}

/// The first string under `key` anywhere in `v`.
fn find_str(v: &Value, key: &str) -> Option<String> {
    match v {
        Value::Object(map) => map
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| map.values().find_map(|x| find_str(x, key))),
        Value::Array(items) => items.iter().find_map(|x| find_str(x, key)),
        _ => None,
    }
}

/// The number of `http_requests_total` series, and of series whose method starts with
/// `prefix`, read with the metrics token.
async fn series(ctx: &Ctx, prefix: &str) -> Result<(usize, usize)> {
    let url = format!("{}/metrics", ctx.base);
    let a = send(ctx.twilio.client.get(url).bearer_auth(&ctx.metrics_token)).await?;
    if a.status != 200 {
        bail!("/metrics with the metrics token answered {}", a.brief());
    }
    let lines = a
        .body
        .lines()
        .filter(|l| l.starts_with("http_requests_total"));
    let marker = format!("method=\"{prefix}");
    let (mut all, mut made_up) = (0, 0);
    for l in lines {
        all += 1;
        made_up += usize::from(l.contains(&marker));
    }
    Ok((all, made_up))
}

async fn made_up_methods(ctx: &Ctx, path: &str, prefix: &str) -> Result<Check> {
    series(ctx, prefix).await?;
    let (before, _) = series(ctx, prefix).await?;
    for n in 0..100 {
        let method = Method::from_bytes(format!("{prefix}{n:03}").as_bytes())?;
        let url = if path == "/healthz" {
            format!("{}{path}", ctx.base)
        } else {
            format!("{}{path}/{n}", ctx.base)
        };
        let a = send(ctx.twilio.client.request(method, url)).await?;
        if a.status >= 500 {
            return Ok(Check::judge(&a, false));
        }
    }
    let (after, made_up) = series(ctx, prefix).await?;
    let detail = format!(
        "{} new series, {made_up} labelled with a made-up method",
        after.saturating_sub(before)
    );
    // One or two for `other` (404 or 405) and the scrapes' own.
    Ok(if made_up == 0 && after <= before + 3 {
        Check::held(detail)
    } else {
        Check::failed(detail)
    })
}
