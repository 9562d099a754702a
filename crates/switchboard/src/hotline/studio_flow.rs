//! `switchboard studio-flow`: a Twilio Studio Flow Definition (JSON, ready to import or to
//! POST as `Definition`) that runs the on-call routing API's flow against this server's
//! `/api/telephony/*` endpoints for one ladder line.
//!
//! Two places where Studio cannot do what the routing API's outline says, and what we do instead:
//! - Connect Call To has only two exits, `callCompleted` and `hangup`; the dialled leg's
//!   outcome is `{{widgets.connect_call_to.DialCallStatus}}`. A split on it sends
//!   completed/answered to "answered", and no-answer, busy and failed (or canceled) to three
//!   separate attempt-failed requests, which loop back to next-target. Studio continues only
//!   after the bridged call ends, so "answered" and "completed" are posted one after the
//!   other then ("Wait for Call End" is the Connect widget itself), and `duration` is the
//!   dialled leg's `DialCallDuration` (the outline's `trigger.call.CallDuration` does not exist
//!   during an execution and would leave the JSON body invalid).
//! - Studio has no Hangup widget: a state with no next transition ends the execution and
//!   the call. HTTP widgets cannot set an `Authorization` header, so requests are authorised
//!   by the `X-Twilio-Signature` Studio adds to them; `WEBHOOK_SECRET` is for other clients.

use anyhow::Context as _;
use serde_json::{Value, json};

use super::model::LineKind;
use super::store::lines;
use crate::ids::LineId;
use crate::services::Services;

/// The flow of line `line_id`, checked: the line exists and walks a ladder, and `base_url`
/// is an absolute http(s) URL.
pub async fn for_line(state: &Services, line_id: LineId, base_url: &str) -> anyhow::Result<Value> {
    let url = url::Url::parse(base_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        .with_context(|| {
            format!(
                "--base-url '{base_url}' is not an http(s) URL like https://switchboard.example.org"
            )
        })?;
    let (_, line) = lines::find_line_any_org(&state.db, line_id)
        .await?
        .with_context(|| format!("--line: no hotline line {line_id}"))?;
    if line.kind != LineKind::Ladder {
        anyhow::bail!(
            "--line {line_id} ({}) is a shift line; Studio flows walk ladder lines",
            line.name
        );
    }
    Ok(definition(line.id, &line.name, url.as_str()))
}

/// The widget names; `get_next_target` is fixed by the routing API's Liquid (`widgets.get_next_target`).
pub const TRIGGER: &str = "Trigger";
pub const GET_NEXT_TARGET: &str = "get_next_target";
pub const CHECK_TARGET: &str = "check_target_available";
pub const CONNECT: &str = "connect_call_to";
pub const CALL_RESULT: &str = "check_call_result";
pub const ANSWERED: &str = "call_answered";
pub const FAILED_NO_ANSWER: &str = "attempt_failed_no_answer";
pub const FAILED_BUSY: &str = "attempt_failed_busy";
pub const FAILED_FAILED: &str = "attempt_failed_failed";
pub const NO_TECHS: &str = "say_no_techs_available";
pub const COMPLETED: &str = "call_completed";

pub const NO_TECHS_MESSAGE: &str = "We're sorry, all technicians are currently unavailable. Please call back or contact emergency services if this is urgent.";

const NEXT_TARGET_BODY: &str = r#"{
  "incidentId": {{widgets.get_next_target.parsed.incidentId | default: null}},
  "callerPhone": "{{trigger.call.From}}",
  "callSid": "{{trigger.call.CallSid}}"
}"#;

const ANSWERED_BODY: &str = r#"{
  "incidentId": {{widgets.get_next_target.parsed.incidentId}},
  "answeredPhone": "{{widgets.get_next_target.parsed.nextPhoneE164}}",
  "callSid": "{{trigger.call.CallSid}}"
}"#;

const COMPLETED_BODY: &str = r#"{
  "incidentId": {{widgets.get_next_target.parsed.incidentId}},
  "callSid": "{{trigger.call.CallSid}}",
  "duration": {{widgets.connect_call_to.DialCallDuration | default: 0}}
}"#;

fn failed_body(reason: &str) -> String {
    format!(
        r#"{{
  "incidentId": {{{{widgets.get_next_target.parsed.incidentId}}}},
  "targetPhone": "{{{{widgets.get_next_target.parsed.nextPhoneE164}}}}",
  "reason": "{reason}",
  "callSid": "{{{{trigger.call.CallSid}}}}"
}}"#
    )
}

fn go(event: &str, next: Option<&str>) -> Value {
    match next {
        Some(n) => json!({"event": event, "next": n}),
        None => json!({"event": event}),
    }
}

/// An HTTP widget; `next` is where both outcomes go (`None`: the execution ends).
fn http(name: &str, url: String, body: &str, next: Option<&str>, x: i64, y: i64) -> Value {
    json!({
        "name": name,
        "type": "make-http-request",
        "transitions": [go("success", next), go("failed", next)],
        "properties": {
            "offset": {"x": x, "y": y},
            "method": "POST",
            "content_type": "application/json;charset=utf-8",
            "url": url,
            "body": body,
        }
    })
}

fn matches(name: &str, input: &str, kind: &str, values: &str, next: &str) -> Value {
    json!({
        "event": "match",
        "next": next,
        "conditions": [{
            "friendly_name": name,
            "arguments": [input],
            "type": kind,
            "value": values,
        }]
    })
}

/// The flow for ladder line `line_id` named `line_name`, calling `<base_url>/api/telephony/*`.
pub fn definition(line_id: LineId, line_name: &str, base_url: &str) -> Value {
    let base = base_url.trim_end_matches('/');
    let url = |endpoint: &str| format!("{base}/api/telephony/{endpoint}?line={line_id}");
    let target = "{{widgets.get_next_target.parsed.nextPhoneE164}}";
    let status = "{{widgets.connect_call_to.DialCallStatus}}";
    let states = vec![
        json!({
            "name": TRIGGER,
            "type": "trigger",
            "transitions": [
                go("incomingMessage", None),
                go("incomingCall", Some(GET_NEXT_TARGET)),
                go("incomingConversationMessage", None),
                go("incomingRequest", None),
                go("incomingParent", None),
            ],
            "properties": {"offset": {"x": 0, "y": 0}}
        }),
        json!({
            "name": GET_NEXT_TARGET,
            "type": "make-http-request",
            "transitions": [go("success", Some(CHECK_TARGET)), go("failed", Some(NO_TECHS))],
            "properties": {
                "offset": {"x": 0, "y": 200},
                "method": "POST",
                "content_type": "application/json;charset=utf-8",
                "url": url("next-target"),
                "body": NEXT_TARGET_BODY,
            }
        }),
        json!({
            "name": CHECK_TARGET,
            "type": "split-based-on",
            "transitions": [
                go("noMatch", Some(NO_TECHS)),
                matches("If nextPhoneE164 is not null", target, "is_not_blank", "Is Not Blank", CONNECT),
            ],
            "properties": {"input": target, "offset": {"x": 0, "y": 400}}
        }),
        json!({
            "name": CONNECT,
            "type": "connect-call-to",
            "transitions": [go("callCompleted", Some(CALL_RESULT)), go("hangup", Some(COMPLETED))],
            "properties": {
                "offset": {"x": -200, "y": 600},
                "noun": "number",
                "to": target,
                "timeout": "{{widgets.get_next_target.parsed.timeoutSeconds}}",
                "caller_id": "{{trigger.call.From}}",
                "record": false,
            }
        }),
        json!({
            "name": CALL_RESULT,
            "type": "split-based-on",
            "transitions": [
                go("noMatch", Some(FAILED_FAILED)),
                matches("If answered", status, "matches_any_of", "completed,answered", ANSWERED),
                matches("If no answer", status, "equal_to", "no-answer", FAILED_NO_ANSWER),
                matches("If busy", status, "equal_to", "busy", FAILED_BUSY),
            ],
            "properties": {"input": status, "offset": {"x": -200, "y": 800}}
        }),
        http(
            ANSWERED,
            url("answered"),
            ANSWERED_BODY,
            Some(COMPLETED),
            -600,
            1000,
        ),
        http(
            FAILED_NO_ANSWER,
            url("attempt-failed"),
            &failed_body("no-answer"),
            Some(GET_NEXT_TARGET),
            -200,
            1000,
        ),
        http(
            FAILED_BUSY,
            url("attempt-failed"),
            &failed_body("busy"),
            Some(GET_NEXT_TARGET),
            100,
            1000,
        ),
        http(
            FAILED_FAILED,
            url("attempt-failed"),
            &failed_body("failed"),
            Some(GET_NEXT_TARGET),
            400,
            1000,
        ),
        json!({
            "name": NO_TECHS,
            "type": "say-play",
            "transitions": [go("audioComplete", None)],
            "properties": {
                "offset": {"x": 400, "y": 600},
                "voice": "Polly.Joanna",
                "language": "en-US",
                "say": NO_TECHS_MESSAGE,
                "loop": 1,
            }
        }),
        // The completed request ends the execution (and so the call) whatever it answers.
        http(
            COMPLETED,
            url("completed"),
            COMPLETED_BODY,
            None,
            -600,
            1200,
        ),
    ];
    json!({
        "description": format!(
            "On-call escalation flow for line {line_id} ({line_name}), generated by `switchboard studio-flow`. \
             Requests are authorised by the X-Twilio-Signature Studio adds (HTTP widgets cannot send an \
             Authorization header)."
        ),
        "states": states,
        "initial_state": TRIGGER,
        "flags": {"allow_concurrent_calls": true},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transition_leads_to_a_state_of_the_flow() {
        let flow = definition(
            LineId::new(3),
            "Field Service Emergency",
            "https://sb.example.org/",
        );
        let states = flow["states"].as_array().unwrap();
        let names: Vec<&str> = states.iter().map(|s| s["name"].as_str().unwrap()).collect();
        for s in states {
            for t in s["transitions"].as_array().unwrap() {
                if let Some(next) = t["next"].as_str() {
                    assert!(names.contains(&next), "{} → {next}", s["name"]);
                }
            }
        }
        assert_eq!(
            states[1]["properties"]["url"],
            "https://sb.example.org/api/telephony/next-target?line=3"
        );
    }

    #[test]
    fn attempt_failed_bodies_are_the_routing_apis_with_each_reason() {
        let body = failed_body("busy");
        assert!(body.contains(r#""reason": "busy""#), "{body}");
        assert!(body.contains(r#""incidentId": {{widgets.get_next_target.parsed.incidentId}},"#));
    }
}
