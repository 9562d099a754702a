use super::*;
use crate::resources::{AnsweredBy, CallDirection, CallStatus, DialCallStatus, MessageStatus};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn call_base() -> Vec<(&'static str, &'static str)> {
    vec![
        ("CallSid", "CA1"),
        ("AccountSid", "AC1"),
        ("From", "+14155551234"),
        ("To", "+15005550006"),
        ("CallStatus", "ringing"),
    ]
}

fn with(
    mut base: Vec<(&'static str, &'static str)>,
    more: &[(&'static str, &'static str)],
) -> Vec<(String, String)> {
    base.extend_from_slice(more);
    pairs(&base)
}

#[test]
fn voice_request_reads_typed_fields_and_keeps_unknown_ones() {
    let form = with(
        call_base(),
        &[
            ("Direction", "inbound"),
            ("FromCity", "SAN FRANCISCO"),
            ("Digits", "1"),
            ("CallerName", ""),
        ],
    );
    let request = VoiceRequest::from_pairs(&form).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(request.call_status, CallStatus::Ringing);
    assert_eq!(request.direction, Some(CallDirection::Inbound));
    assert_eq!(request.digits.as_deref(), Some("1"));
    assert_eq!(request.caller_name, None, "empty reads as None");
    assert_eq!(
        request.extra.get("FromCity").map(String::as_str),
        Some("SAN FRANCISCO")
    );
}

#[test]
fn voice_request_names_missing_required_field() {
    let form = pairs(&[
        ("CallSid", "CA1"),
        ("AccountSid", "AC1"),
        ("To", "+1"),
        ("CallStatus", "ringing"),
    ]);
    let err = VoiceRequest::from_pairs(&form).unwrap_err();
    assert_eq!(err, WebhookError::Missing { field: "From" });
    assert_eq!(err.to_string(), "webhook parameter From is missing");
}

#[test]
fn voice_request_names_invalid_field_and_value() {
    let form = with(
        vec![
            ("CallSid", "CA1"),
            ("AccountSid", "AC1"),
            ("From", "a"),
            ("To", "b"),
        ],
        &[("CallStatus", "ringing-ish")],
    );
    let err = VoiceRequest::from_pairs(&form).unwrap_err();
    assert_eq!(err.field(), "CallStatus");
    assert!(err.to_string().contains("ringing-ish"), "{err}");
}

#[test]
fn call_status_callback_reads_final_event_fields() {
    let form = with(
        call_base(),
        &[
            ("CallDuration", "42"),
            ("SequenceNumber", "3"),
            ("Timestamp", "Tue, 31 Aug 2010 20:36:28 +0000"),
            ("CallbackSource", "call-progress-events"),
            ("AnsweredBy", "machine_end_beep"),
            ("Duration", "1"),
            ("RecordingUrl", "https://x/RE1"),
        ],
    );
    let callback = CallStatusCallback::from_pairs(&form).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(callback.call_duration, Some(42));
    assert_eq!(callback.sequence_number, Some(3));
    assert_eq!(callback.answered_by, Some(AnsweredBy::MachineEndBeep));
    assert_eq!(callback.duration, Some(1));
    assert!(callback.extra.is_empty());
}

#[test]
fn call_status_callback_rejects_non_numeric_duration() {
    let form = with(call_base(), &[("CallDuration", "forty")]);
    let err = CallStatusCallback::from_pairs(&form).unwrap_err();
    assert_eq!(err.field(), "CallDuration");
}

#[test]
fn dial_action_reads_dial_outcome() {
    let form = pairs(&[
        ("CallSid", "CA1"),
        ("AccountSid", "AC1"),
        ("DialCallStatus", "no-answer"),
        ("DialCallSid", "CA2"),
        ("DialCallDuration", "0"),
        ("DialBridged", "false"),
    ]);
    let action = DialAction::from_pairs(&form).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(action.dial_call_status, DialCallStatus::NoAnswer);
    assert_eq!(action.dial_bridged, Some(false));
    assert_eq!(action.dial_call_duration, Some(0));
}

#[test]
fn gather_action_reads_digits_and_speech() {
    let form = pairs(&[
        ("CallSid", "CA1"),
        ("AccountSid", "AC1"),
        ("Digits", "1"),
        ("FinishedOnKey", "#"),
        ("SpeechResult", "acknowledge"),
        ("Confidence", "0.92"),
    ]);
    let action = GatherAction::from_pairs(&form).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(action.digits.as_deref(), Some("1"));
    assert_eq!(action.confidence, Some(0.92));
    assert_eq!(action.finished_on_key.as_deref(), Some("#"));
}

#[test]
fn record_action_requires_recording_url() {
    let form = pairs(&[
        ("CallSid", "CA1"),
        ("AccountSid", "AC1"),
        ("RecordingSid", "RE1"),
    ]);
    assert_eq!(
        RecordAction::from_pairs(&form).unwrap_err(),
        WebhookError::Missing {
            field: "RecordingUrl"
        }
    );
    let mut form = form;
    form.extend(pairs(&[
        ("RecordingUrl", "https://x/RE1"),
        ("RecordingDuration", "7"),
        ("Digits", "hangup"),
    ]));
    let action = RecordAction::from_pairs(&form).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(action.recording_duration, Some(7));
    assert_eq!(action.digits.as_deref(), Some("hangup"));
}

#[test]
fn recording_status_reads_channels_and_source() {
    let form = pairs(&[
        ("AccountSid", "AC1"),
        ("CallSid", "CA1"),
        ("RecordingSid", "RE1"),
        ("RecordingUrl", "https://x/RE1"),
        ("RecordingStatus", "completed"),
        ("RecordingDuration", "12"),
        ("RecordingChannels", "2"),
        ("RecordingSource", "DialVerb"),
    ]);
    let status = RecordingStatus::from_pairs(&form).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(status.recording_channels, Some(2));
    assert_eq!(status.recording_source.as_deref(), Some("DialVerb"));
}

#[test]
fn transcription_reads_text_and_tolerates_failure_without_text() {
    let form = pairs(&[
        ("AccountSid", "AC1"),
        ("CallSid", "CA1"),
        ("TranscriptionSid", "TR1"),
        ("TranscriptionStatus", "failed"),
        ("RecordingSid", "RE1"),
    ]);
    let transcription = Transcription::from_pairs(&form).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(transcription.transcription_text, None);
    assert_eq!(transcription.transcription_status, "failed");
}

#[test]
fn inbound_message_collects_numbered_media() {
    let form = pairs(&[
        ("MessageSid", "MM1"),
        ("SmsSid", "MM1"),
        ("AccountSid", "AC1"),
        ("From", "+14155551234"),
        ("To", "+15005550006"),
        ("Body", ""),
        ("NumMedia", "2"),
        ("NumSegments", "1"),
        ("MediaUrl0", "https://x/0"),
        ("MediaContentType0", "image/jpeg"),
        ("MediaUrl1", "https://x/1"),
        ("MediaContentType1", "image/png"),
        ("FromCountry", "US"),
    ]);
    let message = InboundMessage::from_pairs(&form).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(message.body, "");
    assert_eq!(message.num_media, Some(2));
    assert_eq!(
        message.media,
        vec![
            Media {
                url: "https://x/0".into(),
                content_type: Some("image/jpeg".into())
            },
            Media {
                url: "https://x/1".into(),
                content_type: Some("image/png".into())
            },
        ]
    );
    assert_eq!(
        message.extra.keys().collect::<Vec<_>>(),
        vec!["FromCountry"]
    );
}

#[test]
fn inbound_message_round_trips_through_pairs() {
    let form = pairs(&[
        ("MessageSid", "SM1"),
        ("AccountSid", "AC1"),
        ("From", "+14155551234"),
        ("To", "+15005550006"),
        ("Body", "STOP"),
        ("MediaUrl0", "https://x/0"),
        ("ToCity", "X"),
    ]);
    let message = InboundMessage::from_pairs(&form).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(InboundMessage::from_pairs(&message.to_pairs()), Ok(message));
}

#[test]
fn message_status_callback_reads_status_and_error_code() {
    let form = pairs(&[
        ("MessageSid", "SM1"),
        ("MessageStatus", "undelivered"),
        ("ErrorCode", "30003"),
        ("SmsStatus", "undelivered"),
    ]);
    let callback = MessageStatusCallback::from_pairs(&form).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(callback.message_status, MessageStatus::Undelivered);
    assert_eq!(callback.error_code, Some(30003));
}

#[test]
fn repeated_parameter_keeps_first_value() {
    let form = with(
        call_base(),
        &[("Digits", "1"), ("Digits", "2"), ("X", "a"), ("X", "b")],
    );
    let request = VoiceRequest::from_pairs(&form).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(request.digits.as_deref(), Some("1"));
    assert_eq!(request.extra.get("X").map(String::as_str), Some("a"));
}

#[test]
fn to_pairs_writes_twilio_names_and_skips_none() {
    let request =
        VoiceRequest::from_pairs(&pairs(&call_base())).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(request.to_pairs(), pairs(&call_base()));
}

#[test]
fn deserialize_reads_url_encoded_form() {
    let body = "CallSid=CA1&AccountSid=AC1&From=%2B14155551234&To=%2B15005550006&CallStatus=in-progress&Foo=bar";
    let request: VoiceRequest =
        serde_urlencoded::from_str(body).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(request.from, "+14155551234");
    assert_eq!(request.call_status, CallStatus::InProgress);
    assert_eq!(request.extra.get("Foo").map(String::as_str), Some("bar"));
}

#[test]
fn deserialize_reports_the_missing_field() {
    let err = serde_urlencoded::from_str::<GatherAction>("CallSid=CA1").unwrap_err();
    assert!(err.to_string().contains("AccountSid"), "{err}");
}
