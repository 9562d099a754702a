//! The `switchboard sim call` and `sim text` twins against a running simulator.

use twilio_sim::cli::{SimCommand, run};

use crate::support::{APP_NUMBER, TestEnv};

#[tokio::test]
async fn sim_call_presses_digits_and_waits_for_the_end_and_sim_text_delivers() {
    let env = TestEnv::start().await;
    env.register(APP_NUMBER, &[]).await;
    env.route(
        "/voice",
        "<Response><Gather numDigits=\"1\" action=\"/pressed\"/></Response>",
    );
    let call = SimCommand::Call {
        sim_url: env.base.clone(),
        from: "+15005550501".into(),
        to: APP_NUMBER.into(),
        press: Some("3".into()),
    };
    run(call).await.unwrap();
    assert_eq!(env.hits("/pressed")[0].param("Digits"), Some("3"));
    let text = SimCommand::Text {
        sim_url: env.base.clone(),
        from: "+15005550501".into(),
        to: APP_NUMBER.into(),
        body: "hi".into(),
    };
    run(text).await.unwrap();
    assert_eq!(env.wait_hits("/sms", 1).await[0].param("Body"), Some("hi"));
    let unknown = SimCommand::Text {
        sim_url: env.base.clone(),
        from: "+15005550501".into(),
        to: "+15005550777".into(),
        body: "hi".into(),
    };
    assert!(run(unknown).await.unwrap_err().to_string().contains("404"));
}
