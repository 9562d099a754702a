//! Each TwiML verb, URL resolution and application errors.

use twilio_sim::{Behaviour, CallStatus, EventKind, Outcome};

use crate::support::{TestEnv, kinds};

const CALLEE: &str = "+15005550211";

async fn env_with(press: &[&str]) -> TestEnv {
    let env = TestEnv::start().await;
    env.sim.set_behaviour(
        CALLEE,
        Behaviour::answers_after(1.0).pressing(press.iter().copied()),
    );
    env
}

#[tokio::test]
async fn gather_posts_the_pressed_digits_to_its_action() {
    let env = env_with(&["12#"]).await;
    env.route(
        "/voice",
        "<Response><Gather action=\"/menu\" numDigits=\"3\"><Say>Press</Say></Gather></Response>",
    );
    env.route("/menu", "<Response><Say>Thanks</Say></Response>");
    let sid = env.call(CALLEE, "/voice", &[]).await;
    env.end(&sid).await;
    let menu = env.hits("/menu");
    assert_eq!(menu[0].param("Digits"), Some("12"));
    assert!(kinds(&env.transcript(&sid)).contains(&"digits".to_owned()));
}

#[tokio::test]
async fn gather_without_input_falls_through_to_the_next_verb() {
    let env = env_with(&[]).await;
    env.route(
        "/voice",
        "<Response><Gather action=\"/menu\" timeout=\"3\"/><Say>Nothing pressed</Say></Response>",
    );
    let sid = env.call(CALLEE, "/voice", &[]).await;
    env.end(&sid).await;
    assert!(env.hits("/menu").is_empty());
    let t = env.transcript(&sid);
    assert!(
        t.events.iter().any(
            |e| matches!(&e.kind, EventKind::Verb { detail, .. } if detail == "Nothing pressed")
        )
    );
}

#[tokio::test]
async fn gather_with_action_on_empty_result_posts_empty_digits() {
    let env = env_with(&[""]).await;
    env.route("/voice", "<Response><Gather action=\"/menu\" actionOnEmptyResult=\"true\" timeout=\"2\"/></Response>");
    let sid = env.call(CALLEE, "/voice", &[]).await;
    env.end(&sid).await;
    assert_eq!(env.hits("/menu")[0].param("Digits"), Some(""));
}

#[tokio::test]
async fn gather_without_action_posts_back_to_the_current_document() {
    let env = env_with(&["5"]).await;
    env.route("/voice", "<Response><Gather numDigits=\"1\"/></Response>");
    let sid = env.call(CALLEE, "/voice", &[]).await;
    env.end(&sid).await;
    let hits = env.hits("/voice");
    assert_eq!(
        hits.len(),
        2,
        "the second fetch carries the digits and its gather gets none"
    );
    assert_eq!(hits[1].param("Digits"), Some("5"));
}

#[tokio::test]
async fn dial_bridges_to_an_answering_number_and_reports_to_the_action() {
    let env = env_with(&[]).await;
    let target = "+15005550212";
    env.sim.set_behaviour(
        target,
        Behaviour {
            talk_secs: 10.0,
            ..Behaviour::answers_after(2.0)
        },
    );
    let cb = env.url("/leg-status");
    env.route(
        "/voice",
        &format!("<Response><Dial action=\"/dialed\" callerId=\"+15005550006\"><Number statusCallback=\"{cb}\" statusCallbackEvent=\"ringing answered completed\">{target}</Number></Dial></Response>"),
    );
    let sid = env.call(CALLEE, "/voice", &[]).await;
    assert_eq!(env.end(&sid).await, CallStatus::Completed);
    let action = &env.hits("/dialed")[0];
    assert_eq!(action.param("DialCallStatus"), Some("completed"));
    let child = action.param("DialCallSid").unwrap().to_owned();
    assert!(
        action
            .param("DialCallDuration")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 10
    );
    let (_, leg) = env.get(&format!("Calls/{child}.json")).await;
    assert_eq!(leg["parent_call_sid"], sid.as_str());
    assert_eq!(leg["direction"], "outbound-dial");
    assert_eq!(leg["from"], "+15005550006");
    let statuses: Vec<_> = env
        .wait_hits("/leg-status", 3)
        .await
        .iter()
        .map(|h| h.param("CallStatus").unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["ringing", "in-progress", "completed"]);
    assert!(
        kinds(&env.transcript(&child)).contains(&"dial".to_owned()),
        "the child's SID finds the root transcript"
    );
    env.assert_all_signed();
}

#[tokio::test]
async fn dial_to_a_busy_number_reports_busy_and_continues_without_an_action() {
    let env = env_with(&[]).await;
    env.sim
        .set_behaviour("+15005550213", Behaviour::with_outcome(Outcome::Busy));
    env.route(
        "/voice",
        "<Response><Dial>+15005550213</Dial><Say>They were busy</Say></Response>",
    );
    let sid = env.call(CALLEE, "/voice", &[]).await;
    env.end(&sid).await;
    let t = env.transcript(&sid);
    assert!(t.events.iter().any(
        |e| matches!(&e.kind, EventKind::Verb { detail, .. } if detail == "DialCallStatus=busy")
    ));
    assert!(
        t.events.iter().any(
            |e| matches!(&e.kind, EventKind::Verb { detail, .. } if detail == "They were busy")
        )
    );
}

#[tokio::test]
async fn a_whisper_that_hangs_up_makes_the_dial_no_answer() {
    let env = env_with(&[]).await;
    let target = "+15005550214";
    env.sim
        .set_behaviour(target, Behaviour::answers_after(1.0).pressing(["2"]));
    env.route("/voice", &format!("<Response><Dial action=\"/dialed\"><Number url=\"/whisper\">{target}</Number></Dial></Response>"));
    env.route("/whisper", "<Response><Gather numDigits=\"1\" action=\"/screen\"><Say>Press 1 to accept</Say></Gather><Hangup/></Response>");
    env.route("/screen", "<Response><Hangup/></Response>");
    let sid = env.call(CALLEE, "/voice", &[]).await;
    env.end(&sid).await;
    assert_eq!(
        env.hits("/screen")[0].param("Digits"),
        Some("2"),
        "the callee's digits drive the whisper"
    );
    assert!(env.hits("/whisper")[0].param("ParentCallSid").is_some());
    assert_eq!(
        env.hits("/dialed")[0].param("DialCallStatus"),
        Some("no-answer")
    );
}

#[tokio::test]
async fn a_whisper_that_finishes_bridges_the_call() {
    let env = env_with(&[]).await;
    let target = "+15005550215";
    env.sim.set_behaviour(target, Behaviour::answers_after(1.0));
    env.route("/voice", &format!("<Response><Dial action=\"/dialed\"><Number url=\"/whisper\">{target}</Number></Dial></Response>"));
    env.route(
        "/whisper",
        "<Response><Say>Call from the hotline</Say></Response>",
    );
    let sid = env.call(CALLEE, "/voice", &[]).await;
    env.end(&sid).await;
    assert_eq!(
        env.hits("/dialed")[0].param("DialCallStatus"),
        Some("completed")
    );
}

#[tokio::test]
async fn record_makes_a_recording_with_playable_media_and_a_transcription() {
    let env = TestEnv::start().await;
    let words = "Please call me back about the leak";
    env.sim.set_behaviour(
        CALLEE,
        Behaviour {
            say: Some(words.into()),
            ..Behaviour::answers_after(1.0)
        },
    );
    let (rs, tr) = (env.url("/rec-status"), env.url("/transcribed"));
    env.route(
        "/voice",
        &format!("<Response><Record action=\"/recorded\" maxLength=\"60\" recordingStatusCallback=\"{rs}\" transcribeCallback=\"{tr}\"/></Response>"),
    );
    let sid = env.call(CALLEE, "/voice", &[]).await;
    env.end(&sid).await;
    let action = &env.hits("/recorded")[0];
    let url = action.param("RecordingUrl").unwrap().to_owned();
    assert!(!url.ends_with(".wav") && !url.ends_with(".mp3"));
    assert!(action.param("RecordingSid").unwrap().starts_with("RE"));
    assert_eq!(
        env.wait_hits("/rec-status", 1).await[0].param("RecordingStatus"),
        Some("completed")
    );
    let transcription = &env.wait_hits("/transcribed", 1).await[0];
    assert_eq!(transcription.param("TranscriptionText"), Some(words));
    assert_eq!(
        transcription.param("TranscriptionStatus"),
        Some("completed")
    );
    let wav = env
        .http
        .get(format!("{url}.wav"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&wav[0..4], b"RIFF");
    let mp3 = env
        .http
        .get(format!("{url}.mp3"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(mp3[0], 0xFF);
    let rec_sid = action.param("RecordingSid").unwrap();
    let (_, rec) = env.get(&format!("Recordings/{rec_sid}.json")).await;
    assert_eq!(rec["call_sid"], sid.as_str());
    assert_eq!(rec["duration"], action.param("RecordingDuration").unwrap());
    env.assert_all_signed();
}

#[tokio::test]
async fn redirect_and_relative_urls_resolve_against_the_current_document() {
    let env = env_with(&["7"]).await;
    env.route(
        "/ivr/start",
        "<Response><Redirect>step2</Redirect></Response>",
    );
    env.route(
        "/ivr/step2",
        "<Response><Gather action=\"../done\" numDigits=\"1\"/></Response>",
    );
    let sid = env.call(CALLEE, "/ivr/start", &[]).await;
    env.end(&sid).await;
    assert_eq!(env.hits("/ivr/step2").len(), 1);
    assert_eq!(env.hits("/done")[0].param("Digits"), Some("7"));
}

#[tokio::test]
async fn a_failing_url_falls_back_to_the_fallback_url() {
    let env = env_with(&[]).await;
    env.route_status("/voice", 500, "oops");
    env.route(
        "/fallback",
        "<Response><Say>Fallback speaking</Say></Response>",
    );
    let fallback = env.url("/fallback");
    let sid = env
        .call(CALLEE, "/voice", &[("FallbackUrl", &fallback)])
        .await;
    env.end(&sid).await;
    let hit = &env.hits("/fallback")[0];
    assert_eq!(hit.param("ErrorCode"), Some("11200"));
    assert!(hit.param("ErrorUrl").unwrap().ends_with("/voice"));
}

#[tokio::test]
async fn failures_without_a_fallback_log_11200_or_12100_and_hang_up() {
    let env = env_with(&[]).await;
    env.route_status("/voice", 404, "");
    let sid = env.call(CALLEE, "/voice", &[]).await;
    assert_eq!(env.end(&sid).await, CallStatus::Completed);
    let codes = |sid: &str| -> Vec<u32> {
        env.transcript(sid)
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Error { code, .. } => Some(*code),
                _ => None,
            })
            .collect()
    };
    assert_eq!(codes(&sid), [11200]);
    env.route("/bad", "<Response><Dance/></Response>");
    let sid = env.call(CALLEE, "/bad", &[]).await;
    env.end(&sid).await;
    assert_eq!(codes(&sid), [12100]);
}

#[tokio::test]
async fn say_play_and_pause_run_in_order_and_end_of_document_completes() {
    let env = env_with(&[]).await;
    env.route("/voice", "<Response><Say>One</Say><Play>http://x.test/a.mp3</Play><Pause length=\"2\"/><Hangup/><Say>never</Say></Response>");
    let sid = env.call(CALLEE, "/voice", &[]).await;
    assert_eq!(env.end(&sid).await, CallStatus::Completed);
    let verbs: Vec<_> = kinds(&env.transcript(&sid))
        .into_iter()
        .filter(|k| k.starts_with("verb:"))
        .collect();
    assert_eq!(
        verbs,
        ["verb:Say", "verb:Play", "verb:Pause", "verb:Hangup"]
    );
}

#[tokio::test]
async fn get_methods_put_parameters_in_the_signed_query_string() {
    let env = env_with(&[]).await;
    env.route("/voice", "<Response><Say>hi</Say></Response>");
    let sid = env.call(CALLEE, "/voice", &[("Method", "GET")]).await;
    env.end(&sid).await;
    let hit = &env.hits("/voice")[0];
    assert_eq!(hit.method, "GET");
    assert_eq!(hit.param("CallSid"), Some(sid.as_str()));
    env.assert_all_signed();
}
