//! `switchboard studio-flow`: the printed Studio Flow Definition has every widget of seed
//! 003's flow, wired as the seed describes, against our endpoints; bad lines are refused.

use std::process::{Command, Output};

use serde_json::Value;
use switchboard::hotline::{self, store::lines, studio_flow as flow};

use crate::support::TestApp;

fn studio_flow(app: &TestApp, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SWITCHBOARD_DATA_DIR", dir.path().join("data"))
        .env("DATABASE_URL", app.state.config.database_url.expose())
        .arg("studio-flow")
        .args(args)
        .output()
        .unwrap()
}

async fn line_id(app: &TestApp, number: &str) -> String {
    let (_, line) = lines::find_line_by_number(&app.state.db, number)
        .await
        .unwrap()
        .unwrap();
    line.id.to_string()
}

fn state<'a>(flow: &'a Value, name: &str) -> &'a Value {
    flow["states"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no state {name}"))
}

fn next(state: &Value, event: &str) -> Vec<String> {
    state["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["event"] == event)
        .filter_map(|t| t["next"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn the_studio_flow_of_a_ladder_line_wires_the_routing_apis_widgets_to_our_endpoints() {
    let app = TestApp::spawn().await;
    hotline::demo::seed(&app.state, app.org).await.unwrap();
    let id = line_id(&app, hotline::demo::LADDER_LINE).await;
    let out = studio_flow(
        &app,
        &["--line", &id, "--base-url", "https://sb.example.org/"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let def: Value = serde_json::from_slice(&out.stdout).expect("the output is JSON");

    assert_eq!(def["initial_state"], "Trigger");
    assert_eq!(def["flags"]["allow_concurrent_calls"], true);
    assert!(
        def["description"]
            .as_str()
            .unwrap()
            .contains("Field Service Emergency")
    );
    let names: Vec<String> = def["states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    for s in def["states"].as_array().unwrap() {
        for t in s["transitions"].as_array().unwrap() {
            if let Some(n) = t["next"].as_str() {
                assert!(
                    names.iter().any(|x| x == n),
                    "{} leads to a missing {n}",
                    s["name"]
                );
            }
        }
    }

    let trigger = state(&def, flow::TRIGGER);
    assert_eq!(trigger["type"], "trigger");
    assert_eq!(next(trigger, "incomingCall"), vec![flow::GET_NEXT_TARGET]);

    let get = state(&def, flow::GET_NEXT_TARGET);
    assert_eq!(get["type"], "make-http-request");
    assert_eq!(get["properties"]["method"], "POST");
    assert_eq!(
        get["properties"]["content_type"],
        "application/json;charset=utf-8"
    );
    assert_eq!(
        get["properties"]["url"],
        format!("https://sb.example.org/api/telephony/next-target?line={id}")
    );
    let body = get["properties"]["body"].as_str().unwrap();
    assert!(
        body.contains(
            r#""incidentId": {{widgets.get_next_target.parsed.incidentId | default: null}}"#
        ),
        "{body}"
    );
    assert!(body.contains(r#""callerPhone": "{{trigger.call.From}}""#));
    assert_eq!(next(get, "success"), vec![flow::CHECK_TARGET]);

    let split = state(&def, flow::CHECK_TARGET);
    assert_eq!(split["type"], "split-based-on");
    assert_eq!(
        split["properties"]["input"],
        "{{widgets.get_next_target.parsed.nextPhoneE164}}"
    );
    assert_eq!(next(split, "match"), vec![flow::CONNECT]);
    assert_eq!(next(split, "noMatch"), vec![flow::NO_TECHS]);

    let connect = state(&def, flow::CONNECT);
    assert_eq!(connect["type"], "connect-call-to");
    assert_eq!(connect["properties"]["noun"], "number");
    assert_eq!(
        connect["properties"]["to"],
        "{{widgets.get_next_target.parsed.nextPhoneE164}}"
    );
    assert_eq!(
        connect["properties"]["timeout"],
        "{{widgets.get_next_target.parsed.timeoutSeconds}}"
    );
    assert_eq!(connect["properties"]["caller_id"], "{{trigger.call.From}}");
    assert_eq!(next(connect, "callCompleted"), vec![flow::CALL_RESULT]);
    assert_eq!(next(connect, "hangup"), vec![flow::COMPLETED]);

    let result = state(&def, flow::CALL_RESULT);
    let mut outcomes = next(result, "match");
    outcomes.sort();
    assert_eq!(
        outcomes,
        vec![flow::FAILED_BUSY, flow::FAILED_NO_ANSWER, flow::ANSWERED]
    );
    assert_eq!(next(result, "noMatch"), vec![flow::FAILED_FAILED]);

    for (widget, reason) in [
        (flow::FAILED_NO_ANSWER, "no-answer"),
        (flow::FAILED_BUSY, "busy"),
        (flow::FAILED_FAILED, "failed"),
    ] {
        let w = state(&def, widget);
        assert!(
            w["properties"]["url"]
                .as_str()
                .unwrap()
                .contains("/api/telephony/attempt-failed?line=")
        );
        assert!(
            w["properties"]["body"]
                .as_str()
                .unwrap()
                .contains(&format!(r#""reason": "{reason}""#))
        );
        assert_eq!(
            next(w, "success"),
            vec![flow::GET_NEXT_TARGET],
            "{widget} loops back"
        );
    }
    let answered = state(&def, flow::ANSWERED);
    assert!(
        answered["properties"]["url"]
            .as_str()
            .unwrap()
            .contains("/api/telephony/answered?line=")
    );
    assert_eq!(next(answered, "success"), vec![flow::COMPLETED]);
    let completed = state(&def, flow::COMPLETED);
    assert!(
        completed["properties"]["url"]
            .as_str()
            .unwrap()
            .contains("/api/telephony/completed?line=")
    );

    let say = state(&def, flow::NO_TECHS);
    assert_eq!(say["type"], "say-play");
    assert_eq!(say["properties"]["voice"], "Polly.Joanna");
    assert_eq!(say["properties"]["language"], "en-US");
    assert!(
        say["properties"]["say"]
            .as_str()
            .unwrap()
            .starts_with("We're sorry, all technicians are currently unavailable")
    );
    app.stop().await;
}

#[tokio::test]
async fn studio_flow_refuses_a_shift_line_an_unknown_line_and_a_bad_base_url() {
    let app = TestApp::spawn().await;
    hotline::demo::seed(&app.state, app.org).await.unwrap();
    let shift = line_id(&app, hotline::demo::COMMUNITY_LINE).await;
    let ladder = line_id(&app, hotline::demo::LADDER_LINE).await;
    for (args, says) in [
        (
            vec![
                "--line",
                shift.as_str(),
                "--base-url",
                "https://sb.example.org",
            ],
            "is a shift line",
        ),
        (
            vec!["--line", "999999", "--base-url", "https://sb.example.org"],
            "no hotline line 999999",
        ),
        (
            vec!["--line", ladder.as_str(), "--base-url", "sb.example.org"],
            "--base-url",
        ),
    ] {
        let out = studio_flow(&app, &args);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{stderr}");
        assert!(out.stdout.is_empty());
    }
    app.stop().await;
}
