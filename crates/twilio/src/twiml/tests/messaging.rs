use super::*;

#[test]
fn text_message_writes_body_as_element_text() {
    let xml = MessagingResponse::new().message("Thanks & bye").to_xml();
    assert!(
        xml.ends_with("<Response><Message>Thanks &amp; bye</Message></Response>"),
        "{xml}"
    );
}

#[test]
fn media_message_writes_body_and_media_children() {
    let xml = MessagingResponse::new()
        .message(Message::new("Look").media("https://x/cat.jpg"))
        .to_xml();
    assert!(
        xml.contains("<Message><Body>Look</Body><Media>https://x/cat.jpg</Media></Message>"),
        "{xml}"
    );
}

#[test]
fn full_messaging_response_round_trips_through_xml() {
    let response = MessagingResponse::new()
        .message(
            Message::new("Hello")
                .to("+14155551234")
                .from("+15005550006")
                .action("/status")
                .method(Method::Post)
                .media("https://x/1.png")
                .media("https://x/2.png"),
        )
        .message("plain")
        .message(Message::default().media("https://x/only-media.png"))
        .message(Message::default())
        .redirect(Redirect::new("/sms-next").method(Method::Get));
    assert_eq!(MessagingResponse::parse(&response.to_xml()), Ok(response));
}

#[test]
fn parse_reads_body_element_form() {
    let parsed = MessagingResponse::parse(
        "<Response><Message><Body>Hi</Body><Media>https://x/a.gif</Media></Message></Response>",
    );
    assert_eq!(
        parsed,
        Ok(MessagingResponse::new().message(Message::new("Hi").media("https://x/a.gif")))
    );
}

#[test]
fn parse_rejects_voice_verb_in_messaging_response() {
    assert_eq!(
        MessagingResponse::parse("<Response><Say>Hi</Say></Response>"),
        Err(TwimlError::UnknownElement {
            element: "Say".into(),
            parent: "Response".into()
        })
    );
}

#[test]
fn parse_rejects_unknown_child_of_message() {
    assert_eq!(
        MessagingResponse::parse("<Response><Message><Bod>Hi</Bod></Message></Response>"),
        Err(TwimlError::UnknownElement {
            element: "Bod".into(),
            parent: "Message".into()
        })
    );
}

#[test]
fn parse_rejects_messaging_root_that_is_not_response() {
    assert_eq!(
        MessagingResponse::parse("<Message>Hi</Message>"),
        Err(TwimlError::NotAResponse {
            found: "Message".into()
        })
    );
}
