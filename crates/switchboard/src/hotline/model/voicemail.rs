//! The voicemail email and how a caller's number is shown in it.

use twilio::e164::E164;

/// "+1 415 555 1234" for a valid number, the text itself otherwise ("anonymous").
pub fn pretty(phone: &str) -> String {
    E164::parse(phone, None).map_or_else(|_| phone.to_string(), |n| n.pretty())
}

/// The email to a line's notification addresses: (subject, body).
pub fn voicemail_email(
    line_name: &str,
    caller: &str,
    recording_url: &str,
    secs: Option<i64>,
    transcript: Option<&str>,
) -> (String, String) {
    let from = pretty(caller);
    let subject = format!("{line_name}: new voicemail from {from}");
    let duration = secs.map_or_else(|| "unknown".to_string(), |s| format!("{s} seconds"));
    let transcript = transcript
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("No transcription is available.");
    let body = format!(
        "{from} left a voicemail on {line_name}.\n\nListen: {recording_url}.mp3\nDuration: {duration}\n\nTranscript:\n{transcript}\n"
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_has_the_link_duration_and_transcript_or_says_there_is_none() {
        let (subject, body) = voicemail_email(
            "Community Line",
            "+14155551234",
            "https://sim/Recordings/RE1",
            Some(5),
            Some("Please call me back."),
        );
        assert_eq!(
            subject,
            "Community Line: new voicemail from +1 415 555 1234"
        );
        assert!(body.contains("https://sim/Recordings/RE1.mp3"), "{body}");
        assert!(body.contains("5 seconds"), "{body}");
        assert!(body.contains("Please call me back."), "{body}");
        let (_, body) = voicemail_email("L", "anonymous", "u", None, Some("  "));
        assert!(body.contains("No transcription is available."), "{body}");
        assert!(body.contains("anonymous"), "{body}");
    }
}
