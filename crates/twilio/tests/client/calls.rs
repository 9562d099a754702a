use super::*;

#[tokio::test]
async fn create_call_posts_pascal_case_form_with_basic_auth() {
    let (fake, client) = start().await;
    fake.answer(201, call_json("CA1", "queued"));
    let call = client
        .create_call(&CreateCall {
            to: "+14155551234".into(),
            from: "+15005550006".into(),
            url: Some("https://sb.example/voice?incident=1".into()),
            method: Some(Method::Post),
            status_callback: Some("https://sb.example/status".into()),
            status_callback_event: vec![
                "initiated".into(),
                "ringing".into(),
                "answered".into(),
                "completed".into(),
            ],
            status_callback_method: Some(Method::Post),
            timeout: Some(25),
            machine_detection: Some("Enable".into()),
            async_amd: Some(true),
            async_amd_status_callback: Some("https://sb.example/amd".into()),
            record: Some(false),
            recording_status_callback: Some("https://sb.example/rec".into()),
            fallback_url: Some("https://sb.example/fallback".into()),
            send_digits: Some("ww1".into()),
            time_limit: Some(600),
            twiml: None,
        })
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(call.sid, "CA1");
    assert_eq!(call.status, CallStatus::Queued);
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, base_path("Calls.json"));
    assert_eq!(seen[0].auth, expected_auth());
    assert_eq!(seen[0].content_type, "application/x-www-form-urlencoded");
    assert_eq!(
        seen[0].form,
        owned(&[
            ("To", "+14155551234"),
            ("From", "+15005550006"),
            ("Url", "https://sb.example/voice?incident=1"),
            ("Method", "POST"),
            ("StatusCallback", "https://sb.example/status"),
            ("StatusCallbackEvent", "initiated"),
            ("StatusCallbackEvent", "ringing"),
            ("StatusCallbackEvent", "answered"),
            ("StatusCallbackEvent", "completed"),
            ("StatusCallbackMethod", "POST"),
            ("Timeout", "25"),
            ("MachineDetection", "Enable"),
            ("AsyncAmd", "true"),
            ("AsyncAmdStatusCallback", "https://sb.example/amd"),
            ("Record", "false"),
            ("RecordingStatusCallback", "https://sb.example/rec"),
            ("FallbackUrl", "https://sb.example/fallback"),
            ("SendDigits", "ww1"),
            ("TimeLimit", "600"),
        ])
    );
}

#[tokio::test]
async fn create_call_with_twiml_sends_only_set_fields() {
    let (fake, client) = start().await;
    fake.answer(201, call_json("CA2", "queued"));
    let params = CreateCall {
        to: "+14155551234".into(),
        from: "+15005550006".into(),
        twiml: Some("<Response><Say>Hi</Say></Response>".into()),
        ..CreateCall::default()
    };
    client
        .create_call(&params)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(
        fake.seen()[0].form,
        owned(&[
            ("To", "+14155551234"),
            ("From", "+15005550006"),
            ("Twiml", "<Response><Say>Hi</Say></Response>"),
        ])
    );
}

#[tokio::test]
async fn fetch_call_gets_call_by_sid() {
    let (fake, client) = start().await;
    fake.answer(200, call_json("CA3", "in-progress"));
    let call = client
        .fetch_call("CA3")
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(call.status, CallStatus::InProgress);
    let seen = fake.seen();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.clone()),
        ("GET", base_path("Calls/CA3.json"))
    );
    assert_eq!(seen[0].auth, expected_auth());
}

#[tokio::test]
async fn update_call_posts_status_and_redirect_fields() {
    let (fake, client) = start().await;
    fake.answer(200, call_json("CA4", "canceled"));
    fake.answer(200, call_json("CA4", "in-progress"));
    client
        .update_call(
            "CA4",
            &UpdateCall {
                status: Some(CallUpdateStatus::Canceled),
                ..UpdateCall::default()
            },
        )
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    client
        .update_call(
            "CA4",
            &UpdateCall {
                url: Some("https://sb.example/next".into()),
                method: Some(Method::Get),
                twiml: Some("<Response/>".into()),
                status: Some(CallUpdateStatus::Completed),
            },
        )
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    let seen = fake.seen();
    assert_eq!(seen[0].path, base_path("Calls/CA4.json"));
    assert_eq!(seen[0].form, owned(&[("Status", "canceled")]));
    assert_eq!(
        seen[1].form,
        owned(&[
            ("Url", "https://sb.example/next"),
            ("Method", "GET"),
            ("Twiml", "<Response/>"),
            ("Status", "completed"),
        ])
    );
}

#[tokio::test]
async fn list_calls_sends_filters_and_follows_next_page_uri() {
    let (fake, client) = start().await;
    let next = base_path("Calls.json?PageSize=1&Page=1&PageToken=PACA1");
    fake.answer(
        200,
        page_json(
            "calls",
            vec![call_json("CA5", "completed")],
            0,
            Some(next.clone()),
        ),
    );
    fake.answer(
        200,
        page_json("calls", vec![call_json("CA6", "busy")], 1, None),
    );
    let first = client
        .list_calls(&ListCalls {
            to: Some("+14155551234".into()),
            from: Some("+15005550006".into()),
            status: Some(CallStatus::Completed),
            parent_call_sid: None,
            page_size: Some(1),
        })
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(first.calls[0].sid, "CA5");
    let second = client
        .next_calls_page(&first)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    let second = second.unwrap_or_else(|| panic!("expected a second page"));
    assert_eq!(second.calls[0].status, CallStatus::Busy);
    assert!(
        client
            .next_calls_page(&second)
            .await
            .unwrap_or_else(|err| panic!("{err}"))
            .is_none()
    );
    let seen = fake.seen();
    assert_eq!(seen.len(), 2, "the last page must not trigger a request");
    assert_eq!(
        seen[0].query,
        owned(&[
            ("To", "+14155551234"),
            ("From", "+15005550006"),
            ("Status", "completed"),
            ("PageSize", "1")
        ])
    );
    assert_eq!(seen[1].path, base_path("Calls.json"));
    assert_eq!(
        seen[1].query,
        owned(&[("PageSize", "1"), ("Page", "1"), ("PageToken", "PACA1")])
    );
}

#[tokio::test]
async fn fetch_recording_gets_recording_by_sid() {
    let (fake, client) = start().await;
    fake.answer(
        200,
        json!({
            "sid": "RE1", "account_sid": SID, "call_sid": "CA1", "conference_sid": null,
            "duration": "12", "channels": 1, "status": "completed", "source": "RecordVerb",
            "price": "-0.0025", "price_unit": "USD", "error_code": null, "start_time": null,
            "date_created": null, "date_updated": null, "api_version": "2010-04-01",
            "uri": base_path("Recordings/RE1.json"), "media_url": "http://x/RE1"
        }),
    );
    let recording = client
        .fetch_recording("RE1")
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(recording.duration.as_deref(), Some("12"));
    assert_eq!(fake.seen()[0].path, base_path("Recordings/RE1.json"));
}
