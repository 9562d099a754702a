mod errors;
mod messaging;
mod real_world;
mod voice;

use super::*;

/// Every verb with every attribute set, for round-trip tests.
fn full_voice_response() -> VoiceResponse {
    VoiceResponse::new()
        .say(
            Say::new("Hello <caller> & \"friends\" 'ok'")
                .voice("Polly.Joanna")
                .language("en-US")
                .loop_count(2u32),
        )
        .play(Play::new("https://example.com/a.mp3?x=1&y=2").loop_count(3u32))
        .play(Play::digits("ww1234"))
        .pause(4)
        .verb(Pause::default())
        .gather(
            Gather::new()
                .action("/gather?step=1&b=2")
                .method(Method::Get)
                .num_digits(1u32)
                .timeout(7u32)
                .finish_on_key("")
                .input("dtmf speech")
                .action_on_empty_result(true)
                .speech_timeout("auto")
                .language("en-GB")
                .hints("yes, no")
                .child(Say::new("Press 1"))
                .child(Play::new("https://example.com/b.wav"))
                .child(Pause { length: Some(1) }),
        )
        .dial(
            Dial::new()
                .action("/dial-done")
                .method(Method::Post)
                .timeout(20u32)
                .caller_id("+15005550006")
                .record("record-from-answer")
                .time_limit(600u32)
                .hangup_on_star(false)
                .answer_on_bridge(true)
                .ring_tone("us")
                .number(
                    Number::new("+14155551234")
                        .send_digits("wwww1928")
                        .url("/screen")
                        .method(Method::Get)
                        .status_callback("/leg-status")
                        .status_callback_event("initiated ringing answered completed")
                        .status_callback_method(Method::Post)
                        .machine_detection("Enable"),
                )
                .number("+14155550000"),
        )
        .record(
            Record::new()
                .action("/recorded")
                .method(Method::Post)
                .timeout(5u32)
                .max_length(120u32)
                .finish_on_key("#")
                .play_beep(true)
                .transcribe(true)
                .transcribe_callback("/transcribed")
                .recording_status_callback("/rec-status")
                .recording_status_callback_event("in-progress completed")
                .trim("trim-silence"),
        )
        .redirect(Redirect::new("/next").method(Method::Get))
        .hangup()
        .reject(Reject::busy())
        .reject(Reject::default())
}
