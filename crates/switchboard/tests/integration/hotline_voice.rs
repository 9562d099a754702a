//! The native voice flow through the real simulator over HTTP: the ladder walked with a
//! press-1 whisper, declines counted as no answer, shift lines rung one by one or all at once,
//! voicemail with its transcript emailed once over real SMTP; the volunteer line's endpoints.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use switchboard::hotline::model::RingStrategy;
use switchboard::hotline::model::Shift;
use switchboard::hotline::model::{Hours, IncidentStatus};
use switchboard::hotline::store::incidents::{self, Incident, StoredAttempt};
use switchboard::hotline::store::lines::{self, Line, LineSettings};
use switchboard::hotline::store::roster;
use switchboard::hotline::{self, demo};
use twilio_sim::Behaviour;
use twilio_sim::EventKind;

use crate::support::smtp::SmtpSink;
use crate::support::web_session::WebSession;
use crate::support::{TestApp, TestOptions};

/// Monday 14:00 in New York: business hours, Vera on shift.
const MONDAY_AFTERNOON: &str = "2026-03-02T19:00:00Z";
const CALLER: &str = "+14155551234";

async fn voice_app(smtp: Option<&SmtpSink>) -> TestApp {
    let app = TestApp::spawn_with(TestOptions {
        env: vec![("SWITCHBOARD_SIM_SPEED", "100".into())],
        smtp_url: smtp.map(|s| s.url.clone()),
        ..TestOptions::default()
    })
    .await;
    app.clock.set(MONDAY_AFTERNOON.parse().unwrap());
    demo::seed(&app.state, app.org).await.unwrap();
    app
}

fn sim(app: &TestApp) -> &twilio_sim::Simulator {
    &app.state.telephony.sim().expect("simulated").simulator
}

/// Calls `line` from the demo caller and waits (bounded) for the call to end.
async fn call(app: &TestApp, line: &str) -> (String, Incident) {
    let sid = sim(app)
        .place_inbound_call(CALLER, line, None)
        .await
        .unwrap();
    let ended = sim(app)
        .wait_for_call_end(&sid, Duration::from_secs(30))
        .await;
    assert!(ended.is_some(), "the call never ended");
    let (_, incident) = incidents::find_by_call(&app.state.db, &sid)
        .await
        .unwrap()
        .expect("the call opened an incident");
    (sid, incident)
}

async fn attempts(app: &TestApp, incident: &Incident) -> Vec<StoredAttempt> {
    incidents::attempts(&app.state.db, app.org, incident.id)
        .await
        .unwrap()
}

fn results(attempts: &[StoredAttempt]) -> Vec<(&str, &str)> {
    attempts
        .iter()
        .map(|a| (a.attempt.person_name.as_str(), a.attempt.result.as_str()))
        .collect()
}

async fn line_by_number(app: &TestApp, number: &str) -> Line {
    lines::find_line_by_number(&app.state.db, number)
        .await
        .unwrap()
        .unwrap()
        .1
}

#[tokio::test]
async fn a_ladder_call_walks_to_alan_who_accepts_with_1_and_the_incident_completes() {
    let app = voice_app(None).await;
    let (sid, incident) = call(&app, demo::LADDER_LINE).await;
    assert_eq!(incident.status, IncidentStatus::Completed, "{incident:?}");
    assert_eq!(incident.hours, Hours::Business);
    assert_eq!(incident.answered_phone.as_deref(), Some("+15005550113"));
    assert!(incident.duration_secs.is_some(), "{incident:?}");
    assert_eq!(
        results(&attempts(&app, &incident).await),
        vec![
            ("Ada Lovelace", "no-answer"),
            ("Grace Hopper", "busy"),
            ("Alan Turing", "answered"),
        ]
    );
    let transcript = sim(&app).transcript(&sid).unwrap();
    let whisper_gathers = transcript.events.iter().filter(|e| {
        e.leg != sid && matches!(&e.kind, EventKind::Verb { verb, .. } if verb == "Gather")
    });
    assert_eq!(whisper_gathers.count(), 1, "{}", transcript.summary());
    let summary = transcript.summary();
    assert!(
        summary
            .contains("Call for Field Service Emergency from +1 415 555 1234. Press 1 to accept."),
        "{summary}"
    );
    assert!(summary.contains("Connecting you."), "{summary}");
    app.stop().await;
}

#[tokio::test]
async fn a_callee_who_presses_nothing_or_2_counts_as_no_answer_and_the_walk_goes_on() {
    let app = voice_app(None).await;
    let pressing = |digits: &str| Behaviour {
        answer_after_secs: 2.0,
        press: vec![digits.to_string()],
        ..Behaviour::default()
    };
    sim(&app).set_behaviour("+15005550113", pressing(""));
    sim(&app).set_behaviour("+15005550115", pressing("2"));
    let (_, incident) = call(&app, demo::LADDER_LINE).await;
    assert_eq!(
        results(&attempts(&app, &incident).await),
        vec![
            ("Ada Lovelace", "no-answer"),
            ("Grace Hopper", "busy"),
            ("Alan Turing", "no-answer"),
            ("Edsger Dijkstra", "no-answer"),
            ("Frances Allen", "answered"),
        ]
    );
    assert_eq!(incident.status, IncidentStatus::Completed);
    let events = incidents::events(&app.state.db, app.org, incident.id)
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == "whisper_declined")
            .count(),
        1,
        "the silent callee never reaches the whisper action; the one who pressed 2 does"
    );
    app.stop().await;
}

fn signed(app: &TestApp, path: &str, pairs: &[(String, String)]) -> String {
    let url = app.state.config.public_url_for(path);
    twilio::signature::sign(app.state.config.twilio_auth_token.expose(), &url, pairs)
}

async fn post_signed(app: &TestApp, path: &str, pairs: &[(String, String)]) -> (u16, String) {
    let r = app
        .http
        .post(app.url(path))
        .header("X-Twilio-Signature", signed(app, path, pairs))
        .form(pairs)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Runs jobs until `sink` holds at least `n` messages (bounded).
async fn wait_for_mail(app: &TestApp, sink: &SmtpSink, n: usize) {
    for _ in 0..200 {
        app.run_jobs().await;
        if sink.received().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{n} email(s) never arrived: {:?}", sink.received());
}

#[tokio::test]
async fn nobody_on_shift_answering_takes_a_voicemail_emailed_exactly_once_with_its_transcript() {
    let sink = SmtpSink::start().await;
    let app = voice_app(Some(&sink)).await;
    let (sid, _) = call(&app, demo::COMMUNITY_LINE).await;
    wait_for_mail(&app, &sink, 1).await;
    let (_, incident) = incidents::find_by_call(&app.state.db, &sid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(incident.status, IncidentStatus::Exhausted);
    assert_eq!(
        results(&attempts(&app, &incident).await),
        vec![("Vera Rubin", "no-answer")]
    );
    let words = "Hello, my boiler is leaking in the basement, please call me back.";
    assert_eq!(incident.transcript.as_deref(), Some(words));
    let recording = incident.voicemail_url.clone().expect("voicemail URL");
    assert!(recording.contains("/Recordings/RE"), "{recording}");

    // Twilio retries the transcription callback: replay it, correctly signed.
    let transcript = sim(&app).transcript(&sid).unwrap();
    let replay: Vec<(String, String)> = transcript
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Callback { url, params, .. }
                if url.contains("/callrouting/transcription") =>
            {
                Some(params.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            }
            _ => None,
        })
        .expect("the simulator posted the transcription");
    let (status, _) = post_signed(&app, "/callrouting/transcription", &replay).await;
    assert_eq!(status, 204);
    // The replay was settled before it was answered: whatever it queued is due now.
    app.run_jobs().await;
    let mail = sink.received();
    assert_eq!(mail.len(), 1, "exactly one email: {mail:?}");
    assert_eq!(mail[0].to, vec!["<line@example.org>".to_string()]);
    // Quoted-printable: undo the soft line breaks.
    let data = mail[0].data.replace("\r\n", "\n").replace("=\n", "");
    assert!(
        data.contains("Community Line: new voicemail from +1 415 555 1234"),
        "{data}"
    );
    assert!(data.contains(&format!("{recording}.mp3")), "{data}");
    assert!(data.contains("boiler is leaking"), "{data}");
    // The transcription deadline passes: nothing more goes out, and the queue is empty.
    app.advance(10 * 60);
    app.run_jobs().await;
    app.stop().await;
}

async fn make_simultaneous(app: &TestApp, line: &Line) {
    let settings = LineSettings {
        name: line.name.clone(),
        kind: line.kind,
        phone_number: line.phone_number.clone(),
        time_zone: line.time_zone.clone(),
        business_hours: line.business_hours.clone(),
        ring_strategy: RingStrategy::Simultaneous,
        ring_timeout_secs: line.ring_timeout_secs,
        notify_emails: line.notify_emails.clone(),
        reminder_minute: line.reminder_minute,
    };
    lines::update_line(&app.state.db, app.org, line.id, &settings, 0)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_simultaneous_shift_line_dials_everyone_on_shift_in_one_dial() {
    let app = voice_app(None).await;
    let line = line_by_number(&app, demo::COMMUNITY_LINE).await;
    make_simultaneous(&app, &line).await;
    let wendy = roster::candidates(&app.state.db, app.org)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "Wendy Carlos")
        .unwrap();
    let shift = Shift {
        id: 0,
        person_id: wendy.person_id,
        weekday: 1,
        start_minute: 12 * 60,
        end_minute: 16 * 60,
    };
    roster::add_shift(&app.state.db, app.org, line.id, &shift, 0)
        .await
        .unwrap();
    let (sid, incident) = call(&app, demo::COMMUNITY_LINE).await;
    let transcript = sim(&app).transcript(&sid).unwrap();
    let dials: Vec<&str> = transcript
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Verb { verb, detail } if verb == "Dial" && detail.starts_with('+') => {
                Some(detail.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        dials,
        vec!["+15005550211, +15005550213"],
        "{}",
        transcript.summary()
    );
    assert_eq!(incident.status, IncidentStatus::Completed);
    assert_eq!(
        results(&attempts(&app, &incident).await),
        vec![("Vera Rubin", "no-answer"), ("Wendy Carlos", "answered")]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_call_to_a_number_without_a_line_hears_it_is_not_in_service() {
    let app = voice_app(None).await;
    let pairs: Vec<(String, String)> = [
        ("CallSid", "CA0123456789abcdef0123456789abcdef"),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", CALLER),
        ("To", "+15005550999"),
        ("CallStatus", "ringing"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (status, body) = post_signed(&app, "/callrouting/handle", &pairs).await;
    assert_eq!(status, 200);
    assert!(body.contains("not in service"), "{body}");
    let unsigned = app
        .http
        .post(app.url("/callrouting/handle"))
        .form(&pairs)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::FORBIDDEN);
    for path in [
        "/callrouting/recording",
        "/callrouting/recordingcomplete",
        "/callrouting/transcription",
        "/twilio/hotline/dial-result?incident=1&line=1",
    ] {
        let r = app
            .http
            .post(app.url(path))
            .header("X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJl")
            .form(&pairs)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_volunteers_endpoint_lists_who_is_on_shift_as_json_or_html_for_signed_in_callers() {
    let app = voice_app(None).await;
    let line = line_by_number(&app, demo::COMMUNITY_LINE).await;
    let path = |day: &str, hour: &str| format!("/callrouting/volunteers/{}/{day}/{hour}", line.id);
    let (status, body) = app.get(&path("Monday", "9"), &app.token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list = body.as_array().unwrap();
    assert_eq!(list.len(), 1, "{body}");
    assert_eq!(list[0]["name"], "Vera Rubin");
    assert_eq!(list[0]["phone"], "+15005550211");
    assert_eq!(list[0]["start"], "09:00");
    assert_eq!(list[0]["end"], "17:00");
    assert!(list[0]["id"].is_i64());
    let (_, evening) = app.get(&path("friday", "17"), &app.token).await;
    assert_eq!(evening[0]["name"], "Victor Vasarely");
    let (_, night) = app.get(&path("Monday", "23"), &app.token).await;
    assert_eq!(night, Value::Array(Vec::new()));

    let html = app
        .http
        .get(app.url(&path("Saturday", "10")))
        .bearer_auth(&app.token)
        .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert!(
        html.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let text = html.text().await.unwrap();
    assert!(
        text.contains("<table") && text.contains("Wendy Carlos"),
        "{text}"
    );

    let session = WebSession::owner(&app).await;
    let page = session.get(&path("Monday", "9")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Vera Rubin"), "{}", page.html);

    let anonymous = app
        .http
        .get(app.url(&path("Monday", "9")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let (_, other) = app.other_org("elsewhere").await;
    let (status, _) = app.get(&path("Monday", "9"), &other).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app.get(&path("Funday", "9"), &app.token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["field"], "day", "{body}");
    for hour in ["24", "-1", "noon"] {
        let (status, body) = app.get(&path("Monday", hour), &app.token).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["field"], "hour", "{body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn saving_a_line_in_simulated_mode_points_its_number_at_the_voice_webhook() {
    let app = voice_app(None).await;
    let line = line_by_number(&app, demo::LADDER_LINE).await;
    hotline::provision::provision(&app.state, &line)
        .await
        .unwrap();
    let numbers = app
        .state
        .telephony
        .client()
        .list_incoming_phone_numbers(Some(demo::COMMUNITY_LINE))
        .await
        .unwrap();
    let url = numbers.incoming_phone_numbers[0].voice_url.clone().unwrap();
    assert!(url.ends_with("/callrouting/handle"), "{url}");
    app.stop().await;
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn a_failed_transcription_arriving_before_the_recording_still_sends_one_email_saying_so() {
    let sink = SmtpSink::start().await;
    let app = voice_app(Some(&sink)).await;
    let call_sid = "CA00000000000000000000000000000001";
    let account = "AC00000000000000000000000000000000";
    let call = pairs(&[
        ("CallSid", call_sid),
        ("AccountSid", account),
        ("From", CALLER),
        ("To", demo::COMMUNITY_LINE),
        ("CallStatus", "ringing"),
    ]);
    let (status, twiml) = post_signed(&app, "/callrouting/handle", &call).await;
    assert_eq!(status, 200);
    assert!(twiml.contains("+15005550211"), "Vera is dialled: {twiml}");
    let transcription = pairs(&[
        ("CallSid", call_sid),
        ("AccountSid", account),
        ("TranscriptionSid", "TR00000000000000000000000000000001"),
        ("TranscriptionStatus", "failed"),
        ("RecordingSid", "RE00000000000000000000000000000001"),
    ]);
    let (status, _) = post_signed(&app, "/callrouting/transcription", &transcription).await;
    assert_eq!(status, 204);
    app.run_jobs().await;
    assert!(sink.received().is_empty(), "no email before the recording");
    let recording = pairs(&[
        ("CallSid", call_sid),
        ("AccountSid", account),
        ("RecordingSid", "RE00000000000000000000000000000001"),
        ("RecordingUrl", "https://api.twilio.com/Recordings/RE1"),
        ("RecordingDuration", "7"),
    ]);
    let (status, goodbye) = post_signed(&app, "/callrouting/recording", &recording).await;
    assert_eq!(status, 200);
    assert!(goodbye.contains("<Hangup/>"), "{goodbye}");
    let mut complete = recording.clone();
    complete.push(("RecordingStatus".into(), "completed".into()));
    let (status, _) = post_signed(&app, "/callrouting/recordingcomplete", &complete).await;
    assert_eq!(status, 204);
    wait_for_mail(&app, &sink, 1).await;
    let mail = sink.received();
    assert_eq!(mail.len(), 1, "{mail:?}");
    let data = mail[0].data.replace("\r\n", "\n").replace("=\n", "");
    assert!(data.contains("No transcription is available."), "{data}");
    assert!(
        data.contains("https://api.twilio.com/Recordings/RE1.mp3"),
        "{data}"
    );
    assert!(data.contains("7 seconds"), "{data}");
    // The transcription deadline passes: nothing more goes out, and the queue is empty.
    app.advance(10 * 60);
    app.run_jobs().await;
    app.stop().await;
}

#[tokio::test]
async fn a_call_when_nobody_is_on_shift_goes_straight_to_voicemail() {
    let app = voice_app(None).await;
    app.clock.set("2026-03-02T08:00:00Z".parse().unwrap()); // Monday 03:00 in New York
    let (sid, incident) = call(&app, demo::COMMUNITY_LINE).await;
    assert_eq!(incident.status, IncidentStatus::Exhausted);
    assert!(attempts(&app, &incident).await.is_empty());
    let summary = sim(&app).transcript(&sid).unwrap().summary();
    assert!(
        summary.contains("Community Line: nobody is available right now."),
        "{summary}"
    );
    assert!(!summary.contains("Dial"), "{summary}");
    // The transcription deadline passes: nothing more goes out, and the queue is empty.
    app.advance(10 * 60);
    app.run_jobs().await;
    app.stop().await;
}

/// Waits (bounded) until the incident of `sid` has ended.
async fn wait_for_ended(app: &TestApp, sid: &str) -> Incident {
    for _ in 0..200 {
        let (_, incident) = incidents::find_by_call(&app.state.db, sid)
            .await
            .unwrap()
            .unwrap();
        if incident.ended_at.is_some() {
            return incident;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the incident of {sid} never ended");
}

#[tokio::test]
async fn a_caller_who_hangs_up_while_we_ring_closes_the_incident_through_the_status_callback() {
    let app = voice_app(None).await;
    let impatient = Behaviour {
        hangup_after_secs: Some(5.0),
        ..Behaviour::default()
    };
    let sid = sim(&app)
        .place_inbound_call(CALLER, demo::LADDER_LINE, Some(impatient))
        .await
        .unwrap();
    sim(&app)
        .wait_for_call_end(&sid, Duration::from_secs(30))
        .await
        .expect("the call ends");
    let incident = wait_for_ended(&app, &sid).await;
    assert_eq!(
        incident.status,
        IncidentStatus::Open,
        "nobody answered, nobody was exhausted"
    );
    assert_eq!(
        results(&attempts(&app, &incident).await),
        vec![("Ada Lovelace", "no-answer")]
    );
    let row = switchboard::telephony::ledger::find_call(&app.state.db, app.org, &sid)
        .await
        .unwrap()
        .expect("the inbound call is in the ledger");
    assert_eq!(row.status, "completed");
    app.stop().await;
}

#[tokio::test]
async fn a_voicemail_whose_transcription_never_arrives_is_emailed_once_after_ten_minutes() {
    let sink = SmtpSink::start().await;
    let app = voice_app(Some(&sink)).await;
    let call_sid = "CA00000000000000000000000000000009";
    let account = "AC00000000000000000000000000000000";
    let call = pairs(&[
        ("CallSid", call_sid),
        ("AccountSid", account),
        ("From", CALLER),
        ("To", demo::COMMUNITY_LINE),
        ("CallStatus", "ringing"),
    ]);
    assert_eq!(post_signed(&app, "/callrouting/handle", &call).await.0, 200);
    let recording = pairs(&[
        ("CallSid", call_sid),
        ("AccountSid", account),
        ("RecordingSid", "RE00000000000000000000000000000009"),
        ("RecordingUrl", "https://api.twilio.com/Recordings/RE9"),
        ("RecordingStatus", "completed"),
        ("RecordingDuration", "12"),
    ]);
    assert_eq!(
        post_signed(&app, "/callrouting/recordingcomplete", &recording)
            .await
            .0,
        204
    );
    app.run_jobs().await;
    assert!(
        sink.received().is_empty(),
        "the email waits for the transcription"
    );
    app.advance(10 * 60);
    app.run_jobs().await;
    app.run_jobs().await;
    let mail = sink.received();
    assert_eq!(mail.len(), 1, "{mail:?}");
    let data = mail[0].data.replace("\r\n", "\n").replace("=\n", "");
    assert!(data.contains("No transcription is available."), "{data}");
    let late = pairs(&[
        ("CallSid", call_sid),
        ("AccountSid", account),
        ("TranscriptionSid", "TR00000000000000000000000000000009"),
        ("TranscriptionStatus", "completed"),
        ("TranscriptionText", "Too late."),
        ("RecordingSid", "RE00000000000000000000000000000009"),
    ]);
    assert_eq!(
        post_signed(&app, "/callrouting/transcription", &late)
            .await
            .0,
        204
    );
    app.run_jobs().await;
    assert_eq!(
        sink.received().len(),
        1,
        "a late transcription sends nothing more"
    );
    app.stop().await;
}

/// The action URL of the TwiML's `<Dial>`, as a path on our server.
fn dial_action(app: &TestApp, twiml: &str) -> String {
    let response = twilio::twiml::VoiceResponse::parse(twiml).unwrap();
    let action = response
        .verbs
        .iter()
        .find_map(|v| match v {
            twilio::twiml::Verb::Dial(d) => d.action.clone(),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no <Dial action> in {twiml}"));
    action.strip_prefix(&app.base_url).unwrap().to_string()
}

#[tokio::test]
async fn a_replayed_dial_result_changes_nothing_and_dials_the_current_round_again() {
    let app = voice_app(None).await;
    let call_sid = "CA00000000000000000000000000000077";
    let account = "AC00000000000000000000000000000000";
    let call = pairs(&[
        ("CallSid", call_sid),
        ("AccountSid", account),
        ("From", CALLER),
        ("To", demo::LADDER_LINE),
        ("CallStatus", "ringing"),
    ]);
    let (status, first) = post_signed(&app, "/callrouting/handle", &call).await;
    assert_eq!(status, 200);
    assert!(
        first.contains("+15005550111"),
        "Ada is dialled first: {first}"
    );
    let ada_round = dial_action(&app, &first);
    let no_answer = pairs(&[
        ("CallSid", call_sid),
        ("AccountSid", account),
        ("DialCallStatus", "no-answer"),
    ]);
    let (_, second) = post_signed(&app, &ada_round, &no_answer).await;
    assert!(second.contains("+15005550112"), "then Grace: {second}");
    let (status, replay) = post_signed(&app, &ada_round, &no_answer).await;
    assert_eq!(status, 200);
    assert!(
        replay.contains("+15005550112") && !replay.contains("+15005550113"),
        "the replay dials Grace again: {replay}"
    );
    let (_, incident) = incidents::find_by_call(&app.state.db, call_sid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        results(&attempts(&app, &incident).await),
        vec![("Ada Lovelace", "no-answer"), ("Grace Hopper", "dialing")],
        "Grace is still being rung"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_retried_voice_webhook_answers_with_the_current_round_and_changes_nothing() {
    let app = voice_app(None).await;
    let account = "AC00000000000000000000000000000000";
    let call = |sid: &str| {
        pairs(&[
            ("CallSid", sid),
            ("AccountSid", account),
            ("From", CALLER),
            ("To", demo::LADDER_LINE),
            ("CallStatus", "ringing"),
        ])
    };
    let retried = call("CA00000000000000000000000000000081");
    let (status, first) = post_signed(&app, "/callrouting/handle", &retried).await;
    assert_eq!(status, 200);
    assert!(first.contains("+15005550111"), "Ada first: {first}");
    for _ in 0..5 {
        let (status, again) = post_signed(&app, "/callrouting/handle", &retried).await;
        assert_eq!(status, 200);
        assert_eq!(
            again, first,
            "Twilio asked again: the same round, Ada still ringing"
        );
    }

    // Four copies of one new call at once: whichever batches they land in, one incident,
    // one round, one attempt, and each copy dials Ada.
    let together = call("CA00000000000000000000000000000082");
    let answers = futures::future::join_all(
        (0..4).map(|_| post_signed(&app, "/callrouting/handle", &together)),
    )
    .await;
    assert!(
        answers
            .iter()
            .all(|(status, twiml)| *status == 200 && twiml.contains("+15005550111")),
        "{answers:?}"
    );
    for sid in [
        "CA00000000000000000000000000000081",
        "CA00000000000000000000000000000082",
    ] {
        let sql = "SELECT COUNT(*) FROM incidents WHERE call_sid = $1";
        let count: i64 = switchboard::with_db!(&app.state.db, p =>
            sqlx::query_scalar(sql).bind(sid).fetch_one(p).await)
        .unwrap();
        assert_eq!(count, 1, "one incident for {sid}");
        let (_, incident) = incidents::find_by_call(&app.state.db, sid)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(incident.round, 1, "{sid}");
        assert_eq!(
            results(&attempts(&app, &incident).await),
            vec![("Ada Lovelace", "dialing")],
            "{sid}"
        );
    }
    app.stop().await;
}
