use super::*;

#[tokio::test]
async fn create_message_posts_repeated_media_url_and_validity_period() {
    let (fake, client) = start().await;
    fake.answer(201, message_json("SM1"));
    let message = client
        .create_message(&CreateMessage {
            to: "+14155551234".into(),
            from: Some("+15005550006".into()),
            body: Some("Incident #42: ack with 1".into()),
            media_url: vec!["https://x/a.png".into(), "https://x/b.png".into()],
            status_callback: Some("https://sb.example/sms-status".into()),
            validity_period: Some(600),
            messaging_service_sid: Some("MG1".into()),
        })
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(message.status, MessageStatus::Queued);
    let seen = fake.seen();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.clone()),
        ("POST", base_path("Messages.json"))
    );
    assert_eq!(seen[0].auth, expected_auth());
    assert_eq!(
        seen[0].form,
        owned(&[
            ("To", "+14155551234"),
            ("From", "+15005550006"),
            ("MessagingServiceSid", "MG1"),
            ("Body", "Incident #42: ack with 1"),
            ("MediaUrl", "https://x/a.png"),
            ("MediaUrl", "https://x/b.png"),
            ("StatusCallback", "https://sb.example/sms-status"),
            ("ValidityPeriod", "600"),
        ])
    );
}

#[tokio::test]
async fn fetch_message_gets_message_by_sid() {
    let (fake, client) = start().await;
    fake.answer(200, message_json("SM2"));
    let message = client
        .fetch_message("SM2")
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(message.sid, "SM2");
    assert_eq!(fake.seen()[0].path, base_path("Messages/SM2.json"));
}

#[tokio::test]
async fn list_messages_sends_filters_and_pages() {
    let (fake, client) = start().await;
    let next = base_path("Messages.json?Page=1&PageSize=1");
    fake.answer(
        200,
        page_json("messages", vec![message_json("SM3")], 0, Some(next)),
    );
    fake.answer(
        200,
        page_json("messages", vec![message_json("SM4")], 1, None),
    );
    let first = client
        .list_messages(&ListMessages {
            to: Some("+14155551234".into()),
            date_sent: Some("2024-05-01".into()),
            page_size: Some(1),
            ..ListMessages::default()
        })
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    let second = client
        .next_messages_page(&first)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(
        second.map(|p| p.messages[0].sid.clone()),
        Some("SM4".into())
    );
    let seen = fake.seen();
    assert_eq!(
        seen[0].query,
        owned(&[
            ("To", "+14155551234"),
            ("DateSent", "2024-05-01"),
            ("PageSize", "1")
        ])
    );
    assert_eq!(seen[1].query, owned(&[("Page", "1"), ("PageSize", "1")]));
}

#[tokio::test]
async fn list_incoming_phone_numbers_filters_by_number() {
    let (fake, client) = start().await;
    fake.answer(
        200,
        page_json("incoming_phone_numbers", vec![number_json()], 0, None),
    );
    let page = client
        .list_incoming_phone_numbers(Some("+15005550006"))
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(page.incoming_phone_numbers[0].friendly_name, "Main line");
    let seen = fake.seen();
    assert_eq!(seen[0].path, base_path("IncomingPhoneNumbers.json"));
    assert_eq!(seen[0].query, owned(&[("PhoneNumber", "+15005550006")]));
}

#[tokio::test]
async fn create_and_update_incoming_phone_number_post_webhook_fields() {
    let (fake, client) = start().await;
    fake.answer(201, number_json());
    fake.answer(200, number_json());
    let params = IncomingPhoneNumberParams {
        phone_number: Some("+15005550006".into()),
        friendly_name: Some("Main line".into()),
        voice_url: Some("https://sb.example/voice".into()),
        voice_method: Some(Method::Post),
        voice_fallback_url: Some("https://sb.example/voice-fallback".into()),
        status_callback: Some("https://sb.example/status".into()),
        status_callback_method: Some(Method::Post),
        sms_url: Some("https://sb.example/sms".into()),
        sms_method: Some(Method::Get),
        sms_fallback_url: Some("https://sb.example/sms-fallback".into()),
    };
    client
        .create_incoming_phone_number(&params)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    let update = IncomingPhoneNumberParams {
        voice_url: Some("https://sb.example/v2".into()),
        ..Default::default()
    };
    client
        .update_incoming_phone_number("PN1", &update)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    let seen = fake.seen();
    assert_eq!(seen[0].path, base_path("IncomingPhoneNumbers.json"));
    assert_eq!(
        seen[0].form,
        owned(&[
            ("PhoneNumber", "+15005550006"),
            ("FriendlyName", "Main line"),
            ("VoiceUrl", "https://sb.example/voice"),
            ("VoiceMethod", "POST"),
            ("VoiceFallbackUrl", "https://sb.example/voice-fallback"),
            ("StatusCallback", "https://sb.example/status"),
            ("StatusCallbackMethod", "POST"),
            ("SmsUrl", "https://sb.example/sms"),
            ("SmsMethod", "GET"),
            ("SmsFallbackUrl", "https://sb.example/sms-fallback"),
        ])
    );
    assert_eq!(seen[1].path, base_path("IncomingPhoneNumbers/PN1.json"));
    assert_eq!(
        seen[1].form,
        owned(&[("VoiceUrl", "https://sb.example/v2")])
    );
}
