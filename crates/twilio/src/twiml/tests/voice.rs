use super::*;

#[test]
fn full_voice_response_round_trips_through_xml() {
    let response = full_voice_response();
    assert_eq!(VoiceResponse::parse(&response.to_xml()), Ok(response));
}

#[test]
fn empty_response_writes_self_closing_root() {
    assert_eq!(
        VoiceResponse::new().to_xml(),
        r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#
    );
    assert_eq!(
        VoiceResponse::parse(&VoiceResponse::new().to_xml()),
        Ok(VoiceResponse::new())
    );
}

#[test]
fn each_verb_round_trips_alone() {
    for verb in full_voice_response().verbs {
        let response = VoiceResponse::new().verb(verb);
        assert_eq!(VoiceResponse::parse(&response.to_xml()), Ok(response));
    }
}

#[test]
fn say_writes_text_and_attributes_escaped() {
    let xml = VoiceResponse::new()
        .say(Say::new("Tom & Jerry <3").voice("alice").loop_count(0u32))
        .to_xml();
    assert!(
        xml.contains(r#"<Say voice="alice" loop="0">Tom &amp; Jerry &lt;3</Say>"#),
        "{xml}"
    );
}

#[test]
fn attribute_values_are_escaped() {
    let xml = VoiceResponse::new()
        .redirect(Redirect::new("/a?b=1&c=\"2\""))
        .gather(Gather::new().action("/g?a=1&b=<2>"))
        .to_xml();
    assert!(xml.contains(r#"action="/g?a=1&amp;b=&lt;2&gt;""#), "{xml}");
    assert!(xml.contains("/a?b=1&amp;c="), "{xml}");
}

#[test]
fn hangup_writes_empty_element() {
    let xml = VoiceResponse::new().hangup().to_xml();
    assert!(xml.ends_with("<Response><Hangup/></Response>"), "{xml}");
}

#[test]
fn pause_without_length_writes_bare_element() {
    let xml = VoiceResponse::new().verb(Pause::default()).to_xml();
    assert!(xml.contains("<Pause/>"), "{xml}");
}

#[test]
fn play_digits_writes_empty_element_with_digits() {
    let xml = VoiceResponse::new().play(Play::digits("1w2")).to_xml();
    assert!(xml.contains(r#"<Play digits="1w2"/>"#), "{xml}");
}

#[test]
fn gather_writes_camel_case_attributes_and_children() {
    let xml = VoiceResponse::new()
        .gather(
            Gather::new()
                .num_digits(1u32)
                .finish_on_key("#")
                .action_on_empty_result(false)
                .child(Say::new("Hi")),
        )
        .to_xml();
    assert!(
        xml.contains(
            r##"<Gather numDigits="1" finishOnKey="#" actionOnEmptyResult="false"><Say>Hi</Say></Gather>"##
        ),
        "{xml}"
    );
}

#[test]
fn dial_writes_number_children_with_attributes() {
    let xml = VoiceResponse::new()
        .dial(
            Dial::new()
                .caller_id("+15005550006")
                .number(Number::new("+14155551234").status_callback_event("answered completed")),
        )
        .to_xml();
    assert!(
        xml.contains(
            r#"<Dial callerId="+15005550006"><Number statusCallbackEvent="answered completed">+14155551234</Number></Dial>"#
        ),
        "{xml}"
    );
}

#[test]
fn record_writes_every_attribute_name_twilio_uses() {
    let xml = VoiceResponse::new().record(full_record()).to_xml();
    for name in [
        "action=",
        "method=",
        "timeout=",
        "maxLength=",
        "finishOnKey=",
        "playBeep=",
        "transcribe=",
        "transcribeCallback=",
        "recordingStatusCallback=",
        "recordingStatusCallbackEvent=",
        "trim=",
    ] {
        assert!(xml.contains(name), "{name} missing in {xml}");
    }
}

fn full_record() -> Record {
    full_voice_response()
        .verbs
        .into_iter()
        .find_map(|verb| match verb {
            Verb::Record(record) => Some(record),
            _ => None,
        })
        .unwrap_or_default()
}

#[test]
fn reject_writes_reason() {
    let xml = VoiceResponse::new().reject(Reject::busy()).to_xml();
    assert!(xml.contains(r#"<Reject reason="busy"/>"#), "{xml}");
}

#[test]
fn parse_reads_plain_text_dial_as_number() {
    let parsed = VoiceResponse::parse("<Response><Dial> +14155551234 </Dial></Response>");
    assert_eq!(
        parsed,
        Ok(VoiceResponse::new().dial(Dial::new().number("+14155551234")))
    );
}

#[test]
fn parse_trims_whitespace_around_text() {
    let parsed =
        VoiceResponse::parse("<Response>\n  <Say>\n    Hello there\n  </Say>\n</Response>");
    assert_eq!(parsed, Ok(VoiceResponse::new().say("Hello there")));
}

#[test]
fn parse_resolves_entities_and_character_references() {
    let parsed = VoiceResponse::parse("<Response><Say>A &amp; B &#233;&#x41;</Say></Response>");
    assert_eq!(parsed, Ok(VoiceResponse::new().say("A & B éA")));
}

#[test]
fn parse_reads_cdata_text() {
    let parsed = VoiceResponse::parse("<Response><Say><![CDATA[1 < 2]]></Say></Response>");
    assert_eq!(parsed, Ok(VoiceResponse::new().say("1 < 2")));
}

#[test]
fn parse_accepts_boolean_attributes_in_any_case() {
    let parsed = VoiceResponse::parse(r#"<Response><Record playBeep="TRUE"/></Response>"#);
    assert_eq!(
        parsed,
        Ok(VoiceResponse::new().record(Record::new().play_beep(true)))
    );
}

#[test]
fn parse_ignores_unknown_attributes() {
    let parsed = VoiceResponse::parse(r#"<Response><Hangup foo="bar"/></Response>"#);
    assert_eq!(parsed, Ok(VoiceResponse::new().hangup()));
}

#[test]
fn parse_ignores_comments_and_declaration() {
    let parsed = VoiceResponse::parse(
        "<?xml version=\"1.0\"?>\n<!-- hi --><Response><!-- x --><Hangup/></Response>\n",
    );
    assert_eq!(parsed, Ok(VoiceResponse::new().hangup()));
}

#[test]
fn fluent_builder_accepts_plain_strings() {
    let response = VoiceResponse::new()
        .say("Hi")
        .play("https://x/a.mp3")
        .redirect("/next");
    assert_eq!(
        response.verbs,
        vec![
            Verb::Say(Say::new("Hi")),
            Verb::Play(Play::new("https://x/a.mp3")),
            Verb::Redirect(Redirect::new("/next")),
        ]
    );
}

#[test]
fn content_type_is_xml() {
    assert!(CONTENT_TYPE.starts_with("text/xml"));
}
