//! The on-call routing API for Studio flows over HTTP, with its demo line: business hours and after
//! hours, exhaustion, reporting, the audit trail, and authorisation.

use serde_json::{Value, json};
use switchboard::hotline;

use crate::support::{TestApp, TestOptions};

const SECRET: &str = "studio-shared-secret";

async fn app_at(instant: &str) -> TestApp {
    let app = TestApp::spawn_with(TestOptions {
        env: vec![("WEBHOOK_SECRET", SECRET.into())],
        ..TestOptions::default()
    })
    .await;
    app.clock.set(instant.parse().unwrap());
    hotline::demo::seed(&app.state, app.org).await.unwrap();
    app
}

/// Monday 14:00 in New York.
const BUSINESS: &str = "2026-03-02T19:00:00Z";
/// Monday 19:30 in New York.
const AFTER_HOURS: &str = "2026-03-03T00:30:00Z";

async fn studio(app: &TestApp, endpoint: &str, body: Value) -> (u16, Value) {
    let r = app
        .http
        .post(app.url(&format!("/api/telephony/{endpoint}")))
        .bearer_auth(SECRET)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Walks the ladder as a Studio flow whose calls all fail; returns (step, name) in order.
/// Walks a new call `call_sid` to the end of the ladder, every attempt failing.
async fn walk(app: &TestApp, call_sid: &str) -> (i64, Vec<(String, String)>) {
    let (status, first) = studio(
        app,
        "next-target",
        json!({"incidentId": null, "callerPhone": "+14155551234", "callSid": call_sid}),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    let incident = first["incidentId"].as_i64().unwrap();
    let mut seen = Vec::new();
    let mut answer = first;
    while !answer["nextPhoneE164"].is_null() {
        seen.push((
            answer["stepName"].as_str().unwrap().to_string(),
            answer["userName"].as_str().unwrap().to_string(),
        ));
        let failed = json!({"incidentId": incident, "targetPhone": answer["nextPhoneE164"], "reason": "no-answer", "callSid": call_sid});
        assert_eq!(
            studio(app, "attempt-failed", failed).await,
            (200, json!({"success": true}))
        );
        answer = studio(
            app,
            "next-target",
            json!({"incidentId": incident, "callerPhone": "+14155551234", "callSid": call_sid}),
        )
        .await
        .1;
        assert!(seen.len() < 20, "the ladder must end");
    }
    assert_eq!(
        answer,
        json!({"incidentId": incident, "nextPhoneE164": null, "stepName": "exhausted", "timeoutSeconds": 0, "userName": null})
    );
    (incident, seen)
}

fn names(seen: &[(String, String)]) -> Vec<(&str, &str)> {
    seen.iter().map(|(s, n)| (s.as_str(), n.as_str())).collect()
}

#[tokio::test]
async fn in_business_hours_the_ladder_is_primary_secondary_admins_then_managers() {
    let app = app_at(BUSINESS).await;
    let (status, first) = studio(
        &app,
        "next-target",
        json!({"callerPhone": "+14155551234", "callSid": "CA0"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(first["nextPhoneE164"], "+15005550111");
    assert_eq!(first["stepName"], "primary_oncall");
    assert_eq!(first["timeoutSeconds"], 30);
    assert_eq!(first["userName"], "Ada Lovelace");
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 5, "exactly the routing API's fields: {first}");
    let (_, seen) = walk(&app, "CA1").await;
    assert_eq!(
        names(&seen),
        vec![
            ("primary_oncall", "Ada Lovelace"),
            ("secondary", "Grace Hopper"),
            ("admin", "Alan Turing"),
            ("manager", "Edsger Dijkstra"),
            ("manager", "Frances Allen"),
        ],
        "Barbara is unavailable"
    );
    app.stop().await;
}

#[tokio::test]
async fn after_hours_the_ladder_ends_with_three_pool_techs_and_the_next_incident_continues_the_pool()
 {
    let app = app_at(AFTER_HOURS).await;
    let (_, seen) = walk(&app, "CA1").await;
    assert_eq!(
        names(&seen),
        vec![
            ("primary_oncall", "Ada Lovelace"),
            ("secondary", "Grace Hopper"),
            ("manager", "Edsger Dijkstra"),
            ("manager", "Frances Allen"),
            ("admin", "Alan Turing"),
            ("rotating_pool", "Ken Thompson"),
            ("rotating_pool", "Dennis Ritchie"),
            ("rotating_pool", "Linus Torvalds"),
        ],
        "Margaret is inactive"
    );
    let (_, again) = walk(&app, "CA2").await;
    let pool: Vec<&str> = again
        .iter()
        .filter(|(s, _)| s == "rotating_pool")
        .map(|(_, n)| n.as_str())
        .collect();
    assert_eq!(
        pool,
        vec!["Radia Perlman", "Ken Thompson", "Dennis Ritchie"],
        "John has no phone; the pool wraps"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_answered_incident_records_attempts_events_and_completion() {
    let app = app_at(BUSINESS).await;
    let (_, first) = studio(
        &app,
        "next-target",
        json!({"callerPhone": "+1 415 555 1234", "callSid": "CA42"}),
    )
    .await;
    let incident = first["incidentId"].as_i64().unwrap();
    let failed = json!({"incidentId": incident, "targetPhone": "+15005550111", "reason": "busy", "callSid": "CA42"});
    assert_eq!(studio(&app, "attempt-failed", failed).await.0, 200);
    let (_, second) = studio(
        &app,
        "next-target",
        json!({"incidentId": incident, "callerPhone": "+14155551234", "callSid": "CA42"}),
    )
    .await;
    assert_eq!(second["userName"], "Grace Hopper");
    let answered =
        json!({"incidentId": incident, "answeredPhone": "+15005550112", "callSid": "CA42"});
    assert_eq!(
        studio(&app, "answered", answered).await,
        (200, json!({"success": true}))
    );
    let done = json!({"incidentId": incident, "callSid": "CA42", "duration": 180});
    assert_eq!(
        studio(&app, "completed", done).await,
        (200, json!({"success": true}))
    );

    let (status, detail) = app
        .get(&format!("/api/v1/hotline/incidents/{incident}"), &app.token)
        .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["incident"]["status"], "completed");
    assert_eq!(detail["incident"]["caller_phone"], "+14155551234");
    assert_eq!(detail["incident"]["duration_secs"], 180);
    let results: Vec<(&str, &str)> = detail["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["person_name"].as_str().unwrap(),
                a["result"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        results,
        vec![("Ada Lovelace", "busy"), ("Grace Hopper", "answered")]
    );
    let kinds: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "created",
        "next_target",
        "attempt_failed",
        "answered",
        "completed",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    // The audit trail keeps each request as it was sent.
    let detail_of = |kind: &str| -> Vec<Value> {
        detail["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == kind)
            .map(|e| serde_json::from_str(e["detail"].as_str().unwrap()).unwrap())
            .collect()
    };
    let created = &detail_of("created")[0];
    assert_eq!(created["caller"], "+14155551234");
    assert_eq!(created["callSid"], "CA42");
    assert_eq!(created["request"]["callerPhone"], "+1 415 555 1234");
    let requests = detail_of("next_target_request");
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[1]["incidentId"], incident);
    assert_eq!(detail_of("attempt_failed_request")[0]["reason"], "busy");
    assert_eq!(detail_of("completed_request")[0]["duration"], 180);
    app.stop().await;
}

#[tokio::test]
async fn asking_again_without_reporting_moves_on_and_counts_the_target_as_attempted() {
    let app = app_at(BUSINESS).await;
    let (_, first) = studio(&app, "next-target", json!({"callerPhone": "+14155551234"})).await;
    let incident = first["incidentId"].as_i64().unwrap();
    let (_, second) = studio(&app, "next-target", json!({"incidentId": incident})).await;
    assert_eq!(second["userName"], "Grace Hopper");
    let (_, detail) = app
        .get(&format!("/api/v1/hotline/incidents/{incident}"), &app.token)
        .await;
    assert_eq!(detail["attempts"][0]["result"], "no-answer");
    assert_eq!(detail["attempts"][1]["result"], "dialing");
    app.stop().await;
}

#[tokio::test]
async fn studio_requests_need_a_twilio_signature_or_the_webhook_secret() {
    let app = app_at(BUSINESS).await;
    let url = app.url("/api/telephony/next-target");
    let body = json!({"callerPhone": "+14155551234"}).to_string();
    let none = app
        .http
        .post(&url)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    let wrong = app
        .http
        .post(&url)
        .bearer_auth("guess")
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let token = app.state.config.twilio_auth_token.expose().to_string();
    // JSON: the URL carries bodySHA256 and only the URL is signed.
    let path = format!(
        "/api/telephony/next-target?bodySHA256={}",
        twilio::signature::body_sha256(body.as_bytes())
    );
    let signature = twilio::signature::sign(&token, &app.state.config.public_url_for(&path), &[]);
    let signed = app
        .http
        .post(app.url(&path))
        .header("X-Twilio-Signature", &signature)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    let tampered = app
        .http
        .post(app.url(&path))
        .header("X-Twilio-Signature", &signature)
        .header("content-type", "application/json")
        .body(json!({"callerPhone": "+14155550000"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(tampered.status(), 403, "a changed body breaks bodySHA256");
    // Form-encoded, as a Studio widget may send it.
    let form = vec![
        ("callerPhone".to_string(), "+14155551234".to_string()),
        ("incidentId".to_string(), String::new()),
    ];
    let signature = twilio::signature::sign(
        &token,
        &app.state
            .config
            .public_url_for("/api/telephony/next-target"),
        &form,
    );
    let r = app
        .http
        .post(&url)
        .header("X-Twilio-Signature", signature)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["stepName"], "primary_oncall");
    app.stop().await;
}

#[tokio::test]
async fn bad_studio_input_is_a_400_naming_the_field_and_unknown_incidents_404() {
    let app = app_at(BUSINESS).await;
    let cases = [
        ("next-target", json!({"callSid": "CA1"}), "callerPhone"),
        (
            "next-target",
            json!({"callerPhone": "12345"}),
            "callerPhone",
        ),
        ("next-target", json!({"incidentId": "seven"}), "incidentId"),
        (
            "attempt-failed",
            json!({"incidentId": 1, "targetPhone": "+15005550111", "reason": "bored"}),
            "reason",
        ),
        (
            "attempt-failed",
            json!({"targetPhone": "+15005550111", "reason": "busy"}),
            "incidentId",
        ),
        ("answered", json!({"incidentId": 1}), "answeredPhone"),
        (
            "completed",
            json!({"incidentId": 1, "duration": -5}),
            "duration",
        ),
    ];
    for (endpoint, body, field) in cases {
        let (status, err) = studio(&app, endpoint, body.clone()).await;
        assert_eq!(status, 400, "{endpoint} {body} -> {err}");
        assert_eq!(err["error"]["field"], field, "{endpoint} {body} -> {err}");
    }
    let (status, _) = studio(
        &app,
        "answered",
        json!({"incidentId": 999999, "answeredPhone": "+15005550111"}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = studio(&app, "next-target", json!({"incidentId": 999999})).await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn line_metrics_report_time_to_answer_attempts_exhaustion_and_duration() {
    let app = app_at(BUSINESS).await;
    let (_, first) = studio(&app, "next-target", json!({"callerPhone": "+14155551234"})).await;
    let incident = first["incidentId"].as_i64().unwrap();
    app.advance(20);
    studio(
        &app,
        "answered",
        json!({"incidentId": incident, "answeredPhone": "+15005550111"}),
    )
    .await;
    studio(
        &app,
        "completed",
        json!({"incidentId": incident, "duration": 90}),
    )
    .await;
    walk(&app, "CA2").await; // a second incident, exhausted after five attempts
    let lines = app.get("/api/v1/hotline/lines", &app.token).await.1;
    let ladder = lines
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "ladder")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, m) = app
        .get(
            &format!("/api/v1/hotline/lines/{ladder}/metrics"),
            &app.token,
        )
        .await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["incidents"], 2);
    assert_eq!(m["answered"], 1);
    assert_eq!(m["exhausted"], 1);
    assert_eq!(m["mean_time_to_answer_secs"], 20.0);
    assert_eq!(
        m["mean_attempts_per_incident"], 3.0,
        "one attempt, then five"
    );
    assert_eq!(m["mean_call_duration_secs"], 90.0);
    let (status, err) = app
        .get(
            &format!("/api/v1/hotline/lines/{ladder}/metrics?from=yesterday"),
            &app.token,
        )
        .await;
    assert_eq!(
        (status.as_u16(), err["error"]["field"].as_str()),
        (400, Some("from"))
    );
    app.stop().await;
}

#[tokio::test]
async fn forty_concurrent_calls_each_get_an_incident_and_a_target_without_starving_the_pool() {
    let app = app_at(BUSINESS).await;
    let requests = (0..40).map(|i| {
        let request = app
            .http
            .post(app.url("/api/telephony/next-target"))
            .bearer_auth(SECRET)
            .json(&json!({"callerPhone": "+14155551234", "callSid": format!("CA{i:032}")}));
        async move {
            let r = request.send().await.unwrap();
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    });
    let answers = futures::future::join_all(requests).await;
    let mut incidents: Vec<i64> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 200, "{body}");
            assert_eq!(body["userName"], "Ada Lovelace");
            body["incidentId"].as_i64().unwrap()
        })
        .collect();
    incidents.sort_unstable();
    incidents.dedup();
    assert_eq!(incidents.len(), 40, "one incident per call");
    app.stop().await;
}

/// A new call's first target, by name.
async fn first_target(app: &TestApp, call: &str) -> String {
    let (status, answer) = studio(
        app,
        "next-target",
        json!({"callerPhone": "+14155551234", "callSid": call}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    answer["userName"]
        .as_str()
        .unwrap_or("exhausted")
        .to_string()
}

/// Marks people unavailable straight in the database, as another server process would.
async fn make_unavailable(app: &TestApp, names: &[&str]) {
    for name in names {
        let sql = "UPDATE people SET available = FALSE WHERE name = $1";
        let changed = switchboard::with_write!(&app.state.db, p => sqlx::query(sql).bind(*name).execute(p).await.map(|r| r.rows_affected())).unwrap();
        assert_eq!(changed, 1, "{name}");
    }
}

#[tokio::test]
async fn a_roster_change_reaches_the_next_call_whichever_process_made_it() {
    let app = app_at(BUSINESS).await;
    assert_eq!(first_target(&app, "CA1").await, "Ada Lovelace");
    // Through the API of this process.
    let people: Value = app.get("/api/v1/people", &app.token).await.1;
    let ada = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Ada Lovelace")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, _) = app
        .patch_json(
            &format!("/api/v1/people/{ada}"),
            &app.token,
            &json!({"available": false}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(first_target(&app, "CA2").await, "Grace Hopper");
    // Behind this process's back, as another server sharing the database would.
    make_unavailable(&app, &["Grace Hopper"]).await;
    assert_eq!(first_target(&app, "CA3").await, "Alan Turing");
    app.stop().await;
}

#[tokio::test]
async fn calls_arriving_together_take_different_pool_techs() {
    let app = app_at(AFTER_HOURS).await;
    // Everyone before the pool is away, so every call starts at the rotating pool, whose
    // eligible techs are Ken, Dennis, Linus and Radia.
    make_unavailable(
        &app,
        &[
            "Ada Lovelace",
            "Grace Hopper",
            "Alan Turing",
            "Edsger Dijkstra",
            "Frances Allen",
        ],
    )
    .await;
    let app_ref = &app;
    let calls = (0..4).map(|i| async move { first_target(app_ref, &format!("CA{i}")).await });
    let mut techs = futures::future::join_all(calls).await;
    techs.sort();
    assert_eq!(
        techs,
        [
            "Dennis Ritchie",
            "Ken Thompson",
            "Linus Torvalds",
            "Radia Perlman"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_refused_request_among_concurrent_calls_leaves_the_others_standing() {
    let app = app_at(BUSINESS).await;
    let (_, first) = studio(
        &app,
        "next-target",
        json!({"callerPhone": "+14155551234", "callSid": "CA0"}),
    )
    .await;
    let answered = first["incidentId"].as_i64().unwrap();
    let (status, _) = studio(
        &app,
        "answered",
        json!({"incidentId": answered, "answeredPhone": first["nextPhoneE164"]}),
    )
    .await;
    assert_eq!(status, 200);
    let refused = studio(
        &app,
        "next-target",
        json!({"incidentId": answered, "callerPhone": "+14155551234"}),
    );
    let app_ref = &app;
    let calls = (1..=10).map(|i| async move { first_target(app_ref, &format!("CA{i}")).await });
    let (refused, names) = tokio::join!(refused, futures::future::join_all(calls));
    assert_eq!(refused.0, 409, "{}", refused.1);
    assert_eq!(refused.1["error"]["field"], "incidentId");
    assert!(names.iter().all(|n| n == "Ada Lovelace"), "{names:?}");
    // The refused request changed nothing: the answered incident has no new attempt.
    let (_, incident) = app
        .get(&format!("/api/v1/hotline/incidents/{answered}"), &app.token)
        .await;
    assert_eq!(
        incident["attempts"].as_array().unwrap().len(),
        1,
        "{incident}"
    );
    assert_eq!(incident["incident"]["status"], "answered");
    app.stop().await;
}
