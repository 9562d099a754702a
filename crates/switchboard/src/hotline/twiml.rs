//! The TwiML of the native voice flow, as pure functions of values (no I/O): dial the next
//! people, screen the callee with a whisper, take a voicemail.

use super::model::voicemail::pretty;
use twilio::twiml::{Dial, Gather, Number, Record, VoiceResponse};

/// The callee's leg waits this long for the key press after the whisper.
pub const WHISPER_TIMEOUT_SECS: u32 = 8;
/// The longest voicemail, in seconds.
pub const VOICEMAIL_MAX_SECS: u32 = 120;

/// One person to ring: their phone and the whisper URL run on their leg.
pub struct Ring {
    pub phone: String,
    pub whisper_url: String,
}

/// `<Dial>` everyone in `rings` at once (one `<Number>` each), showing the line's number.
pub fn dial(line_number: &str, timeout_secs: u32, action: &str, rings: &[Ring]) -> VoiceResponse {
    let dial = rings.iter().fold(
        Dial::new()
            .timeout(timeout_secs)
            .action(action)
            .caller_id(line_number),
        |dial, ring| dial.number(Number::new(ring.phone.as_str()).url(ring.whisper_url.as_str())),
    );
    VoiceResponse::new().dial(dial)
}

/// The whisper on the callee's leg: who is calling, press 1 to accept. Silence falls through
/// to `<Hangup/>`, so the caller's `<Dial>` reports no-answer and the walk goes on.
pub fn whisper(line_name: &str, caller: &str, action: &str) -> VoiceResponse {
    let prompt = format!(
        "Call for {line_name} from {}. Press 1 to accept.",
        pretty(caller)
    );
    let gather = Gather::new()
        .num_digits(1u32)
        .timeout(WHISPER_TIMEOUT_SECS)
        .action(action)
        .child(twilio::twiml::Say::new(prompt));
    VoiceResponse::new().gather(gather).hangup()
}

/// Whether the callee's key accepts the call.
pub fn accepts(digits: Option<&str>) -> bool {
    digits.map(str::trim) == Some("1")
}

/// After the whisper: "Connecting you." (the empty remainder bridges) or hang up the callee.
pub fn whisper_answer(accepted: bool) -> VoiceResponse {
    if accepted {
        VoiceResponse::new().say("Connecting you.")
    } else {
        VoiceResponse::new().hangup()
    }
}

/// Where the voicemail's callbacks go (the volunteer line's paths).
pub struct VoicemailUrls {
    pub action: String,
    pub recording_status: String,
    pub transcription: String,
}

/// Nobody is available: the caller may leave a message.
pub fn voicemail(line_name: &str, urls: &VoicemailUrls) -> VoiceResponse {
    let record = Record::new()
        .max_length(VOICEMAIL_MAX_SECS)
        .finish_on_key("*")
        .transcribe(true)
        .transcribe_callback(urls.transcription.as_str())
        .recording_status_callback(urls.recording_status.as_str())
        .action(urls.action.as_str());
    VoiceResponse::new()
        .say(format!(
            "{line_name}: nobody is available right now. Please leave a message after the tone."
        ))
        .record(record)
}

/// After the recording.
pub fn goodbye() -> VoiceResponse {
    VoiceResponse::new()
        .say("Thank you. Your message has been passed on. Goodbye.")
        .hangup()
}

/// A call to a number that serves no line.
pub fn not_in_service() -> VoiceResponse {
    VoiceResponse::new()
        .say("Sorry, the number you have called is not in service.")
        .hangup()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dial_rings_every_number_with_its_whisper_and_shows_the_line() {
        let rings = [
            Ring {
                phone: "+15005550211".into(),
                whisper_url: "https://x/w?incident=1&line=2".into(),
            },
            Ring {
                phone: "+15005550212".into(),
                whisper_url: "https://x/w?incident=1&line=2".into(),
            },
        ];
        let xml = dial("+15005550200", 20, "https://x/d?incident=1", &rings).to_xml();
        assert!(xml.contains(r#"timeout="20""#), "{xml}");
        assert!(xml.contains(r#"callerId="+15005550200""#), "{xml}");
        assert!(xml.contains(r#"action="https://x/d?incident=1""#), "{xml}");
        assert_eq!(xml.matches("<Number").count(), 2, "{xml}");
        assert!(xml.contains("&amp;line=2"), "the URL is escaped: {xml}");
    }

    #[test]
    fn whisper_names_the_line_and_the_caller_and_hangs_up_on_silence() {
        let xml = whisper("Community Line", "+14155551234", "https://x/a").to_xml();
        assert!(
            xml.contains("Call for Community Line from +1 415 555 1234. Press 1 to accept."),
            "{xml}"
        );
        assert!(xml.contains(r#"numDigits="1""#), "{xml}");
        assert!(xml.contains(r#"timeout="8""#), "{xml}");
        assert!(xml.ends_with("<Hangup/></Response>"), "{xml}");
    }

    #[test]
    fn only_the_key_1_accepts() {
        let cases = [
            (Some("1"), true),
            (Some(" 1 "), true),
            (Some("2"), false),
            (Some(""), false),
            (None, false),
        ];
        for (digits, want) in cases {
            assert_eq!(accepts(digits), want, "{digits:?}");
        }
        assert!(whisper_answer(true).to_xml().contains("Connecting you."));
        assert!(whisper_answer(false).to_xml().contains("<Hangup/>"));
    }

    #[test]
    fn voicemail_records_with_transcription_and_the_volunteer_lines_callbacks() {
        let urls = VoicemailUrls {
            action: "https://x/callrouting/recording".into(),
            recording_status: "https://x/callrouting/recordingcomplete".into(),
            transcription: "https://x/callrouting/transcription".into(),
        };
        let xml = voicemail("Community Line", &urls).to_xml();
        assert!(xml.contains(
            "Community Line: nobody is available right now. Please leave a message after the tone."
        ));
        for attr in [
            r#"maxLength="120""#,
            r#"finishOnKey="*""#,
            r#"transcribe="true""#,
            r#"transcribeCallback="https://x/callrouting/transcription""#,
            r#"recordingStatusCallback="https://x/callrouting/recordingcomplete""#,
            r#"action="https://x/callrouting/recording""#,
        ] {
            assert!(xml.contains(attr), "{attr} in {xml}");
        }
    }
}
