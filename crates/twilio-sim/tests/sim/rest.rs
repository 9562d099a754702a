//! REST API shape: authentication, errors, magic numbers, paging, phone numbers, control API.

use serde_json::Value;

use crate::support::{ACCOUNT, APP_NUMBER, TOKEN, TestEnv};

#[tokio::test]
async fn wrong_credentials_get_401_with_code_20003() {
    let env = TestEnv::start().await;
    let url = format!("{}/2010-04-01/Accounts/{ACCOUNT}/Calls.json", env.base);
    let r = env
        .http
        .get(&url)
        .basic_auth(ACCOUNT, Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], 20003);
    assert_eq!(body["status"], 401);
    assert!(body["more_info"].as_str().unwrap().contains("20003"));
    assert_eq!(env.http.get(&url).send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn another_account_in_the_path_gets_404_with_code_20404() {
    let env = TestEnv::start().await;
    let url = format!(
        "{}/2010-04-01/Accounts/AC99999999999999999999999999999999/Calls.json",
        env.base
    );
    let r = env
        .http
        .get(&url)
        .basic_auth(ACCOUNT, Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 20404);
    assert_eq!(
        env.get("Calls/CA00000000000000000000000000000000.json")
            .await
            .1["code"],
        20404
    );
}

#[tokio::test]
async fn magic_test_numbers_give_their_error_codes_for_calls_and_texts() {
    let env = TestEnv::start().await;
    let url = env.url("/voice");
    for (to, code) in [
        ("+15005550001", 21211),
        ("+15005550002", 21612),
        ("+15005550003", 21408),
        ("+15005550004", 21610),
        ("+15005550009", 21614),
    ] {
        let (status, body) = env
            .post(
                "Calls.json",
                &[("To", to), ("From", APP_NUMBER), ("Url", &url)],
            )
            .await;
        assert_eq!(
            (status, body["code"].as_u64()),
            (400, Some(code)),
            "call to {to}"
        );
        let (status, body) = env
            .post(
                "Messages.json",
                &[("To", to), ("From", APP_NUMBER), ("Body", "hi")],
            )
            .await;
        assert_eq!(
            (status, body["code"].as_u64()),
            (400, Some(code)),
            "text to {to}"
        );
    }
}

#[tokio::test]
async fn missing_parameters_get_twilios_codes() {
    let env = TestEnv::start().await;
    let url = env.url("/voice");
    let code = |v: (u16, Value)| (v.0, v.1["code"].as_u64().unwrap_or(0));
    assert_eq!(
        code(
            env.post("Calls.json", &[("From", APP_NUMBER), ("Url", &url)])
                .await
        ),
        (400, 21201)
    );
    assert_eq!(
        code(
            env.post(
                "Calls.json",
                &[("To", "+15005550401"), ("From", APP_NUMBER)]
            )
            .await
        ),
        (400, 21205)
    );
    assert_eq!(
        code(
            env.post(
                "Calls.json",
                &[("To", "12"), ("From", APP_NUMBER), ("Url", &url)]
            )
            .await
        ),
        (400, 21211)
    );
    assert_eq!(
        code(
            env.post("Messages.json", &[("From", APP_NUMBER), ("Body", "x")])
                .await
        ),
        (400, 21604)
    );
    assert_eq!(
        code(
            env.post(
                "Messages.json",
                &[("To", "+15005550401"), ("From", APP_NUMBER)]
            )
            .await
        ),
        (400, 21602)
    );
    let long = "x".repeat(1601);
    assert_eq!(
        code(
            env.post(
                "Messages.json",
                &[
                    ("To", "+15005550401"),
                    ("From", APP_NUMBER),
                    ("Body", &long)
                ]
            )
            .await
        ),
        (400, 21617)
    );
    assert_eq!(
        code(
            env.post(
                "Calls.json",
                &[
                    ("To", "+15005550401"),
                    ("From", APP_NUMBER),
                    ("Url", &url),
                    ("Timeout", "soon")
                ]
            )
            .await
        )
        .0,
        400
    );
}

#[tokio::test]
async fn listing_calls_pages_through_every_call_with_filters_kept() {
    let env = TestEnv::start().await;
    env.route("/voice", "<Response><Hangup/></Response>");
    let mut created = Vec::new();
    for _ in 0..5 {
        created.push(env.call("+15005550402", "/voice", &[]).await);
    }
    env.call("+15005550403", "/voice", &[]).await;
    let (_, mut page) = env.get("Calls.json?To=%2B15005550402&PageSize=2").await;
    let mut seen = Vec::new();
    loop {
        for call in page["calls"].as_array().unwrap() {
            seen.push(call["sid"].as_str().unwrap().to_owned());
        }
        assert_eq!(page["page_size"], 2);
        let Some(next) = page["next_page_uri"].as_str() else {
            break;
        };
        assert!(next.starts_with(&format!("/2010-04-01/Accounts/{ACCOUNT}/Calls.json?")));
        page = env.get(next).await.1;
    }
    created.reverse();
    assert_eq!(seen, created, "newest first, each exactly once");
}

#[tokio::test]
async fn phone_numbers_can_be_created_filtered_updated_and_fetched() {
    let env = TestEnv::start().await;
    let number = env
        .register("+15005550410", &[("FriendlyName", "Hotline")])
        .await;
    env.register("+15005550411", &[]).await;
    let sid = number["sid"].as_str().unwrap();
    assert!(sid.starts_with("PN"));
    assert_eq!(number["voice_method"], "POST");
    let (_, list) = env
        .get("IncomingPhoneNumbers.json?PhoneNumber=%2B15005550410")
        .await;
    assert_eq!(list["incoming_phone_numbers"].as_array().unwrap().len(), 1);
    let new_url = env.url("/other");
    let (status, updated) = env
        .post(
            &format!("IncomingPhoneNumbers/{sid}.json"),
            &[("VoiceUrl", &new_url), ("VoiceMethod", "GET")],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(updated["voice_url"], new_url.as_str());
    assert_eq!(
        env.get(&format!("IncomingPhoneNumbers/{sid}.json")).await.1["voice_method"],
        "GET"
    );
    assert_eq!(
        env.post(
            "IncomingPhoneNumbers.json",
            &[("PhoneNumber", "+15005550410")]
        )
        .await
        .0,
        400
    );
    assert_eq!(
        env.post("IncomingPhoneNumbers.json", &[("PhoneNumber", "nope")])
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn the_control_api_places_calls_scripts_numbers_and_names_bad_fields() {
    let env = TestEnv::start().await;
    env.register("+15005550420", &[]).await;
    env.route(
        "/voice",
        "<Response><Gather numDigits=\"1\" action=\"/pressed\"/></Response>",
    );
    let sim = |p: &str| format!("{}/sim{p}", env.base);
    let r = env
        .http
        .put(sim("/numbers/+15005550421"))
        .json(&serde_json::json!({"press": ["4"], "answer_after_secs": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let got: Value = env
        .http
        .get(sim("/numbers/+15005550421"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["press"][0], "4");
    let r = env
        .http
        .post(sim("/calls"))
        .json(&serde_json::json!({"from": "+15005550421", "to": "+15005550420"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let sid = r.json::<Value>().await.unwrap()["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    env.end(&sid).await;
    assert_eq!(env.hits("/pressed")[0].param("Digits"), Some("4"));
    let t: Value = env
        .http
        .get(sim(&format!("/calls/{sid}/transcript")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        t["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "fetch" && e["status"] == 200)
    );
    let r = env
        .http
        .post(sim("/calls"))
        .json(&serde_json::json!({"from": "+1", "to": "+15005550499"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = env
        .http
        .post(sim("/calls"))
        .json(&serde_json::json!({"to": "+15005550420"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "from");
    let r = env
        .http
        .put(sim("/numbers/+1"))
        .json(&serde_json::json!({"outcome": "maybe"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = env
        .http
        .post(sim("/messages"))
        .json(&serde_json::json!({"from": "+15005550421", "to": "+15005550420", "body": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn unscripted_numbers_behave_the_same_for_the_same_seed() {
    let env = TestEnv::start().await;
    let a = env.sim.behaviour("+15005550430");
    let other = TestEnv::start().await;
    assert_eq!(a, other.sim.behaviour("+15005550430"));
}
