//! Documents in the shape Twilio's own TwiML documentation shows them.

use super::*;

fn parse(xml: &str) -> VoiceResponse {
    match VoiceResponse::parse(xml) {
        Ok(response) => response,
        Err(err) => panic!("{err}\n{xml}"),
    }
}

#[test]
fn voicemail_prompt_with_record_parses() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response>
    <Say voice="woman">Please leave a message after the tone.</Say>
    <Record maxLength="20" />
</Response>"#;
    assert_eq!(
        parse(xml),
        VoiceResponse::new()
            .say(Say::new("Please leave a message after the tone.").voice("woman"))
            .record(Record::new().max_length(20u32))
    );
}

#[test]
fn gather_with_nested_multiline_say_parses() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response>
    <Gather action="/process_gather.php" method="GET">
        <Say>
            Please enter your account number,
            followed by the pound sign
        </Say>
    </Gather>
    <Say>We didn't receive any input. Goodbye!</Say>
</Response>"#;
    let response = parse(xml);
    let Verb::Gather(gather) = &response.verbs[0] else {
        panic!("{response:?}")
    };
    assert_eq!(gather.action.as_deref(), Some("/process_gather.php"));
    assert_eq!(gather.method, Some(Method::Get));
    assert!(matches!(&gather.children[0], GatherChild::Say(say)
        if say.text.starts_with("Please enter") && say.text.ends_with("pound sign")));
    assert_eq!(
        response.verbs[1],
        Verb::Say(Say::new("We didn't receive any input. Goodbye!"))
    );
}

#[test]
fn dial_with_action_and_text_number_parses() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response>
    <Dial action="/handleDialCallStatus.php" method="GET">
        415-123-4567
    </Dial>
    <Say>I am unreachable</Say>
</Response>"#;
    assert_eq!(
        parse(xml),
        VoiceResponse::new()
            .dial(
                Dial::new()
                    .action("/handleDialCallStatus.php")
                    .method(Method::Get)
                    .number("415-123-4567")
            )
            .say("I am unreachable")
    );
}

#[test]
fn number_with_send_digits_parses() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response>
    <Dial>
        <Number sendDigits="wwww1928">
            415-123-4567
        </Number>
    </Dial>
</Response>"#;
    assert_eq!(
        parse(xml),
        VoiceResponse::new()
            .dial(Dial::new().number(Number::new("415-123-4567").send_digits("wwww1928")))
    );
}

#[test]
fn number_with_status_callback_events_parses() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response>
    <Dial>
        <Number
         statusCallbackEvent="initiated ringing answered completed"
         statusCallback="https://myapp.com/calls/events"
         statusCallbackMethod="POST">
            +12349013030
        </Number>
    </Dial>
</Response>"#;
    assert_eq!(
        parse(xml),
        VoiceResponse::new().dial(
            Dial::new().number(
                Number::new("+12349013030")
                    .status_callback_event("initiated ringing answered completed")
                    .status_callback("https://myapp.com/calls/events")
                    .status_callback_method(Method::Post)
            )
        )
    );
}

#[test]
fn play_loop_pause_redirect_reject_parse() {
    assert_eq!(
        parse(r#"<Response><Play loop="10">https://api.twilio.com/cowbell.mp3</Play></Response>"#),
        VoiceResponse::new()
            .play(Play::new("https://api.twilio.com/cowbell.mp3").loop_count(10u32))
    );
    assert_eq!(
        parse(r#"<Response><Pause length="5"/><Say>Hi there.</Say></Response>"#),
        VoiceResponse::new().pause(5).say("Hi there.")
    );
    assert_eq!(
        parse(
            r#"<Response><Redirect method="POST">http://pigeons.com/twiml.xml</Redirect></Response>"#
        ),
        VoiceResponse::new()
            .redirect(Redirect::new("http://pigeons.com/twiml.xml").method(Method::Post))
    );
    assert_eq!(
        parse(r#"<Response><Reject reason="busy" /></Response>"#),
        VoiceResponse::new().reject(Reject::busy())
    );
}

#[test]
fn speech_gather_with_hints_parses() {
    let xml = r#"<Response>
  <Gather input="speech dtmf" timeout="3" numDigits="1" speechTimeout="auto" hints="sales, support" actionOnEmptyResult="true">
    <Say>Say sales or press 1.</Say>
  </Gather>
</Response>"#;
    let expected = Gather::new()
        .input("speech dtmf")
        .timeout(3u32)
        .num_digits(1u32)
        .speech_timeout("auto")
        .hints("sales, support")
        .action_on_empty_result(true)
        .child(Say::new("Say sales or press 1."));
    assert_eq!(parse(xml), VoiceResponse::new().gather(expected));
}

#[test]
fn message_with_media_from_docs_parses() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response>
    <Message>
        <Body>Store Location: 123 Easy St.</Body>
        <Media>https://demo.twilio.com/owl.png</Media>
    </Message>
</Response>"#;
    assert_eq!(
        MessagingResponse::parse(xml),
        Ok(MessagingResponse::new().message(
            Message::new("Store Location: 123 Easy St.").media("https://demo.twilio.com/owl.png")
        ))
    );
}
