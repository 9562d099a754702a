//! Twilio retries webhooks and delivers callbacks twice, late and out of order. A real call is
//! recorded through the simulator (every request it made to us, in order); then each request is
//! delivered again to a fresh server three times with late duplicates, or ten times at once,
//! and the final incidents, attempts, ledger rows and queued emails must be those of the real
//! call. The routing API for Studio flows gets the same treatment for its reports.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};
use switchboard::hotline::demo;
use switchboard::hotline::store::incidents::{self, IncidentFilter};
use switchboard::telephony::ledger;
use twilio_sim::{Behaviour, EventKind};

use crate::support::{TestApp, TestOptions};

/// Monday 14:00 in New York: business hours, Vera on shift.
const MONDAY_AFTERNOON: &str = "2026-03-02T19:00:00Z";
const CALLER: &str = "+14155551234";
const SECRET: &str = "studio-shared-secret";

async fn seeded_app() -> TestApp {
    let app = TestApp::spawn_with(TestOptions {
        env: vec![
            ("SWITCHBOARD_SIM_SPEED", "100".into()),
            ("WEBHOOK_SECRET", SECRET.into()),
        ],
        ..TestOptions::default()
    })
    .await;
    app.clock.set(MONDAY_AFTERNOON.parse().unwrap());
    demo::seed(&app.state, app.org).await.unwrap();
    app
}

/// One request Twilio made to us: a path on our server, its form fields, and for a TwiML
/// fetch the document we answered (our base URL taken out).
#[derive(Clone, Debug)]
struct Delivery {
    path: String,
    params: Vec<(String, String)>,
    twiml: Option<String>,
}

/// Places a real call through the simulator and returns every request it made to our server,
/// in the order it made them, with the rows the call left.
async fn record_call(line: &str, behaviour: Option<Behaviour>) -> (String, Vec<Delivery>, String) {
    let app = seeded_app().await;
    let sim = &app.state.telephony.sim().expect("simulated").simulator;
    let sid = sim
        .place_inbound_call(CALLER, line, behaviour)
        .await
        .unwrap();
    sim.wait_for_call_end(&sid, Duration::from_secs(30))
        .await
        .expect("the call ends");
    let transcript = sim.transcript(&sid).unwrap();
    let deliveries: Vec<Delivery> = transcript
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Fetch {
                url,
                method,
                params,
                body,
                ..
            } if method == "POST" => Some((url, params, Some(body))),
            EventKind::Callback { url, params, .. } => Some((url, params, None)),
            _ => None,
        })
        .filter_map(|(url, params, body)| {
            Some(Delivery {
                path: url.strip_prefix(&app.base_url)?.to_string(),
                params: params.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                twiml: body.map(|b| b.replace(&app.base_url, "")),
            })
        })
        .collect();
    settle(&app, &sid).await;
    let rows = rows(&app, &sid).await;
    app.stop().await;
    (sid, deliveries, rows)
}

/// Waits (bounded) until the call's final status is in the ledger, then runs what it queued.
async fn settle(app: &TestApp, sid: &str) {
    for _ in 0..400 {
        let call = ledger::find_call(&app.state.db, app.org, sid)
            .await
            .unwrap();
        if call.is_some_and(|c| c.status == "completed") {
            app.run_jobs().await;
            // A voicemail's transcription deadline passes; it finds its email already sent.
            app.advance(10 * 60);
            app.run_jobs().await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the call {sid} never reached the ledger as completed");
}

/// The rows a call leaves, in a form two servers can compare: its incidents with their
/// attempts, its ledger row, and the jobs the server queued.
async fn rows(app: &TestApp, sid: &str) -> String {
    let filter = IncidentFilter {
        limit: 100,
        ..IncidentFilter::default()
    };
    let mut out = String::new();
    for incident in incidents::list(&app.state.db, app.org, &filter)
        .await
        .unwrap()
    {
        writeln!(out, "{incident:?}").unwrap();
        for a in incidents::attempts(&app.state.db, app.org, incident.id)
            .await
            .unwrap()
        {
            writeln!(out, "  {:?}", a.attempt).unwrap();
        }
    }
    let call = ledger::find_call(&app.state.db, app.org, sid)
        .await
        .unwrap();
    if let Some(call) = call {
        writeln!(out, "ledger: {} {:?}", call.status, call.duration_secs).unwrap();
    }
    let sql = "SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state ORDER BY kind, state";
    let jobs: Vec<(String, String, i64)> =
        switchboard::with_db!(&app.state.db, p => sqlx::query_as(sql).fetch_all(p).await).unwrap();
    writeln!(out, "jobs: {jobs:?}").unwrap();
    out
}

async fn deliver(app: &TestApp, d: &Delivery) -> (u16, String) {
    let url = app.state.config.public_url_for(&d.path);
    let token = app.state.config.twilio_auth_token.expose();
    let r = app
        .http
        .post(app.url(&d.path))
        .header(
            "X-Twilio-Signature",
            twilio::signature::sign(token, &url, &d.params),
        )
        .form(&d.params)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body = r.text().await.unwrap().replace(&app.base_url, "");
    assert!(
        (200..300).contains(&status),
        "{} answered {status}: {body}",
        d.path
    );
    (status, body)
}

/// A small deterministic generator, so a failing order can be replayed from its seed.
struct Shuffle(u64);

impl Shuffle {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Each of `n` requests `copies` times: the first copies in their causal order, every further
/// copy at a random later place (a retry that arrives late, after later requests).
fn with_late_duplicates(n: usize, copies: usize, seed: u64) -> Vec<usize> {
    let mut rng = Shuffle(seed);
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..n {
        for _ in 1..copies {
            let first = order.iter().position(|&x| x == i).unwrap();
            let at = first + 1 + rng.below(order.len() - first);
            order.insert(at, i);
        }
    }
    order
}

/// A call of each kind: answered on the ladder, a voicemail with its transcript, a caller who
/// hangs up while we ring.
async fn recorded_calls() -> Vec<(String, Vec<Delivery>, String)> {
    let impatient = Behaviour {
        hangup_after_secs: Some(5.0),
        ..Behaviour::default()
    };
    vec![
        record_call(demo::LADDER_LINE, None).await,
        record_call(demo::COMMUNITY_LINE, None).await,
        record_call(demo::LADDER_LINE, Some(impatient)).await,
    ]
}

#[tokio::test]
async fn every_voice_webhook_delivered_three_times_with_late_duplicates_leaves_the_rows_of_one_delivery()
 {
    for (sid, deliveries, expected) in recorded_calls().await {
        assert!(deliveries.len() >= 2, "{deliveries:?}");
        for seed in [7, 1_234_567, 0x5eed] {
            let app = seeded_app().await;
            let mut answered = vec![false; deliveries.len()];
            for i in with_late_duplicates(deliveries.len(), 3, seed) {
                let (_, answer) = deliver(&app, &deliveries[i]).await;
                // Late copies of earlier requests changed nothing: each request's first copy
                // is answered as the real call's was.
                if let (false, Some(real)) = (answered[i], &deliveries[i].twiml) {
                    assert_eq!(&answer, real, "seed {seed}: {}", deliveries[i].path);
                }
                answered[i] = true;
            }
            settle(&app, &sid).await;
            assert_eq!(
                rows(&app, &sid).await,
                expected,
                "seed {seed}, order {:?}",
                with_late_duplicates(deliveries.len(), 3, seed)
            );
            app.stop().await;
        }
    }
}

#[tokio::test]
async fn every_voice_webhook_delivered_ten_times_at_once_leaves_the_rows_of_one_delivery_and_one_answer()
 {
    for (sid, deliveries, expected) in recorded_calls().await {
        let app = seeded_app().await;
        for d in &deliveries {
            let answers = futures::future::join_all((0..10).map(|_| deliver(&app, d))).await;
            assert!(
                answers.iter().all(|a| *a == answers[0]),
                "every copy of {} gets the same answer: {answers:?}",
                d.path
            );
            if let Some(real) = &d.twiml {
                assert_eq!(
                    &answers[0].1, real,
                    "{} is answered as in the real call",
                    d.path
                );
            }
        }
        settle(&app, &sid).await;
        assert_eq!(rows(&app, &sid).await, expected);
        app.stop().await;
    }
}

async fn studio(app: &TestApp, endpoint: &str, body: &Value) -> Value {
    let r = app
        .http
        .post(app.url(&format!("/api/telephony/{endpoint}")))
        .bearer_auth(SECRET)
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{endpoint} {body}");
    r.json().await.unwrap()
}

/// A Studio flow's requests for one call after its first `next-target`: Ada busy, Grace
/// answers, the call lasts 180 s. The reports steer nothing, so their retries may come at any
/// later time. Asking `next-target` again for an incident moves on by the routing API's
/// contract (an unreported target counts as not answering), so that one is sent once.
fn studio_script(incident: i64) -> Vec<(&'static str, Value, bool)> {
    let sid = "CA00000000000000000000000000000042";
    vec![
        (
            "attempt-failed",
            json!({"incidentId": incident, "targetPhone": "+15005550111", "reason": "busy", "callSid": sid}),
            true,
        ),
        (
            "next-target",
            json!({"incidentId": incident, "callerPhone": CALLER, "callSid": sid}),
            false,
        ),
        (
            "answered",
            json!({"incidentId": incident, "answeredPhone": "+15005550112", "callSid": sid}),
            true,
        ),
        (
            "completed",
            json!({"incidentId": incident, "callSid": sid, "duration": 180}),
            true,
        ),
    ]
}

async fn studio_rows(copies: usize, seed: u64, at_once: bool) -> String {
    let app = seeded_app().await;
    let first = json!({"callerPhone": CALLER, "callSid": "CA00000000000000000000000000000042"});
    let answers =
        futures::future::join_all((0..copies).map(|_| studio(&app, "next-target", &first))).await;
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    let incident = answers[0]["incidentId"].as_i64().unwrap();
    let script = studio_script(incident);
    let order = if at_once {
        (0..script.len()).collect()
    } else {
        with_late_duplicates(script.len(), copies, seed)
    };
    let mut delivered = vec![false; script.len()];
    for i in order {
        let (endpoint, body, repeatable) = &script[i];
        let n = match (repeatable, delivered[i]) {
            (false, true) => continue,
            (false, false) => 1,
            (true, _) if at_once => copies,
            (true, _) => 1,
        };
        delivered[i] = true;
        let answers = futures::future::join_all((0..n).map(|_| studio(&app, endpoint, body))).await;
        assert!(
            answers.iter().all(|a| *a == answers[0]),
            "{endpoint}: {answers:?}"
        );
    }
    let rows = rows(&app, "CA00000000000000000000000000000042").await;
    app.stop().await;
    rows
}

#[tokio::test]
async fn the_routing_apis_reports_delivered_again_late_or_at_once_leave_the_rows_of_one_delivery() {
    let once = studio_rows(1, 1, true).await;
    assert!(
        once.contains("Completed") && once.contains("Some(180)"),
        "{once}"
    );
    assert_eq!(studio_rows(10, 1, true).await, once, "ten copies at once");
    for seed in [3, 99, 0xfeed] {
        assert_eq!(studio_rows(3, seed, false).await, once, "seed {seed}");
    }
}
