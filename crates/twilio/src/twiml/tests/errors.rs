use super::*;

fn unknown(element: &str, parent: &str) -> Result<VoiceResponse, TwimlError> {
    Err(TwimlError::UnknownElement {
        element: element.into(),
        parent: parent.into(),
    })
}

fn missing(element: &str, what: &'static str) -> Result<VoiceResponse, TwimlError> {
    Err(TwimlError::MissingContent {
        element: element.into(),
        what,
    })
}

#[test]
fn parse_rejects_unknown_verb_naming_it() {
    let err = VoiceResponse::parse("<Response><Sya>Hi</Sya></Response>");
    assert_eq!(err, unknown("Sya", "Response"));
    assert_eq!(
        err.unwrap_err().to_string(),
        "<Sya> is not allowed inside <Response>"
    );
}

#[test]
fn parse_rejects_dial_inside_gather() {
    let err = VoiceResponse::parse("<Response><Gather><Dial>+1415</Dial></Gather></Response>");
    assert_eq!(err, unknown("Dial", "Gather"));
}

#[test]
fn parse_rejects_unsupported_dial_noun() {
    let err = VoiceResponse::parse("<Response><Dial><Client>joey</Client></Dial></Response>");
    assert_eq!(err, unknown("Client", "Dial"));
}

#[test]
fn parse_rejects_children_of_say() {
    let err = VoiceResponse::parse("<Response><Say>Hi<break/></Say></Response>");
    assert_eq!(err, unknown("break", "Say"));
}

#[test]
fn parse_rejects_non_numeric_count_attribute() {
    let err = VoiceResponse::parse(r#"<Response><Gather numDigits="one"/></Response>"#);
    assert!(
        matches!(
            err,
            Err(TwimlError::InvalidAttribute { ref element, ref attribute, ref value, .. })
                if element == "Gather" && attribute == "numDigits" && value == "one"
        ),
        "{err:?}"
    );
}

#[test]
fn parse_rejects_bad_boolean_attribute() {
    let err = VoiceResponse::parse(r#"<Response><Dial hangupOnStar="yes">+1</Dial></Response>"#);
    assert!(
        matches!(
            err,
            Err(TwimlError::InvalidAttribute { ref attribute, .. }) if attribute == "hangupOnStar"
        ),
        "{err:?}"
    );
}

#[test]
fn parse_rejects_bad_method_attribute() {
    let err = VoiceResponse::parse(r#"<Response><Redirect method="PUT">/x</Redirect></Response>"#);
    assert!(
        matches!(
            err,
            Err(TwimlError::InvalidAttribute { ref attribute, ref value, .. })
                if attribute == "method" && value == "PUT"
        ),
        "{err:?}"
    );
}

#[test]
fn parse_rejects_root_other_than_response() {
    assert_eq!(
        VoiceResponse::parse("<Say>Hi</Say>"),
        Err(TwimlError::NotAResponse {
            found: "Say".into()
        })
    );
}

#[test]
fn parse_rejects_text_directly_in_response() {
    assert_eq!(
        VoiceResponse::parse("<Response>Hello</Response>"),
        Err(TwimlError::UnexpectedText {
            element: "Response".into(),
            text: "Hello".into()
        })
    );
}

#[test]
fn parse_rejects_text_inside_gather() {
    assert!(matches!(
        VoiceResponse::parse("<Response><Gather>Press 1</Gather></Response>"),
        Err(TwimlError::UnexpectedText { ref element, .. }) if element == "Gather"
    ));
}

#[test]
fn parse_rejects_redirect_without_url() {
    assert_eq!(
        VoiceResponse::parse("<Response><Redirect/></Response>"),
        missing("Redirect", "a URL")
    );
}

#[test]
fn parse_rejects_dial_without_target() {
    assert_eq!(
        VoiceResponse::parse("<Response><Dial> </Dial></Response>"),
        missing("Dial", "a number to dial")
    );
}

#[test]
fn parse_rejects_empty_number() {
    assert_eq!(
        VoiceResponse::parse("<Response><Dial><Number/></Dial></Response>"),
        missing("Number", "a phone number")
    );
}

#[test]
fn parse_rejects_play_without_url_or_digits() {
    assert_eq!(
        VoiceResponse::parse("<Response><Play/></Response>"),
        missing("Play", "a URL or a digits attribute")
    );
}

#[test]
fn parse_rejects_unclosed_element() {
    assert!(matches!(
        VoiceResponse::parse("<Response><Say>Hi</Say>"),
        Err(TwimlError::Xml(_))
    ));
}

#[test]
fn parse_rejects_mismatched_end_tag() {
    assert!(matches!(
        VoiceResponse::parse("<Response><Say>Hi</Play></Response>"),
        Err(TwimlError::Xml(_))
    ));
}

#[test]
fn parse_rejects_empty_document() {
    assert!(matches!(
        VoiceResponse::parse("  "),
        Err(TwimlError::Xml(_))
    ));
}

#[test]
fn parse_rejects_two_root_elements() {
    assert!(matches!(
        VoiceResponse::parse("<Response/><Response/>"),
        Err(TwimlError::Xml(_))
    ));
}

#[test]
fn parse_rejects_text_after_root() {
    assert!(matches!(
        VoiceResponse::parse("<Response/>trailing"),
        Err(TwimlError::Xml(_))
    ));
}

#[test]
fn parse_rejects_unknown_entity() {
    assert!(matches!(
        VoiceResponse::parse("<Response><Say>&nbsp;</Say></Response>"),
        Err(TwimlError::Xml(_))
    ));
}

#[test]
fn twiml_errors_carry_twilio_code_12100() {
    assert_eq!(TwimlError::Xml("x".into()).code(), 12100);
}
