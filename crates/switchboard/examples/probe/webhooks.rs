//! Item 1: organisation B's admin saves a Twilio auth token of B's own, then signs webhooks
//! with it for organisation A's numbers and calls. Each must be refused (401/403): a webhook
//! is valid only when signed with the token of the account that owns its number.

use anyhow::{Context as _, Result, bail};
use serde_json::json;

use crate::http::{Answer, sid};
use crate::report::{Check, Report};
use crate::setup::{A_COMMUNITY_NUMBER, A_LADDER_NUMBER, A_ORG_ID, ACCOUNT_SID, Ctx};

/// B's token once it is saved in Twilio's form (32 lowercase hex digits).
const B_TOKEN: &str = "0123456789abcdef0123456789abcdef";
const ATTACKER: &str = "+15005550999";

/// A call to A's ladder line opened with the installation's token, as Twilio would: the
/// attacks below are about this call.
pub struct OpenCall {
    pub call_sid: String,
    pub incident: i64,
    pub line: i64,
    /// The phone being rung now.
    pub ringing: String,
    /// The path (with query) of the `<Dial action>`.
    pub dial_action: String,
    pub twiml: Answer,
}

/// The value of attribute `name` of the first element that has it, unescaped.
pub fn attr(xml: &str, name: &str) -> Option<String> {
    let marker = format!("{name}=\"");
    let from = xml.find(&marker)? + marker.len();
    let len = xml[from..].find('"')?;
    Some(xml[from..from + len].replace("&amp;", "&"))
}

/// The query parameter `name` of `url`, as a number.
pub fn query_num(url: &str, name: &str) -> Option<i64> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.parse().ok())
}

/// Opens a call to A's ladder line (`From` `caller`), signed with `token`, with `headers`.
pub async fn open_call(
    ctx: &Ctx,
    token: &str,
    caller: &str,
    headers: &[(&str, &str)],
) -> Result<OpenCall> {
    let call_sid = sid("CA");
    let twiml = ctx
        .twilio
        .form(
            token,
            "/twilio/hotline/voice",
            &voice(&call_sid, caller, A_LADDER_NUMBER),
            headers,
        )
        .await?;
    if twiml.status != 200 || !twiml.body.contains("<Dial") {
        bail!(
            "the call to A's ladder line was not dialled: {}",
            twiml.brief()
        );
    }
    let action = attr(&twiml.body, "action").context("no <Dial action>")?;
    let dial_action = action
        .strip_prefix(&ctx.base)
        .context("the dial action is not on the public URL")?
        .to_string();
    let number = twiml.body.split("<Number").nth(1).context("no <Number>")?;
    let ringing = number
        .split_once('>')
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(n, _)| n.trim().to_string())
        .context("empty <Number>")?;
    Ok(OpenCall {
        call_sid,
        incident: query_num(&dial_action, "incident").context("incident in dial action")?,
        line: query_num(&dial_action, "line").context("line in dial action")?,
        ringing,
        dial_action,
        twiml,
    })
}

/// A voice webhook's parameters: a new inbound call.
pub fn voice<'a>(call_sid: &'a str, from: &'a str, to: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("AccountSid", ACCOUNT_SID),
        ("CallSid", call_sid),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
        ("From", from),
        ("To", to),
    ]
}

pub async fn run(ctx: &Ctx, report: &mut Report) {
    report.record(
        1,
        "B saves a Twilio auth token that is not 32 hex digits",
        save_token(ctx, "not-a-twilio-token")
            .await
            .map(|a| Check::field_refused(&a, "twilio_auth_token")),
    );
    // From here B's token has Twilio's form, so a fixed server stores it and the signatures
    // below fail only because the token is B's.
    let saved = save_token(ctx, B_TOKEN).await;
    let call = match saved {
        Ok(a) if a.status == 200 => open_call(ctx, &ctx.install_token, "+14155550101", &[]).await,
        Ok(a) => Err(anyhow::anyhow!(
            "B could not save a well-formed token: {}",
            a.brief()
        )),
        Err(e) => Err(e),
    };
    let call = match call {
        Ok(c) => c,
        Err(e) => {
            let why = format!("{e:#}");
            for probe in PROBES {
                report.record(1, probe, Err(anyhow::anyhow!("{why}")));
            }
            return;
        }
    };
    for (i, probe) in PROBES.iter().enumerate() {
        let answer = forged(ctx, &call, i).await;
        report.record(1, probe, answer.map(|a| Check::signature_refused(&a)));
    }
}

async fn save_token(ctx: &Ctx, token: &str) -> Result<Answer> {
    ctx.b_web
        .post(
            "/settings",
            &[
                ("name", "Probe B"),
                ("twilio_account_sid", ""),
                ("public_url", ""),
                ("twilio_auth_token", token),
            ],
        )
        .await
}

const PROBES: [&str; 12] = [
    "voice webhook for A's ladder number, signed with B's token",
    "voice webhook for A's community number (/callrouting/handle), signed with B's token",
    "whisper of A's incident, signed with B's token",
    "whisper answer Digits=1 for A's incident, signed with B's token",
    "dial result of A's incident, signed with B's token",
    "recording of A's call (attacker's link), signed with B's token",
    "recording status of A's call, signed with B's token",
    "transcription of A's call, signed with B's token",
    "call status of A's call, signed with B's token",
    "A's call ledger status callback (?org=A), signed with B's token",
    "Studio next-target on A's ladder line, signed with B's token",
    "Studio completed for A's incident, signed with B's token",
];

/// Probe `i` of [`PROBES`]: the request, signed with B's token.
async fn forged(ctx: &Ctx, call: &OpenCall, i: usize) -> Result<Answer> {
    let t = &ctx.twilio;
    let ids = format!("incident={}&line={}", call.incident, call.line);
    let leg = sid("CA");
    let rec = sid("RE");
    let rec_url = "https://attacker.example/voicemail.mp3";
    let sid_ = call.call_sid.as_str();
    let base = [("AccountSid", ACCOUNT_SID), ("CallSid", sid_)];
    let with = |extra: &[(&'static str, &str)]| -> Vec<(String, String)> {
        base.iter()
            .chain(extra)
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let (path, params): (String, Vec<(String, String)>) = match i {
        0 => {
            let s = sid("CA");
            let p = voice(&s, ATTACKER, A_LADDER_NUMBER);
            return t.form(B_TOKEN, "/twilio/hotline/voice", &p, &[]).await;
        }
        1 => {
            let s = sid("CA");
            let p = voice(&s, ATTACKER, A_COMMUNITY_NUMBER);
            return t.form(B_TOKEN, "/callrouting/handle", &p, &[]).await;
        }
        2 => (
            format!("/twilio/hotline/whisper?{ids}"),
            with(&[("To", &call.ringing), ("CallStatus", "in-progress")]),
        ),
        3 => (
            format!("/twilio/hotline/whisper-answer?{ids}"),
            vec![
                ("AccountSid".into(), ACCOUNT_SID.into()),
                ("CallSid".into(), leg.clone()),
                ("Digits".into(), "1".into()),
                ("To".into(), call.ringing.clone()),
            ],
        ),
        4 => (
            call.dial_action.clone(),
            with(&[("DialCallStatus", "completed"), ("DialCallDuration", "42")]),
        ),
        5 => (
            "/callrouting/recording".into(),
            with(&[("RecordingUrl", rec_url), ("RecordingSid", &rec)]),
        ),
        6 => (
            "/callrouting/recordingcomplete".into(),
            with(&[
                ("RecordingUrl", rec_url),
                ("RecordingSid", &rec),
                ("RecordingStatus", "completed"),
            ]),
        ),
        7 => (
            "/callrouting/transcription".into(),
            with(&[
                ("TranscriptionSid", "TR00000000000000000000000000000001"),
                ("TranscriptionStatus", "completed"),
                ("TranscriptionText", "Call me back at +15005550999."),
                ("RecordingSid", &rec),
            ]),
        ),
        8 => (
            "/twilio/hotline/call-status".into(),
            with(&[
                ("From", "+14155550101"),
                ("To", A_LADDER_NUMBER),
                ("CallStatus", "completed"),
                ("CallDuration", "42"),
            ]),
        ),
        9 => (
            format!("/twilio/calls/status?org={A_ORG_ID}"),
            vec![
                ("AccountSid".into(), ACCOUNT_SID.into()),
                ("CallSid".into(), sid("CA")),
                ("From".into(), A_LADDER_NUMBER.into()),
                ("To".into(), ATTACKER.into()),
                ("CallStatus".into(), "completed".into()),
            ],
        ),
        10 => {
            let body = json!({ "callerPhone": ATTACKER, "callSid": sid("CA") });
            let path = format!("/api/telephony/next-target?line={}", ctx.a_ladder);
            return t.json(B_TOKEN, &path, &body, &[]).await;
        }
        _ => {
            let body = json!({ "incidentId": call.incident, "duration": 42 });
            return t
                .json(B_TOKEN, "/api/telephony/completed", &body, &[])
                .await;
        }
    };
    let params: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    t.form(B_TOKEN, &path, &params, &[]).await
}
