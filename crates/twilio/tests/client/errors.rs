use super::*;

fn to_invalid() -> CreateMessage {
    CreateMessage {
        to: "+15005550001".into(),
        from: Some("+15005550006".into()),
        body: Some("x".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn api_error_body_becomes_api_error_with_code() {
    let (fake, client) = start().await;
    fake.answer(
        400,
        json!({
            "code": 21211, "message": "The 'To' number +15005550001 is not a valid phone number.",
            "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400
        }),
    );
    let err = client.create_message(&to_invalid()).await.err();
    let Some(Error::Api {
        status,
        code,
        more_info,
        ..
    }) = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*status, *code), (400, 21211));
    assert!(more_info.ends_with("21211"));
    assert_eq!(err.and_then(|e| e.code()), Some(21211));
}

#[tokio::test]
async fn not_found_decodes_as_api_error_20404() {
    let (fake, client) = start().await;
    fake.answer(
        404,
        json!({"code": 20404, "message": "not found", "more_info": "", "status": 404}),
    );
    let err = client.fetch_call("CA404").await.err();
    assert_eq!(err.as_ref().and_then(Error::code), Some(20404));
    assert_eq!(fake.seen().len(), 1, "a 404 is not retried");
}

#[tokio::test]
async fn get_is_retried_on_server_error_then_succeeds() {
    let (fake, client) = start().await;
    fake.answer_raw(503, "busy".into());
    fake.answer(
        429,
        json!({"code": 20429, "message": "Too Many Requests", "more_info": "", "status": 429}),
    );
    fake.answer(200, call_json("CA7", "ringing"));
    let call = client
        .fetch_call("CA7")
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(call.status, CallStatus::Ringing);
    assert_eq!(fake.seen().len(), 3);
}

#[tokio::test]
async fn get_gives_up_after_max_retries() {
    let (fake, client) = start().await;
    for _ in 0..5 {
        fake.answer(
            429,
            json!({"code": 20429, "message": "Too Many Requests", "more_info": "", "status": 429}),
        );
    }
    let err = client.fetch_call("CA8").await.err();
    assert_eq!(err.as_ref().and_then(Error::code), Some(20429));
    assert_eq!(fake.seen().len(), 3, "one attempt plus max_retries = 2");
}

#[tokio::test]
async fn post_is_never_retried() {
    let (fake, client) = start().await;
    fake.answer_raw(503, "upstream down".into());
    fake.answer(201, message_json("SM9"));
    let err = client.create_message(&to_invalid()).await.err();
    assert!(
        matches!(err, Some(Error::Decode { status: 503, .. })),
        "{err:?}"
    );
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn non_json_error_body_is_a_decode_error_with_snippet() {
    let (fake, client) = start().await;
    fake.answer_raw(502, "<html>Bad Gateway</html>".into());
    let mut config = client.config().clone();
    config.max_retries = 0;
    let client = Client::new(config).unwrap_or_else(|err| panic!("{err}"));
    let err = client.fetch_call("CA9").await.err();
    let Some(Error::Decode { status, body, .. }) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 502);
    assert!(body.contains("Bad Gateway"));
    assert_eq!(err.and_then(|e| e.code()), None);
}

#[tokio::test]
async fn success_body_of_wrong_shape_is_a_decode_error() {
    let (fake, client) = start().await;
    fake.answer(200, json!({"sid": "CA10"}));
    let err = client.fetch_call("CA10").await.err();
    assert!(
        matches!(err, Some(Error::Decode { status: 200, .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn sid_with_path_characters_is_rejected_before_sending() {
    let (fake, client) = start().await;
    let err = client.fetch_call("../Messages").await.err();
    assert!(matches!(err, Some(Error::Config(_))), "{err:?}");
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn https_client_builds_and_reports_connection_errors_without_secrets() {
    let mut config = ClientConfig::new(SID, TOKEN);
    // Port 9 (discard) is closed here: the TLS stack is exercised up to the connect.
    config.base_url = "https://127.0.0.1:9".into();
    config.max_retries = 1;
    config.retry_base_delay = Duration::from_millis(1);
    let client = Client::new(config).unwrap_or_else(|err| panic!("{err}"));
    let err = client.fetch_call("CA11").await.err();
    let Some(Error::Http(inner)) = &err else {
        panic!("{err:?}")
    };
    assert!(inner.is_connect(), "{inner:?}");
    let shown = format!(
        "{} {:?}",
        err.as_ref().map(ToString::to_string).unwrap_or_default(),
        err
    );
    assert!(!shown.contains(TOKEN), "{shown}");
}
