//! The twilio crate's own REST client and typed webhook parameters against the simulator: the
//! two sides must agree by construction.

use twilio::client::{
    Client, ClientConfig, CreateCall, CreateMessage, IncomingPhoneNumberParams, ListCalls,
};
use twilio::webhook::{
    CallStatusCallback, DialAction, GatherAction, InboundMessage, MessageStatusCallback,
    RecordAction, RecordingStatus, Transcription, VoiceRequest,
};
use twilio_sim::Behaviour;

use crate::support::{ACCOUNT, APP_NUMBER, TOKEN, TestEnv};

fn client(env: &TestEnv) -> Client {
    let mut config = ClientConfig::new(ACCOUNT, TOKEN);
    config.base_url = env.base.clone();
    Client::new(config).unwrap()
}

#[tokio::test]
async fn the_rust_client_places_calls_sends_texts_and_pages() {
    let env = TestEnv::start().await;
    let client = client(&env);
    env.route("/voice", "<Response><Say>Hi</Say></Response>");
    env.sim
        .set_behaviour("+15005550601", Behaviour::answers_after(1.0));
    let number = IncomingPhoneNumberParams {
        phone_number: Some(APP_NUMBER.into()),
        voice_url: Some(env.url("/voice")),
        ..Default::default()
    };
    let created = client.create_incoming_phone_number(&number).await.unwrap();
    assert_eq!(created.phone_number, APP_NUMBER);
    let mut sids = Vec::new();
    for _ in 0..5 {
        let call = CreateCall {
            to: "+15005550601".into(),
            from: APP_NUMBER.into(),
            url: Some(env.url("/voice")),
            ..Default::default()
        };
        sids.push(client.create_call(&call).await.unwrap().sid);
    }
    env.end(&sids[0]).await;
    assert_eq!(
        client.fetch_call(&sids[0]).await.unwrap().status.as_str(),
        "completed"
    );
    let mut page = client
        .list_calls(&ListCalls {
            page_size: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut listed = page.calls.len();
    while let Some(next) = client.next_calls_page(&page).await.unwrap() {
        listed += next.calls.len();
        page = next;
    }
    assert_eq!(listed, 5);
    let text = CreateMessage {
        to: "+15005550602".into(),
        from: Some(APP_NUMBER.into()),
        body: Some("hello".into()),
        ..Default::default()
    };
    assert!(
        client
            .create_message(&text)
            .await
            .unwrap()
            .sid
            .starts_with("SM")
    );
    let magic = CreateMessage {
        to: "+15005550009".into(),
        ..text
    };
    assert_eq!(
        client.create_message(&magic).await.unwrap_err().code(),
        Some(21614)
    );
}

#[tokio::test]
async fn every_webhook_the_simulator_sends_reads_as_the_twilio_crates_typed_parameters() {
    let env = TestEnv::start().await;
    env.register(APP_NUMBER, &[]).await;
    let callee = "+15005550611";
    let words = "It is leaking again";
    env.sim.set_behaviour(
        callee,
        Behaviour {
            say: Some(words.into()),
            ..Behaviour::answers_after(1.0).pressing(["1"])
        },
    );
    env.sim
        .set_behaviour("+15005550612", Behaviour::answers_after(1.0));
    let (rs, tr) = (env.url("/rec-status"), env.url("/transcribed"));
    env.route(
        "/voice",
        "<Response><Gather numDigits=\"1\" action=\"/gathered\"/></Response>",
    );
    env.route(
        "/gathered",
        "<Response><Dial action=\"/dialed\">+15005550612</Dial></Response>",
    );
    env.route("/dialed", &format!("<Response><Record action=\"/recorded\" recordingStatusCallback=\"{rs}\" transcribeCallback=\"{tr}\"/></Response>"));
    env.route("/recorded", "<Response><Hangup/></Response>");
    env.route(
        "/sms",
        "<Response><Message action=\"/msg-status\">Thanks</Message></Response>",
    );
    let sid = env.call(callee, "/voice", &[]).await;
    env.end(&sid).await;
    env.sim
        .deliver_inbound_message("+15005550613", APP_NUMBER, "hello")
        .await
        .unwrap();
    env.wait_hits("/transcribed", 1).await;
    env.wait_hits("/msg-status", 3).await;
    let pairs = |path: &str| {
        env.hits(path)
            .into_iter()
            .map(|h| h.params)
            .collect::<Vec<_>>()
    };
    for p in pairs("/voice") {
        VoiceRequest::from_pairs(&p).unwrap();
    }
    for p in pairs("/status") {
        let cb = CallStatusCallback::from_pairs(&p).unwrap();
        assert!(cb.sequence_number.is_some());
    }
    assert_eq!(
        GatherAction::from_pairs(&pairs("/gathered")[0])
            .unwrap()
            .digits
            .as_deref(),
        Some("1")
    );
    assert_eq!(
        DialAction::from_pairs(&pairs("/dialed")[0])
            .unwrap()
            .dial_call_status
            .as_str(),
        "completed"
    );
    assert!(
        RecordAction::from_pairs(&pairs("/recorded")[0])
            .unwrap()
            .recording_sid
            .starts_with("RE")
    );
    assert_eq!(
        RecordingStatus::from_pairs(&pairs("/rec-status")[0])
            .unwrap()
            .recording_status,
        "completed"
    );
    assert_eq!(
        Transcription::from_pairs(&pairs("/transcribed")[0])
            .unwrap()
            .transcription_text
            .as_deref(),
        Some(words)
    );
    assert_eq!(
        InboundMessage::from_pairs(&pairs("/sms")[0]).unwrap().body,
        "hello"
    );
    for p in pairs("/msg-status") {
        MessageStatusCallback::from_pairs(&p).unwrap();
    }
    env.assert_all_signed();
}
