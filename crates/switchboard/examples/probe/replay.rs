//! Item 8: replay. Twilio marks each webhook with `I-Twilio-Idempotency-Token`; a second
//! request with the same token must be answered like the first, without being processed
//! again. Each probe sends a request, lets the call move on, and replays the request byte for
//! byte with its token: the answer must be the first one (the walk as it was, not as it is),
//! and a Studio next-target replay must not ring anyone new.

use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};

use crate::http::{Answer, sid};
use crate::report::{Check, Report};
use crate::setup::{A_LADDER_NUMBER, ACCOUNT_SID, Ctx};
use crate::webhooks::{open_call, voice};

const HEADER: &str = "i-twilio-idempotency-token";

fn token() -> String {
    sid("probe-idempotency-")
}

fn same(first: &Answer, replay: &Answer, what: &str) -> Check {
    let mut check = Check::judge(
        replay,
        replay.status == first.status && replay.body == first.body,
    );
    if replay.status < 500 && check.verdict == crate::report::Verdict::Failed {
        check.detail = if replay.status == first.status {
            format!("{}, but a different answer: {what}", replay.brief())
        } else {
            format!(
                "{} where the first answer was {}",
                replay.brief(),
                first.brief()
            )
        };
    }
    check
}

pub async fn run(ctx: &Ctx, report: &mut Report) {
    let walked = walk(ctx).await;
    let (voice_check, dial_check) = match walked {
        Ok((v, d)) => (Ok(v), Ok(d)),
        Err(e) => {
            let why = format!("{e:#}");
            (Err(e), Err(anyhow::anyhow!(why)))
        }
    };
    report.record(
        8,
        "a voice webhook replayed after the walk moved on",
        voice_check,
    );
    report.record(
        8,
        "a dial result replayed after the next round's result",
        dial_check,
    );
    report.record(
        8,
        "a Studio next-target replayed with its token",
        next_target(ctx).await,
    );
}

/// Opens a call, reports two rounds of no-answer, and replays the call's first webhook and
/// the first dial result with their tokens.
async fn walk(ctx: &Ctx) -> Result<(Check, Check)> {
    let t = &ctx.twilio;
    let key = ctx.install_token.as_str();
    let voice_token = token();
    let call = open_call(ctx, key, "+14155550103", &[(HEADER, &voice_token)]).await?;
    let no_answer = [
        ("AccountSid", ACCOUNT_SID),
        ("CallSid", call.call_sid.as_str()),
        ("DialCallStatus", "no-answer"),
    ];
    let first_result_token = token();
    let first_result = t
        .form(
            key,
            &call.dial_action,
            &no_answer,
            &[(HEADER, &first_result_token)],
        )
        .await?;
    let next_action = crate::webhooks::attr(&first_result.body, "action")
        .and_then(|a| a.strip_prefix(&ctx.base).map(str::to_string))
        .with_context(|| format!("no second round after no answer: {}", first_result.brief()))?;
    let second = t
        .form(key, &next_action, &no_answer, &[(HEADER, &token())])
        .await?;
    if second.status != 200 {
        bail!("the second dial result answered {}", second.brief());
    }
    let params = voice(&call.call_sid, "+14155550103", A_LADDER_NUMBER);
    let voice_replay = t
        .form(
            key,
            "/twilio/hotline/voice",
            &params,
            &[(HEADER, &voice_token)],
        )
        .await?;
    let dial_replay = t
        .form(
            key,
            &call.dial_action,
            &no_answer,
            &[(HEADER, &first_result_token)],
        )
        .await?;
    Ok((
        same(
            &call.twiml,
            &voice_replay,
            "the walk as it is now, not the first answer",
        ),
        same(
            &first_result,
            &dial_replay,
            "the walk as it is now, not the first answer",
        ),
    ))
}

/// How many attempts A's incident `id` has made.
async fn attempts(ctx: &Ctx, id: i64) -> Result<usize> {
    let incident = ctx
        .a
        .read(&format!("/api/v1/hotline/incidents/{id}"))
        .await?;
    let list = incident["attempts"]
        .as_array()
        .or_else(|| incident["incident"]["attempts"].as_array())
        .context("the incident lists no attempts")?;
    Ok(list.len())
}

/// next-target for a new call, then next-target with its incident (token T), then the same
/// request again with T: it must not ring anyone new.
async fn next_target(ctx: &Ctx) -> Result<Check> {
    let t = &ctx.twilio;
    let key = ctx.install_token.as_str();
    let path = format!("/api/telephony/next-target?line={}", ctx.a_ladder);
    let open = json!({ "callerPhone": "+14155550104", "callSid": sid("CA") });
    let opened = t.json(key, &path, &open, &[(HEADER, &token())]).await?;
    let id = opened.json()["incidentId"]
        .as_i64()
        .with_context(|| format!("next-target opened no incident: {}", opened.brief()))?;
    let next: Value = json!({ "incidentId": id });
    let replayed_token = token();
    let first = t
        .json(key, &path, &next, &[(HEADER, &replayed_token)])
        .await?;
    if first.status != 200 {
        bail!("next-target with the incident answered {}", first.brief());
    }
    let before = attempts(ctx, id).await?;
    let replay = t
        .json(key, &path, &next, &[(HEADER, &replayed_token)])
        .await?;
    let after = attempts(ctx, id).await?;
    let mut check = same(&first, &replay, "another target");
    if after != before && replay.status < 500 {
        check = Check::failed(format!(
            "the replay rang someone new: {} attempts before, {after} after ({} then {})",
            before,
            first.json()["userName"],
            replay.json()["userName"]
        ));
    }
    Ok(check)
}
