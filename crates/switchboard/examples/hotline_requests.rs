//! Writes signed hotline requests for the wrk benchmark (`scripts/bench-hotline`), one a line,
//! so that the load generator only replays them: signing is Twilio's work, not the server's,
//! and a request the server has already seen (the same CallSid) would measure a retry instead
//! of a new call.
//!
//!   hotline_requests <handle|next-target> COUNT BASE_URL AUTH_TOKEN OUTPUT START [ACCOUNT_SID]
//!
//! Each line is `<X-Twilio-Signature>\t<path with query>\t<body>`; neither field holds a tab or
//! a newline. Request `n` (from START to START + COUNT - 1) is call `CA` + `n` in 32 hex digits,
//! so runs given disjoint ranges never share a CallSid. BASE_URL is the server's public URL
//! (`SWITCHBOARD_PUBLIC_URL`), which the server checks signatures against.
//!
//! - `handle`: `POST /callrouting/handle`, a Twilio voice webhook (form body, signed with its
//!   parameters) for a new inbound call to the demo's Community Line.
//! - `next-target`: `POST /api/telephony/next-target` from a Studio flow, a JSON body
//!   `{"callerPhone", "callSid"}` without `incidentId` (so each opens an incident on the
//!   demo's only ladder line), signed through the `bodySHA256` query parameter as Twilio signs
//!   non-form bodies: the URL alone is signed.

use std::io::Write as _;

use anyhow::{Context as _, bail};

/// The account SID put in handle requests when none is given (the server does not check it).
const DEFAULT_ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";

/// Callers cycle through this many numbers (+14155551000, +14155551001, ...): more than one,
/// as a hotline hears from many people, and fewer than the 8,192 numbers the `twilio` crate's
/// parser remembers, as a hotline also hears from the same people again.
const CALLERS: u64 = 1000;

#[derive(Clone, Copy)]
enum Scenario {
    Handle,
    NextTarget,
}

struct Args {
    scenario: Scenario,
    count: u64,
    base_url: String,
    auth_token: String,
    output: std::path::PathBuf,
    start: u64,
    account_sid: String,
}

fn main() -> anyhow::Result<()> {
    let args = parse_args(std::env::args().skip(1).collect())?;
    let file = std::fs::File::create(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    for n in args.start..args.start + args.count {
        let (signature, path, body) = request(&args, n);
        if [&signature, &path, &body]
            .iter()
            .any(|field| field.contains(['\t', '\n', '\r']))
        {
            bail!("request {n} holds a tab or a newline, which the line format cannot carry");
        }
        writeln!(out, "{signature}\t{path}\t{body}")?;
    }
    out.flush()
        .with_context(|| format!("writing {}", args.output.display()))?;
    Ok(())
}

/// Request `n` of the scenario: its signature, path (with query) and body.
fn request(args: &Args, n: u64) -> (String, String, String) {
    let call_sid = format!("CA{n:032x}");
    let caller = format!("+1415555{:04}", 1000 + n % CALLERS);
    match args.scenario {
        Scenario::Handle => {
            let path = "/callrouting/handle".to_string();
            let params: Vec<(String, String)> = [
                ("AccountSid", args.account_sid.as_str()),
                ("CallSid", &call_sid),
                ("CallStatus", "ringing"),
                ("Direction", "inbound"),
                ("From", &caller),
                ("To", switchboard::hotline::demo::COMMUNITY_LINE),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            let url = format!("{}{path}", args.base_url);
            let signature = twilio::signature::sign(&args.auth_token, &url, &params);
            let body = serde_urlencoded::to_string(&params).expect("strings always encode");
            (signature, path, body)
        }
        Scenario::NextTarget => {
            let body =
                serde_json::json!({ "callerPhone": caller, "callSid": call_sid }).to_string();
            let path = format!(
                "/api/telephony/next-target?bodySHA256={}",
                twilio::signature::body_sha256(body.as_bytes())
            );
            let url = format!("{}{path}", args.base_url);
            let signature = twilio::signature::sign(&args.auth_token, &url, &[]);
            (signature, path, body)
        }
    }
}

fn parse_args(args: Vec<String>) -> anyhow::Result<Args> {
    const USAGE: &str = "usage: hotline_requests <handle|next-target> COUNT BASE_URL AUTH_TOKEN \
                         OUTPUT START [ACCOUNT_SID]";
    if !(6..=7).contains(&args.len()) {
        bail!("{USAGE}");
    }
    let scenario = match args[0].as_str() {
        "handle" => Scenario::Handle,
        "next-target" => Scenario::NextTarget,
        other => bail!("scenario '{other}' must be handle or next-target\n{USAGE}"),
    };
    let number = |i: usize, name: &str| {
        args[i]
            .parse::<u64>()
            .with_context(|| format!("{name} '{}' must be a whole number\n{USAGE}", args[i]))
    };
    let (count, start) = (number(1, "COUNT")?, number(5, "START")?);
    if start.checked_add(count).is_none() {
        bail!("START + COUNT must fit in 64 bits");
    }
    let base_url = args[2].trim_end_matches('/').to_string();
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        bail!("BASE_URL '{base_url}' must start with http:// or https://");
    }
    Ok(Args {
        scenario,
        count,
        base_url,
        auth_token: args[3].clone(),
        output: args[4].clone().into(),
        start,
        account_sid: args
            .get(6)
            .cloned()
            .unwrap_or_else(|| DEFAULT_ACCOUNT_SID.to_string()),
    })
}
