//! Texts: delivery and callbacks, opt-out, inbound texts and replies, validity, scripted people.

use std::time::Duration;

use twilio_sim::Behaviour;

use crate::support::{APP_NUMBER, TestEnv};

async fn send(
    env: &TestEnv,
    to: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let cb = env.url("/msg-status");
    let mut form = vec![
        ("To", to),
        ("From", APP_NUMBER),
        ("Body", body),
        ("StatusCallback", cb.as_str()),
    ];
    form.extend_from_slice(extra);
    env.post("Messages.json", &form).await
}

#[tokio::test]
async fn a_text_is_delivered_with_signed_status_callbacks_segments_and_price() {
    let env = TestEnv::start().await;
    let body = "x".repeat(200);
    let (status, msg) = send(&env, "+15005550301", &body, &[]).await;
    assert_eq!(status, 201, "{msg}");
    assert_eq!(msg["status"], "queued");
    assert_eq!(msg["num_segments"], "2");
    assert!(msg["sid"].as_str().unwrap().starts_with("SM"));
    let hits = env.wait_hits("/msg-status", 3).await;
    let statuses: Vec<_> = hits
        .iter()
        .map(|h| h.param("MessageStatus").unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["sending", "sent", "delivered"]);
    assert_eq!(hits[2].param("SmsStatus"), Some("delivered"));
    assert_eq!(hits[2].param("MessageSid"), msg["sid"].as_str());
    let (_, fetched) = env
        .get(&format!("Messages/{}.json", msg["sid"].as_str().unwrap()))
        .await;
    assert_eq!(fetched["status"], "delivered");
    assert_eq!(fetched["price"], "-0.0158");
    let log: serde_json::Value = env
        .http
        .get(format!(
            "{}/sim/messages/{}",
            env.base,
            msg["sid"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let events = log["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "callback" && e["status"] == 200)
    );
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "message_status" && e["status"] == "delivered")
    );
    env.assert_all_signed();
}

#[tokio::test]
async fn an_unreachable_handset_makes_the_text_undelivered_with_an_error_code() {
    let env = TestEnv::start().await;
    env.sim.set_behaviour(
        "+15005550302",
        Behaviour {
            undeliverable: true,
            ..Behaviour::default()
        },
    );
    send(&env, "+15005550302", "hello", &[]).await;
    let hits = env.wait_hits("/msg-status", 3).await;
    assert_eq!(hits[2].param("MessageStatus"), Some("undelivered"));
    assert_eq!(hits[2].param("ErrorCode"), Some("30003"));
}

#[tokio::test]
async fn stop_blocks_texts_from_that_sender_with_21610_until_start() {
    let env = TestEnv::start().await;
    env.register(APP_NUMBER, &[]).await;
    let person = "+15005550303";
    env.sim
        .deliver_inbound_message(person, APP_NUMBER, " Stop ")
        .await
        .unwrap();
    let (status, err) = send(&env, person, "hello again", &[]).await;
    assert_eq!((status, err["code"].as_u64()), (400, Some(21610)));
    env.sim
        .deliver_inbound_message(person, APP_NUMBER, "please stop texting")
        .await
        .unwrap();
    assert_eq!(
        send(&env, person, "still blocked", &[]).await.0,
        400,
        "only a single keyword counts"
    );
    env.sim
        .deliver_inbound_message(person, APP_NUMBER, "START")
        .await
        .unwrap();
    assert_eq!(send(&env, person, "welcome back", &[]).await.0, 201);
}

#[tokio::test]
async fn an_inbound_text_posts_the_sms_url_and_sends_the_reply_twiml() {
    let env = TestEnv::start().await;
    env.register(APP_NUMBER, &[]).await;
    env.route(
        "/sms",
        "<Response><Message action=\"/reply-status\">Got it, thanks</Message></Response>",
    );
    let sid = env
        .sim
        .deliver_inbound_message("+15005550304", APP_NUMBER, "Hello there")
        .await
        .unwrap();
    let hit = &env.wait_hits("/sms", 1).await[0];
    assert_eq!(hit.param("MessageSid"), Some(sid.as_str()));
    assert_eq!(hit.param("SmsSid"), Some(sid.as_str()));
    assert_eq!(hit.param("Body"), Some("Hello there"));
    assert_eq!(hit.param("NumMedia"), Some("0"));
    assert_eq!(hit.param("NumSegments"), Some("1"));
    let statuses = env.wait_hits("/reply-status", 3).await;
    assert_eq!(statuses[2].param("MessageStatus"), Some("delivered"));
    assert_eq!(statuses[2].param("To"), Some("+15005550304"));
    let (_, list) = env.get("Messages.json?To=%2B15005550304").await;
    assert_eq!(list["messages"][0]["body"], "Got it, thanks");
    assert_eq!(list["messages"][0]["direction"], "outbound-reply");
    env.assert_all_signed();
}

#[tokio::test]
async fn scripted_recipients_reply_and_open_links() {
    let env = TestEnv::start().await;
    env.register(APP_NUMBER, &[]).await;
    let person = "+15005550305";
    let b = Behaviour {
        replies: vec!["Yes please".into()],
        click_links: true,
        ..Behaviour::default()
    };
    env.sim.set_behaviour(person, b);
    let link = env.url("/l/abc");
    send(&env, person, &format!("Join us: {link}."), &[]).await;
    let inbound = &env.wait_hits("/sms", 1).await[0];
    assert_eq!(inbound.param("Body"), Some("Yes please"));
    assert_eq!(inbound.param("From"), Some(person));
    assert_eq!(env.wait_hits("/l/abc", 1).await[0].method, "GET");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(env.sim.link_clicks()[0].1, link);
}

#[tokio::test]
async fn a_text_waiting_past_its_validity_period_fails_with_30036() {
    let mut cfg = crate::support::config();
    cfg.messages_per_second = 0.5;
    let env = TestEnv::with_config(cfg).await;
    let person = "+15005550306";
    for n in 0..2 {
        send(
            &env,
            person,
            &format!("text {n}"),
            &[("ValidityPeriod", "1")],
        )
        .await;
    }
    let hits = env.wait_hits("/msg-status", 4).await;
    let failed = hits
        .iter()
        .find(|h| h.param("MessageStatus") == Some("failed"))
        .expect("the second text expires");
    assert_eq!(failed.param("ErrorCode"), Some("30036"));
}

#[tokio::test]
async fn a_messaging_service_send_is_accepted_and_lists_filter_by_date_sent() {
    let env = TestEnv::start().await;
    env.register(APP_NUMBER, &[]).await;
    let form = [
        ("To", "+15005550307"),
        ("MessagingServiceSid", "MG00000000000000000000000000000000"),
        ("Body", "hi"),
    ];
    let (status, msg) = env.post("Messages.json", &form).await;
    assert_eq!((status, msg["status"].as_str()), (201, Some("accepted")));
    assert_eq!(msg["from"], APP_NUMBER);
    env.sim
        .deliver_inbound_message("+15005550307", APP_NUMBER, "hello")
        .await
        .unwrap();
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let (_, page) = env.get(&format!("Messages.json?DateSent={today}")).await;
    assert!(!page["messages"].as_array().unwrap().is_empty());
    let (_, page) = env.get("Messages.json?DateSent=2001-01-01").await;
    assert!(page["messages"].as_array().unwrap().is_empty());
    assert_eq!(env.get("Messages.json?DateSent=yesterday").await.0, 400);
}

#[tokio::test]
async fn the_outbound_log_lists_what_clients_sent_in_order_timed_to_the_microsecond() {
    let env = TestEnv::start().await;
    env.register(APP_NUMBER, &[]).await;
    env.route("/voice", "<Response><Hangup/></Response>");
    for to in ["+15005550311", "+15005550312"] {
        assert_eq!(send(&env, to, "hi", &[]).await.0, 201);
    }
    let call = env.call("+15005550313", "/voice", &[]).await;
    env.sim
        .deliver_inbound_message("+15005550314", APP_NUMBER, "an inbound text")
        .await
        .unwrap();
    let log: serde_json::Value = env
        .http
        .get(format!("{}/sim/outbound", env.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let messages = log["messages"].as_array().unwrap();
    let to: Vec<_> = messages.iter().map(|m| m["to"].as_str().unwrap()).collect();
    assert_eq!(to, ["+15005550311", "+15005550312"], "no inbound text");
    let created: Vec<jiff::Timestamp> = messages
        .iter()
        .map(|m| m["created"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(created[0] <= created[1]);
    assert!(
        created.iter().any(|t| t.subsec_microsecond() != 0),
        "instants finer than DateCreated's seconds: {created:?}"
    );
    assert_eq!(log["calls"][0]["sid"], call.as_str());
    assert_eq!(log["calls"].as_array().unwrap().len(), 1);
}
