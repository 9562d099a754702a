//! Call outcomes, status callbacks, machine detection, queueing and live updates.

use twilio_sim::{Behaviour, CallStatus, Outcome};

use crate::support::{APP_NUMBER, TestEnv, kinds};

const SAY: &str = "<Response><Say>Hello there</Say></Response>";

#[tokio::test]
async fn an_answered_call_runs_the_app_and_posts_signed_callbacks_in_sequence() {
    let env = TestEnv::start().await;
    env.route("/voice", SAY);
    env.sim
        .set_behaviour("+15005550111", Behaviour::answers_after(2.0));
    let sid = env.call("+15005550111", "/voice", &[]).await;
    assert_eq!(env.end(&sid).await, CallStatus::Completed);
    let callbacks = env.wait_hits("/status", 4).await;
    let statuses: Vec<_> = callbacks
        .iter()
        .map(|h| h.param("CallStatus").unwrap().to_owned())
        .collect();
    assert_eq!(
        statuses,
        ["initiated", "ringing", "in-progress", "completed"]
    );
    let sequence: Vec<_> = callbacks
        .iter()
        .map(|h| h.param("SequenceNumber").unwrap().to_owned())
        .collect();
    assert_eq!(sequence, ["0", "1", "2", "3"]);
    let last = &callbacks[3];
    assert!(last.param("CallDuration").is_some());
    assert_eq!(last.param("CallbackSource"), Some("call-progress-events"));
    assert!(last.param("Timestamp").unwrap().ends_with("+0000"));
    let fetch = &env.hits("/voice")[0];
    assert_eq!(fetch.param("CallSid"), Some(sid.as_str()));
    assert_eq!(fetch.param("Direction"), Some("outbound-api"));
    assert_eq!(fetch.param("CallStatus"), Some("in-progress"));
    assert!(kinds(&env.transcript(&sid)).contains(&"verb:Say".to_owned()));
    env.assert_all_signed();
    let (_, call) = env.get(&format!("Calls/{sid}.json")).await;
    assert_eq!(call["status"], "completed");
    assert!(call["price"].as_str().unwrap().starts_with('-'));
    assert_eq!(call["price_unit"], "USD");
    assert!(call["duration"].is_string());
}

#[tokio::test]
async fn only_the_completed_event_is_posted_by_default() {
    let env = TestEnv::start().await;
    env.route("/voice", SAY);
    env.sim
        .set_behaviour("+15005550111", Behaviour::answers_after(1.0));
    let (url, cb) = (env.url("/voice"), env.url("/status"));
    let form = [
        ("To", "+15005550111"),
        ("From", APP_NUMBER),
        ("Url", url.as_str()),
        ("StatusCallback", cb.as_str()),
    ];
    let (_, call) = env.post("Calls.json", &form).await;
    let sid = call["sid"].as_str().unwrap();
    env.end(sid).await;
    let hits = env.wait_hits("/status", 1).await;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].param("CallStatus"), Some("completed"));
}

#[tokio::test]
async fn busy_no_answer_and_unreachable_numbers_end_with_their_status() {
    let env = TestEnv::start().await;
    env.route("/voice", SAY);
    let cases = [
        ("+15005550121", Outcome::Busy, CallStatus::Busy),
        ("+15005550122", Outcome::NoAnswer, CallStatus::NoAnswer),
        ("+15005550123", Outcome::Unreachable, CallStatus::Failed),
    ];
    for (number, outcome, expected) in cases {
        env.sim
            .set_behaviour(number, Behaviour::with_outcome(outcome));
        let sid = env.call(number, "/voice", &[("Timeout", "10")]).await;
        assert_eq!(env.end(&sid).await, expected, "{number}");
    }
    assert!(
        env.hits("/voice").is_empty(),
        "no TwiML is fetched for unanswered calls"
    );
}

#[tokio::test]
async fn a_person_answering_after_the_timeout_is_no_answer() {
    let env = TestEnv::start().await;
    env.sim
        .set_behaviour("+15005550124", Behaviour::answers_after(30.0));
    let sid = env
        .call("+15005550124", "/voice", &[("Timeout", "5")])
        .await;
    assert_eq!(env.end(&sid).await, CallStatus::NoAnswer);
}

#[tokio::test]
async fn canceling_a_ringing_call_ends_it_canceled() {
    let env = TestEnv::start().await;
    env.sim
        .set_behaviour("+15005550125", Behaviour::answers_after(500.0));
    let sid = env
        .call("+15005550125", "/voice", &[("Timeout", "600")])
        .await;
    env.wait_hits("/status", 2).await;
    let (status, _) = env
        .post(&format!("Calls/{sid}.json"), &[("Status", "canceled")])
        .await;
    assert_eq!(status, 200);
    assert_eq!(env.end(&sid).await, CallStatus::Canceled);
}

#[tokio::test]
async fn machine_detection_tells_the_app_who_answered() {
    let env = TestEnv::start().await;
    env.route("/voice", SAY);
    env.sim
        .set_behaviour("+15005550131", Behaviour::with_outcome(Outcome::Machine));
    env.sim
        .set_behaviour("+15005550132", Behaviour::answers_after(1.0));
    let machine = env
        .call(
            "+15005550131",
            "/voice",
            &[("MachineDetection", "DetectMessageEnd")],
        )
        .await;
    let human = env
        .call("+15005550132", "/voice", &[("MachineDetection", "Enable")])
        .await;
    env.end(&machine).await;
    env.end(&human).await;
    let by_call = |sid: &str| {
        env.hits("/voice")
            .into_iter()
            .find(|h| h.param("CallSid") == Some(sid))
            .unwrap()
    };
    assert_eq!(
        by_call(&machine).param("AnsweredBy"),
        Some("machine_end_beep")
    );
    assert_eq!(by_call(&human).param("AnsweredBy"), Some("human"));
    let (_, call) = env.get(&format!("Calls/{machine}.json")).await;
    assert_eq!(call["answered_by"], "machine_end_beep");
}

#[tokio::test]
async fn async_amd_posts_answered_by_to_its_own_callback() {
    let env = TestEnv::start().await;
    env.route("/voice", "<Response><Pause length=\"30\"/></Response>");
    env.sim
        .set_behaviour("+15005550133", Behaviour::with_outcome(Outcome::Machine));
    let amd = env.url("/amd");
    let sid = env
        .call(
            "+15005550133",
            "/voice",
            &[
                ("MachineDetection", "Enable"),
                ("AsyncAmd", "true"),
                ("AsyncAmdStatusCallback", &amd),
            ],
        )
        .await;
    let hits = env.wait_hits("/amd", 1).await;
    assert_eq!(hits[0].param("AnsweredBy"), Some("machine_start"));
    assert_eq!(hits[0].param("CallSid"), Some(sid.as_str()));
    assert!(
        env.hits("/voice")[0].param("AnsweredBy").is_none(),
        "async AMD does not hold the TwiML fetch"
    );
    env.end(&sid).await;
    env.assert_all_signed();
}

#[tokio::test]
async fn calls_over_the_rate_limit_queue_and_all_complete() {
    let mut cfg = crate::support::config();
    cfg.calls_per_second = 2.0;
    let env = TestEnv::with_config(cfg).await;
    env.route("/voice", SAY);
    let mut sids = Vec::new();
    for n in 0..6 {
        let number = format!("+1500555020{n}");
        env.sim
            .set_behaviour(&number, Behaviour::answers_after(1.0));
        sids.push(env.call(&number, "/voice", &[]).await);
    }
    let (_, last) = env.get(&format!("Calls/{}.json", sids[5])).await;
    assert_eq!(last["status"], "queued", "the sixth call waits its turn");
    for sid in &sids {
        assert_eq!(env.end(sid).await, CallStatus::Completed);
    }
}

#[tokio::test]
async fn updating_a_live_call_with_twiml_or_a_url_redirects_it() {
    let env = TestEnv::start().await;
    env.route("/voice", "<Response><Pause length=\"600\"/></Response>");
    env.route("/next", "<Response><Say>Moved</Say></Response>");
    env.sim
        .set_behaviour("+15005550141", Behaviour::answers_after(1.0));
    let sid = env.call("+15005550141", "/voice", &[]).await;
    env.wait_hits("/voice", 1).await;
    let next = env.url("/next");
    let (status, _) = env
        .post(&format!("Calls/{sid}.json"), &[("Url", &next)])
        .await;
    assert_eq!(status, 200);
    assert_eq!(env.end(&sid).await, CallStatus::Completed);
    assert_eq!(env.hits("/next").len(), 1);

    let sid = env.call("+15005550141", "/voice", &[]).await;
    env.wait_hits("/voice", 2).await;
    let twiml = "<Response><Say>Inline</Say><Hangup/></Response>";
    env.post(&format!("Calls/{sid}.json"), &[("Twiml", twiml)])
        .await;
    assert_eq!(env.end(&sid).await, CallStatus::Completed);
    let says: Vec<_> = env
        .transcript(&sid)
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            twilio_sim::EventKind::Verb { verb, detail } if verb == "Say" => Some(detail.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(says, ["Inline"]);
}

#[tokio::test]
async fn an_inbound_call_fetches_the_numbers_voice_url_and_posts_its_status_callback() {
    let env = TestEnv::start().await;
    let cb = env.url("/number-status");
    env.register("+15005550150", &[("StatusCallback", &cb)])
        .await;
    env.route("/voice", SAY);
    let sid = env
        .sim
        .place_inbound_call("+15005550999", "+15005550150", None)
        .await
        .unwrap();
    assert_eq!(env.end(&sid).await, CallStatus::Completed);
    let fetch = &env.hits("/voice")[0];
    assert_eq!(fetch.param("Direction"), Some("inbound"));
    assert_eq!(fetch.param("From"), Some("+15005550999"));
    assert_eq!(
        env.wait_hits("/number-status", 1).await[0].param("CallStatus"),
        Some("completed")
    );
    env.assert_all_signed();
}

#[tokio::test]
async fn rejecting_an_inbound_call_ends_it_busy_or_no_answer() {
    let env = TestEnv::start().await;
    env.register("+15005550151", &[]).await;
    env.route("/voice", "<Response><Reject reason=\"busy\"/></Response>");
    let sid = env
        .sim
        .place_inbound_call("+15005550998", "+15005550151", None)
        .await
        .unwrap();
    assert_eq!(env.end(&sid).await, CallStatus::Busy);
    env.route("/voice", "<Response><Reject/></Response>");
    let sid = env
        .sim
        .place_inbound_call("+15005550998", "+15005550151", None)
        .await
        .unwrap();
    assert_eq!(env.end(&sid).await, CallStatus::NoAnswer);
}

#[tokio::test]
async fn calling_an_unregistered_number_is_an_error() {
    let env = TestEnv::start().await;
    let err = env
        .sim
        .place_inbound_call("+15005550998", "+15005550777", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("+15005550777"));
}

#[tokio::test]
async fn a_party_hanging_up_ends_the_call_completed() {
    let env = TestEnv::start().await;
    env.route("/voice", "<Response><Pause length=\"600\"/></Response>");
    let b = Behaviour {
        hangup_after_secs: Some(5.0),
        answer_after_secs: 1.0,
        ..Behaviour::default()
    };
    env.sim.set_behaviour("+15005550161", b);
    let sid = env.call("+15005550161", "/voice", &[]).await;
    assert_eq!(env.end(&sid).await, CallStatus::Completed);
    let (_, call) = env.get(&format!("Calls/{sid}.json")).await;
    let secs: u64 = call["duration"].as_str().unwrap().parse().unwrap();
    assert!(
        secs >= 5,
        "reported duration is in real-world seconds: {secs}"
    );
}

#[tokio::test]
async fn record_true_on_create_records_the_whole_call_and_posts_its_status() {
    let env = TestEnv::start().await;
    env.route("/voice", "<Response><Pause length=\"10\"/></Response>");
    env.sim
        .set_behaviour("+15005550171", Behaviour::answers_after(1.0));
    let cb = env.url("/rec");
    let sid = env
        .call(
            "+15005550171",
            "/voice",
            &[("Record", "true"), ("RecordingStatusCallback", &cb)],
        )
        .await;
    env.end(&sid).await;
    let hit = &env.wait_hits("/rec", 1).await[0];
    assert_eq!(hit.param("RecordingSource"), Some("OutboundAPI"));
    assert!(
        hit.param("RecordingDuration")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 10
    );
    let (status, _) = env
        .get(&format!(
            "Recordings/{}.json",
            hit.param("RecordingSid").unwrap()
        ))
        .await;
    assert_eq!(status, 200);
}
